"""Printing a stored PDF (a report or a receipt) exactly as it was stored.

QtPdf draws each page at up to 300 dots per inch onto the printer, fitted to the printable area
with its proportions kept. The drawing runs on the vault worker like every other long job, so the
window never waits for the printer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from genedesk.core.errors import GeneDeskError

DOTS_PER_INCH = 300  # sharp on paper; a 1,200 dpi page image would need half a gigabyte


def pdf_in_memory(pdf: bytes, parent: QObject | None = None) -> QBuffer:
    """The PDF as a readable QBuffer for QPdfDocument.load: a patient's report or receipt is
    never written to a temp file to be shown or printed. Keep it open while the document is."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return buffer


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page of `pdf` on `printer`; return the number of pages printed."""
    buffer = pdf_in_memory(pdf)
    document = QPdfDocument()
    document.load(buffer)
    pages = document.pageCount()
    if document.status() != QPdfDocument.Status.Ready or pages == 0:
        raise GeneDeskError("The document could not be opened for printing.")
    painter = QPainter()
    if not painter.begin(printer):
        raise GeneDeskError(
            "The printer could not be started.",
            hint="Check that it is switched on and connected, then try again.",
        )
    try:
        for page in range(pages):
            if page and not printer.newPage():
                raise GeneDeskError(f"The printer stopped after page {page}.")
            points = document.pagePointSize(page)  # 72 points to the inch
            dots = min(DOTS_PER_INCH, printer.resolution())
            image = document.render(
                page, QSize(round(points.width() * dots / 72), round(points.height() * dots / 72))
            )
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            scale = min(area.width() / points.width(), area.height() / points.height())
            width, height = points.width() * scale, points.height() * scale
            target = QRectF(
                (area.width() - width) / 2, (area.height() - height) / 2, width, height
            )
            painter.drawImage(target, image)
    finally:
        painter.end()
        document.close()
        buffer.close()
    return pages


def ask_to_print(
    parent: QWidget, title: str, start: Callable[[QPrinter], None]
) -> QPrintDialog:
    """The system's print dialog, opened (not exec'd: auto-lock keeps working); `start` gets the
    printer the person chose."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    dialog.accepted.connect(lambda: start(printer))
    # What QDialog.open() does (QPrintDialog's open() takes a receiver instead): modal to the
    # window, and the event loop keeps running.
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
