"""Reading GeneDesk PDFs back the way a person or another program would: text with pypdf,
word positions with poppler's pdftotext, font sizes from the content streams."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable

from genedesk.core.reports.document import DocumentInfo, patient_page_marks, render_pdf
from genedesk.core.reports.styles import make_styles
from genedesk.core.reports.tables import data_table
from genedesk.core.reports.text import markup, paragraph
from genedesk.core.reports.words import load_words


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float  # from the top of the page, as pdftotext gives it
    x_max: float
    y_max: float


@dataclass(frozen=True)
class PageWords:
    width: float
    height: float
    words: list[Word]


@dataclass(frozen=True)
class TextRun:
    text: str
    font: str
    size: float
    y: float  # baseline, from the bottom of the page


class PdfFacts:
    def __init__(self, data: bytes, folder: Path) -> None:
        self.data = data
        self.folder = folder
        self.reader = PdfReader(io.BytesIO(data))

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)

    def page_texts(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    def text(self) -> str:
        return "\n".join(self.page_texts())

    @property
    def metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in (self.reader.metadata or {}).items()}

    @property
    def language(self) -> str:
        return str(self.reader.trailer["/Root"]["/Lang"])

    def font_names(self) -> set[str]:
        names = set()
        for page in self.reader.pages:
            for font in page["/Resources"]["/Font"].values():
                names.add(str(font.get_object()["/BaseFont"]))
        return names

    def text_runs(self, page_number: int) -> list[TextRun]:
        """Every piece of text on a page with its font and its size as printed."""
        runs: list[TextRun] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if not text.strip() or font is None:
                return
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            y = tm[5] * cm[3] + cm[5]
            runs.append(TextRun(text, str(font["/BaseFont"]), size * scale, y))  # type: ignore[index]

        self.reader.pages[page_number].extract_text(visitor_text=visit)
        return runs

    def body_texts(self, bottom: float, top: float) -> list[str]:
        """Each page's text between the page marks (from `document.body_area`), in the order
        it was drawn, so text that continues on the next page joins up without the marks."""
        texts = []
        for page in self.reader.pages:
            parts: list[str] = []

            def visit(
                text: str, cm: list[float], tm: list[float], *_: object, parts: list[str] = parts
            ) -> None:
                y = tm[5] * cm[3] + cm[5]
                if bottom <= y <= top:
                    parts.append(text)

            page.extract_text(visitor_text=visit)
            texts.append("".join(parts))
        return texts

    def word_boxes(self) -> list[PageWords]:
        """Each word's box on each page, measured by poppler (independent of reportlab)."""
        tool = shutil.which("pdftotext")
        if tool is None:
            pytest.fail("pdftotext is missing: install the Debian package poppler-utils")
        source = self.folder / "measured.pdf"
        source.write_bytes(self.data)
        html = subprocess.run(
            [tool, "-bbox", str(source), "-"], check=True, capture_output=True
        ).stdout
        root = ET.fromstring(html)
        ns = {"x": "http://www.w3.org/1999/xhtml"}
        pages = []
        for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
            words = [
                Word(
                    w.text or "",
                    float(w.attrib["xMin"]),
                    float(w.attrib["yMin"]),
                    float(w.attrib["xMax"]),
                    float(w.attrib["yMax"]),
                )
                for w in page.findall("x:word", ns)
            ]
            pages.append(
                PageWords(float(page.attrib["width"]), float(page.attrib["height"]), words)
            )
        return pages


@pytest.fixture
def read_pdf(tmp_path: Path) -> Callable[[bytes], PdfFacts]:
    return lambda data: PdfFacts(data, tmp_path)


def squeeze(text: str) -> str:
    """Text without any whitespace: wrapping adds line breaks where the page needs them."""
    return "".join(text.split())


@pytest.fixture
def squeezed() -> Callable[[str], str]:
    return squeeze


# --- a small document built from the shared frame, as any future document will be ---

SAMPLE_CREATED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
SAMPLE_DATE_OF_BIRTH = date(1984, 3, 2)


def build_sample_document(
    *,
    patient_name: str = "Ana Pérez",
    paragraphs: Sequence[str] = (),
    table_rows: Sequence[Sequence[str]] = (),
    large_print: bool = False,
    title: str = "Test letter",
    report_id: str = "R-2025-000123",
    version: int = 2,
    created_at: datetime = SAMPLE_CREATED,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    words = load_words("common", "en")
    styles = make_styles(large_print=large_print)
    story: list[Flowable] = [
        paragraph(title, styles.title),
        paragraph(markup("<b>{name}</b>", name=patient_name), styles.body),
    ]
    story += [paragraph(text, styles.body) for text in paragraphs]
    if table_rows:
        story.append(
            data_table(
                ("Gene", "Variant", "Classification", "Note"),
                table_rows,
                shares=(1, 2, 1.5, 3),
                styles=styles,
                continued=lambda gene: words.text("row_continued", label=gene),
            )
        )
    marks = patient_page_marks(
        words,
        patient_name=patient_name,
        date_of_birth=SAMPLE_DATE_OF_BIRTH,
        report_id=report_id,
        version=version,
        document_title=title,
    )
    info = DocumentInfo(
        title=title,
        author="Dr Test Counsellor",
        subject=f"Report {report_id}",
        language="en",
        created_at=created_at,
        keywords=("genetics", "test"),
    )
    return render_pdf(
        story, info=info, marks=marks, styles=styles, progress=progress, cancelled=cancelled
    )


@pytest.fixture
def sample_document() -> Callable[..., bytes]:
    return build_sample_document
