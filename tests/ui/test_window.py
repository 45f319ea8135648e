"""The window, driven as a person would: real widgets offscreen, a real vault, real clicks."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from genedesk.core.demo import create_demo_vault
from genedesk.ui.app import GeneDeskApp
from genedesk.ui.dialogs import FirstRunDialog, RecoveryKeyDialog, SignInDialog, UnlockDialog
from support import PASSPHRASE, gene_position, write_vcf

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
    # Close and delete every window and dialog while the QApplication still exists: PySide
    # objects left for Python's final garbage collection can outlive Qt and crash the interpreter.
    for app in made:
        app.shutdown()
        for widget in (app.window, app.dialog):
            if widget is not None:
                widget.close()
                widget.deleteLater()
        app.window = app.dialog = None
        app.deleteLater()
    made.clear()
    qtbot.wait(10)
    gc.collect()


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


# Demo patient 1 holds the showcase record (findings, reports, consents); 7 starts empty.
EMPTY_DEMO_PATIENT = 7


def _signed_in_demo(qtbot, controller_factory, tmp_path: Path, patient_id: int = EMPTY_DEMO_PATIENT):  # type: ignore[no-untyped-def]
    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    window = app.window
    window.open_patient(patient_id)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    window.page.tabs.setCurrentWidget(window.page.tests)
    return window


def test_import_a_lab_file_from_the_tests_tab(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    tab = window.page.tests
    qtbot.waitUntil(lambda: "No lab files imported yet" in tab.summary.text())
    vcf = write_vcf(tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1"),
                                                     (*gene_position("MYH7", "GRCh38"), "C", "T", "1/1")])
    dialog = tab.start_import(vcf)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.sample.count() == 1)
    qtbot.keyClicks(dialog.lab, "North Lab")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    qtbot.waitUntil(lambda: tab.call_model.rowCount() == 2)
    genes = sorted(tab.call_model.cell(row, 0) for row in range(2))
    assert genes == ["BRCA1", "MYH7"]
    assert "2 calls kept" in tab.summary.text()
    assert tab.tests.item(0, 1).text() == "North Lab"
    tab.zygosity_filter.setCurrentIndex(tab.zygosity_filter.findData("homozygous"))
    assert tab.call_model.rowCount() == 1 and tab.call_model.cell(0, 0) == "MYH7"


def test_cancelling_an_import_stores_nothing(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    tab = window.page.tests
    vcf = write_vcf(tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")])
    dialog = tab.start_import(vcf)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.sample.count() == 1)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=30000)
    assert "Nothing was stored" in dialog.status.text()
    assert dialog.isVisible() and dialog.start_button.isEnabled()
    dialog.reject()
    tab.refresh()
    qtbot.waitUntil(lambda: "No lab files imported yet" in tab.summary.text())


def test_a_file_that_is_not_a_vcf_is_explained_in_the_dialog(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    bogus = tmp_path / "scan.pdf"
    bogus.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    dialog = window.page.tests.start_import(bogus)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30000)
    assert "scan.pdf" in dialog.error.text()


def test_findings_tab_classifies_live_and_checks_reading_grade(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38", [(*gene_position("MLH1", "GRCh38"), "C", "T", "0/1")])
    dialog = window.page.tests.start_import(vcf)
    qtbot.waitUntil(lambda: dialog.sample.count() == 1)
    dialog.test_type.setCurrentIndex(dialog.test_type.findData("panel"))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    tab = window.page.findings
    window.page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    assert tab.table.item(0, 3).text() == "Uncertain significance"
    detail = tab.detail
    qtbot.waitUntil(lambda: detail.finding is not None)
    assert "MLH1" in detail.editor.toPlainText()
    assert detail.grade.text().startswith("Reading grade") and "easy enough" in detail.grade.text()
    detail.checklist.boxes["PVS1"].setChecked(True)
    detail.checklist.boxes["PS3"].setChecked(True)
    assert "Richards 2015: Pathogenic" in detail.checklist.result_label.text()
    pm2 = detail.checklist.strengths["PM2"]
    detail.checklist.boxes["PM2"].setChecked(True)
    pm2.setCurrentIndex(pm2.findText("Supporting"))
    assert "13 points" in detail.checklist.result_label.text()
    qtbot.mouseClick(detail.save_class, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.item(0, 3) is not None and tab.table.item(0, 3).text() == "Pathogenic")
    assert detail.class_message.text() == "Classification saved."
    detail.editor.setPlainText("Notwithstanding heterogeneous penetrance considerations, pathogenicity "
                               "determinations necessitate comprehensive multidisciplinary interpretation.")
    detail._update_grade()
    assert "too hard" in detail.grade.text()


def test_patient_mode_withdraw_and_leave_with_a_staff_password(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication, QMenuBar

    from genedesk.core.consent.model import ConsentTerms, Purpose, Recipients
    from genedesk.core.consent.service import HowGiven, get_consent, record_consent

    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=1)
    worker, staff_member = window.worker, window.staff
    made: list[int] = []
    terms = ConsentTerms(Purpose.parse("GRU"), (), ("findings",), Recipients(types=("academic",)))
    worker.run(lambda vault: record_consent(vault, staff_member, 1, kind="research", terms=terms,
                                            how=HowGiven("signed", evidence=b"\x89PNG\r\n\x1a\nsig")).id,
               made.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(made))
    qtbot.mouseClick(window.page.patient_mode_button, Qt.MouseButton.LeftButton)
    mode = window.patient_mode
    assert mode is not None
    qtbot.waitUntil(lambda: bool(mode.isVisible() and not window.isVisible()))
    assert mode.windowState() & Qt.WindowState.WindowFullScreen
    assert mode.font().pointSize() >= 18
    assert not mode.findChildren(QMenuBar)
    qtbot.waitUntil(lambda: made[0] in getattr(mode, "withdraw_buttons", {}))
    texts = " ".join(label.text() for label in mode.findChildren(type(window.page.title)))
    assert "Zoë Kowalczyk-Ñandú" in texts and "DEMO-0002" not in texts and "Ánh" not in texts

    qtbot.keyClick(mode, Qt.Key.Key_Escape)
    mode.close()
    QApplication.processEvents()
    assert mode.isVisible(), "Escape and close do not leave patient mode"

    qtbot.mouseClick(mode.withdraw_buttons[made[0]], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mode.stack.currentWidget() is mode.confirm_page)
    qtbot.mouseClick(mode.confirm_button, Qt.MouseButton.LeftButton)
    assert "sign" in mode.confirm_error.text()
    mode.signature.add_stroke([QPointF(30, 100), QPointF(120, 60), QPointF(220, 110), QPointF(320, 70)])
    qtbot.mouseClick(mode.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mode.stack.currentWidget() is mode.done_page, timeout=15000)
    receipt = tmp_path / "receipt.pdf"
    mode.save_receipt_to(receipt)
    assert receipt.read_bytes().startswith(b"%PDF")
    statuses: list[str] = []
    worker.run(lambda vault: get_consent(vault, made[0]).status, statuses.append, pytest.fail)
    qtbot.waitUntil(lambda: statuses == ["withdrawn"])

    mode._back()
    qtbot.mouseClick(mode.leave_button, Qt.MouseButton.LeftButton)
    mode.staff_name.setText("Demo Counsellor")
    qtbot.keyClicks(mode.staff_password, "wrong-password")
    qtbot.keyClick(mode.staff_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: mode.leave_error.text() != "")
    assert mode.isVisible()
    qtbot.keyClicks(mode.staff_password, "demo-password")
    qtbot.keyClick(mode.staff_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.isVisible() and not mode.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)


def test_clinic_details_are_read_by_everyone_and_changed_by_an_administrator(
    qtbot, controller_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from genedesk.core import clinic
    from genedesk.core.demo import DEMO_ADMIN, DEMO_CLINIC, DEMO_PASSWORD
    from genedesk.core.vault import open_vault
    from genedesk.ui.clinic_form import ClinicForm

    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)  # a counsellor: may read, not change
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    window = app.window
    window.open_clinic_form()
    qtbot.waitUntil(lambda: window.clinic_form is not None and window.clinic_form.isVisible())
    form = window.clinic_form
    assert isinstance(form, ClinicForm)
    assert form.values()["phone"] == DEMO_CLINIC["phone"]
    assert form.fields["phone"].isReadOnly() and not form.buttons.button(
        QDialogButtonBox.StandardButton.Ok).isEnabled()
    form.reject()
    app.shutdown()  # closes the vault; an administrator signs in next
    app2 = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app2, DEMO_ADMIN, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: app2.window is not None and app2.window.list_view.model.rowCount() == 8)
    window = app2.window
    window.open_clinic_form()
    qtbot.waitUntil(lambda: window.clinic_form is not None and window.clinic_form.isVisible())
    form = window.clinic_form
    assert not form.fields["address"].isReadOnly()
    form.fields["email"].setText("not an email")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: "email" in form.error.text())
    assert form.isVisible(), "a refused detail keeps the form open with the reason"
    form.fields["email"].setText("letters@example.org")
    form.fields["address"].setPlainText("Floor 9\nNew Example House\nExampletown EX9 9ZZ")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: not form.isVisible())
    app2.shutdown()
    vault = open_vault(demo.folder, passphrase=demo.passphrase).vault
    try:
        saved = clinic.get_clinic(vault)
    finally:
        vault.close()
    assert saved.email == "letters@example.org"
    assert saved.address.splitlines() == ["Floor 9", "New Example House", "Exampletown EX9 9ZZ"]
