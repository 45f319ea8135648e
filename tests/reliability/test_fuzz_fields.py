"""Hostile text in patient fields and in every field that reaches a PDF.

Patient fields (genedesk.core.patients): a value is either stored and read back exactly (as the
clinic typed it, trimmed and in Unicode NFC) or refused with a UsageError naming the field, and a
refusal stores nothing; search with any text never fails and finds a stored hostile name.

PDFs (patient letter, clinician report, family letter, rendered by reports.store.render): with
hostile names, the counsellor's explanation, finding notes, the reason for testing, the referrer
and the relatives' letter text, the PDF builds and pypdf reads every value back as printed text —
markup such as "<b>" or "&amp;" appears literally, nothing is cut off. The reports' own
normalisation (reports.text.clean: NFC, control characters shown as U+FFFD) is the expected form.
The family letter has no relatives' names to print: it is addressed to "your relatives"; its
hostile fields are the patient's name and the relatives' text.

Examples: derandomized; GENEDESK_FUZZ_EXAMPLES raises the counts by hand.
"""

from __future__ import annotations

import dataclasses
import io
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pypdf import PdfReader

from genedesk.core import patients
from genedesk.core.errors import UsageError
from genedesk.core.knowledge.explain import family_explanation
from genedesk.core.patients import PatientDetails
from genedesk.core.reports.fonts import missing_characters
from genedesk.core.reports.model import FindingText, ReportKind, ReportRequest
from genedesk.core.reports.store import render
from genedesk.core.reports.text import clean
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from reliability.fuzzing import fuzz_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "reports"))
import sample_reports as sample

HOSTILE = [
    "'; DROP TABLE patient;--",
    "Robert'); DELETE FROM audit_event; --",
    '" OR 1=1 --',
    "%_\\%",
    "tab\there",
    "line\nbreak\r\nand\rreturn",
    "nul\x00inside",
    "bell\x07esc\x1b[31mred",
    "del\x7fc1\x85",
    "abc\u202eRTL override\u202c",
    "\u200fright-to-left mark\u200e",
    "zero\u200dwidth\u200bjoiner\ufeff",
    "e\u0301\u0328 combining \u0308\u0308\u0308",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358algo",
    "emoji 😀 👩‍👩‍👧 🏳️‍🌈",
    "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠮷",
    "<b>bold</b> &amp; <para>para</para>",
    '<font color=red size=40>red</font> <img src="http://127.0.0.1:9/x.png"/>',
    "</para><para>&#60;&lt;&#x41;",
    "<a href='javascript:alert(1)'>link</a> <br/> <![CDATA[x]]>",
    "{name} {0} %s %(x)s $HOME ${x}",
    "\ud800lone surrogate",
    "private\ue000use",
    "  leading and trailing  ",
    "",
    "Łukasz Żółć Þórsson Nguyễn Thị Ánh Юлия Σοφία",
    "x" * 10_000,
    ("long words " * 1000)[:10_000],
]

FIELDS = {
    "given_name": "given name",
    "family_name": "family name",
    "mrn": "record number",
}


def counts(vault: Vault) -> tuple[int, int]:
    return (
        int(vault.query_one("SELECT count(*) FROM patient")[0]),
        int(vault.query_one("SELECT count(*) FROM audit_event")[0]),
    )


_serial = iter(range(1, 1_000_000))


def details(**values: str) -> PatientDetails:
    base = {
        "mrn": f"H-{next(_serial)}",
        "given_name": "Ana",
        "family_name": "Pérez",
        "birth_date": "1984-03-02",
        "sex_at_birth": "female",
    }
    base.update(values)
    return PatientDetails(**base)  # type: ignore[arg-type]


def as_typed(value: str) -> str:
    """What the clinic typed, as a record keeps it: trimmed, composed (NFC)."""
    return unicodedata.normalize("NFC", value.strip())


def plainly_fine(value: str, limit: int) -> bool:
    """A value no validation may refuse: letters, spaces and name punctuation, not too long."""
    typed = as_typed(value)
    return 0 < len(typed) <= limit and all(ch.isalpha() or ch in " -'." for ch in typed)


def add_or_refusal(vault: Vault, actor: Staff, field: str, value: str) -> None:
    before = counts(vault)
    try:
        patient = patients.add_patient(vault, actor, details(**{field: value}))
    except UsageError as refusal:
        assert FIELDS[field] in refusal.message.lower(), refusal.message
        assert counts(vault) == before
        limit = patients.MAX_MRN if field == "mrn" else patients.MAX_NAME
        assert not plainly_fine(value, limit), f"refused a plain value: {refusal.message}"
        return
    stored = patients.get_patient(vault, patient.id)
    assert getattr(stored, field) == as_typed(value)
    assert counts(vault) == (before[0] + 1, before[1] + 1)
    # A stored name is found again by searching for it, whatever it holds.
    if field != "mrn":
        found = patients.search_patients(vault, f"{stored.mrn} {value}")
        assert patient.id in [p.id for p in found]


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_hostile_patient_fields_are_stored_exactly_or_refused_naming_the_field(
    vault: Vault, admin: Staff, field: str
) -> None:
    for value in HOSTILE:
        add_or_refusal(vault, admin, field, value)


@fuzz_settings(ci_examples=150)
@given(field=st.sampled_from(sorted(FIELDS)), value=st.text(max_size=60))
def test_any_text_in_a_patient_field_is_stored_exactly_or_refused_naming_the_field(
    vault: Vault, admin: Staff, field: str, value: str
) -> None:
    add_or_refusal(vault, admin, field, value)


def test_editing_a_patient_with_hostile_text_stores_it_exactly_or_changes_nothing(
    vault: Vault, admin: Staff
) -> None:
    patient = patients.add_patient(vault, admin, details())
    for field in FIELDS:
        for value in HOSTILE:
            current = patients.get_patient(vault, patient.id)
            before = counts(vault)
            try:
                edited = patients.edit_patient(
                    vault, admin, patient.id, **{field: value}
                )
            except UsageError as refusal:
                assert FIELDS[field] in refusal.message.lower(), refusal.message
                assert counts(vault) == before
                assert patients.get_patient(vault, patient.id) == current
                continue
            assert getattr(edited, field) == as_typed(value)


@fuzz_settings(ci_examples=200)
@given(query=st.text(max_size=80))
def test_search_with_any_text_never_fails(
    vault: Vault, admin: Staff, query: str
) -> None:
    found = patients.search_patients(vault, query)
    assert isinstance(found, list)


def test_search_with_hostile_queries_never_fails_and_wildcards_are_literal(
    vault: Vault, admin: Staff
) -> None:
    percent = patients.add_patient(vault, admin, details(family_name="100% Ltd_x"))
    patients.add_patient(vault, admin, details(family_name="Ordinary"))
    for query in HOSTILE:
        patients.search_patients(vault, query)
    # LIKE wildcards typed by a person match only themselves.
    assert [p.id for p in patients.search_patients(vault, "%")] == [percent.id]
    assert [p.id for p in patients.search_patients(vault, "_x")] == [percent.id]
    assert patients.count_patients(vault) == 2  # nothing was dropped


def test_search_with_a_lone_surrogate_finds_nothing_instead_of_failing(
    vault: Vault, admin: Staff
) -> None:
    patients.add_patient(vault, admin, details())
    assert patients.search_patients(vault, "Ana \udcff") == []


# --- PDFs -------------------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return "".join(text.split())


def reading_text(pdf: bytes, kind: ReportKind) -> str:
    """The pages' text without their marks (drawn last on each page, so they end its text),
    so a value that runs over a page break joins up again."""
    label = "About the test of:" if kind is ReportKind.FAMILY else "Patient:"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return " ".join(page[: page.rindex(label)] for page in pages)


def as_a_name(value: str) -> str:
    """`value` as the patient record would keep it as a name, or a plain name when the record
    would refuse it (names reach reports only from patient records)."""
    name = as_typed(value)[: patients.MAX_NAME].strip()
    try:
        patients.validate(details(given_name=name, family_name=name))
    except UsageError:
        return "Ana Hostile"
    return name


def report_with(kind: ReportKind, value: str) -> tuple[ReportRequest, str]:
    """A request with `value` in every outside-text field the document prints."""
    name = as_a_name(value)
    first, second = sample.two_findings()
    assert first.patient_text is not None
    first = dataclasses.replace(
        first,
        clinician_note=value,
        classification_reason=value,
        patient_text=dataclasses.replace(first.patient_text, paragraphs=(value, "Second.")),
        family_text=FindingText.from_explanation(
            family_explanation(
                first.gene, first.condition, first.classification, "heterozygous", None, "female"
            ),
            paragraphs=(value,),
        ),
    )
    request = sample.request(
        kind,
        patient=sample.patient(given=name, family=name),
        findings=(first, second),
        reason_for_test=value,
        referrer=value,
        next_steps=value,
    )
    return request, name


def printable(value: str) -> bool:
    return not missing_characters(clean(value))


def as_printed(value: str) -> str:
    """The text a reader sees: the reports' own cleaning, without soft hyphens (U+00AD is a
    hyphenation point, shown only where reportlab breaks the line) and without whitespace."""
    return squeeze(clean(value).replace("\xad", ""))


def check_report(kind: ReportKind, value: str, pieces: list[str] | None = None) -> None:
    request, name = report_with(kind, value)
    pdf = render(request)
    assert pdf.startswith(b"%PDF")
    text = squeeze(reading_text(pdf, kind))
    full = squeeze("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert as_printed(name) in full, "the patient's name is not printed whole"
    for piece in pieces or [value]:
        assert as_printed(piece) in text, f"{kind} lost or changed {piece[:60]!r}"


SHORT_HOSTILE = [v for v in HOSTILE if v.strip() and printable(v) and len(v) < 1000]
LONG_HOSTILE = [v for v in HOSTILE if len(v) >= 1000]
SEPARATOR = " ¶ "


@pytest.mark.parametrize("kind", list(ReportKind))
def test_hostile_text_prints_literally_and_whole_in_every_report(kind: ReportKind) -> None:
    # All the short values in one document (each is looked for on its own): one render per kind.
    check_report(kind, SEPARATOR.join(SHORT_HOSTILE), SHORT_HOSTILE)
    assert any("<b>" in v for v in SHORT_HOSTILE) and any("DROP TABLE" in v for v in SHORT_HOSTILE)


LONG_CASES = [
    pytest.param(
        kind,
        value,
        id=f"{kind.value}-{value[:4]}",
    )
    for kind in ReportKind
    for value in LONG_HOSTILE
]


@pytest.mark.parametrize(("kind", "value"), LONG_CASES)
def test_ten_thousand_characters_print_whole_over_pages(kind: ReportKind, value: str) -> None:
    check_report(kind, value)


@fuzz_settings(ci_examples=25)
@given(kind=st.sampled_from(list(ReportKind)), value=st.text(min_size=1, max_size=300))
def test_any_printable_text_comes_back_out_of_the_pdf(kind: ReportKind, value: str) -> None:
    assume(value.strip() and printable(value))
    # Right-to-left scripts are laid out in visual order (reportlab's bidi), so the PDF's text
    # runs the other way from the typed text; the explicit cases cover the override marks.
    assume(not any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") for ch in value))
    check_report(kind, value)


UNDRAWABLE = [v for v in HOSTILE if v.strip() and not printable(as_a_name(v))]


@pytest.mark.parametrize("value", UNDRAWABLE, ids=lambda v: v.split()[0])
def test_a_name_the_fonts_cannot_draw_is_refused_or_printed_whole(value: str) -> None:
    try:
        request, name = report_with(ReportKind.PATIENT, value)
        pdf = render(request)
    except UsageError as refusal:
        assert "name" in refusal.message
        return
    full = squeeze("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert as_printed(name) in full
