"""Opening the vault with the recovery key from the window: a forgotten passphrase, and a
computer whose keyring no longer holds the key. Real vaults, real key files, real keyring."""

from __future__ import annotations

import pytest

from genedesk.core.vault import custody, open_vault
from genedesk.core.vault.keyfile import KeyFile
from genedesk.ui.dialogs import UnlockDialog
from genedesk.ui.restore_dialog import RecoverDialog
from support import ADMIN, ADMIN_PASSWORD, MadeVault
from ui.screens import shoot
from ui.test_window import click_ok, controller_factory, sign_in  # noqa: F401 - the fixture

NEW_PASSPHRASE = "a brand new passphrase for this pc"


def test_a_forgotten_passphrase_is_replaced_using_the_recovery_key(qtbot, controller_factory, passphrase_vault: MadeVault) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    app = controller_factory(passphrase_vault.folder)
    qtbot.waitUntil(lambda: isinstance(app.dialog, UnlockDialog) and app.dialog.isVisible())
    unlock = app.dialog
    assert unlock.recover_button.accessibleName()
    unlock.recover_button.click()
    qtbot.waitUntil(lambda: isinstance(app.dialog, RecoverDialog) and app.dialog.isVisible())
    dialog = app.dialog
    assert dialog.new_passphrase is not None, "no keyring here: a new passphrase is chosen"
    shoot(qtbot, "recover", dialog)
    dialog.recovery_key.setText("AAAA-BBBB-CCCC-DDDD")
    qtbot.keyClicks(dialog.new_passphrase, NEW_PASSPHRASE)
    qtbot.keyClicks(dialog.new_passphrase_again, NEW_PASSPHRASE)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30000)
    assert "recovery key" in dialog.error.text().lower() and dialog.isVisible()
    dialog.recovery_key.setText(passphrase_vault.recovery_key)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    sign_in(qtbot, app, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=15000)
    app.shutdown()
    opened = open_vault(passphrase_vault.folder, passphrase=NEW_PASSPHRASE)
    opened.vault.close()


@pytest.mark.keyring
def test_a_keyring_that_lost_the_key_is_answered_with_the_recovery_key(qtbot, controller_factory, keyring_vault: MadeVault) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    custody.forget_key(keyring_vault.vault_id)  # a reset keyring, or another user account
    app = controller_factory(keyring_vault.folder)
    qtbot.waitUntil(lambda: isinstance(app.dialog, RecoverDialog) and app.dialog.isVisible(), timeout=15000)
    dialog = app.dialog
    assert "not in this computer's keyring" in dialog.intro.text(), "it says why"
    assert dialog.new_passphrase is None, "with a keyring the key goes back into it"
    dialog.recovery_key.setText(keyring_vault.recovery_key)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    sign_in(qtbot, app, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=15000)
    assert custody.load_key(keyring_vault.vault_id) is not None, "the key is kept in the keyring again"
    assert KeyFile.read(keyring_vault.folder / "vault.key").mode == "keyring"
