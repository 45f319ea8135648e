"""Printing reports and receipts: Qt's own PDF printer stands in for paper, so what reached the
printer can be read back and counted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from genedesk.core import audit
from genedesk.core.errors import GeneDeskError
from genedesk.ui.printing import print_pdf
from ui.test_window import _signed_in_demo, controller_factory  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("no_keyring")

SHOWCASE_PATIENT = 1  # the demo patient with a final letter, R-000001


def _paper(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _images_per_page(path: Path) -> list[int]:
    pages = PdfReader(path).pages
    return [len(page.images) for page in pages]


def test_every_page_of_the_stored_pdf_reaches_the_printer(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    tab = window.page.reports
    window.page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() >= 1 and tab.preview is not None, timeout=15000)
    stored = tab.preview.pdf
    pages = len(PdfReader(io.BytesIO(stored)).pages)
    assert tab.print_button.isEnabled() and tab.print_button.accessibleName()
    qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    assert isinstance(tab.print_dialog, QPrintDialog) and tab.print_dialog.isVisible()
    tab.print_dialog.reject()  # the system dialog itself is Qt's; the printing after it is ours

    paper = tmp_path / "printed.pdf"
    tab.print_to(_paper(paper))
    qtbot.waitUntil(lambda: "to the printer" in tab.message.text(), timeout=30000)
    assert f"({pages} pages)" in tab.message.text()
    assert _images_per_page(paper) == [1] * pages, "one drawn image per printed page"
    version = tab.preview.version
    assert version.report_id in tab.message.text()
    answers: list[object] = []
    window.worker.run(lambda vault: [(e.action, e.details.get("report"), e.details.get("pages"))
                                     for e in audit.events(vault, subject="patient:1")],
                      answers.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(answers), timeout=15000)
    assert ("report.printed", version.report_id, pages) in answers[0], "printing is audited"


def test_a_pdf_that_cannot_be_opened_is_not_printed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paper = tmp_path / "printed.pdf"
    with pytest.raises(GeneDeskError, match="could not be opened for printing"):
        print_pdf(b"%PDF-1.7\nnot really a PDF", _paper(paper))
    assert not paper.exists()
