"""Any name prints: the embedded fonts, where they came from, and names read back exactly."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from genedesk.core.paths import resources_dir
from genedesk.core.reports.fonts import (
    FONT_FILES,
    MONO,
    SANS,
    SANS_BOLD,
    SANS_BOLD_ITALIC,
    SANS_ITALIC,
    missing_characters,
)
from genedesk.core.reports.text import italic, markup

NAMES = [
    "Nguyễn Thị Ánh",
    "Łukasz Żółć",
    "Ólafur Þórsson",
    "Σοφία Παπαδοπούλου",
    "Юлия Смирнова",
    "Đặng Văn Dũng",
    "Şükrü Çağlar Öztürk",
    "Dvořák Ěčšřžýáíé",
    "Αλέξανδρος Ψ. Ωμέγα",
    "Ґанна Їжак-Єременко",
]

FONT_FOLDER = resources_dir() / "fonts"


def test_font_files_match_their_recorded_source() -> None:
    lines = (FONT_FOLDER / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    packages = {row[0]: row[1] for row in rows if len(row) == 3 and not row[0].endswith(".ttf")}
    files = {row[0]: (row[1], row[2]) for row in rows if row[0].endswith(".ttf")}
    assert packages == {"fonts-dejavu-core": "2.37-6", "fonts-dejavu-extra": "2.37-6"}
    assert set(files) == set(FONT_FILES.values())
    for name, (package, digest) in files.items():
        assert package in packages
        assert hashlib.sha256((FONT_FOLDER / name).read_bytes()).hexdigest() == digest, name
    licence = (FONT_FOLDER / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera" in licence and "Permission is hereby granted" in licence


@pytest.mark.parametrize("font", [SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC])
def test_every_face_covers_the_names(font: str) -> None:
    for name in NAMES:
        assert missing_characters(name, font) == [], name


def test_missing_characters_are_found() -> None:
    assert missing_characters("Wang 王芳", SANS) == ["王", "芳"]
    assert missing_characters("7K2Q-9XWD", MONO) == []


def test_names_come_back_out_of_the_pdf_exactly(sample_document, read_pdf, squeezed) -> None:
    # The names are written here in NFC, as keyboards produce them; the PDF gives back NFC.
    assert all(unicodedata.is_normalized("NFC", name) for name in NAMES)
    for name in NAMES:
        pdf = read_pdf(
            sample_document(
                patient_name=name,
                paragraphs=[name, italic(name), markup("<b><i>{n}</i></b>", n=name)],
                table_rows=[[name, name, name, name]],
            )
        )
        lines = pdf.text().splitlines()
        # Whole lines in the body: regular, bold, italic and bold italic …
        assert lines[1:5] == [name] * 4, (name, lines)
        # … in the page header …
        assert f"Patient: {name}" in lines
        # … and in each table cell (a narrow column may wrap a name onto two lines).
        assert squeezed(pdf.text()).count(squeezed(name)) == 4 + 1 + 4


def test_decomposed_accents_print_composed(sample_document, read_pdf) -> None:
    name = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    pdf = read_pdf(sample_document(patient_name=decomposed, paragraphs=[decomposed]))
    assert name in pdf.text().splitlines()
    assert f"Patient: {name}" in pdf.text()
