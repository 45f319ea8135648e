"""Text that reaches a PDF: outside text is always escaped, only GeneDesk's own markup is live.

reportlab's Paragraph reads its text as markup: `<b>`, `<font color=…>`, `<img src=…/>`,
`<a href=…>` and entities all act. Names, notes, explanations and lab names come from people and
files, so they must print literally. The rule here: a Paragraph is only ever built by
`paragraph()` in this module, and it escapes anything that is not `Markup`. `Markup` is made
only by `escape()`, by `markup()` (a template written in GeneDesk's code, with escaped values)
and by the small helpers below, so forgetting to escape prints `&lt;b&gt;` instead of running it.
A test checks that no other module under core/reports constructs a Paragraph itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from genedesk.core.reports.fonts import MONO

# Control characters (other than tab and newline) and lone surrogates cannot be drawn or
# encoded; they become U+FFFD so a damaged name shows that something was there.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


class Markup(str):
    """Paragraph markup that GeneDesk wrote itself, with every outside value already escaped."""

    __slots__ = ()


def clean(text: str) -> str:
    """Outside text made printable: NFC (so accents use the font's composed letters, and come
    back out of the PDF as typed), line breaks as "\\n", undrawable characters replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub(_REPLACEMENT, unicodedata.normalize("NFC", text))


def escape(text: str) -> Markup:
    """Outside text as markup that prints it literally. Markup passes through unchanged."""
    if isinstance(text, Markup):
        return text
    cleaned = clean(text)
    return Markup(
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def markup(template: str, /, **values: str) -> Markup:
    """Fill a markup template written in GeneDesk's code (never one from outside) with values,
    each escaped unless it is already Markup. Example: markup("<b>{label}</b> {value}", …)."""
    return Markup(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[str], separator: str = " ") -> Markup:
    return Markup(escape(separator).join(escape(part) for part in parts))


def bold(text: str) -> Markup:
    return markup("<b>{text}</b>", text=text)


def italic(text: str) -> Markup:
    return markup("<i>{text}</i>", text=text)


def monospace(text: str) -> Markup:
    """Text in the monospace face. For bold monospace write monospace(bold(…)): reportlab
    applies <b> to the face named inside it, not to one named around it."""
    return Markup(f'<font face="{MONO}">{escape(text)}</font>')


def with_line_breaks(text: str) -> Markup:
    """Outside text whose own line breaks are kept (notes, addresses), still escaped."""
    lines = clean(text).split("\n")
    return Markup("<br/>".join(escape(line) for line in lines))


def paragraph(content: str, style: ParagraphStyle) -> Paragraph:
    """The only way GeneDesk makes a Paragraph: plain text is escaped, Markup is used as is."""
    return Paragraph(escape(content), style)
