"""The Reports and Consents tabs, driven as a counsellor would: real vault, real PDFs, clicks."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPointF, QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QDialogButtonBox

from genedesk.core import imports
from genedesk.core.consent.service import consent_evidence, get_consent
from genedesk.core.reports import store
from support import gene_position, write_vcf
from ui.drive import click, on_worker
from ui.test_window import EMPTY_DEMO_PATIENT, _signed_in_demo, controller_factory  # noqa: F401 - the fixture

FIRST_NEW_REPORT = "R-000002"  # the demo vault already holds R-000001, its first patient's letter

pytestmark = pytest.mark.usefixtures("no_keyring")




def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _ink(image) -> int:  # type: ignore[no-untyped-def]
    """Dark pixels on a sampled grid: a blank (white or transparent) page has none."""
    dark = 0
    for x in range(0, image.width(), 3):
        for y in range(0, image.height(), 3):
            colour = image.pixelColor(x, y)
            dark += colour.alpha() > 0 and colour.lightness() < 128
    return dark


def _assert_previewed(qtbot, tab) -> None:  # type: ignore[no-untyped-def]
    """The preview shows the stored PDF itself: every page, with text drawn on the screen."""
    qtbot.waitUntil(lambda: tab.pdf_document.status() == QPdfDocument.Status.Ready, timeout=10000)
    assert tab.pdf_document.pageCount() == len(PdfReader(io.BytesIO(tab.preview.pdf)).pages) >= 1
    page = tab.pdf_document.render(0, QSize(420, 594))
    assert not page.isNull() and _ink(page) > 200, "the first page rendered blank"
    tab.pdf_view.resize(600, 500)
    qtbot.waitUntil(lambda: _ink(tab.pdf_view.viewport().grab().toImage()) > 100, timeout=10000)


def test_generate_finalize_with_the_password_amend_and_export(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    staff_member = window.staff
    on_worker(qtbot, window, lambda vault: imports.import_vcf(vault, staff_member, EMPTY_DEMO_PATIENT, vcf, lab="North Lab",
                                                                test_type="panel"))
    tab = window.page.reports
    window.page.tabs.setCurrentWidget(tab)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.finding.count() == 1)
    assert "No reports yet" in tab.preview_label.text()
    assert all(w.accessibleName() for w in (tab.kind, tab.finding, tab.large_print, tab.generate_button,
                                             tab.table, tab.finalize_button, tab.amend_button,
                                             tab.export_button))

    tab.large_print.setChecked(True)
    click(qtbot, tab.generate_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=30000)
    assert [tab.table.item(0, c).text() for c in (0, 1, 2, 3, 5)] == [
        FIRST_NEW_REPORT, "Patient letter (large print)", "1", "Draft", "Demo Counsellor"]
    qtbot.waitUntil(lambda: tab.preview is not None)
    assert "page" in tab.preview_label.text() and tab.preview_label.text().startswith(f"{FIRST_NEW_REPORT} version 1")
    _assert_previewed(qtbot, tab)
    assert not tab.amend_button.isEnabled()

    click(qtbot, tab.finalize_button)
    dialog = tab.sign_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.password, "not-my-password")
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=15000)
    assert dialog.error.text() == "The staff name or password is not right."
    assert tab.table.item(0, 3).text() == "Draft"
    qtbot.keyClicks(dialog.password, "demo-password")
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    qtbot.waitUntil(lambda: tab.table.item(0, 3) is not None and tab.table.item(0, 3).text() == "Final")
    assert tab.table.item(0, 6).text() == "Demo Counsellor"
    assert "is final and signed by Demo Counsellor" in tab.message.text()
    assert not tab.finalize_button.isEnabled() and tab.amend_button.isEnabled()

    click(qtbot, tab.amend_button)
    amend = tab.sign_dialog
    assert amend is not None and amend.reason is not None
    qtbot.keyClicks(amend.password, "demo-password")
    click(qtbot, amend.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert "reason" in amend.error.text() and amend.isVisible()
    qtbot.keyClicks(amend.reason, "Corrected the contact number")
    click(qtbot, amend.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=30000)
    assert [tab.table.item(r, 3).text() for r in range(2)] == ["Amended", "Final, replaced by version 2"]
    qtbot.waitUntil(lambda: tab.preview is not None and tab.preview.version.version == 2)

    click(qtbot, tab.export_button)
    chooser = tab.file_dialog
    assert chooser is not None and chooser.isVisible()
    target = tmp_path / "out" / "amended letter.pdf"
    target.parent.mkdir()
    chooser.selectFile(str(target))
    chooser.accept()
    qtbot.waitUntil(lambda: target.exists() and "Exported" in tab.message.text(), timeout=15000)
    exported = target.read_bytes()
    kept = on_worker(qtbot, window, lambda vault: store.versions(vault, FIRST_NEW_REPORT))
    assert hashlib.sha256(exported).hexdigest() == kept[1].sha256  # type: ignore[index]
    text = _pdf_text(exported)
    assert "BRCA2" in text and "Corrected the contact number" in text
    assert not list(target.parent.glob("*.tmp*")), "the export leaves no temporary file"


def test_family_letter_needs_the_chosen_finding(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38", [(*gene_position("MLH1", "GRCh38"), "C", "T", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    staff_member = window.staff
    on_worker(qtbot, window, lambda vault: imports.import_vcf(vault, staff_member, EMPTY_DEMO_PATIENT, vcf, test_type="panel"))
    tab = window.page.reports
    tab.refresh()
    qtbot.waitUntil(lambda: tab.finding.count() == 1)
    assert not tab.finding.isEnabled()
    tab.kind.setCurrentIndex(tab.kind.findData("family"))
    assert tab.finding.isEnabled() and "MLH1" in tab.finding.currentText()
    click(qtbot, tab.generate_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=30000)
    assert tab.table.item(0, 1).text() == "Family letter"
    qtbot.waitUntil(lambda: tab.preview is not None)
    assert "MLH1" in _pdf_text(tab.preview.pdf)


def test_give_then_withdraw_a_consent_with_a_signature_and_save_the_receipts(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    tab = window.page.consents
    window.page.tabs.setCurrentWidget(tab)
    assert tab.table.rowCount() == 0 and not tab.withdraw_button.isEnabled()
    assert not tab.save_receipt_button.isEnabled()

    tab.kind.setCurrentIndex(tab.kind.findData("research"))
    assert tab.sharing.isVisible()
    tab.permission.setCurrentIndex(tab.permission.findData("HMB"))
    tab.data_boxes["findings"].setChecked(True)
    tab.recipient_boxes["academic"].setChecked(True)
    click(qtbot, tab.give_button)
    assert "sign" in tab.message.text()
    tab.signature.add_stroke([QPointF(30, 100), QPointF(120, 60), QPointF(220, 110), QPointF(320, 70)])
    click(qtbot, tab.give_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=30000)
    assert tab.table.item(0, 0).text() == "Share data for research"
    assert "health, medicine or biology" in tab.table.item(0, 1).text()
    assert tab.table.item(0, 2).text().startswith("Given")
    assert tab.signature.is_empty, "the pad is cleared for the next signature"
    receipt = tmp_path / "consent receipt.pdf"
    click(qtbot, tab.save_receipt_button)
    chooser = tab.file_dialog
    assert chooser is not None
    chooser.selectFile(str(receipt))
    chooser.accept()
    qtbot.waitUntil(receipt.exists, timeout=15000)
    assert "research" in _pdf_text(receipt.read_bytes()).lower()

    tab.table.selectRow(0)
    consent_id = tab.selected().id
    evidence = on_worker(qtbot, window, lambda vault: consent_evidence(vault, consent_id))
    assert evidence is not None and evidence[1].startswith(b"\x89PNG")  # type: ignore[index]
    assert tab.withdraw_button.isEnabled()
    qtbot.keyClicks(tab.reason, "Changed my mind")
    click(qtbot, tab.withdraw_button)
    assert "sign" in tab.message.text()
    tab.signature.add_stroke([QPointF(40, 90), QPointF(200, 70), QPointF(300, 100)])
    click(qtbot, tab.withdraw_button)
    qtbot.waitUntil(lambda: tab.table.item(0, 2) is not None and tab.table.item(0, 2).text().startswith("Withdrawn"),
                    timeout=30000)
    assert "Changed my mind" in tab.table.item(0, 2).text()
    assert not tab.withdraw_button.isEnabled()
    consent = on_worker(qtbot, window, lambda vault: get_consent(vault, consent_id))
    assert consent.status == "withdrawn" and consent.events[-1].method == "signed"  # type: ignore[attr-defined]
    withdrawal = tmp_path / "withdrawal receipt.pdf"
    tab.save_receipt_to(withdrawal)
    qtbot.waitUntil(withdrawal.exists, timeout=15000)
    assert "withdr" in _pdf_text(withdrawal.read_bytes()).lower()


def test_declining_records_a_no(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    tab = window.page.consents
    tab.kind.setCurrentIndex(tab.kind.findData("secondary-findings"))
    assert not tab.sharing.isVisibleTo(tab)
    tab.signature.add_stroke([QPointF(30, 100), QPointF(320, 70)])
    click(qtbot, tab.decline_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=30000)
    assert tab.table.item(0, 2).text().startswith("Declined")
    assert tab.table.item(0, 1).text() == "A yes or no; nothing is shared."


def test_a_late_answer_for_the_previous_patient_is_not_shown(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Every patient tab loads through PatientTab.load: when the counsellor moves to another
    patient (or the window locks) before the vault worker answers, the answer is dropped."""
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    tab = window.page.consents
    for moved_to in (1, None):  # another patient; locked
        shown: list[object] = []
        tab.patient_id = EMPTY_DEMO_PATIENT
        tab.load(lambda vault, patient_id: patient_id, shown.append)
        tab.patient_id = moved_to  # before any event is processed: the answer is still on its way
        on_worker(qtbot, window, lambda vault: None)  # the worker has answered load() by now
        qtbot.wait(50)
        assert shown == []
    tab.patient_id = EMPTY_DEMO_PATIENT
    shown = []
    tab.load(lambda vault, patient_id: patient_id, shown.append)
    qtbot.waitUntil(lambda: shown == [EMPTY_DEMO_PATIENT])
