"""The words of every document, read from resources/reports/<language>/<document>.json.

Layout code never holds sentences: it asks for them by key, so a translation is a new folder of
JSON files and no code change. Each file maps a key to a string or a list of strings (paragraphs,
steps); keys starting with "_" are notes for translators. Strings may hold `{name}` placeholders
and nothing else (no markup: emphasis is the layout's business), so a translator cannot break a
PDF. `common.json` holds words every document shares (months, page counter, header labels).
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType

from genedesk.core.errors import GeneDeskError, NotFoundError
from genedesk.core.paths import resources_dir
from genedesk.core.reports.text import Markup, escape

COMMON = "common"
_FORMATTER = string.Formatter()


def words_dir() -> Path:
    return resources_dir() / "reports"


def available_languages() -> list[str]:
    folder = words_dir()
    return sorted(p.name for p in folder.iterdir() if (p / f"{COMMON}.json").is_file())


def placeholders(template: str) -> set[str]:
    """The `{name}` fields of a template; anything fancier is refused when the file is read."""
    names = set()
    for _literal, field, spec, conversion in _FORMATTER.parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must be a plain name")
        names.add(field)
    return names


def _read(path: Path) -> dict[str, str | list[str]]:
    where = f"{path.parent.name}/{path.name}"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GeneDeskError(f"The document wording file {where} cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise GeneDeskError(f"The document wording file {where} must hold one JSON object.")
    entries: dict[str, str | list[str]] = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        texts = value if isinstance(value, list) else [value]
        if not texts or not all(isinstance(t, str) for t in texts):
            raise GeneDeskError(f"In {where}, {key!r} must be a text or a list of texts.")
        for text in texts:
            try:
                placeholders(text)
            except ValueError as exc:
                raise GeneDeskError(f"In {where}, {key!r}: {exc}.") from None
        entries[key] = value
    return entries


@dataclass(frozen=True)
class Words:
    """The words of one document in one language."""

    language: str
    entries: Mapping[str, str | list[str]]

    def _template(self, key: str) -> str:
        value = self.entries.get(key)
        if not isinstance(value, str):
            raise KeyError(f"no text {key!r} in the {self.language} document words")
        return value

    def text(self, key: str, /, **values: str) -> str:
        """Plain text (for metadata and page marks, which are drawn, not parsed as markup)."""
        return self._template(key).format_map(_Strict(values, key))

    def markup(self, key: str, /, **values: str) -> Markup:
        """The text as paragraph markup: the template's own words and every value are escaped;
        values that are Markup (e.g. a command in monospace) are kept as they are."""
        template = self._template(key)
        parts: list[str] = []
        for literal, field, _spec, _conversion in _FORMATTER.parse(template):
            parts.append(escape(literal))
            if field is not None:
                if field not in values:
                    raise KeyError(f"no value for {{{field}}} in document text {key!r}")
                parts.append(escape(values[field]))
        return Markup("".join(parts))

    def texts(self, key: str) -> list[str]:
        """A list entry (paragraphs, steps), each a plain text."""
        value = self.entries.get(key)
        if isinstance(value, str):
            return [value]
        if value is None:
            raise KeyError(f"no text {key!r} in the {self.language} document words")
        return list(value)

    def date(self, day: date) -> str:
        months = self.texts("months")
        return self.text(
            "date_format", day=str(day.day), month=months[day.month - 1], year=f"{day.year:04d}"
        )

    def date_time(self, moment: datetime) -> str:
        """Date and time as recorded; the UTC offset is shown when the moment carries one."""
        time = f"{moment.hour:02d}:{moment.minute:02d}"
        offset = moment.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            time += f" UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return self.text("date_time_format", date=self.date(moment.date()), time=time)


class _Strict(dict[str, str]):
    def __init__(self, values: Mapping[str, str], key: str) -> None:
        super().__init__(values)
        self._key = key

    def __missing__(self, field: str) -> str:
        raise KeyError(f"no value for {{{field}}} in document text {self._key!r}")


@cache
def load_words(document: str, language: str = "en") -> Words:
    """The common words plus those of one document, e.g. load_words("recovery_sheet", "en");
    load_words("common", …) gives the common words alone."""
    folder = words_dir() / language
    common, own = folder / f"{COMMON}.json", folder / f"{document}.json"
    for path in (common, own):
        if not path.is_file():
            raise NotFoundError(
                f"GeneDesk has no {language!r} wording for {path.stem.replace('_', ' ')}.",
                hint="Choose another language for this document.",
            )
    entries = _read(common)
    if document == COMMON:
        return Words(language, MappingProxyType(entries))
    for key, value in _read(own).items():
        if key in entries:
            raise GeneDeskError(f"{language}/{own.name} repeats the common text {key!r}.")
        entries[key] = value
    return Words(language, MappingProxyType(entries))
