"""The fonts every GeneDesk PDF embeds, registered with reportlab once per process.

Only embedded TrueType fonts are used: reportlab's built-in PDF fonts cover Latin-1 only, so a
name such as "Łukasz Żółć" or "Юлия Смирнова" would print as boxes. The files and their licence
live in resources/fonts (see its README for where they came from).
"""

from __future__ import annotations

import threading
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from genedesk.core.errors import GeneDeskError
from genedesk.core.paths import resources_dir

SANS = "GeneDesk-Sans"
SANS_BOLD = "GeneDesk-Sans-Bold"
SANS_ITALIC = "GeneDesk-Sans-Italic"
SANS_BOLD_ITALIC = "GeneDesk-Sans-BoldItalic"
MONO = "GeneDesk-Mono"
MONO_BOLD = "GeneDesk-Mono-Bold"

FONT_FILES: dict[str, str] = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    MONO: "DejaVuSansMono.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Make the GeneDesk font names known to reportlab (safe to call from any thread, often)."""
    global _registered
    with _lock:
        if _registered:
            return
        folder = resources_dir() / "fonts"
        for name, file_name in FONT_FILES.items():
            path = folder / file_name
            if not path.is_file():
                raise GeneDeskError(
                    f"The font file {file_name} is missing from {folder}.",
                    hint="Reinstall GeneDesk; PDFs cannot be made without it.",
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # So that <b> and <i> inside a paragraph pick the right faces of the family.
        for family, faces in (
            (SANS, (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC)),
            (MONO, (MONO, MONO_BOLD, MONO, MONO_BOLD)),
        ):
            regular, bold, italic, bold_italic = faces
            addMapping(family, 0, 0, regular)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, italic)
            addMapping(family, 1, 1, bold_italic)
        _registered = True


@cache
def _covered(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def missing_characters(text: str, font_name: str = SANS) -> list[str]:
    """Characters of `text` that the font cannot draw (they would print as empty boxes).

    The window can warn before printing, e.g. for a name in a script the fonts do not cover.
    """
    covered = _covered(font_name)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})


def unprintable_codes(text: str, *, at_most: int = 5) -> str:
    """The characters the report fonts cannot draw, by code ('U+8A3A, U+6240'), '' if none:
    a refusal names them this way, never quoting the text (it may be a patient's name)."""
    return ", ".join(f"U+{ord(ch):04X}" for ch in missing_characters(text)[:at_most])
