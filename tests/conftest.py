"""Shared test set-up: every test gets its own GeneDesk home, Qt runs offscreen, real keyrings.

The keyring tests need a real Secret Service (the README's test command and CI start
gnome-keyring-daemon inside dbus-run-session). Under CI a missing keyring fails the run instead of
skipping, so the keyring path can never silently go untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from genedesk.core import staff
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, open_vault
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, MadeVault


@pytest.fixture(autouse=True)
def genedesk_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("genedesk-home")
    monkeypatch.setenv("GENEDESK_HOME", str(home))
    for name in ("GENEDESK_VAULT", "GENEDESK_USER", "GENEDESK_PASSWORD", "GENEDESK_PASSPHRASE",
                 "GENEDESK_RECOVERY_KEY", "GENEDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return home


def _real_keyring_works() -> bool:
    from genedesk.core.vault import custody

    if not custody.keyring_available():
        return False
    probe = f"probe-{uuid.uuid4()}"
    try:
        keyring.set_password("GeneDesk-test-probe", probe, "x")
        keyring.delete_password("GeneDesk-test-probe", probe)
    except keyring.errors.KeyringError:
        return False
    return True


@pytest.fixture(scope="session")
def real_keyring() -> None:
    """A working OS keyring, or skip (fail under CI) with the reason."""
    if not _real_keyring_works():
        message = ("no working Secret Service keyring: run the tests with the README's test command, "
                   "which starts gnome-keyring-daemon under dbus-run-session")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """keyring's fail backend, as on a PC without any keyring (drives passphrase mode)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield
    keyring.set_keyring(previous)


def _make_vault(folder: Path, *, passphrase_mode: bool) -> MadeVault:
    from genedesk.core.vault import create_vault

    opened = create_vault(folder, admin_name=ADMIN, admin_password=ADMIN_PASSWORD,
                          passphrase_mode=passphrase_mode, passphrase=PASSPHRASE if passphrase_mode else None)
    vault_id = opened.vault.vault_id
    opened.vault.close()
    assert opened.recovery_key
    return MadeVault(folder, opened.recovery_key, vault_id, "passphrase" if passphrase_mode else "keyring")


@pytest.fixture
def keyring_vault(tmp_path: Path, real_keyring: None) -> Iterator[MadeVault]:
    """A new, closed vault whose key is in the real keyring (the entry is removed afterwards)."""
    from genedesk.core.vault import custody

    made = _make_vault(tmp_path / "keyring-vault", passphrase_mode=False)
    yield made
    custody.forget_key(made.vault_id)
    custody.forget_key(made.vault_id, previous=True)


@pytest.fixture
def passphrase_vault(tmp_path: Path, no_keyring: None) -> MadeVault:
    """A new, closed vault in passphrase mode, on a PC with no keyring."""
    return _make_vault(tmp_path / "passphrase-vault", passphrase_mode=True)


@pytest.fixture
def vault(passphrase_vault: MadeVault) -> Iterator[Vault]:
    """An open vault (passphrase mode, no keyring needed) for service tests."""
    opened = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)
    yield opened.vault
    opened.vault.close()


@pytest.fixture
def admin(vault: Vault) -> Staff:
    return staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
