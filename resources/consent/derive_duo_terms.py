"""Derive resources/consent/duo_terms.json from the DUO release copy and GeneDesk's own notes.

Inputs (all in this folder):
- upstream/duo.csv       EBISPOT/DUO's term table, byte for byte (see SOURCES.md for the commit)
- duo_rules.json         how GeneDesk matches permissions and which modifiers carry a value
- duo_explanations.json  GeneDesk's plain-language words for each term

Whether a term is a permission or a modifier is read from DUO's own definition ("This data use
permission …" / "This data use modifier …"), not typed here. Run from the repository root:

    uv run python resources/consent/derive_duo_terms.py          # rewrite duo_terms.json
    uv run python resources/consent/derive_duo_terms.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
UPSTREAM = HERE / "upstream" / "duo.csv"
RULES = HERE / "duo_rules.json"
EXPLANATIONS = HERE / "duo_explanations.json"
OUTPUT = HERE / "duo_terms.json"

SOURCE = {
    "repository": "EBISPOT/DUO",
    "path": "duo.csv",
    "commit": "726b06e657dadde900a518aa6bd3ed66cb622411",
    "ontology": "GA4GH Data Use Ontology (DUO), term table of the 2021 release line "
    "('data use permission' / 'data use modifier' wording, terms up to DUO:0000046)",
    "retrieved": "2026-11-21",
    "licence": "CC BY 4.0",
}
PERMISSION_PREFIX = "This data use permission"
MODIFIER_PREFIX = "This data use modifier"


def _notes(path: Path) -> dict[str, object]:
    return {
        k: v
        for k, v in json.loads(path.read_text(encoding="utf-8")).items()
        if not k.startswith("_")
    }


def derive() -> str:
    raw = UPSTREAM.read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    rules = _notes(RULES)
    covers = {k: v for k, v in rules["permission_covers"].items() if not k.startswith("_")}  # type: ignore[union-attr]
    values = {k: v for k, v in rules["modifier_values"].items() if not k.startswith("_")}  # type: ignore[union-attr]
    plain = _notes(EXPLANATIONS)

    terms = []
    for row in sorted(rows, key=lambda r: r["id"]):
        code = row["shorthand"].strip()
        definition = row["description"].strip()
        if not code:
            continue  # the two roots ('data use permission', 'data use modifier') carry no code
        if definition.startswith(PERMISSION_PREFIX):
            kind = "permission"
        elif definition.startswith(MODIFIER_PREFIX):
            kind = "modifier"
        else:
            raise SystemExit(f"{row['id']} ({code}): cannot tell permission from modifier")
        if code not in plain:
            raise SystemExit(f"{code}: no plain-language explanation in {EXPLANATIONS.name}")
        term: dict[str, object] = {
            "id": row["id"],
            "code": code,
            "label": row["label"].strip(),
            "definition": definition,
            "kind": kind,
            "plain": plain[code],
        }
        if kind == "permission":
            if code not in covers:
                raise SystemExit(f"{code}: no coverage rule in {RULES.name}")
            term["covers"] = covers[code]
        elif code in values:
            term["value"] = values[code]
        terms.append(term)

    codes = {t["code"] for t in terms}
    for name, mentioned in (
        ("permission_covers", set(covers) | {c for v in covers.values() for c in v}),
        ("modifier_values", set(values)),
        ("explanations", set(plain)),
    ):
        unknown = mentioned - codes
        if unknown:
            raise SystemExit(f"{name} names codes DUO does not have: {sorted(unknown)}")

    document = {
        "_note": "Derived by derive_duo_terms.py; do not edit by hand.",
        "source": {**SOURCE, "sha256": hashlib.sha256(raw).hexdigest()},
        "terms": terms,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the file on disk")
    args = parser.parse_args(argv)
    text = derive()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.name} is out of date: run derive_duo_terms.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["terms"])
    print(f"wrote {OUTPUT.relative_to(HERE.parent.parent)} ({count} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
