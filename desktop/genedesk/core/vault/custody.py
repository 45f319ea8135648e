"""Keeping the vault key in the operating system's keyring (service "GeneDesk", one entry per vault).

Only real OS keyrings count: keyring's fail backend (and any "insecure" plain-file backend) means
there is no keyring here, and the vault is kept in passphrase mode instead.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from genedesk.core.errors import VaultLockedError

SERVICE = "GeneDesk"
_PREVIOUS_SUFFIX = ":previous"
log = logging.getLogger(__name__)


def _backend() -> KeyringBackend:
    return keyring.get_keyring()


def backend_name() -> str:
    backend = _backend()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keyring_available() -> bool:
    """True when a real OS keyring backend is in use (not the fail or plain-text backends)."""
    backend = _backend()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyrings.alt")):
        return False
    if module.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return float(getattr(backend, "priority", 0)) > 0


def _entry(vault_id: str, previous: bool) -> str:
    return vault_id + (_PREVIOUS_SUFFIX if previous else "")


def load_key(vault_id: str, *, previous: bool = False) -> bytes | None:
    try:
        stored = _backend().get_password(SERVICE, _entry(vault_id, previous))
    except keyring.errors.KeyringError as error:
        log.warning("keyring read failed: %s", type(error).__name__)
        raise VaultLockedError(
            "This computer's keyring could not be read.",
            hint="Sign in to your desktop session (the keyring unlocks with it) and try again, "
            "or use `genedesk vault recover` with the recovery key.",
        ) from None
    if stored is None:
        return None
    try:
        return bytes.fromhex(stored)
    except ValueError:
        return None


def store_key(vault_id: str, key: bytes, *, previous: bool = False) -> None:
    try:
        _backend().set_password(SERVICE, _entry(vault_id, previous), key.hex())
    except keyring.errors.KeyringError as error:
        log.warning("keyring write failed: %s", type(error).__name__)
        raise VaultLockedError(
            "The vault key could not be saved in this computer's keyring.",
            hint="Use passphrase mode instead (`genedesk init --passphrase-mode`), "
            "or unlock the keyring and try again.",
        ) from None


def forget_key(vault_id: str, *, previous: bool = False) -> None:
    try:
        _backend().delete_password(SERVICE, _entry(vault_id, previous))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as error:
        log.warning("keyring delete failed: %s", type(error).__name__)
