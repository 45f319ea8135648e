"""The errors GeneDesk shows to people, each with the command's exit code.

Messages are written for a counsellor, not a programmer: what was wrong, where, and what to do.
They never contain patient text, keys or passphrases — callers pass only file names, line numbers,
field names and record ids.
"""

from __future__ import annotations


class GeneDeskError(Exception):
    """Anything GeneDesk refuses or cannot do; exit code 1 unless a subclass says otherwise."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UsageError(GeneDeskError):
    """A value given on the command line or in a form is not acceptable (exit 2)."""

    exit_code = 2


class BadInputError(GeneDeskError):
    """An input file could not be used; the message names the file and where (exit 3)."""

    exit_code = 3


class VaultLockedError(GeneDeskError):
    """The vault cannot be opened: wrong or missing key, passphrase or recovery key (exit 4)."""

    exit_code = 4


class PermissionRefused(GeneDeskError):
    """Refused by a consent, a role or a password (exit 5)."""

    exit_code = 5


class NotFoundError(GeneDeskError):
    """A record that was asked for does not exist (exit 1)."""

    exit_code = 1


class Cancelled(GeneDeskError):
    """The person cancelled a long job; nothing was stored."""

    exit_code = 1
