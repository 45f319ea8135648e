"""The shared frame: metadata, page marks, determinism, large print, long content, progress."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from genedesk.core.errors import Cancelled
from genedesk.core.reports.document import (
    MARK_GAP,
    SIDE_MARGIN,
    DocumentInfo,
    Mark,
    body_area,
    fit_marks,
    patient_page_marks,
    pdf_date,
    render_pdf,
)
from genedesk.core.reports.fonts import SANS, SANS_BOLD
from genedesk.core.reports.styles import LARGE_PRINT_BODY_SIZE, make_styles
from genedesk.core.reports.text import paragraph
from genedesk.core.reports.words import load_words

REPO = Path(__file__).resolve().parents[3]

LONG_NAME = ("Maximiliana Wilhelmina Konstantinopoulou-Hohenzollern-Sigmaringen " * 4)[:200]
UNBROKEN = "ABCDEFGHIJ" * 20  # 200 letters with no space: a pasted sequence or identifier
NOTE = (
    "Segregation analysis in the family: mother tested negative, father not available. "
    "The variant was confirmed by Sanger sequencing on a second sample. "
) * 15
NOTE = NOTE[:2000]


def long_rows(count: int) -> list[list[str]]:
    return [
        [
            f"GENE{n:03d}",
            f"NM_000{n:03d}.4:c.{100 + n}G>A p.(Arg{n}His)",
            "Uncertain significance",
            NOTE if n % 50 == 7 else f"Finding {n} of {count}.",
        ]
        for n in range(1, count + 1)
    ]


def test_metadata_and_marks_on_every_page(sample_document, read_pdf) -> None:
    pdf = read_pdf(
        sample_document(
            patient_name="Ólafur Þórsson",
            paragraphs=["Plain words for the patient."] * 3,
            table_rows=long_rows(60),
            created_at=datetime(2025, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
        )
    )
    meta = pdf.metadata
    assert meta["/Title"] == "Test letter"
    assert meta["/Author"] == "Dr Test Counsellor"
    assert meta["/Subject"] == "Report R-2025-000123"
    assert meta["/Creator"].startswith("GeneDesk ")
    assert meta["/Keywords"] == "genetics, test"
    assert meta["/CreationDate"] == "D:20250314093000-05'00'"
    assert pdf.language == "en"

    pages = pdf.page_texts()
    assert pdf.page_count == len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {pdf.page_count}" in text
        assert "Patient: Ólafur Þórsson" in text
        assert "Date of birth: 2 March 1984" in text
        assert "Report ID: R-2025-000123" in text
        assert "Version: 2" in text


def test_only_the_embedded_fonts_are_used(sample_document, read_pdf) -> None:
    pdf = read_pdf(sample_document(table_rows=long_rows(3)))
    # Subset names look like AAAAAA+DejaVuSans; no unembedded base-14 font (Helvetica) at all.
    assert {name.split("+", 1)[1] for name in pdf.font_names()} <= {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DejaVuSans-Oblique",
        "DejaVuSans-BoldOblique",
        "DejaVuSansMono",
        "DejaVuSansMono-Bold",
    }


def test_same_input_gives_the_same_bytes(sample_document, tmp_path) -> None:
    args = dict(patient_name="Юлия Смирнова", paragraphs=["Ünïcödé ✓"], table_rows=long_rows(30))
    first = sample_document(**args)
    assert sample_document(**args) == first
    # Another process, another hash seed and time zone, another day: still the same bytes.
    out, arguments = tmp_path / "other.pdf", tmp_path / "arguments.json"
    arguments.write_text(json.dumps(args), encoding="utf-8")
    script = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('reports_conftest', sys.argv[1])\n"
        "module = sys.modules['reports_conftest'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "args = json.loads(open(sys.argv[2], encoding='utf-8').read())\n"
        "open(sys.argv[3], 'wb').write(module.build_sample_document(**args))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="Pacific/Auckland")
    subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(Path(__file__).with_name("conftest.py")),
            str(arguments),
            str(out),
        ],
        check=True,
        env=env,
        cwd=REPO,
    )
    assert out.read_bytes() == first
    # The date comes from the data: another date, other bytes.
    assert sample_document(**args, created_at=datetime(2026, 1, 1, tzinfo=UTC)) != first


def test_large_print_body_is_at_least_14_pt(sample_document, read_pdf) -> None:
    normal = read_pdf(sample_document(paragraphs=["Body text."], table_rows=long_rows(5)))
    large = read_pdf(
        sample_document(paragraphs=["Body text."], table_rows=long_rows(80), large_print=True)
    )
    assert large.page_count > normal.page_count
    bottom, top = body_area(make_styles(large_print=True), header_lines=2)
    for page in range(large.page_count):
        runs = large.text_runs(page)
        body = [r for r in runs if bottom <= r.y <= top]
        marks = [r for r in runs if r not in body]
        assert body and marks
        assert min(r.size for r in body) >= LARGE_PRINT_BODY_SIZE - 0.01
        assert min(r.size for r in marks) >= 12 - 0.01
    assert min(r.size for r in normal.text_runs(0)) < LARGE_PRINT_BODY_SIZE


def test_long_content_splits_with_repeated_header_and_stays_on_the_page(
    sample_document, read_pdf, squeezed
) -> None:
    for large_print in (False, True):
        pdf = read_pdf(
            sample_document(
                patient_name=LONG_NAME,
                paragraphs=[LONG_NAME, UNBROKEN, NOTE],
                table_rows=[*long_rows(200), ["LONG", UNBROKEN, LONG_NAME, NOTE]],
                large_print=large_print,
            )
        )
        pages = pdf.page_texts()
        assert pdf.page_count >= 5
        # The header row heads every page of the table.
        header = "GeneVariantClassificationNote"
        bottom, top = body_area(make_styles(large_print=large_print), header_lines=2)
        bodies = [squeezed(text) for text in pdf.body_texts(bottom, top)]
        for body in bodies:
            if "GENE" in body:
                assert header in body
        # Every row arrives, once, in order; long names, words and notes wrap (and split
        # across pages) but come back whole once the repeated header rows are taken out.
        everything = "".join(bodies).replace(header, "")
        # A row that goes on from the page before is named at the top of the next page.
        continued = re.findall(r"(GENE\d{3}|LONG)\(continued\)", everything)
        assert "GENE007" in continued and "LONG" in continued
        everything = re.sub(r"(GENE\d{3}|LONG)\(continued\)", "", everything)
        positions = [everything.index(f"GENE{n:03d}") for n in range(1, 201)]
        assert positions == sorted(positions)
        assert all(everything.count(f"GENE{n:03d}") == 1 for n in range(1, 201))
        for long_text in (LONG_NAME, UNBROKEN, NOTE):
            assert everything.count(squeezed(long_text)) >= 2  # in the text and in the table
        # Nothing runs off the page: every word lies inside the side margins and the paper.
        for page in pdf.word_boxes():
            assert page.words
            for word in page.words:
                assert word.x_min >= SIDE_MARGIN - 0.5, word
                assert word.x_max <= page.width - SIDE_MARGIN + 0.5, word
                assert 0 <= word.y_min and word.y_max <= page.height, word
        # The 200-letter name is shortened in the page header, which still fits one line.
        assert "Patient: Maximiliana" in pages[0] and "…" in pages[0]


def test_page_marks_are_shortened_to_fit() -> None:
    marks = [Mark(LONG_NAME, "Patient:", bold=True), Mark("R-1", "Report ID:")]
    fitted = fit_marks(marks, 300, 9)
    assert fitted[0].value.endswith("…") and LONG_NAME.startswith(fitted[0].value[:-1])
    assert fitted[1].value == "R-1"
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = (
        stringWidth("Patient: ", SANS, 9)
        + stringWidth(fitted[0].value, SANS_BOLD, 9)
        + stringWidth(MARK_GAP, SANS, 9)
        + stringWidth("Report ID: R-1", SANS, 9)
    )
    assert width <= 300
    assert fit_marks([Mark("short", "Label:")], 300, 9) == [Mark("short", "Label:")]


def test_pdf_dates() -> None:
    assert pdf_date(datetime(2025, 1, 2, 3, 4, 5)) == "D:20250102030405"
    assert pdf_date(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == "D:20250102030405+00'00'"
    assert (
        pdf_date(datetime(2025, 1, 2, tzinfo=timezone(timedelta(hours=5, minutes=30))))
        == "D:20250102000000+05'30'"
    )


def test_progress_and_cancel(sample_document) -> None:
    seen: list[tuple[int, int]] = []
    sample_document(table_rows=long_rows(20), progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    calls = 0

    def cancel_soon() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    with pytest.raises(Cancelled):
        sample_document(paragraphs=["x"] * 50, cancelled=cancel_soon)


def test_letter_paper(read_pdf) -> None:
    styles = make_styles()
    marks = patient_page_marks(
        load_words("common"),
        patient_name="Ana Pérez",
        date_of_birth=date(1990, 5, 17),
        report_id="R-9",
        version=1,
        document_title="Letter",
    )
    info = DocumentInfo(
        title="Letter", author="A", subject="S", language="es", created_at=datetime(2025, 1, 1)
    )
    data = render_pdf(
        [paragraph("Hola", styles.body)], info=info, marks=marks, styles=styles, page_size="letter"
    )
    pdf = read_pdf(data)
    box = pdf.reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)
    assert pdf.language == "es"
    assert "Date of birth: 17 May 1990" in pdf.text()
