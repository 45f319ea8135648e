"""The window, driven as a person would: real widgets offscreen, a real vault, real clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from genedesk.core.demo import create_demo_vault
from genedesk.ui.app import GeneDeskApp
from genedesk.ui.dialogs import FirstRunDialog, RecoveryKeyDialog, SignInDialog, UnlockDialog
from support import PASSPHRASE

pytestmark = pytest.mark.usefixtures("no_keyring")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def controller_factory(qtbot) -> Iterator:  # type: ignore[no-untyped-def]
    made: list[GeneDeskApp] = []

    def make(folder: Path, **kwargs) -> GeneDeskApp:  # type: ignore[no-untyped-def]
        app = GeneDeskApp(folder, **kwargs)
        made.append(app)
        app.start()
        return app

    yield make
    for app in made:
        if app.window is not None:
            app.window.close()
        app.shutdown()


def click_ok(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def sign_in(qtbot, app: GeneDeskApp, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: isinstance(app.dialog, SignInDialog) and app.dialog.isVisible())
    dialog = app.dialog
    assert isinstance(dialog, SignInDialog)
    dialog.name.setText(name)
    qtbot.keyClicks(dialog.password, password)
    click_ok(qtbot, dialog)


def test_first_run_sign_in_add_find_and_edit_a_patient(
    qtbot, controller_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = controller_factory(tmp_path / "clinic-vault")
    first = app.dialog
    assert isinstance(first, FirstRunDialog)
    assert first.use_passphrase.isChecked() and not first.use_keyring.isEnabled()
    qtbot.keyClicks(first.admin, "Ada Admin")
    qtbot.keyClicks(first.password, "admin-password-1")
    qtbot.keyClicks(first.password_again, "admin-password-2")
    qtbot.keyClicks(first.passphrase, PASSPHRASE)
    qtbot.keyClicks(first.passphrase_again, PASSPHRASE)
    click_ok(qtbot, first)
    assert first.error.text() == "The two passwords are not the same."
    first.password_again.clear()
    qtbot.keyClicks(first.password_again, "admin-password-1")
    click_ok(qtbot, first)
    qtbot.waitUntil(lambda: isinstance(app.dialog, RecoveryKeyDialog), timeout=10000)
    recovery = app.dialog
    assert isinstance(recovery, RecoveryKeyDialog)
    recovery.accept()
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible())
    window = app.window
    assert window is not None
    assert (tmp_path / "clinic-vault" / "vault.db").exists()

    qtbot.mouseClick(window.list_view.add_button, Qt.MouseButton.LeftButton)
    form = window.form
    assert form is not None
    qtbot.keyClicks(form.mrn, "W-1")
    form.given.setText("Zoë")  # QTest can only type ASCII keys
    form.family.setText("Kowalczyk-Ñandú")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    assert window.page.title.text() == "Zoë Kowalczyk-Ñandú"

    qtbot.mouseClick(window.page.back_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.list_view.search_box, "zoe")
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 1)
    qtbot.keyClick(window.list_view.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)

    qtbot.mouseClick(window.page.overview.edit, Qt.MouseButton.LeftButton)
    form = window.form
    assert form is not None and form.mrn.text() == "W-1"
    form.family.clear()
    qtbot.keyClicks(form.family, "Nowak")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: window.page.title.text() == "Zoë Nowak")
    window.page.tabs.setCurrentWidget(window.page.history)
    qtbot.waitUntil(lambda: window.page.history.table.rowCount() == 2)
    assert window.page.history.table.item(0, 2).text() == "Details changed: family name"


def test_bad_patient_details_keep_the_form_open_with_the_reason(
    qtbot, controller_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None)
    window = app.window
    assert window is not None
    window.add_patient()
    form = window.form
    assert form is not None
    qtbot.keyClicks(form.mrn, "DEMO-0001")
    qtbot.keyClicks(form.given, "Someone")
    qtbot.keyClicks(form.family, "Else")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: form.error.isVisible())
    assert form.error.text() == "Another patient already has that record number."
    assert form.isVisible()


def test_wrong_password_is_refused_in_the_dialog(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, "not-the-password")
    dialog = app.dialog
    assert isinstance(dialog, SignInDialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.text() == "The staff name or password is not right."
    assert dialog.password.text() == ""
    assert app.window is None


def test_passphrase_vault_asks_for_the_passphrase_first(
    qtbot, controller_factory, passphrase_vault
) -> None:  # type: ignore[no-untyped-def]
    app = controller_factory(passphrase_vault.folder)
    dialog = app.dialog
    assert isinstance(dialog, UnlockDialog)
    qtbot.keyClicks(dialog.passphrase, "wrong passphrase")
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "passphrase is not right" in dialog.error.text()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    click_ok(qtbot, dialog)
    sign_in(qtbot, app, "Ada Admin", "admin-password-1")
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible())


def test_auto_lock_hides_the_patient_and_needs_sign_in(
    qtbot, controller_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    clock = FakeClock()
    app = controller_factory(demo.folder, demo=demo, idle_seconds=300, idle_clock=clock)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    window = app.window
    assert window is not None
    window.open_patient(1)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    clock.now += 299
    app.idle.check()
    assert window.stack.currentWidget() is window.page, "not idle long enough yet"
    clock.now += 2
    app.idle.check()
    assert window.stack.currentWidget() is window.locked
    assert window.page.title.text() == "" and window.page.patient is None
    assert window.list_view.model.rowCount() == 0
    assert not window.menuBar().isEnabled()
    shown = [w.text() for w in window.findChildren(type(window.page.title)) if w.isVisible()]
    assert not any("Kowalczyk" in text or "DEMO-0001" in text for text in shown)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.list_view)
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 8)
    assert window.menuBar().isEnabled()


def test_activity_postpones_the_lock(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    clock = FakeClock()
    app = controller_factory(demo.folder, demo=demo, idle_seconds=300, idle_clock=clock)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible())
    window = app.window
    assert window is not None
    clock.now += 200
    qtbot.keyClicks(window.list_view.search_box, "z")
    clock.now += 200
    app.idle.check()
    assert window.stack.currentWidget() is not window.locked
