"""The patient letter, the clinician report and the family letter, read back from the PDF as a
patient, a clinician and a relative would read them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sample_reports as sample

from genedesk.core.errors import UsageError
from genedesk.core.knowledge.explain import (
    family_explanation,
    genetic_terms,
    glossary,
    patient_explanation,
)
from genedesk.core.reports.clinician_report import build_clinician_report
from genedesk.core.reports.document import SIDE_MARGIN, body_area
from genedesk.core.reports.family_letter import build_family_letter
from genedesk.core.reports.model import (
    Amendment,
    FindingCategory,
    ReportKind,
    ReportStatus,
)
from genedesk.core.reports.patient_letter import build_patient_letter
from genedesk.core.reports.store import render
from genedesk.core.reports.styles import LARGE_PRINT_BODY_SIZE, make_styles

REPO = Path(__file__).resolve().parents[3]
ISSUE_NAMES = list(sample.NAMES.values())
LONG_NAME = ("Maximiliana Wilhelmina Konstantinopoulou-Hohenzollern " * 5)[:200]
NOTE = (
    "Segregation analysis: mother tested negative, father not available. The variant was "
    "confirmed by Sanger sequencing on a second sample; see the lab's letter of 3 March. "
) * 12
NOTE = NOTE[:2000]
HOSTILE = '<b>not bold</b> & <font color=red>red</font> <img src="http://127.0.0.1:9/x.png"/>'


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def words_of(text: str) -> str:
    """' word word … ' in lower case, for whole-word and phrase lookups."""
    return " " + " ".join(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", text.lower())) + " "


def reading_text(pdf, kind: ReportKind) -> str:
    """The pages' text without their marks (drawn last on each page, so they end its text)."""
    label = "About the test of:" if kind is ReportKind.FAMILY else "Patient:"
    return flat(" ".join(page[: page.rindex(label)] for page in pdf.page_texts()))


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


# --- the patient letter -------------------------------------------------------------------


def test_patient_letter_first_page_answers_the_four_questions(read_pdf) -> None:
    pdf = read_pdf(build_patient_letter(sample.final(sample.request())))
    first = flat(pdf.page_texts()[0])
    for heading in (
        "What we looked for",
        "What we found",
        "What this means for you",
        "What happens next",
    ):
        assert heading in first
    assert "Dear Ana," in first
    assert "linked to the reason for your test: a family history of breast cancer." in first
    assert "The list we used is ACMG SF v3.3." in first
    assert "We found 2 changes that we need to tell you about:" in first
    assert "BRCA1 gene: a change that is known to cause a health problem" in first
    assert "MYH7 gene: a change that we do not understand yet." in first
    assert "Together we will plan the checks and care that fit you." in first
    # The results start on the next page, under the explanation texts' own titles.
    assert "Your genetic test result: the BRCA1 gene" not in first
    assert "Your genetic test result: the BRCA1 gene" in flat(pdf.page_texts()[1])


def test_patient_letter_prints_each_finding_and_every_section(read_pdf, squeezed) -> None:
    req = sample.final(sample.request())
    text = read_pdf(build_patient_letter(req)).text()
    body = squeezed(text)
    for finding in req.findings:
        assert finding.patient_text is not None
        for paragraph_text in finding.patient_text.paragraphs:
            assert squeezed(paragraph_text) in body
        assert squeezed(f"For your doctor: {finding.gene} {finding.variant.description}") in body
    # The explanation texts are the knowledge base's, word for word.
    brca1 = patient_explanation("BRCA1", None, "pathogenic", "heterozygous", None, "female")
    assert squeezed(brca1.paragraphs[2]) in body
    words = flat(text)
    for expected in (
        "Results from the list of genes you asked us to check",
        "What it means for your family",
        "We can give you a letter for your relatives about each of these genes: BRCA1.",
        "A change that we do not understand yet is not a reason for your relatives",
        "Your choices",
        "You chose to hear about changes in other genes that can affect your health.",
        "You agreed that we may contact you again",
        "Your medicines",
        "Capecitabine (for cancer):",
        "Do not stop or change a medicine on your own.",
        "Words used in this letter",
        "What this test cannot tell you",
        "This test looks at some of your genes, not all of them.",
        "Who to contact",
        "Maria Lopez, Genetic counsellor",
        "Phone: +44 20 7946 0000",
        "Yours sincerely,",
        "Dr Sam Okafor",
        "Genes list: ACMG SF v3.3.",
    ):
        assert expected in words, expected


def test_medicine_names_are_bold(read_pdf) -> None:
    pdf = read_pdf(build_patient_letter(sample.final(sample.request())))
    runs = [run for page in range(pdf.page_count) for run in pdf.text_runs(page)]
    bold = {run.text.strip() for run in runs if run.font.endswith("DejaVuSans-Bold")}
    assert any(text.startswith("Capecitabine (for cancer)") for text in bold)
    assert not any(text.startswith("Do not stop") for text in bold)


def test_glossary_explains_every_genetic_word_the_letter_uses(read_pdf) -> None:
    for req in (
        sample.final(sample.request()),
        sample.final(sample.request(kind=ReportKind.FAMILY)),
        sample.final(sample.request(findings=(), pgx=None)),
    ):
        text = reading_text(read_pdf(render(req)), req.kind)
        glossary_part = between(text, "Words used in this letter", "About this letter")
        if req.kind is ReportKind.PATIENT:
            glossary_part = between(text, "Words used in this letter", "What this test cannot")
        reader_part = text.replace(glossary_part, " ")
        everything_read = words_of(reader_part)
        # What the reader is not asked to understand: the lines for a doctor or a lab, and
        # the small print naming the report's sources.
        reader_part = re.sub(r"For your doctor: .*?\)", " ", reader_part)
        reader_part = reader_part.split("About this letter")[0]
        for name in (req.clinic.name, req.clinic.email):  # names, not our wording
            reader_part = reader_part.replace(name, " ")
        if req.kind is ReportKind.FAMILY:
            box = between(reader_part, "For your doctor or genetic counsellor", "Who to contact")
            reader_part = reader_part.replace(box, " ")
        # Entries print as "term: definition", each after the full stop of the one before.
        printed = {e.term for e in glossary() if f". {e.term}:" in glossary_part}
        used = words_of(reader_part)
        for term in genetic_terms():
            if f" {term.lower()} " not in used:
                continue
            explained = [e for e in glossary() if term.lower() in {f.lower() for f in e.forms}]
            assert explained, f"{term!r} is used but the glossary has no entry for it"
            assert any(e.term in printed for e in explained), f"{term!r} is not explained"
        # And no entry is printed for a word the letter does not use.
        for entry in glossary():
            if entry.term in printed:
                forms = (" " + " ".join(words_of(f).split()) + " " for f in entry.forms)
                assert any(form in everything_read for form in forms), entry.term


def test_large_print_body_is_at_least_14_pt(read_pdf) -> None:
    styles = make_styles(large_print=True)
    for kind in ReportKind:
        pdf = read_pdf(render(sample.final(sample.request(kind, large_print=True))))
        bottom, top = body_area(styles, header_lines=2)
        for page in range(pdf.page_count):
            body = [run for run in pdf.text_runs(page) if bottom <= run.y <= top]
            assert body, (kind, page)
            assert min(run.size for run in body) >= LARGE_PRINT_BODY_SIZE - 0.01, (kind, page)


def test_letter_without_findings_says_so_plainly(read_pdf) -> None:
    text = flat(
        read_pdf(
            build_patient_letter(
                sample.request(
                    findings=(),
                    pgx=None,
                    secondary_findings_choice="no",
                    recontact_choice="not_asked",
                )
            )
        ).text()
    )
    assert "We did not find any change that we need to tell you about." in text
    assert "It does not rule out every health problem that runs in families." in text
    assert "You asked us not to tell you about changes in other genes." in text
    assert "Your results do not mean that your relatives need a test." in text
    assert "You have not told us yet if we may contact you again" in text
    assert "Your medicines" not in text
    # A draft says so at the top, and is not signed.
    assert "Draft. This letter has not been checked yet. Do not act on it." in text
    assert "This letter is a draft and has not been signed yet." in text
    assert "Dr Sam Okafor" not in text


def test_secondary_findings_asked_for_but_none_found(read_pdf) -> None:
    (brca1, _) = sample.two_findings()
    text = flat(read_pdf(build_patient_letter(sample.request(findings=(brca1,)))).text())
    assert "We found one change that we need to tell you about:" in text
    assert "In the list of genes you asked us to check, we found nothing" in text


def test_counsellor_edits_and_notes_print_as_written(read_pdf, squeezed) -> None:
    edited = [
        f"Dear Ana, we talked about this on the phone. {HOSTILE}",
        "Your brother may want a test too.",
    ]
    brca1 = sample.finding(1, "BRCA1", "pathogenic", edited_paragraphs=edited)
    req = sample.request(
        findings=(brca1,),
        next_steps="Come to the clinic on 2 April.\nBring your sister.",
        reason_for_test=f"family history & {HOSTILE}",
    )
    pdf = read_pdf(build_patient_letter(req))
    text = flat(pdf.text())
    assert flat(edited[0]) in text and edited[1] in text
    assert f"family history & {flat(HOSTILE)}" in text
    assert "Come to the clinic on 2 April." in text and "Bring your sister." in text
    for page in pdf.reader.pages:
        assert "/XObject" not in page["/Resources"] and "/Annots" not in page
    content = b"".join(page.get_contents().get_data() for page in pdf.reader.pages)
    assert b"1 0 0 rg" not in content  # nothing drawn red


# --- the clinician report ------------------------------------------------------------------


def test_clinician_report_has_everything_per_finding(read_pdf, squeezed) -> None:
    req = sample.final(sample.request(ReportKind.CLINICIAN))
    text = read_pdf(build_clinician_report(req)).text()
    words, body = flat(text), squeezed(text)
    brca1, myh7 = req.findings
    for finding in (brca1, myh7):
        variant = finding.variant
        assert f"{finding.gene} — {finding.classification_label}" in words
        for value in (variant.transcript, variant.hgvs_c_full, variant.hgvs_p):
            assert squeezed(value) in body
        assert (
            squeezed(f"{variant.hgvs_g} ({variant.build}); {variant.chrom}:{variant.pos} G>A")
            in body
        )
        assert f"Heterozygous (genotype {variant.genotype})" in words
        assert (
            f"Call quality read depth {variant.depth}; genotype quality (GQ) 99; allele "
            "fraction 0.48; QUAL 1234.5; filter PASS"
        ) in words
        assert finding.acmg is not None
        for criterion in finding.acmg.criteria:
            assert squeezed(f"{criterion.code}") in body
            assert squeezed(criterion.summary) in body
        assert squeezed(finding.acmg.points_band) in body
        assert f"Tavtigian et al. 2020 points: {finding.acmg.points}" in words
        assert squeezed(finding.acmg.richards_rules[0]) in body
        assert f"Variation ID {finding.clinvar.variation_id}" in words  # type: ignore[union-attr]
        assert squeezed(finding.clinician_note) in body
        assert finding.clinician_text is not None
        assert squeezed(finding.clinician_text.paragraphs[0]) in body
    assert "★★☆☆ 2 of 4 stars" in words
    assert "Pathogenic (i)(a): 1 Very strong AND ≥1 Strong" in words
    assert "PVS1 (Pathogenic, Very strong; points +8): Predicted loss-of-function" in words
    assert "PM2_Supporting (Pathogenic, Supporting; points +1)" in words
    assert "Summary of reported findings" in words
    assert "Patient Ana Pérez" in words and "Record number MRN-0042" in words
    assert "To: Dr Jane Miller, Northfield Breast Clinic" in words


def test_clinician_report_pharmacogenomics_methods_provenance_signature(read_pdf, squeezed) -> None:
    req = sample.final(sample.request(ReportKind.CLINICIAN))
    text = read_pdf(build_clinician_report(req)).text()
    words, body = flat(text), squeezed(text)
    assert req.pgx is not None
    dpyd = next(g for g in req.pgx.genes if g.gene == "DPYD")
    assert squeezed(f"DPYD {dpyd.diplotype}") in body
    assert "Intermediate Metabolizer (activity score 1.0)" in words
    assert "capecitabine, fluorouracil (change; CPIC Strong)" in words
    assert squeezed(dpyd.drugs[0].recommendation) in body
    assert "CPIC guidelines cited" in words and squeezed(dpyd.drugs[0].citation) in body
    assert "Positions not tested" in words
    assert "Not determined from this test" in words and "CYP2D6: needs copy-number" in words
    for heading in (
        "Methods",
        "Limitations",
        "Provenance",
        "Sources of the interpretation texts",
        "Signature",
    ):
        assert heading in words
    test = req.tests[0]
    assert f"Source file {test.source_name}" in words
    assert squeezed(f"SHA-256 {test.source_sha256}") in body
    assert "Imported 1 March 2025, 10:05 UTC+00:00 by Maria Lopez" in words
    assert f"Knowledge base {sample.KNOWLEDGE}" in words
    assert squeezed(f"ACMG SF list {req.sf_list}. {req.sf_citation}") in body
    assert f"ClinVar release {sample.CLINVAR}" in words
    assert "Software GeneDesk" in words
    assert "Signed by Dr Sam Okafor, Consultant clinical geneticist" in words
    assert "Registration GMC 7654321" in words and "Date signed 14 March 2025" in words
    assert "Signed electronically in GeneDesk on 14 March 2025, 09:30 UTC+00:00." in words
    # A draft carries no signature.
    draft = flat(read_pdf(build_clinician_report(sample.request(ReportKind.CLINICIAN))).text())
    assert "DRAFT — not reviewed or signed. Not for clinical use." in draft
    assert "Not signed: this version is a draft." in draft and "Signed by" not in draft


def test_classification_set_by_hand_gives_its_reason(read_pdf) -> None:
    brca1 = sample.finding(1, "BRCA1", "uncertain_significance")
    manual = dataclasses.replace(
        brca1,
        classification="likely_pathogenic",
        classification_label="Likely pathogenic",
        classification_reason="Functional study in the family (Smith 2024) supports <PS3>.",
    )
    text = flat(
        read_pdf(
            build_clinician_report(sample.request(ReportKind.CLINICIAN, findings=(manual,)))
        ).text()
    )
    assert (
        "Classification set by the counsellor (Likely pathogenic): Functional study in the family (Smith 2024) supports <PS3>."
        in text
    )
    assert "1. BRCA1 — Likely pathogenic" in text


# --- the family letter ---------------------------------------------------------------------


def test_family_letter_is_about_one_finding_and_nothing_else(read_pdf, squeezed) -> None:
    brca1, myh7 = sample.two_findings()
    for about, other in ((brca1, myh7), (myh7, brca1)):
        req = sample.final(sample.request(ReportKind.FAMILY, family_finding_id=about.id))
        pdf = read_pdf(build_family_letter(req))
        text = pdf.text()
        words, body = flat(text), squeezed(text)
        assert about.family_text is not None
        for paragraph_text in about.family_text.paragraphs:
            assert squeezed(paragraph_text) in body
        assert squeezed(about.variant.description) in body
        assert f"Gene {about.gene}" in words
        assert "Dear family member," in words
        # Nothing of the other finding, the medicines, the notes or the reason for the test.
        for secret in (
            other.gene,
            other.condition,
            other.variant.hgvs_c,
            other.variant.transcript,
            other.clinician_note,
            about.clinician_note,
            req.reason_for_test,
            req.patient.record_number,
            "capecitabine",
            "Capecitabine",
            "DPYD",
            "Your medicines",
            "pharmacist",
            "secondary",
        ):
            assert squeezed(secret) not in body, secret
        assert "About the test of: Ana Pérez" in text


def test_family_text_is_the_knowledge_base_relatives_text(read_pdf, squeezed) -> None:
    req = sample.final(sample.request(ReportKind.FAMILY))
    body = squeezed(read_pdf(build_family_letter(req)).text())
    expected = family_explanation("BRCA1", None, "pathogenic", "heterozygous", None, "female")
    assert squeezed(expected.title) in body
    assert all(squeezed(p) in body for p in expected.paragraphs)


def test_no_family_letter_for_a_benign_change() -> None:
    benign = sample.finding(3, "BRCA1", "benign")
    with pytest.raises(UsageError, match="finding 3 has no letter text for relatives"):
        sample.request(ReportKind.FAMILY, findings=(benign,), family_finding_id=3)
    with pytest.raises(UsageError, match="needs the finding it is about"):
        sample.request(ReportKind.FAMILY, family_finding_id=99)


# --- what every document shares -------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ReportKind))
def test_every_page_is_marked_and_the_metadata_names_no_patient(kind, read_pdf) -> None:
    req = sample.final(sample.request(kind, version=3, report_id="R-000077"))
    pdf = read_pdf(render(req))
    assert pdf.page_count >= 2
    for number, page in enumerate(pdf.page_texts(), start=1):
        assert "Ana Pérez" in page
        assert "Date of birth: 2 March 1984" in page
        assert "Report ID: R-000077" in page
        assert "Version: 3 (final)" in page
        assert f"Page {number} of {pdf.page_count}" in page
    meta = pdf.metadata
    assert meta["/Title"] and meta["/Subject"].endswith("report R-000077, version 3 (final)")
    assert meta["/Author"] == "Northfield Clinical Genetics Service"
    assert meta["/Creator"].startswith("GeneDesk ")
    assert meta["/CreationDate"] == "D:20250314093000+00'00'"
    assert pdf.language == "en"
    assert not any("Pérez" in value or "Ana" in value for value in meta.values())
    # The ACMG SF list is named in every report.
    assert "ACMG SF v3.3" in pdf.text()


@pytest.mark.parametrize("given,family", ISSUE_NAMES)
def test_any_name_prints(given: str, family: str, read_pdf) -> None:
    for kind in ReportKind:
        req = sample.final(sample.request(kind, patient=sample.patient(given, family)))
        pdf = read_pdf(render(req))
        for page in pdf.page_texts():
            assert f"{given} {family}" in page
        if kind is ReportKind.PATIENT:
            assert f"Dear {given}," in pdf.text()
        if kind is ReportKind.CLINICIAN:
            assert f"Patient {given} {family}" in flat(pdf.text())


def test_untrusted_text_prints_literally_everywhere(read_pdf) -> None:
    hostile_clinic = sample.clinic(name=f"Clinic {HOSTILE}", address=f"<br/>{HOSTILE}\nline 2")
    (brca1, myh7) = sample.two_findings()
    brca1 = dataclasses.replace(brca1, clinician_note=HOSTILE, classification_reason=HOSTILE)
    test = dataclasses.replace(sample.test_record(), lab=HOSTILE, source_name=f"{HOSTILE}.vcf")
    for kind in ReportKind:
        req = sample.final(
            sample.request(
                kind,
                patient=sample.patient("<i>Eve</i>", "& <b>Mallory</b>"),
                clinic=hostile_clinic,
                findings=(brca1, myh7),
                tests=(test,),
                referrer=HOSTILE,
                author=HOSTILE,
            )
        )
        pdf = read_pdf(render(req))
        text = flat(pdf.text())
        assert "<i>Eve</i> & <b>Mallory</b>" in text
        assert f"Clinic {flat(HOSTILE)}" in text
        if kind is ReportKind.CLINICIAN:
            assert text.count(flat(HOSTILE)) >= 6  # note, reason, lab, file, referrer, author
        for page in pdf.reader.pages:
            assert "/XObject" not in page["/Resources"] and "/Annots" not in page
        content = b"".join(page.get_contents().get_data() for page in pdf.reader.pages)
        assert b"1 0 0 rg" not in content


def test_amended_version_carries_the_banner(read_pdf) -> None:
    for kind in ReportKind:
        req = sample.request(
            kind,
            version=2,
            status=ReportStatus.AMENDED,
            amendment=Amendment(
                1, sample.REPORT_DATE.date(), "the MYH7 change was reclassified <VUS>"
            ),
        )
        text = flat(read_pdf(render(req)).text())
        assert (
            "Amended — replaces version 1 of 14 March 2025 because the MYH7 change was "
            "reclassified <VUS>" in text
        )
        assert "Version: 2 (amended)" in text


def test_same_request_same_bytes_in_another_process(tmp_path) -> None:
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import sample_reports as s\n"
        "from genedesk.core.reports.store import render\n"
        "for kind in ('patient', 'clinician', 'family'):\n"
        "    open(sys.argv[1] + '/' + kind + '.pdf', 'wb').write(render(s.final(s.request(kind))))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="4321", TZ="Pacific/Auckland")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, cwd=REPO)
    for kind in ReportKind:
        here = render(sample.final(sample.request(kind)))
        assert here == render(sample.final(sample.request(kind)))
        assert (tmp_path / f"{kind.value}.pdf").read_bytes() == here
    later = sample.request(ReportKind.PATIENT, report_date=sample.REPORT_DATE.replace(day=15))
    assert render(later) != render(sample.request(ReportKind.PATIENT))


# --- long content ---------------------------------------------------------------------------


def _assert_on_the_page(pdf) -> None:
    for page in pdf.word_boxes():
        for word in page.words:
            assert word.x_min >= SIDE_MARGIN - 0.5, word
            assert word.x_max <= page.width - SIDE_MARGIN + 0.5, word
            assert 0 <= word.y_min and word.y_max <= page.height, word


def test_two_hundred_findings_long_notes_and_names(read_pdf, squeezed) -> None:
    findings = sample.many_findings(200, note=NOTE)
    long_edit = dataclasses.replace(
        findings[0],
        patient_text=dataclasses.replace(
            findings[0].patient_text,
            paragraphs=(NOTE, LONG_NAME),  # type: ignore[arg-type]
        ),
    )
    findings = (long_edit, *findings[1:])
    given, family = LONG_NAME[:100], LONG_NAME[100:]
    common = dict(
        patient=sample.patient(given, family),
        findings=findings,
        reason_for_test=NOTE,
        clinic=sample.clinic(name=LONG_NAME, address=NOTE[:600]),
    )
    clinician = read_pdf(render(sample.final(sample.request(ReportKind.CLINICIAN, **common))))
    _assert_on_the_page(clinician)
    styles = make_styles()
    bottom, top = body_area(styles, header_lines=2)
    bodies = [squeezed(t) for t in clinician.body_texts(bottom, top)]
    header = "GeneVariantZygosityClassificationCategory"
    summary_pages = [
        i for i, b in enumerate(bodies) if "1.GENE" in b or re.search(r"\d+\.[A-Z0-9]+NM_", b)
    ]
    assert len(summary_pages) >= 3
    for index in summary_pages:
        assert header in bodies[index]
    everything = "".join(bodies)
    for number, finding in enumerate(findings, start=1):
        assert f"{number}.{finding.gene}—" in everything  # every finding has its detail
    assert everything.count(squeezed(NOTE)) >= 4  # the 2,000-character notes, whole

    letter = read_pdf(
        render(sample.final(sample.request(ReportKind.PATIENT, large_print=True, **common)))
    )
    _assert_on_the_page(letter)
    text = squeezed(
        "".join(letter.body_texts(*body_area(make_styles(large_print=True), header_lines=2)))
    )
    assert squeezed(NOTE) in text and squeezed(LONG_NAME) in text
    assert all(squeezed(f.patient_text.title) in text for f in findings)  # type: ignore[union-attr]
    assert "…" in letter.page_texts()[0]  # the 200-character name is shortened in the page marks


def test_progress_and_cancel() -> None:
    seen: list[tuple[int, int]] = []
    render(sample.request(ReportKind.CLINICIAN), progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    from genedesk.core.errors import Cancelled

    with pytest.raises(Cancelled):
        render(sample.request(ReportKind.PATIENT), cancelled=lambda: True)


def test_words_files_read_at_grade_8_or_below() -> None:
    import textstat

    for document in ("patient_letter", "family_letter"):
        raw = json.loads(
            (REPO / "resources" / "reports" / "en" / f"{document}.json").read_text("utf-8")
        )
        for key, value in raw.items():
            if key.startswith(
                (
                    "_",
                    "pdf_",
                    "banner_amended",
                    "mark_",
                    "version_",
                    "status_",
                    "about_",
                    "doctor_",
                    "contact_",
                    "glossary_entry",
                    "genomic_",
                )
            ):
                continue
            for text in value if isinstance(value, list) else [value]:
                filled = re.sub(r"\{[a-z_]+\}", "BRCA1", text)
                if len(filled.split()) < 6:
                    continue
                assert textstat.flesch_kincaid_grade(filled) <= 8.0, (document, key, filled)


def test_request_checks_what_it_is_given() -> None:
    with pytest.raises(UsageError, match="unknown classification"):
        sample.request(
            findings=(dataclasses.replace(sample.two_findings()[0], classification="bad"),)
        )
    with pytest.raises(UsageError, match="has no text for the patient"):
        sample.request(findings=(dataclasses.replace(sample.two_findings()[0], patient_text=None),))
    with pytest.raises(UsageError, match="must say which version it replaces"):
        sample.request(status=ReportStatus.AMENDED)
    pgx_only = dataclasses.replace(
        sample.two_findings()[0], category=FindingCategory.PHARMACOGENOMIC, patient_text=None
    )
    sample.request(
        findings=(pgx_only,)
    )  # a pharmacogenomic finding may leave its text to the PGx part


def test_clinvar_as_the_findings_table_keeps_it(read_pdf) -> None:
    from genedesk.core.knowledge.clinvar import ClinvarAllele, ClinvarRelease
    from genedesk.core.reports.model import ClinvarEvidence

    brca1, myh7 = sample.two_findings()
    release = ClinvarRelease(
        1, "GRCh38", "2025-01-05", "clinvar.vcf.gz", 10, "0" * 64, 3, 3, "2025-01-06", "Ada"
    )
    allele = ClinvarAllele(
        "2025-01-05",
        "GRCh38",
        "17",
        43_000_037,
        "G",
        "A",
        17661,
        32700,
        "pathogenic",
        "Pathogenic",
        False,
        "reviewed_by_expert_panel",
        3,
        (),
        (),
        None,
    )
    from_lookup = ClinvarEvidence.from_allele(allele, release)
    assert from_lookup.release == "ClinVar 2025-01-05 (GRCh38)"
    only_stars = ClinvarEvidence("ClinVar 2025-01-05", "Likely pathogenic", stars=1)
    findings = (
        dataclasses.replace(brca1, clinvar=from_lookup),
        dataclasses.replace(myh7, clinvar=only_stars),
        dataclasses.replace(sample.finding(3, "TP53", "pathogenic"), clinvar=None),
    )
    text = flat(read_pdf(render(sample.request(ReportKind.CLINICIAN, findings=findings))).text())
    assert (
        "ClinVar Pathogenic; reviewed by expert panel (★★★☆ 3 of 4 stars); Variation ID 17661; "
        "ClinVar 2025-01-05 (GRCh38)"
    ) in text
    assert "ClinVar Likely pathogenic; ★☆☆☆ 1 of 4 stars; ClinVar 2025-01-05" in text
    assert f"ClinVar Not in {sample.CLINVAR}" in text
