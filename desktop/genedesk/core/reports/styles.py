"""Type sizes, colours and paragraph styles shared by every document, in normal and large print.

Large print follows the usual guidance for readers with low vision: no text in the page body
below 14 pt, headings scaled alongside; the page marks (identifiers, page counter) use 12 pt.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from genedesk.core.reports.fonts import MONO_BOLD, SANS, SANS_BOLD, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f4e79")  # headings and rules: a dark blue that prints well in grey
SHADE = colors.HexColor("#e8eef5")  # table header rows and boxes
RULE = colors.HexColor("#9aa9b8")

BODY_SIZE = 10.5
LARGE_PRINT_BODY_SIZE = 14.0


@dataclass(frozen=True)
class Styles:
    large_print: bool
    body_size: float
    marks_size: float  # page header and footer
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    table_header: ParagraphStyle
    table_cell: ParagraphStyle
    key: ParagraphStyle  # large monospace, e.g. the recovery key


def make_styles(*, large_print: bool = False) -> Styles:
    register_fonts()
    size = LARGE_PRINT_BODY_SIZE if large_print else BODY_SIZE
    scale = size / BODY_SIZE

    def style(name: str, font: str, font_size: float, **extra: object) -> ParagraphStyle:
        extra.setdefault("leading", round(font_size * 1.35, 1))
        extra.setdefault("textColor", INK)
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=font_size,
            alignment=TA_LEFT,
            # Break a word longer than the line (a 200-letter name, a long HGVS string)
            # instead of letting it run off the page.
            splitLongWords=1,
            **extra,
        )

    return Styles(
        large_print=large_print,
        body_size=size,
        marks_size=12.0 if large_print else 8.5,
        title=style("title", SANS_BOLD, 18 * scale, textColor=ACCENT, spaceAfter=8 * scale),
        heading=style(
            "heading",
            SANS_BOLD,
            13 * scale,
            textColor=ACCENT,
            spaceBefore=10 * scale,
            spaceAfter=4 * scale,
            keepWithNext=1,
        ),
        subheading=style(
            "subheading",
            SANS_BOLD,
            size,
            spaceBefore=6 * scale,
            spaceAfter=2 * scale,
            keepWithNext=1,
        ),
        body=style("body", SANS, size, spaceAfter=5 * scale),
        # Notes and tables are a little smaller than body text, except in large print, where
        # nothing on the page body goes below the body size.
        small=style("small", SANS, size if large_print else 8.5, textColor=MUTED),
        table_header=style("table_header", SANS_BOLD, size if large_print else 9.5),
        table_cell=style("table_cell", SANS, size if large_print else 9.5),
        key=style("key", MONO_BOLD, 24 * scale, leading=34 * scale, textColor=colors.black),
    )
