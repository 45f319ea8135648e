"""A damaged vault: the window hides everything, offers the backup, and restores it.

The damage is real (bytes flipped in the encrypted file) and so is the backup and its restore.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from genedesk.core.demo import create_demo_vault
from genedesk.core.vault import backup_vault, open_vault, verify_vault
from genedesk.core.vault.store import DB_NAME
from genedesk.ui.restore_dialog import RestoreDialog
from ui.screens import shoot
from ui.test_window import click_ok, controller_factory, sign_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("no_keyring")

PAGE = 4096  # the vault's page size


def _demo_with_backup(tmp_path: Path):  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    backup = tmp_path / "monday.gdbackup"
    opened = open_vault(demo.folder, passphrase=demo.passphrase)
    try:
        backup_vault(opened.vault, backup, staff_name=demo.staff_name)
    finally:
        opened.vault.close()
    return demo, backup


def _damage(db: Path, *, first_page: bool) -> None:
    """Flip one byte in the first page, or in every page but the first (all the records)."""
    data = bytearray(db.read_bytes())
    pages = range(0, 1) if first_page else range(1, len(data) // PAGE)
    for page in pages:
        data[page * PAGE + 1000] ^= 0x5A
    db.write_bytes(bytes(data))


def _restore_from(qtbot, app, backup: Path, passphrase: str) -> None:  # type: ignore[no-untyped-def]
    box = app.damage_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "damaged" in box.text() and "backup" in box.text().lower() and "genedesk vault" not in box.text()
    shoot(qtbot, "vault-damaged", box)
    restore = next(b for b in box.buttons() if b.text().startswith("Restore"))
    restore.click()
    qtbot.waitUntil(lambda: isinstance(app.dialog, RestoreDialog) and app.dialog.isVisible(), timeout=15000)
    dialog = app.dialog
    click_ok(qtbot, dialog)
    assert dialog.error.text() == "Choose the backup file to restore."
    dialog.backup.setText(str(backup))
    shoot(qtbot, "restore", dialog)
    assert dialog.passphrase is not None, "a passphrase vault asks for its passphrase"
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30000)
    assert dialog.isVisible()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, passphrase)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)


def test_a_vault_damaged_at_opening_is_restored_from_the_backup(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    demo, backup = _demo_with_backup(tmp_path)
    _damage(demo.folder / DB_NAME, first_page=True)
    app = controller_factory(demo.folder, demo=demo)
    qtbot.waitUntil(lambda: app.damage_box is not None and app.damage_box.isVisible(), timeout=15000)
    assert app.window is None, "nothing of the damaged vault was shown"
    _restore_from(qtbot, app, backup, demo.passphrase)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8, timeout=15000)
    kept = [p.name for p in demo.folder.iterdir() if p.name.startswith(f"{DB_NAME}.before-restore")]
    assert kept, "the damaged file is kept beside the restored one"
    checked: list[bool] = []
    app.worker.run(lambda vault: verify_vault(vault).ok, checked.append, pytest.fail)
    qtbot.waitUntil(lambda: checked == [True], timeout=30000)


def test_damage_found_while_working_locks_the_window_and_offers_the_backup(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    demo, backup = _demo_with_backup(tmp_path)
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    window = app.window
    _damage(demo.folder / DB_NAME, first_page=False)
    dropped: list[object] = []  # forget the pages already read, so the next read meets the disk
    app.worker.run(lambda vault: vault.connection.execute("PRAGMA shrink_memory"), dropped.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(dropped))
    window.open_patient(1)
    qtbot.waitUntil(lambda: app.damage_box is not None and app.damage_box.isVisible(), timeout=15000)
    assert window.stack.currentWidget() is window.locked, "nothing of the records stays on screen"
    assert window.list_view.model.rowCount() == 0 and window.page.patient is None
    written: list[object] = []
    app.worker.run(lambda vault: vault.is_damaged, written.append, pytest.fail)
    qtbot.waitUntil(lambda: written == [True])

    _restore_from(qtbot, app, backup, demo.passphrase)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.list_view)
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 8, timeout=15000)
    window.open_patient(1)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    assert window.page.title.text()


def test_the_vault_dialog_offers_a_restore_too(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    demo, _ = _demo_with_backup(tmp_path)
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    dialog = app.window.open_vault_dialog()
    assert dialog.restore_button.accessibleName()
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: isinstance(app.dialog, RestoreDialog) and app.dialog.isVisible(), timeout=15000)
    assert app.window.stack.currentWidget() is app.window.locked
    restore = app.dialog
    restore.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    # Not restoring after all: the same vault opens again, for the next sign-in.
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window.list_view.model.rowCount() == 8, timeout=15000)
    assert not any(p.name.startswith(f"{DB_NAME}.before-restore") for p in demo.folder.iterdir())
