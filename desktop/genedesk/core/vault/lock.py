"""One process at a time may own a vault: an OS file lock on `vault.lock`.

The lock is released by the OS when the owner exits, even by a crash, so a killed GeneDesk never
leaves a vault locked. The lock file says who holds it, for the "in use by …" message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import socket
from pathlib import Path
from typing import IO

from genedesk.core.errors import GeneDeskError

if os.name == "nt":  # pragma: no cover - exercised on Windows builds
    import msvcrt
else:
    import fcntl


class VaultInUseError(GeneDeskError):
    exit_code = 1


def _holder_text() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "another user"
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"GeneDesk (process {os.getpid()}) of {user} on {socket.gethostname()} since {since}"


class VaultLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            if os.name == "nt":  # pragma: no cover
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
            else:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another GeneDesk program"
            handle.close()
            raise VaultInUseError(
                f"The vault is in use by {holder}.",
                hint="Close GeneDesk there first (only one program may change the vault at a time).",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(_holder_text() + "\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
        self._handle.close()
        self._handle = None
