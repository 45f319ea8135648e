"""The vault recovery sheet: one page a clinic prints when it sets up GeneDesk and keeps in the safe.

It carries the recovery key (shown only this once), what the key is for, where the backups are
(written by hand), and how to get the records back on a new computer. The key is never logged
and never goes into the PDF's metadata; it appears only in the page's text.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether

from genedesk.core.reports.blocks import boxed, facts_table, gap, numbered_steps, write_in_box
from genedesk.core.reports.document import (
    PAGE_SIZES,
    SIDE_MARGIN,
    DocumentInfo,
    Mark,
    PageMarks,
    render_pdf,
)
from genedesk.core.reports.styles import ACCENT, SHADE, Styles, make_styles
from genedesk.core.reports.text import Markup, bold, clean, escape, monospace, paragraph
from genedesk.core.reports.words import Words, load_words

DOCUMENT = "recovery_sheet"
KEY_GROUP_SEPARATOR = "-"


def key_lines(recovery_key: str, *, font: str, size: float, width: float) -> list[str]:
    """The key split between its groups into as few lines as fit `width`, with the groups shared
    out evenly (4 + 4, not 7 + 1). A continued line keeps its dash at the end, so reading the
    lines in order gives back exactly the key."""
    groups = recovery_key.split(KEY_GROUP_SEPARATOR)
    for line_count in range(1, len(groups) + 1):
        per_line = -(-len(groups) // line_count)  # ceiling division
        lines = [
            KEY_GROUP_SEPARATOR.join(groups[start : start + per_line])
            for start in range(0, len(groups), per_line)
        ]
        lines = [line + KEY_GROUP_SEPARATOR for line in lines[:-1]] + lines[-1:]
        if all(stringWidth(line, font, size) <= width for line in lines):
            return lines
    # A single group wider than the line: the paragraph breaks it where it must.
    return [group + KEY_GROUP_SEPARATOR for group in groups[:-1]] + groups[-1:]


def _key_block(recovery_key: str, words: Words, styles: Styles, width: float) -> Flowable:
    key_style = ParagraphStyle("recovery_key", parent=styles.key, alignment=TA_CENTER)
    pad = styles.body_size * 0.9
    lines = key_lines(
        clean(recovery_key),
        font=key_style.fontName,
        size=key_style.fontSize,
        width=width - 2 * pad,
    )
    # Each line is escaped; the paragraph still breaks a single over-long group if it must.
    key_markup = Markup("<br/>".join(escape(line) for line in lines))
    return boxed(
        [
            paragraph(words.text("key_heading"), styles.subheading),
            paragraph(key_markup, key_style),
            gap(styles, 0.3),
            paragraph(words.text("key_help"), styles.small),
            gap(styles, 0.3),
            paragraph(words.text("once"), styles.subheading),
        ],
        styles=styles,
        border=ACCENT,
        background=SHADE,
        border_width=1.6,
    )


def build_recovery_sheet(
    *,
    vault_id: str,
    recovery_key: str,
    created_at: datetime,
    clinic_name: str | None = None,
    large_print: bool = False,
    language: str = "en",
) -> bytes:
    """The recovery sheet as PDF bytes (one page); the caller prints or stores them."""
    if not recovery_key.strip():
        raise ValueError("a recovery sheet needs a recovery key")
    words = load_words(DOCUMENT, language)
    styles = make_styles(large_print=large_print)
    created = words.date_time(created_at)
    page_width = PAGE_SIZES["A4"][0]

    details = [
        (words.text("details_vault_id"), vault_id),
        (words.text("details_created"), created),
    ]
    if clinic_name:
        details.append((words.text("details_clinic"), clinic_name))

    story: list[Flowable] = [
        paragraph(words.text("title"), styles.title),
        boxed(
            [paragraph(words.text("warning"), styles.subheading)],
            styles=styles,
            border=ACCENT,
            border_width=1.2,
        ),
        paragraph(words.text("purpose_heading"), styles.heading),
        *(paragraph(text, styles.body) for text in words.texts("purpose")),
        facts_table(details, styles=styles),
        gap(styles, 0.5),
        _key_block(recovery_key, words, styles, page_width - 2 * SIDE_MARGIN),
        gap(styles, 0.5),
        write_in_box(
            words.text("backups_label"), words.text("backups_hint"), lines=2, styles=styles
        ),
        KeepTogether(
            [
                paragraph(words.text("steps_heading"), styles.heading),
                numbered_steps(_steps(words), styles=styles),
            ]
        ),
    ]

    marks = PageMarks(
        header=(
            (
                Mark(words.text("mark_document"), bold=True),
                Mark(words.text("mark_confidential")),
            ),
            (
                Mark(vault_id, words.text("mark_vault_id")),
                Mark(created, words.text("mark_created")),
            ),
        ),
        footer=(Mark(clinic_name),) if clinic_name else (),
        page_counter=words.text("page_counter", page="{page}", pages="{pages}"),
    )
    info = DocumentInfo(
        title=words.text("pdf_title"),
        author=clinic_name or words.text("pdf_author_default"),
        subject=words.text("pdf_subject", vault_id=vault_id),
        language=language,
        created_at=created_at,
    )
    return render_pdf(story, info=info, marks=marks, styles=styles)


def _steps(words: Words) -> list[str]:
    return [
        words.text("step_install"),
        words.markup("step_restore", command=monospace(bold(words.text("restore_command")))),
        words.markup("step_recover", command=monospace(bold(words.text("recover_command")))),
        words.text("step_enter_key"),
        words.text("step_check"),
    ]
