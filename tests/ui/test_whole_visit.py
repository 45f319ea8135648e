"""One visit from the very first start to the patient leaving, clicked through as people would.

A new clinic creates its vault, the administrator signs in, adds two patients, imports the lab's
file for one, classifies the finding, previews and signs the patient letter, records a consent
with a signature, hands the screen to the patient (who sees only their own record), the patient
withdraws the consent and gets the receipt, and staff take the screen back with a password.
Each step checks what is stored, not only what is shown. With GENEDESK_SCREENSHOTS set, every
main screen is saved as a PNG (see ui/screens.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenuBar

from genedesk.core import audit, findings, paths, patients
from genedesk.core.consent.service import list_consents
from genedesk.core.reports import store
from genedesk.ui.dialogs import FirstRunDialog, RecoveryKeyDialog
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, gene_position, write_vcf
from ui.drive import click, on_worker
from ui.screens import shoot
from ui.test_window import click_ok, controller_factory, sign_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("no_keyring")




def _add_patient(qtbot, window, mrn: str, given: str, family: str) -> None:  # type: ignore[no-untyped-def]
    window.show_list()
    click(qtbot, window.list_view.add_button)
    form = window.form
    qtbot.keyClicks(form.mrn, mrn)
    form.given.setText(given)  # QTest types ASCII keys only
    form.family.setText(family)
    form.birth.setDate(QDate(1984, 3, 9))
    shoot(qtbot, "add-patient")
    click_ok(qtbot, form)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    qtbot.waitUntil(lambda: window.page.title.text() == f"{given} {family}")


def test_first_run_to_the_patient_leaving(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # --- first run: a new vault and its administrator -------------------------------------------
    app = controller_factory(tmp_path / "clinic-vault")
    first = app.dialog
    assert isinstance(first, FirstRunDialog)
    qtbot.keyClicks(first.admin, ADMIN)
    qtbot.keyClicks(first.password, ADMIN_PASSWORD)
    qtbot.keyClicks(first.password_again, ADMIN_PASSWORD)
    qtbot.keyClicks(first.passphrase, PASSPHRASE)
    qtbot.keyClicks(first.passphrase_again, PASSPHRASE)
    shoot(qtbot, "first-run")
    click_ok(qtbot, first)
    qtbot.waitUntil(lambda: isinstance(app.dialog, RecoveryKeyDialog), timeout=15000)
    shoot(qtbot, "recovery-key")
    app.dialog.accept()
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible())
    window = app.window

    # --- lock, and sign in again as staff do each morning --------------------------------------
    window.lock_requested.emit()
    assert window.stack.currentWidget() is window.locked
    click(qtbot, window.locked.sign_in)
    qtbot.waitUntil(lambda: app.dialog is not None and app.dialog.isVisible())
    shoot(qtbot, "sign-in")
    sign_in(qtbot, app, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.list_view)

    # --- two patients: the one seen today, and one who must stay out of sight -------------------
    _add_patient(qtbot, window, "OTHER-1", "Other", "Person")
    _add_patient(qtbot, window, "VISIT-1", "Zoë", "Kowalczyk-Ñandú")
    patient_id = window.page.patient.id
    window.show_list()
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 2)
    shoot(qtbot, "patient-list")
    window.open_patient(patient_id)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    shoot(qtbot, "patient-overview")

    # --- import the lab's file through the file chooser -----------------------------------------
    tests_tab = window.page.tests
    window.page.tabs.setCurrentWidget(tests_tab)
    vcf = write_vcf(tmp_path / "North Lab panel.vcf", "GRCh38",
                    [(*gene_position("MLH1", "GRCh38"), "C", "T", "0/1")])
    click(qtbot, tests_tab.import_button)
    chooser = tests_tab.file_dialog
    assert chooser is not None and chooser.isVisible()
    chooser.selectFile(str(vcf))
    chooser.accept()
    dialog = tests_tab.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.sample.count() == 1, timeout=30000)
    qtbot.keyClicks(dialog.lab, "North Lab")
    dialog.test_type.setCurrentIndex(dialog.test_type.findData("panel"))
    shoot(qtbot, "import")
    click(qtbot, dialog.start_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    qtbot.waitUntil(lambda: tests_tab.call_model.rowCount() == 1)
    shoot(qtbot, "tests")

    # --- classify the finding with the ACMG/AMP checklist --------------------------------------
    findings_tab = window.page.findings
    window.page.tabs.setCurrentWidget(findings_tab)
    qtbot.waitUntil(lambda: findings_tab.table.rowCount() == 1)
    detail = findings_tab.detail
    qtbot.waitUntil(lambda: detail.finding is not None)
    for code in ("PVS1", "PS3"):
        detail.checklist.boxes[code].setChecked(True)
    assert "Richards 2015: Pathogenic" in detail.checklist.result_label.text()
    shoot(qtbot, "findings")
    click(qtbot, detail.save_class)
    qtbot.waitUntil(lambda: findings_tab.table.item(0, 3).text() == "Pathogenic")
    stored = on_worker(qtbot, window, lambda vault: findings.list_findings(vault, patient_id))
    assert [f.classification for f in stored.shown] == ["pathogenic"]

    # --- the patient letter: generate, read it in the window, sign it --------------------------
    reports_tab = window.page.reports
    window.page.tabs.setCurrentWidget(reports_tab)
    qtbot.waitUntil(lambda: reports_tab.finding.count() == 1)
    click(qtbot, reports_tab.generate_button)
    qtbot.waitUntil(lambda: reports_tab.table.rowCount() == 1, timeout=30000)
    qtbot.waitUntil(lambda: reports_tab.pdf_document.status() == QPdfDocument.Status.Ready, timeout=15000)
    letter = reports_tab.preview.pdf
    assert reports_tab.pdf_document.pageCount() == len(PdfReader(io.BytesIO(letter)).pages)
    assert "MLH1" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter)).pages)
    shoot(qtbot, "report-preview")
    click(qtbot, reports_tab.finalize_button)
    sign = reports_tab.sign_dialog
    qtbot.keyClicks(sign.password, ADMIN_PASSWORD)
    click(qtbot, sign.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: reports_tab.table.item(0, 3) is not None
                    and reports_tab.table.item(0, 3).text() == "Final", timeout=30000)
    versions = on_worker(qtbot, window, lambda vault: store.reports_of(vault, patient_id))
    assert [(v.status.value, v.signed_by) for v in versions] == [("final", ADMIN)]

    # --- a research consent, signed on the screen ----------------------------------------------
    consents_tab = window.page.consents
    window.page.tabs.setCurrentWidget(consents_tab)
    consents_tab.kind.setCurrentIndex(consents_tab.kind.findData("research"))
    consents_tab.permission.setCurrentIndex(consents_tab.permission.findData("HMB"))
    consents_tab.data_boxes["findings"].setChecked(True)
    consents_tab.recipient_boxes["academic"].setChecked(True)
    consents_tab.signature.add_stroke([QPointF(30, 100), QPointF(120, 60), QPointF(220, 110)])
    shoot(qtbot, "consents")
    click(qtbot, consents_tab.give_button)
    qtbot.waitUntil(lambda: consents_tab.table.rowCount() == 1, timeout=30000)
    window.page.tabs.setCurrentWidget(window.page.sharing)
    shoot(qtbot, "sharing")
    window.page.tabs.setCurrentWidget(window.page.history)
    qtbot.waitUntil(lambda: window.page.history.table.rowCount() >= 5)
    shoot(qtbot, "history")

    # --- patient mode: this patient only, no way out without staff ------------------------------
    click(qtbot, window.page.patient_mode_button)
    mode = window.patient_mode
    assert mode is not None
    qtbot.waitUntil(lambda: bool(mode.isVisible() and not window.isVisible()))
    assert mode.windowState() & Qt.WindowState.WindowFullScreen and mode.font().pointSize() >= 18
    assert not mode.findChildren(QMenuBar)
    qtbot.waitUntil(lambda: len(getattr(mode, "withdraw_buttons", {})) == 1)
    consent_id = next(iter(mode.withdraw_buttons))
    shown = " ".join(label.text() for label in mode.findChildren(type(window.page.title)))
    assert "Zoë Kowalczyk-Ñandú" in shown
    assert "Other" not in shown and "OTHER-1" not in shown, "another patient is visible"
    shoot(qtbot, "patient-mode", mode)
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_F4):
        qtbot.keyClick(mode, key, Qt.KeyboardModifier.AltModifier if key == Qt.Key.Key_F4 else
                       Qt.KeyboardModifier.NoModifier)
    mode.close()
    QApplication.processEvents()
    assert mode.isVisible() and not window.isVisible(), "patient mode was left without a password"

    # --- the patient withdraws, signs, and keeps the receipt -----------------------------------
    click(qtbot, mode.withdraw_buttons[consent_id])
    qtbot.waitUntil(lambda: mode.stack.currentWidget() is mode.confirm_page)
    mode.signature.add_stroke([QPointF(40, 90), QPointF(200, 70), QPointF(300, 100)])
    shoot(qtbot, "patient-mode-withdraw", mode)
    click(qtbot, mode.confirm_button)
    qtbot.waitUntil(lambda: mode.stack.currentWidget() is mode.done_page, timeout=15000)
    shoot(qtbot, "patient-mode-receipt", mode)
    # Saving opens no file dialog (it could browse the computer): the receipt goes to the
    # clinic's receipts folder, named by its number, never by the patient.
    click(qtbot, mode.save_receipt_button)
    saved = list(paths.receipts_dir().glob("*.pdf"))
    assert [p.name for p in saved] == [f"withdrawal receipt W-{consent_id}.pdf"]
    assert "W-" in mode.receipt_message.text() and "Kowalczyk" not in mode.receipt_message.text()
    receipt = saved[0]
    assert "withdr" in "".join(p.extract_text() for p in PdfReader(receipt).pages).lower()
    printed = tmp_path / "printed receipt.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    mode.print_receipt_to(printer)
    qtbot.waitUntil(lambda: "printing" in mode.receipt_message.text(), timeout=15000)
    assert len(PdfReader(printed).pages) == len(PdfReader(receipt).pages)

    # --- staff take the screen back with a password ---------------------------------------------
    mode._back()
    click(qtbot, mode.leave_button)
    mode.staff_name.setText(ADMIN)
    qtbot.keyClicks(mode.staff_password, "not-the-password")
    qtbot.keyClick(mode.staff_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: mode.leave_error.text() != "", timeout=15000)
    assert mode.isVisible()
    qtbot.keyClicks(mode.staff_password, ADMIN_PASSWORD)
    qtbot.keyClick(mode.staff_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.isVisible() and window.patient_mode is None, timeout=15000)

    # --- what is stored is what happened ------------------------------------------------------
    consents = on_worker(qtbot, window, lambda vault: list_consents(vault, patient_id))
    assert [c.status for c in consents] == ["withdrawn"]
    events = on_worker(qtbot, window, lambda vault: [e.action for e in audit.events(vault)])
    for action in ("staff.signed_in", "patient.added", "test.imported", "finding.classified",
                   "report.finalized", "consent.given", "consent.withdrawn"):
        assert action in events, f"no {action} event in the audit trail"
    assert on_worker(qtbot, window, lambda vault: audit.verify_chain(vault).ok)
    assert on_worker(qtbot, window, lambda vault: patients.count_patients(vault)) == 2
