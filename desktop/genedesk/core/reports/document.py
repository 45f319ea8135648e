"""The frame every GeneDesk PDF shares: page marks, metadata, fonts, determinism.

A document module builds a list of flowables (with `text.paragraph` and `blocks`) and hands it
to `render_pdf` with its `DocumentInfo` and `PageMarks`; it gets the PDF bytes back. Nothing here
writes a file: the caller keeps the bytes in the vault or exports them atomically.

Every page carries identifying marks — for a patient's document the name, date of birth, report
ID and version; for a document without a patient (the recovery sheet) its own identifiers — and
"page X of Y". The marks are drawn once the page count is known (the canvas keeps each finished
page until `save`), so one layout pass is enough.

Same input, same bytes: reportlab's invariant mode fixes the file ID and internal timestamps,
the creation date is the document's own date (from the data, never the clock), and fonts are
subset in a fixed order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, Literal

from reportlab import Version as REPORTLAB_VERSION
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from genedesk import APP_NAME, __version__
from genedesk.core.errors import Cancelled
from genedesk.core.reports.fonts import SANS, SANS_BOLD
from genedesk.core.reports.styles import INK, MUTED, RULE, Styles
from genedesk.core.reports.text import clean
from genedesk.core.reports.words import Words

PageSize = Literal["A4", "letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "letter": LETTER}

SIDE_MARGIN = 20 * mm
MARKS_EDGE = 11 * mm  # from the paper's top and bottom edge to the page marks
MARKS_GAP = 5 * mm  # between the marks' rule and the text frame
ELLIPSIS = "…"
MARK_GAP = "    "  # between the items of one page-mark line


@dataclass(frozen=True)
class Mark:
    """One item of a page mark, e.g. label "Date of birth:" and value "2 March 1984"."""

    value: str
    label: str | None = None
    bold: bool = False


@dataclass(frozen=True)
class PageMarks:
    """What identifies every page: header lines above the text, footer items below it, and the
    page counter template with {page} and {pages} (e.g. "Page {page} of {pages}")."""

    header: tuple[tuple[Mark, ...], ...]
    footer: tuple[Mark, ...]
    page_counter: str


@dataclass(frozen=True)
class DocumentInfo:
    """The PDF's metadata. `created_at` comes from the data (a report's date), never the clock."""

    title: str
    author: str
    subject: str
    language: str  # BCP 47 tag, e.g. "en", "es"
    created_at: datetime
    keywords: tuple[str, ...] = field(default_factory=tuple)


def patient_page_marks(
    words: Words,
    *,
    patient_name: str,
    date_of_birth: date,
    report_id: str,
    version: int,
    document_title: str,
) -> PageMarks:
    """The marks of every document about one patient (letters, reports, receipts)."""
    return PageMarks(
        header=(
            (Mark(patient_name, words.text("mark_patient"), bold=True),),
            (
                Mark(words.date(date_of_birth), words.text("mark_date_of_birth")),
                Mark(document_title),
            ),
        ),
        footer=(
            Mark(report_id, words.text("mark_report_id")),
            Mark(str(version), words.text("mark_version")),
        ),
        page_counter=words.text("page_counter", page="{page}", pages="{pages}"),
    )


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    marks_size: float
    header_lines: int

    @property
    def line_height(self) -> float:
        return self.marks_size * 1.45

    @property
    def header_rule_y(self) -> float:
        return self.height - MARKS_EDGE - self.header_lines * self.line_height - 2

    @property
    def footer_rule_y(self) -> float:
        return MARKS_EDGE + self.line_height

    @property
    def body_bottom(self) -> float:
        return self.footer_rule_y + MARKS_GAP

    @property
    def body_top(self) -> float:
        return self.header_rule_y - MARKS_GAP

    def frame(self) -> Frame:
        bottom, top = self.body_bottom, self.body_top
        return Frame(
            SIDE_MARGIN,
            bottom,
            self.width - 2 * SIDE_MARGIN,
            top - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="text",
        )


def body_area(
    styles: Styles, *, header_lines: int, page_size: PageSize = "A4"
) -> tuple[float, float]:
    """Bottom and top (points from the paper's bottom edge) of the text between the marks."""
    geometry = _Geometry(*PAGE_SIZES[page_size], styles.marks_size, header_lines)
    return geometry.body_bottom, geometry.body_top


def _mark_width(mark: Mark, size: float) -> float:
    width = stringWidth(mark.value, SANS_BOLD if mark.bold else SANS, size)
    if mark.label:
        width += stringWidth(mark.label + " ", SANS, size)
    return width


def fit_marks(marks: Sequence[Mark], width: float, size: float) -> list[Mark]:
    """The marks shortened (longest value first, ending in "…") until one line holds them all:
    a 200-letter name must not run off the page. The full text is in the document's body."""
    gap = stringWidth(MARK_GAP, SANS, size)
    fitted = [Mark(clean(m.value).replace("\n", " "), m.label, m.bold) for m in marks]

    def total() -> float:
        return sum(_mark_width(m, size) for m in fitted) + gap * max(len(fitted) - 1, 0)

    while (excess := total() - width) > 0:
        longest = max(range(len(fitted)), key=lambda i: _mark_width(fitted[i], size))
        mark = fitted[longest]
        value = mark.value.removesuffix(ELLIPSIS)
        if not value:
            break  # only labels are left; cannot happen with the labels GeneDesk uses
        allowed = _mark_width(mark, size) - excess

        def fits(
            keep: int, mark: Mark = mark, value: str = value, allowed: float = allowed
        ) -> bool:
            shorter = Mark(value[:keep].rstrip() + ELLIPSIS, mark.label, mark.bold)
            return _mark_width(shorter, size) <= allowed

        # The longest prefix that fits, found by halving; always at least one letter shorter.
        low, high = 0, len(value) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        fitted[longest] = Mark(value[:low].rstrip() + ELLIPSIS, mark.label, mark.bold)
    return fitted


class _MarkedCanvas(Canvas):
    """Keeps each finished page until save(), then draws the marks with the page count known."""

    def __init__(
        self, *args: Any, marks: PageMarks, geometry: _Geometry, pdf_date: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._gd_marks = marks
        self._gd_geometry = geometry
        self._gd_pages: list[dict[str, Any]] = []
        self.setDateFormatter(lambda *_: pdf_date)

    def showPage(self) -> None:
        self._gd_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._gd_pages)
        # The marks are the same on every page: shorten them once, leaving room for the
        # widest page counter.
        g = self._gd_geometry
        text_width = g.width - 2 * SIDE_MARGIN
        widest_counter = self._gd_marks.page_counter.format(page=total, pages=total)
        footer_room = text_width - stringWidth(widest_counter + MARK_GAP, SANS, g.marks_size)
        header = [fit_marks(line, text_width, g.marks_size) for line in self._gd_marks.header]
        footer = fit_marks(self._gd_marks.footer, footer_room, g.marks_size)
        for number, state in enumerate(self._gd_pages, start=1):
            self.__dict__.update(state)
            self._draw_marks(header, footer, number, total)
            super().showPage()
        super().save()

    def _draw_line(self, marks: Sequence[Mark], x: float, y: float) -> None:
        # One text object per line, so that copying or extracting the text gives
        # "Date of birth: 2 March 1984" on one line rather than label and value apart.
        size = self._gd_geometry.marks_size
        line = self.beginText(x, y)
        for index, mark in enumerate(marks):
            if index:
                line.setFont(SANS, size)
                line.textOut(MARK_GAP)
            if mark.label:
                line.setFont(SANS, size)
                line.setFillColor(MUTED)
                line.textOut(mark.label + " ")
            line.setFont(SANS_BOLD if mark.bold else SANS, size)
            line.setFillColor(INK)
            line.textOut(mark.value)
        self.drawText(line)

    def _draw_marks(
        self, header: Sequence[Sequence[Mark]], footer: Sequence[Mark], page: int, pages: int
    ) -> None:
        g = self._gd_geometry
        left, right = SIDE_MARGIN, g.width - SIDE_MARGIN
        self.saveState()
        y = g.height - MARKS_EDGE - g.marks_size
        for line in header:
            self._draw_line(line, left, y)
            y -= g.line_height
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(left, g.header_rule_y, right, g.header_rule_y)
        self.line(left, g.footer_rule_y, right, g.footer_rule_y)

        counter = self._gd_marks.page_counter.format(page=page, pages=pages)
        self.setFont(SANS, g.marks_size)
        self.setFillColor(INK)
        baseline = MARKS_EDGE + g.line_height - g.marks_size * 1.25
        self.drawRightString(right, baseline, counter)
        self._draw_line(footer, left, baseline)
        self.restoreState()


def pdf_date(moment: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm'); no offset if the moment has none."""
    text = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def render_pdf(
    story: list[Flowable],
    *,
    info: DocumentInfo,
    marks: PageMarks,
    styles: Styles,
    page_size: PageSize = "A4",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """Lay out the story and return the PDF bytes. `progress(done, total)` counts the story's
    flowables; when `cancelled()` turns true the work stops with Cancelled and nothing is kept."""
    width, height = PAGE_SIZES[page_size]
    geometry = _Geometry(width, height, styles.marks_size, len(marks.header))
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        title=clean(info.title),
        author=clean(info.author),
        subject=clean(info.subject),
        keywords=[clean(k) for k in info.keywords],
        creator=f"{APP_NAME} {__version__}",
        producer=f"{APP_NAME} {__version__} (ReportLab {REPORTLAB_VERSION})",
        lang=info.language,
        invariant=1,
        pageCompression=1,
        displayDocTitle=1,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        # Without this reportlab names Helvetica (not embedded, Latin-1 only) on every page.
        initialFontName=SANS,
        initialFontSize=styles.body_size,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[geometry.frame()])])

    total = len(story)
    done = 0

    def on_progress(kind: str, value: int) -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise Cancelled("Making the PDF was cancelled; nothing was kept.")
        if kind == "PROGRESS" and progress is not None:
            # Split flowables go back on the story, so the raw count can step back; report
            # only forward movement.
            value = min(max(value, 0), total)
            if value > done:
                done = value
                progress(done, total)

    doc.setProgressCallBack(on_progress)
    canvasmaker = partial(
        _MarkedCanvas, marks=marks, geometry=geometry, pdf_date=pdf_date(info.created_at)
    )
    doc.build(list(story), canvasmaker=canvasmaker)
    if progress is not None and done < total:
        progress(total, total)
    return buffer.getvalue()
