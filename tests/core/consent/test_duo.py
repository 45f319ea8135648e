"""The DUO terms GeneDesk uses are DUO's as published, and the derived file is up to date."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json

import pytest

from genedesk.core.consent.duo import duo, permission_covers, terms_file
from genedesk.core.consent.model import Modifier, Purpose
from genedesk.core.errors import UsageError
from genedesk.core.paths import resources_dir

CONSENT_RESOURCES = resources_dir() / "consent"


def _derive_module():
    spec = importlib.util.spec_from_file_location(
        "derive_duo_terms", CONSENT_RESOURCES / "derive_duo_terms.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_derived_terms_match_a_fresh_derivation() -> None:
    assert _derive_module().derive() == terms_file().read_text(encoding="utf-8")


def test_ids_labels_and_definitions_are_exactly_duos() -> None:
    raw = (CONSENT_RESOURCES / "upstream" / "duo.csv").read_bytes()
    published = {
        row["shorthand"]: row for row in csv.DictReader(io.StringIO(raw.decode(), newline=""))
    }
    release = duo()
    assert release.source["repository"] == "EBISPOT/DUO"
    assert release.source["sha256"] == hashlib.sha256(raw).hexdigest()
    assert set(release.permissions) == {"NRES", "GRU", "HMB", "DS", "POA"}
    assert {
        "NPU",
        "NCU",
        "IRB",
        "GS",
        "PUB",
        "COL",
        "RTN",
        "TS",
        "US",
        "PS",
        "NMDS",
        "GSO",
        "CC",
    } <= set(release.modifiers)
    for code, term in release.terms.items():
        assert term.id == published[code]["id"]
        assert term.label == published[code]["label"]
        assert term.definition == published[code]["description"]
        assert term.plain and term.plain != term.definition
    assert duo().term("HMB").id == "DUO:0000006"
    assert duo().term("HMB").iri == "http://purl.obolibrary.org/obo/DUO_0000006"


def test_sources_are_recorded() -> None:
    text = (CONSENT_RESOURCES / "SOURCES.md").read_text(encoding="utf-8")
    for needed in (
        "EBISPOT/DUO",
        duo().source["commit"],
        "HL7/genomics-reporting",
        "derive_duo_terms.py",
    ):
        assert needed in text
    codes = json.loads((CONSENT_RESOURCES / "fhir_genomics_codes.json").read_text(encoding="utf-8"))
    for name, entry in codes["codes"].items():
        assert entry["source"] in codes["sources"], name
        assert (entry.get("code") or entry.get("uri")) in entry["line"], name


def test_the_hierarchy() -> None:
    assert permission_covers("GRU", None, "HMB", None)
    assert permission_covers("HMB", None, "DS", "MONDO:0007254")
    assert not permission_covers("HMB", None, "POA", None)
    assert permission_covers("GRU", None, "POA", None)
    assert permission_covers("DS", "MONDO:0007254", "DS", "MONDO:0007254")
    assert not permission_covers("DS", "MONDO:0007254", "DS", "MONDO:0005148")
    assert not permission_covers("DS", "MONDO:0007254", "HMB", None)


def test_parsing_terms_as_typed() -> None:
    assert Purpose.parse("ds:MONDO:0007254") == Purpose("DS", "MONDO:0007254")
    assert Purpose.parse("hmb") == Purpose("HMB")
    assert Modifier.parse("GS:gb, fr") == Modifier("GS", ("FR", "GB"))
    assert Modifier.parse("TS:2030-12-31").date is not None
    for bad in ("DS", "HMB:x", "XYZ"):
        with pytest.raises(UsageError):
            Purpose.parse(bad)
    for bad in ("GS", "GS:England", "TS:31/12/2030", "NPU:yes", "HMB"):
        with pytest.raises(UsageError):
            Modifier.parse(bad)
