"""The patient letter: what the test found, in words a patient can read at home.

The first page answers four questions in plain words — what we looked for, what we found, what it
means for you, what happens next. Then one section per reported finding (the explanation texts
from `knowledge.explain`, as the counsellor left them), what the results mean for the family,
the patient's choices (secondary findings, recontact), "Your medicines" when there is a
pharmacogenomic result, a glossary of every genetic word the letter uses, what the test cannot
tell, and whom to contact. Large print sets the body at 14 pt or more.

The letter's own sentences are in resources/reports/<language>/patient_letter.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, PageBreak

from genedesk.core.reports.blocks import gap
from genedesk.core.reports.document import render_pdf
from genedesk.core.reports.model import (
    FindingCategory,
    ReportFinding,
    ReportKind,
    ReportRequest,
    about_section,
    banners,
    bullets,
    closing,
    contact_section,
    document_info,
    glossary_for,
    glossary_section,
    letter_head,
    page_marks,
)
from genedesk.core.reports.styles import Styles, make_styles
from genedesk.core.reports.text import bold, markup, paragraph, with_line_breaks
from genedesk.core.reports.words import Words, load_words

DOCUMENT = "patient_letter"


class _Letter:
    """The story being built, and the plain text of everything printed (for the glossary)."""

    def __init__(self, words: Words, styles: Styles) -> None:
        self.words = words
        self.styles = styles
        self.story: list[Flowable] = []
        self.printed: list[str] = []
        # A result's title sits one level below the section headings ("Your results").
        size = styles.body_size * 1.15
        self.result_title = ParagraphStyle(
            "result_title",
            parent=styles.subheading,
            fontSize=size,
            leading=round(size * 1.3, 1),
            spaceBefore=styles.body_size * 0.9,
        )

    def say(self, text: str, *, style: str = "body", shown: str | None = None) -> None:
        """Print `text` (or the Markup `shown`, whose plain words are `text`)."""
        self.printed.append(text)
        self.story.append(
            paragraph(shown if shown is not None else text, getattr(self.styles, style))
        )

    def heading(self, key: str) -> None:
        self.say(self.words.text(key), style="heading")

    def line(self, key: str, /, **values: str) -> None:
        self.say(self.words.text(key, **values))

    def bullets(self, items: Sequence[str]) -> None:
        self.printed.extend(items)
        self.story.append(bullets(items, self.styles))


def _reported(request: ReportRequest, category: FindingCategory) -> list[ReportFinding]:
    return [f for f in request.findings if f.category is category]


def _found_item(finding: ReportFinding, words: Words) -> str:
    meaning = words.text(f"meaning_{finding.classification}")
    key = "found_item_secondary" if finding.category is FindingCategory.SECONDARY else "found_item"
    return words.text(key, gene=finding.gene, meaning=meaning)


def _first_page(letter: _Letter, request: ReportRequest) -> None:
    words = letter.words
    primary = _reported(request, FindingCategory.PRIMARY)
    secondary = _reported(request, FindingCategory.SECONDARY)
    told = primary + secondary
    medicines = request.pgx is not None

    letter.heading("looked_heading")
    if request.reason_for_test.strip():
        letter.line("looked_reason", reason=request.reason_for_test.strip().rstrip("."))
    else:
        letter.line("looked_general")
    if request.secondary_findings_choice == "yes":
        letter.line("looked_secondary_yes", sf_list=request.sf_list)
    elif request.secondary_findings_choice == "no":
        letter.line("looked_secondary_no")
    if medicines:
        letter.line("looked_medicines")

    letter.heading("found_heading")
    if not told:
        letter.line("found_none")
    else:
        if len(told) == 1:
            letter.line("found_one")
        else:
            letter.line("found_some", count=str(len(told)))
        letter.bullets([_found_item(f, words) for f in told])
    if request.secondary_findings_choice == "yes" and not secondary:
        letter.line("found_no_secondary")
    if medicines:
        letter.line("found_medicines")

    letter.heading("means_heading")
    classes = {f.classification for f in told}
    if any(f.causes_disease for f in told):
        letter.line("means_disease")
    if "uncertain_significance" in classes:
        letter.line("means_uncertain")
    if classes & {"likely_benign", "benign"}:
        letter.line("means_harmless")
    if not told:
        letter.line("means_none")
    if request.pgx is not None and request.pgx.medicine_names:
        letter.line("means_medicines")

    letter.heading("next_heading")
    letter.line("next_talk")
    if any(f.causes_disease for f in told):
        letter.line("next_disease")
    if request.next_steps.strip():
        letter.say(request.next_steps.strip(), shown=with_line_breaks(request.next_steps.strip()))
    letter.line("next_contact")


def _finding_section(letter: _Letter, finding: ReportFinding) -> None:
    text = finding.patient_text
    assert text is not None  # checked by ReportRequest
    letter.printed.append(text.title)
    letter.story.append(paragraph(text.title, letter.result_title))
    for paragraph_text in text.paragraphs[:-1]:
        letter.say(paragraph_text)
    # The technical name of the change, so another doctor knows exactly which one it is; kept
    # on the page of the result's last paragraph. Not counted for the glossary: it is for the
    # doctor, not the reader.
    details = letter.words.text(
        "for_your_doctor", details=f"{finding.gene} {finding.variant.description}"
    )
    last = list(text.paragraphs[-1:])
    letter.printed += last
    letter.story.append(
        KeepTogether(
            [
                *(paragraph(p, letter.styles.body) for p in last),
                paragraph(details, letter.styles.small),
            ]
        )
    )


def _results(letter: _Letter, request: ReportRequest) -> None:
    primary = _reported(request, FindingCategory.PRIMARY)
    secondary = _reported(request, FindingCategory.SECONDARY)
    if primary or secondary:
        # The first page is the summary; the results start on a page of their own.
        letter.story.append(PageBreak())
    if primary:
        letter.heading("results_primary_heading")
        for finding in primary:
            _finding_section(letter, finding)
    if secondary:
        letter.heading("results_secondary_heading")
        letter.line("results_secondary_intro")
        for finding in secondary:
            _finding_section(letter, finding)


def _family(letter: _Letter, request: ReportRequest) -> None:
    told = [f for f in request.findings if f.category is not FindingCategory.PHARMACOGENOMIC]
    disease_genes = list(dict.fromkeys(f.gene for f in told if f.causes_disease))
    letter.heading("family_heading")
    if disease_genes:
        letter.line("family_some")
        letter.line("family_letters", genes=", ".join(disease_genes))
        letter.line("family_share")
    else:
        letter.line("family_none")
    if any(f.classification == "uncertain_significance" for f in told):
        letter.line("family_uncertain")


def _choices(letter: _Letter, request: ReportRequest) -> None:
    letter.heading("choices_heading")
    letter.say(letter.words.text("choice_secondary_heading"), style="subheading")
    letter.line(f"choice_secondary_{request.secondary_findings_choice}")
    letter.say(letter.words.text("choice_recontact_heading"), style="subheading")
    letter.line(f"choice_recontact_{request.recontact_choice}")
    letter.line("choice_change")


def _medicines(letter: _Letter, request: ReportRequest) -> None:
    pgx = request.pgx
    extra = _reported(request, FindingCategory.PHARMACOGENOMIC)
    if pgx is None and not extra:
        return
    letter.heading("medicines_heading")
    for finding in extra:
        if finding.patient_text is not None:
            _finding_section(letter, finding)
    if pgx is None:
        return
    names = set(pgx.medicine_names)
    for line in pgx.your_medicines:
        name, colon, rest = line.partition(": ")
        if colon and name in names:
            # "Warfarin (stops blood clots): …" — the medicine's name in bold, to find it fast.
            letter.say(line, shown=markup("{name}: {rest}", name=bold(name), rest=rest))
        else:
            letter.say(line)


def _limits(letter: _Letter) -> None:
    letter.heading("limits_heading")
    letter.bullets(letter.words.texts("limits"))


def build_patient_letter(
    request: ReportRequest,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The patient letter as PDF bytes."""
    if request.kind is not ReportKind.PATIENT:
        raise ValueError("build_patient_letter needs a request of kind 'patient'")
    words = load_words(DOCUMENT, request.language)
    styles = make_styles(large_print=request.large_print)
    letter = _Letter(words, styles)

    letter.story += banners(request, words, styles)
    letter.story += letter_head(request, words, styles)
    letter.say(words.text("title"), style="title")
    letter.line("greeting", name=request.patient.given_name)
    letter.line("intro")
    _first_page(letter, request)
    _results(letter, request)
    _family(letter, request)
    _choices(letter, request)
    _medicines(letter, request)
    glossary_at = len(letter.story)
    _limits(letter)
    letter.story += contact_section(request, words, styles)
    letter.story += closing(request, words, styles)

    # The glossary comes before the limitations but explains the words of the whole letter,
    # the contact's and signer's roles included ("Genetic counsellor").
    letter.printed += [request.clinic.contact_role, request.signer.role if request.signer else ""]
    extra = [t for f in request.findings if f.patient_text for t in f.patient_text.glossary_terms]
    entries = glossary_for(letter.printed, extra, request.language)
    story = letter.story
    story[glossary_at:glossary_at] = glossary_section(entries, words, styles)
    story += [gap(styles, 0.5), *about_section(request, words, styles)]
    return render_pdf(
        story,
        info=document_info(request, words),
        marks=page_marks(request, words),
        styles=styles,
        page_size=request.page_size,
        progress=progress,
        cancelled=cancelled,
    )


__all__ = ["build_patient_letter"]
