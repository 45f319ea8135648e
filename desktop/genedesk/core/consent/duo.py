"""GA4GH Data Use Ontology (DUO) terms as published, with GeneDesk's plain-language words.

The terms come from resources/consent/duo_terms.json, derived from EBISPOT/DUO's duo.csv by
resources/consent/derive_duo_terms.py (source commit and hash inside the file). Which purpose a
consented permission allows is read from the same file (`covers`), where each rule cites DUO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from genedesk.core.errors import GeneDeskError
from genedesk.core.paths import resources_dir

TermKind = Literal["permission", "modifier"]
ValueKind = Literal["countries", "date", "names", "text"]


@dataclass(frozen=True)
class DuoTerm:
    id: str  # DUO:0000006
    code: str  # HMB
    label: str  # DUO's label, as published
    definition: str  # DUO's definition, as published
    kind: TermKind
    plain: str  # GeneDesk's own words for patients
    covers: tuple[str, ...] = ()  # permissions only: the requested purposes it allows
    value: ValueKind | None = None  # modifiers that need a value (GS countries, TS date …)

    @property
    def iri(self) -> str:
        return "http://purl.obolibrary.org/obo/" + self.id.replace(":", "_")


@dataclass(frozen=True)
class DuoRelease:
    source: MappingProxyType[str, str]
    terms: MappingProxyType[str, DuoTerm]  # by code

    def term(self, code: str) -> DuoTerm:
        try:
            return self.terms[code]
        except KeyError:
            raise KeyError(f"unknown DUO code {code!r}") from None

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms.values() if t.kind == "permission")

    @property
    def modifiers(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms.values() if t.kind == "modifier")


def terms_file() -> Path:
    return resources_dir() / "consent" / "duo_terms.json"


@cache
def duo() -> DuoRelease:
    path = terms_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GeneDeskError(f"The DUO term file {path.name} cannot be read: {exc}") from None
    terms = {}
    for entry in raw["terms"]:
        term = DuoTerm(
            id=entry["id"],
            code=entry["code"],
            label=entry["label"],
            definition=entry["definition"],
            kind=entry["kind"],
            plain=entry["plain"],
            covers=tuple(entry.get("covers", ())),
            value=entry.get("value"),
        )
        terms[term.code] = term
    return DuoRelease(MappingProxyType(dict(raw["source"])), MappingProxyType(terms))


def permission_covers(
    granted: str, granted_disease: str | None, asked: str, asked_disease: str | None
) -> bool:
    """Whether a consented permission allows the requested purpose (DUO's hierarchy).

    A disease-specific consent (DS) allows only a request about the same disease identifier.
    """
    release = duo()
    if asked not in release.term(granted).covers:
        return False
    if granted == "DS":
        return asked == "DS" and _same_disease(granted_disease, asked_disease)
    return True


def _same_disease(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a.strip().upper() == b.strip().upper()  # type: ignore[union-attr]
