"""Building blocks every document uses: label/value lists, boxes, write-in boxes, numbered steps
(tables of many rows are in `tables`).

Every cell and item goes through `text.paragraph`, so outside text is escaped and wraps inside
its column instead of running off the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, ListFlowable, ListItem, Spacer, Table

from genedesk.core.reports.fonts import SANS, SANS_BOLD
from genedesk.core.reports.styles import ACCENT, RULE, Styles
from genedesk.core.reports.text import paragraph

# reportlab draws every table cell with a font of its own (Helvetica unless told otherwise),
# even cells that hold paragraphs; naming ours keeps Helvetica out of the PDF entirely.
CELL_FONT: tuple[object, ...] = ("FONTNAME", (0, 0), (-1, -1), SANS)


def column_widths(shares: Sequence[float]) -> list[str]:
    """Relative column widths as the percentages reportlab resolves against the frame width."""
    total = sum(shares)
    if total <= 0 or any(s <= 0 for s in shares):
        raise ValueError("column shares must be positive")
    return [f"{100 * s / total:.4f}%" for s in shares]


def facts_table(
    facts: Sequence[tuple[str, str]], *, styles: Styles, shares: Sequence[float] = (1, 3)
) -> Table:
    """Label and value pairs (e.g. "Vault ID" and its value), labels in bold."""
    data = [
        [paragraph(label, styles.subheading), paragraph(value, styles.body)]
        for label, value in facts
    ]
    return Table(
        data,
        colWidths=column_widths(shares),
        hAlign="LEFT",
        splitInRow=1,  # a value longer than a page (a long reason for testing) flows on
        style=[
            CELL_FONT,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )


def boxed(
    content: Sequence[Flowable],
    *,
    styles: Styles,
    border: colors.Color = ACCENT,
    background: colors.Color | None = None,
    border_width: float = 1.2,
) -> Table:
    """Flowables inside a full-width box (kept on one page)."""
    pad = styles.body_size * 0.9
    commands: list[tuple[object, ...]] = [
        CELL_FONT,
        ("BOX", (0, 0), (-1, -1), border_width, border),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
    ]
    if background is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, -1), background))
    return Table([[list(content)]], colWidths=["100%"], style=commands, hAlign="LEFT")


def write_in_box(label: str, hint: str, *, lines: int, styles: Styles) -> Table:
    """A box with ruled lines for someone to write on by hand (e.g. where the backups are)."""
    line_gap = styles.body_size * 2.3
    ruled = Table(
        [[""] for _ in range(lines)],
        colWidths=["100%"],
        rowHeights=[line_gap] * lines,
        style=[CELL_FONT, ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)],
    )
    return boxed(
        [paragraph(label, styles.subheading), paragraph(hint, styles.small), ruled],
        styles=styles,
        border=RULE,
        border_width=0.8,
    )


def numbered_steps(steps: Sequence[str], *, styles: Styles) -> ListFlowable:
    """Steps to follow in order, numbered 1, 2, 3 …"""
    items = [ListItem(paragraph(step, styles.body)) for step in steps]
    return ListFlowable(
        items,
        bulletType="1",
        bulletFormat="%s.",
        bulletFontName=SANS_BOLD,
        bulletFontSize=styles.body_size,
        leftIndent=styles.body_size * 1.8,
        start=1,
    )


def gap(styles: Styles, lines: float = 1.0) -> Spacer:
    return Spacer(1, styles.body_size * 1.35 * lines)
