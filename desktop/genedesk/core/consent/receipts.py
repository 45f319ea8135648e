"""The receipts a patient takes home: one when a consent is given or declined, one on withdrawal.

Built with the reports foundation (`genedesk.core.reports`): the words come from
resources/reports/<language>/consent_receipt.json and withdrawal_receipt.json, every page is
marked with the patient's name, date of birth and receipt number, and the bytes depend only on
the recorded data (the document date is the event's own time), so a receipt can be printed
again later and comes out the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from reportlab.platypus import Flowable

from genedesk.core.consent.duo import duo
from genedesk.core.consent.model import Consent, ConsentEvent, Modifier, Release
from genedesk.core.patients import Patient
from genedesk.core.reports.blocks import boxed, facts_table, gap
from genedesk.core.reports.document import (
    DocumentInfo,
    PageMarks,
    patient_page_marks,
    render_pdf,
)
from genedesk.core.reports.styles import RULE, Styles, make_styles
from genedesk.core.reports.tables import data_table
from genedesk.core.reports.text import monospace, paragraph, with_line_breaks
from genedesk.core.reports.words import Words, load_words


def event_time(event: ConsentEvent) -> dt.datetime:
    return dt.datetime.strptime(event.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _marks_and_info(
    words: Words,
    patient: Patient,
    *,
    receipt_id: str,
    consent_id: int,
    moment: dt.datetime,
    clinic_name: str | None,
    language: str,
) -> tuple[PageMarks, DocumentInfo]:
    title = words.text("document_title")
    marks = patient_page_marks(
        words,
        patient_name=patient.display_name,
        date_of_birth=dt.date.fromisoformat(patient.birth_date),
        report_id=receipt_id,
        version=1,
        document_title=title,
    )
    info = DocumentInfo(
        title=words.text("pdf_title"),
        author=clinic_name or words.text("pdf_author_default"),
        # Metadata carries no patient name: PDFs get indexed and previewed by other programs.
        subject=words.text("pdf_subject", consent_id=str(consent_id)),
        language=language,
        created_at=moment,
    )
    return marks, info


def _modifier_words(modifier: Modifier, words: Words) -> str:
    plain = duo().term(modifier.code).plain
    if not modifier.values:
        return plain
    if duo().term(modifier.code).value == "date":
        values = words.date(dt.date.fromisoformat(modifier.values[0]))
    else:
        values = ", ".join(modifier.values)
    return f"{plain} ({values})"


def _recipients_words(consent: Consent, words: Words) -> str:
    recipients = consent.terms.recipients
    if recipients.anyone:
        return words.text("recipients_anyone")
    parts = list(recipients.organisations) + [
        words.text("recipient_type", type=words.text(f"type_{t}")) for t in recipients.types
    ]
    return "; ".join(parts)


def _how(event: ConsentEvent, words: Words) -> list[tuple[str, str]]:
    facts = []
    if event.method:
        facts.append((words.text("facts_method"), words.text(f"method_{event.method}")))
    if event.witness:
        facts.append((words.text("facts_witness"), event.witness))
    facts.append((words.text("facts_recorded_by"), event.recorded_by))
    return facts


def build_consent_receipt(
    consent: Consent,
    patient: Patient,
    *,
    clinic_name: str | None = None,
    large_print: bool = False,
    language: str = "en",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The receipt for a consent as it was given or declined (its first event)."""
    words = load_words("consent_receipt", language)
    styles = make_styles(large_print=large_print)
    event = consent.first_event
    moment = event_time(event)
    declined = event.status == "declined"
    kind = words.text(f"kind_{consent.kind}")
    form = consent.form

    facts = [
        (words.text("facts_consent"), str(consent.id)),
        (
            words.text("facts_decision"),
            words.text("decision_declined" if declined else "decision_given"),
        ),
        (words.text("facts_date"), words.date_time(moment)),
        *_how(event, words),
        (
            words.text("facts_form"),
            words.text("form_version", title=form.title, version=str(form.version)),
        ),
    ]
    story: list[Flowable] = [
        paragraph(words.text("title"), styles.title),
        paragraph(
            words.text("intro_declined" if declined else "intro_given", kind=kind), styles.body
        ),
        facts_table(facts, styles=styles),
        paragraph(words.text("facts_fingerprint"), styles.subheading),
        paragraph(monospace(form.sha256), styles.small),
        paragraph(words.text("fingerprint_help"), styles.small),
    ]
    if consent.terms.purpose is not None and not declined:
        story += _agreed(consent, words, styles)
    story += [
        paragraph(words.text("form_heading"), styles.heading),
        boxed(
            [paragraph(form.title, styles.subheading)]
            + [paragraph(line, styles.body) for line in form.body.split("\n") if line.strip()],
            styles=styles,
            border=RULE,
            border_width=0.8,
        ),
        paragraph(words.text("change_heading"), styles.heading),
        paragraph(words.text("change_text"), styles.body),
    ]
    marks, info = _marks_and_info(
        words,
        patient,
        receipt_id=f"C-{consent.id}",
        consent_id=consent.id,
        moment=moment,
        clinic_name=clinic_name,
        language=language,
    )
    return render_pdf(
        story, info=info, marks=marks, styles=styles, progress=progress, cancelled=cancelled
    )


def _agreed(consent: Consent, words: Words, styles: Styles) -> list[Flowable]:
    terms = consent.terms
    assert terms.purpose is not None
    purpose = duo().term(terms.purpose.permission).plain
    facts = [(words.text("facts_purpose"), purpose)]
    if terms.purpose.disease:
        facts.append((words.text("facts_disease"), terms.purpose.disease))
    conditions = [_modifier_words(m, words) for m in terms.modifiers]
    if conditions:
        facts.append((words.text("facts_conditions"), "\n".join(conditions)))
    facts += [
        (words.text("facts_data"), ", ".join(words.text(f"data_{c}") for c in terms.data)),
        (words.text("facts_recipients"), _recipients_words(consent, words)),
        (
            words.text("facts_identity"),
            words.text("identity_shared" if terms.identified else "identity_removed"),
        ),
    ]
    if consent.valid_until:
        facts.append((words.text("facts_until"), words.date(consent.valid_until)))
    return [
        paragraph(words.text("agreed_heading"), styles.heading),
        # One condition per line: their own line breaks are kept, still escaped.
        facts_table([(label, with_line_breaks(value)) for label, value in facts], styles=styles),
        gap(styles, 0.3),
    ]


def build_withdrawal_receipt(
    consent: Consent,
    patient: Patient,
    *,
    stopped_requests: int,
    past_releases: Sequence[Release],
    clinic_name: str | None = None,
    large_print: bool = False,
    language: str = "en",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The receipt for a withdrawal (the consent's latest event), with what was shared before."""
    words = load_words("withdrawal_receipt", language)
    styles = make_styles(large_print=large_print)
    withdrawal = consent.events[-1]
    if withdrawal.status != "withdrawn":
        raise ValueError("a withdrawal receipt needs a withdrawn consent")
    moment = event_time(withdrawal)
    kind = words.text(f"kind_{consent.kind}")

    facts = [
        (words.text("facts_consent"), str(consent.id)),
        (words.text("facts_given"), words.date_time(event_time(consent.first_event))),
        (words.text("facts_withdrawn"), words.date_time(moment)),
        *_how(withdrawal, words),
    ]
    if withdrawal.reason:
        facts.append((words.text("facts_reason"), withdrawal.reason))
    story: list[Flowable] = [
        paragraph(words.text("title"), styles.title),
        paragraph(words.text("intro", kind=kind, date=words.date(moment.date())), styles.body),
        facts_table(facts, styles=styles),
        paragraph(words.text("stopped_heading"), styles.heading),
        paragraph(
            words.text("stopped_some", count=str(stopped_requests))
            if stopped_requests
            else words.text("stopped_none"),
            styles.body,
        ),
        paragraph(words.text("shared_heading"), styles.heading),
    ]
    if past_releases:
        rows = []
        for release in past_releases:
            day = dt.date.fromisoformat(release.released_at[:10])
            what = ", ".join(words.text(f"data_{c}") for c in release.contents.get("data", ()))
            identity = words.text(
                "shared_deidentified" if release.deidentified else "shared_identified"
            )
            rows.append((release.recipient, words.date(day), f"{what} ({identity})"))
        story += [
            paragraph(words.text("shared_intro"), styles.body),
            data_table(
                (
                    words.text("shared_recipient"),
                    words.text("shared_date"),
                    words.text("shared_what"),
                ),
                rows,
                shares=(2, 1.3, 2.5),
                styles=styles,
                continued=lambda label: words.text("row_continued", label=label),
            ),
        ]
    else:
        story.append(paragraph(words.text("shared_none"), styles.body))
    story += [gap(styles, 0.5), paragraph(words.text("keep"), styles.body)]
    marks, info = _marks_and_info(
        words,
        patient,
        receipt_id=f"W-{consent.id}",
        consent_id=consent.id,
        moment=moment,
        clinic_name=clinic_name,
        language=language,
    )
    return render_pdf(
        story, info=info, marks=marks, styles=styles, progress=progress, cancelled=cancelled
    )
