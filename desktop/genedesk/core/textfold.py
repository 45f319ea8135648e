"""Folding text for search: case- and accent-insensitive, so "zoe" finds "Zoë"."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ŀ": "l",
        "ħ": "h",
        "ŧ": "t",
        "ß": "ss",
    }
)


def fold(text: str) -> str:
    """Lower-case, accent-free, whitespace-collapsed form of `text`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_LETTERS).split())
