"""The documents' words: kept out of the layout, complete in every language, safe to translate."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from genedesk.core.errors import GeneDeskError, NotFoundError
from genedesk.core.reports.words import (
    available_languages,
    load_words,
    placeholders,
    words_dir,
)


def _entries(path) -> dict[str, list[str]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: v if isinstance(v, list) else [v] for k, v in raw.items() if not k.startswith("_")}


def test_every_language_has_the_words_and_placeholders_of_english() -> None:
    languages = available_languages()
    assert "en" in languages
    english_files = sorted(p.name for p in (words_dir() / "en").glob("*.json"))
    assert "common.json" in english_files and "recovery_sheet.json" in english_files
    for language in languages:
        for file_name in english_files:
            english = _entries(words_dir() / "en" / file_name)
            other = _entries(words_dir() / language / file_name)
            assert set(other) == set(english), (language, file_name)
            for key, texts in english.items():
                assert {p for t in other[key] for p in placeholders(t)} == {
                    p for t in texts for p in placeholders(t)
                }, (language, file_name, key)
        assert len(load_words("common", language).texts("months")) == 12


def test_texts_fill_placeholders_and_escape_markup() -> None:
    words = load_words("recovery_sheet")
    assert words.text("pdf_subject", vault_id="V-1") == "Recovery key for GeneDesk vault V-1"
    with pytest.raises(KeyError):
        words.text("pdf_subject")
    assert words.markup("pdf_subject", vault_id="<b>&") == (
        "Recovery key for GeneDesk vault &lt;b&gt;&amp;"
    )
    assert len(words.texts("purpose")) == 2


def test_dates_are_written_in_words() -> None:
    words = load_words("common")
    assert words.date(date(1984, 3, 2)) == "2 March 1984"
    moment = datetime(2025, 12, 1, 8, 5, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    assert words.date_time(moment) == "1 December 2025, 08:05 UTC-03:30"
    assert words.date_time(datetime(2025, 1, 9, 23, 59)) == "9 January 2025, 23:59"


def test_placeholders_must_be_plain_names() -> None:
    assert placeholders("Hello {name}, {{literal}}") == {"name"}
    for bad in ("{name.attr}", "{0}", "{name!r}", "{name:>10}", "{a[0]}"):
        with pytest.raises(ValueError):
            placeholders(bad)


def test_unknown_language_and_broken_files_are_refused(tmp_path, monkeypatch) -> None:
    with pytest.raises(NotFoundError):
        load_words("recovery_sheet", "xx")
    folder = tmp_path / "reports" / "zz"
    folder.mkdir(parents=True)
    (folder / "common.json").write_text('{"title": "{x.__class__}"}', encoding="utf-8")
    (folder / "letter.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr("genedesk.core.reports.words.words_dir", lambda: tmp_path / "reports")
    with pytest.raises(GeneDeskError, match=r"zz/common.json"):
        load_words("letter", "zz")
