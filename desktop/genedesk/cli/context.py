"""What every command needs: which vault, who is acting, and the secrets to open it.

Secrets come from the environment (GENEDESK_PASSWORD, GENEDESK_PASSPHRASE, GENEDESK_RECOVERY_KEY)
or a prompt on a terminal; never from command-line arguments, which other users of the PC can see.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from genedesk.core import paths, staff
from genedesk.core.errors import UsageError
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, open_vault
from genedesk.core.vault.keyfile import KeyFile
from genedesk.core.vault.store import KEY_NAME


def vault_folder(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "vault", None) or os.environ.get("GENEDESK_VAULT")
    return Path(chosen).expanduser() if chosen else paths.default_vault_dir()


def secret(env_name: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env_name)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"{prompt} is needed: set {env_name} or run the command in a terminal.")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"{prompt} again: ") != first:
        raise UsageError("The two entries do not match.")
    return first


def optional_secret(env_name: str) -> str | None:
    return os.environ.get(env_name) or None


def passphrase_if_needed(folder: Path) -> str | None:
    key_path = folder / KEY_NAME
    if key_path.exists() and KeyFile.read(key_path).mode == "passphrase":
        return secret("GENEDESK_PASSPHRASE", "Vault passphrase")
    return None


def acting_user(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get("GENEDESK_USER")
    if not name:
        raise UsageError("Say who is acting: --user NAME or GENEDESK_USER.")
    return str(name)


@dataclass
class Signed:
    vault: Vault
    staff: Staff
    notes: list[str]


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[Signed]:
    """Open the vault and sign the acting staff member in; close the vault afterwards."""
    name = acting_user(args)
    folder = vault_folder(args)
    opened = open_vault(folder, passphrase=passphrase_if_needed(folder))
    try:
        password = secret("GENEDESK_PASSWORD", f"Password for {name}")
        member = staff.sign_in(opened.vault, name, password)
        yield Signed(opened.vault, member, opened.notes)
    finally:
        opened.vault.close()
