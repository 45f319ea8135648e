"""The family letter: one finding, for the patient's blood relatives to read and take to a doctor.

It says who in the family may want testing and why, in plain words (the relatives' text from
`knowledge.explain`, as the counsellor left it), and gives a doctor or lab what they need to test
for the same change. It is built from that one finding alone: no other finding, no
pharmacogenomic result, no reason for testing and no note ever reaches it, so the letter cannot
show the patient's other results. The pages are marked with the patient's name, as every page
of every report is, under the label "About the test of:".

The words are in resources/reports/<language>/family_letter.json.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable, KeepTogether

from genedesk.core.reports.blocks import boxed, facts_table, gap
from genedesk.core.reports.document import render_pdf
from genedesk.core.reports.model import (
    ReportFinding,
    ReportKind,
    ReportRequest,
    about_section,
    banners,
    closing,
    contact_section,
    document_info,
    glossary_for,
    glossary_section,
    letter_head,
    page_marks,
    report_id_text,
)
from genedesk.core.reports.styles import RULE, Styles, make_styles
from genedesk.core.reports.text import monospace, paragraph
from genedesk.core.reports.words import Words, load_words

DOCUMENT = "family_letter"


def _for_the_doctor(
    finding: ReportFinding, request: ReportRequest, words: Words, styles: Styles
) -> Flowable:
    variant = finding.variant
    facts: list[tuple[str, str]] = [
        (words.text("doctor_gene"), finding.gene),
        (
            words.text("doctor_condition"),
            f"{finding.condition} ({', '.join(finding.condition_ids)})"
            if finding.condition_ids
            else finding.condition,
        ),
        (words.text("doctor_variant"), monospace(variant.description)),
    ]
    if variant.hgvs_g:
        facts.append(
            (
                words.text("doctor_genomic"),
                words.text("genomic_value", hgvs_g=variant.hgvs_g, build=variant.build),
            )
        )
    facts += [
        (words.text("doctor_classification"), finding.classification_label),
        (
            words.text("doctor_reference"),
            words.text(
                "doctor_reference_value",
                clinic=request.clinic.name,
                report_id=report_id_text(request, words),
            ),
        ),
    ]
    return KeepTogether(
        [
            boxed(
                [
                    paragraph(words.text("doctor_heading"), styles.subheading),
                    paragraph(words.text("doctor_intro"), styles.body),
                    facts_table(facts, styles=styles, shares=(1, 2.4)),
                ],
                styles=styles,
                border=RULE,
                border_width=0.8,
            )
        ]
    )


def build_family_letter(
    request: ReportRequest,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The family letter about `request.family_finding` as PDF bytes."""
    if request.kind is not ReportKind.FAMILY:
        raise ValueError("build_family_letter needs a request of kind 'family'")
    finding = request.family_finding
    text = finding.family_text
    assert text is not None  # checked by ReportRequest
    words = load_words(DOCUMENT, request.language)
    styles = make_styles(large_print=request.large_print)

    # What a relative reads, for the glossary: the letter and the class named in the doctor's box.
    printed = [words.text("greeting"), words.text("given_by"), text.title, *text.paragraphs]
    printed.append(finding.classification_label)
    story: list[Flowable] = [
        *banners(request, words, styles),
        *letter_head(request, words, styles),
        paragraph(text.title, styles.title),
        paragraph(words.text("greeting"), styles.body),
        paragraph(words.text("given_by"), styles.body),
        *(paragraph(p, styles.body) for p in text.paragraphs),
        gap(styles, 0.5),
        _for_the_doctor(finding, request, words, styles),
        *contact_section(request, words, styles),
        *closing(request, words, styles),
    ]
    printed += [request.clinic.contact_role, request.signer.role if request.signer else ""]
    entries = glossary_for(printed, text.glossary_terms, request.language)
    story += glossary_section(entries, words, styles)
    story += [gap(styles, 0.5), *about_section(request, words, styles)]
    return render_pdf(
        story,
        info=document_info(request, words),
        marks=page_marks(request, words, name_label=words.text("mark_about")),
        styles=styles,
        page_size=request.page_size,
        progress=progress,
        cancelled=cancelled,
    )


__all__ = ["build_family_letter"]
