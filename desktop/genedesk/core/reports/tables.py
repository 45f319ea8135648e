"""Tables of many rows (findings, variants, consents) that split cleanly across pages.

- The header row repeats on every page.
- A row taller than the space left (a 2,000-character note) splits inside itself where the
  page ends, rather than leaving a gap or running off the page.
- Columns get the widths their shares ask for, but never narrower than their longest ordinary
  word, so "Classification" in large print is not broken as "Classificati-on".
- Every cell goes through `text.paragraph`: escaped, and wrapped inside its column.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, LongTable

from genedesk.core.reports.blocks import CELL_FONT, column_widths
from genedesk.core.reports.styles import ACCENT, RULE, SHADE, Styles
from genedesk.core.reports.text import Markup, clean, paragraph

# A column claims room for its longest ordinary word (a header, "significance", a gene name).
# Longer tokens (pasted sequences, HGVS strings, identifiers) break wherever the column ends.
LONGEST_ORDINARY_WORD = 16
_TAG = re.compile(r"<[^>]*>")


def fit_column_widths(
    shares: Sequence[float], minimums: Sequence[float], available: float
) -> list[float]:
    """Widths in proportion to `shares`, raised to each column's minimum where needed, taking
    the difference from the other columns in proportion. When the minimums together ask for
    more than the line, the largest are cut to a common limit so the smaller ones (a gene
    name, a one-word header) are still met and only the longest words break."""
    minimums = _limit(minimums, available)
    total = sum(shares)
    widths = [available * share / total for share in shares]
    fixed: set[int] = set()
    while short := {i for i, w in enumerate(widths) if i not in fixed and w < minimums[i]}:
        fixed |= short
        free = [i for i in range(len(widths)) if i not in fixed]
        if not free:
            return list(minimums)
        room = available - sum(minimums[i] for i in fixed)
        free_shares = sum(shares[i] for i in free)
        for i in range(len(widths)):
            widths[i] = minimums[i] if i in fixed else room * shares[i] / free_shares
    return widths


def _limit(minimums: Sequence[float], available: float) -> list[float]:
    """The minimums, the largest cut down to one limit so that together they fit `available`."""
    if sum(minimums) <= available:
        return list(minimums)
    ordered = sorted(minimums)
    spent = 0.0
    for index, value in enumerate(ordered):
        columns_left = len(ordered) - index
        limit = (available - spent) / columns_left
        if value > limit:
            return [min(m, limit) for m in minimums]
        spent += value
    return list(minimums)


def _longest_word(cell: str, font: str, size: float) -> float:
    plain = html.unescape(_TAG.sub(" ", cell)) if isinstance(cell, Markup) else clean(cell)
    ordinary = (w for w in plain.split() if len(w) <= LONGEST_ORDINARY_WORD)
    return max((stringWidth(word, font, size) for word in ordinary), default=0.0)


class _FindingsTable(LongTable):
    """LongTable with column widths fitted to the words, and a better split for tall rows.

    reportlab first splits between rows; when the next row is taller than the space left, the
    rest of the table is then split inside that row on the same page, under a second copy of
    the header row. Here, when the space left and the part of the row that would move on are
    both at least `splitInRow` points, the row is split at once instead; smaller leftovers move
    the row whole to the next page (splitInRow is also reportlab's minimum piece height).
    """

    # Set on the table a document builds; the pieces reportlab splits off it are made with
    # absolute widths already and leave these unset.
    column_shares: Sequence[float] | None = None
    column_minimums: Sequence[float] = ()
    # Carried from piece to piece: the first cell of each row as text, and how to say that a
    # row goes on from the previous page ("GENE007 (continued)").
    row_labels: Sequence[str] = ()
    continued: Callable[[str], str] | None = None
    label_style: ParagraphStyle | None = None

    def _fit_columns(self, available: float) -> None:
        if self.column_shares is None:
            return
        widths = fit_column_widths(self.column_shares, self.column_minimums, available)
        self._argW = self._colWidths = widths

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._fit_columns(availWidth)
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._fit_columns(availWidth)
        parts: list[Flowable] = super().split(availWidth, availHeight)
        if len(parts) == 2:
            heights: list[float] = self._rowHeights  # set by super().split
            placed = len(parts[0]._cellvalues)
            if placed < len(heights):
                leftover = availHeight - sum(heights[:placed])
                moving_on = heights[placed] - leftover
                if leftover >= self.splitInRow and moving_on >= self.splitInRow:
                    parts = self._splitRows(availHeight, doInRowSplit=True) or parts
        if len(parts) == 2:
            self._label_pieces(parts[0], parts[1])
        return parts

    def _label_pieces(self, first: Any, rest: Any) -> None:
        """Give the pieces their row labels; name the row a page continues, when the first
        column's own text ended on the page before."""
        if not self.row_labels:
            return
        header = self.repeatRows
        placed = len(first._cellvalues)
        # A row split in two appears in both pieces: one row more than the table had.
        split_in_row = placed + len(rest._cellvalues) - header == len(self._cellvalues) + 1
        resumes_at = placed - 1 if split_in_row else placed
        first.row_labels = self.row_labels[:placed]
        rest.row_labels = [*self.row_labels[:header], *self.row_labels[resumes_at:]]
        for piece in (first, rest):
            piece.continued, piece.label_style = self.continued, self.label_style
        if split_in_row and self.continued and self.label_style and not rest._cellvalues[header][0]:
            label = self.continued(self.row_labels[resumes_at])
            rest._cellvalues[header][0] = paragraph(label, self.label_style)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shares: Sequence[float],
    styles: Styles,
    continued: Callable[[str], str] | None = None,
) -> LongTable:
    """A table of outside values under a header row. `shares` are relative column widths.
    `continued(first_cell)` words the label of a row that goes on from the previous page,
    e.g. lambda gene: words.text("row_continued", label=gene)."""
    if len(shares) != len(header) or any(len(row) != len(header) for row in rows):
        raise ValueError("every row needs one cell per column")
    pad = styles.body_size * 0.35
    head, cell = styles.table_header, styles.table_cell
    minimums = [
        max(
            [
                _longest_word(header[column], head.fontName, head.fontSize),
                *(_longest_word(row[column], cell.fontName, cell.fontSize) for row in rows),
            ]
        )
        + 2 * pad
        + 1  # reportlab's line breaking needs a hair more than the exact width
        for column in range(len(header))
    ]
    data = [[paragraph(text, head) for text in header]]
    data += [[paragraph(text, cell) for text in row] for row in rows]
    table = _FindingsTable(
        data,
        colWidths=column_widths(shares),
        repeatRows=1,
        splitInRow=round(4 * cell.leading),  # at least four lines on either side of a split
        hAlign="LEFT",
        style=[
            CELL_FONT,
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ],
    )
    table.column_shares = tuple(shares)
    table.column_minimums = minimums
    table.row_labels = [header[0], *(row[0] for row in rows)]
    table.continued = continued
    table.label_style = styles.small
    return table
