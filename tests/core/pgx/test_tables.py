"""The derived tables: present, self-consistent, reproducible from their recorded inputs."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from pharmcat_cases import PHARMCAT, REPO_ROOT, SHARED_MISSING_REASON

from genedesk.core.pgx.definitions import is_ambiguity_code, load_definitions
from genedesk.core.pgx.phenotype import load_phenotype_tables
from genedesk.core.pgx.recommendations import _load as load_recommendations

PGX = REPO_ROOT / "resources" / "pgx"
REQUIRED = {"CYP2C19", "CYP2C9", "VKORC1", "SLCO1B1", "DPYD", "TPMT", "NUDT15", "CYP3A5"}


def _derive_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_pgx_tables", PGX / "derive_pgx_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_required_genes_are_shipped_with_one_reference_allele() -> None:
    definitions = load_definitions()
    assert REQUIRED <= set(definitions)
    for gene, definition in definitions.items():
        assert sum(a.reference for a in definition.alleles) == 1, gene
        assert definition.genome_build.startswith("GRCh38"), gene
        positions = [p.position for p in definition.positions]
        assert len(set(positions)) == len(positions), gene
        for allele in definition.alleles:
            assert len(allele.definition) == len(positions), (gene, allele.name)
            for index, value in enumerate(allele.definition):
                if value is None or is_ambiguity_code(value):
                    continue
                pos = definition.positions[index]
                assert value in (pos.ref, *pos.alts), (gene, allele.name, pos.label, value)


def test_phenotype_tables_cover_the_called_genes_and_use_known_rule_kinds() -> None:
    tables = load_phenotype_tables()
    assert REQUIRED <= set(tables)
    for gene, table in tables.items():
        assert table.rules, gene
        assert table.source["commit"], gene
        for rule in table.rules:
            assert rule["kind"] in {"function_pair", "activity_score", "allele_pair"}
            assert rule["evidence"], (gene, rule)  # every rule names the source row behind it


def test_every_recommendation_points_to_a_guideline_and_a_known_phenotype() -> None:
    tables = load_phenotype_tables()
    phenotypes = {g: {str(r["phenotype"]) for r in t.rules} for g, t in tables.items()}
    scores = {
        g: {str(r["score"]) for r in t.rules if r["kind"] == "activity_score"}
        for g, t in tables.items()
    }
    entries = load_recommendations()
    assert {e.drug for e in entries} >= {
        "clopidogrel",
        "fluorouracil",
        "capecitabine",
        "azathioprine",
        "mercaptopurine",
        "thioguanine",
        "tacrolimus",
        "simvastatin",
        "warfarin",
    }
    for entry in entries:
        assert entry.guideline.citation and entry.guideline.read_from, entry.drug
        for rule in entry.rules:
            assert rule.phenotypes <= phenotypes[entry.gene], (entry.drug, rule.phenotypes)
            assert rule.activity_scores <= scores[entry.gene] | {"n/a"}, (
                entry.drug,
                rule.activity_scores,
            )
            assert rule.action in {"standard", "change", "avoid", "check"}


def test_manifest_records_the_phenotype_excerpts_it_was_built_from() -> None:
    manifest = json.loads((PGX / "MANIFEST.json").read_text(encoding="utf-8"))
    for name, digest in manifest["inputs_sha256"].items():
        if name.startswith("upstream/"):
            assert hashlib.sha256((PGX / name).read_bytes()).hexdigest() == digest, name
    assert set(manifest["allele_definition_versions"]) >= REQUIRED


def test_phenotype_tables_rederive_from_the_excerpts_without_shared() -> None:
    derive = _derive_module()
    for gene in sorted(load_phenotype_tables()):
        alleles = json.loads((PGX / "alleles" / f"{gene}.json").read_text(encoding="utf-8"))
        derived = derive.derive_phenotypes(
            PGX / "upstream" / "phenotypes" / f"{gene}.json", alleles
        )
        text = derive._dump(derived)
        assert text == (PGX / "phenotypes" / f"{gene}.json").read_text(encoding="utf-8"), gene


@pytest.mark.skipif(not PHARMCAT.is_dir(), reason=SHARED_MISSING_REASON)
def test_tables_rederive_exactly_from_the_pharmcat_copy(tmp_path: Path) -> None:
    outputs = _derive_module().derive(PHARMCAT)
    for rel, text in outputs.items():
        assert (PGX / rel).read_text(encoding="utf-8") == text, rel


@pytest.mark.skipif(not PHARMCAT.is_dir(), reason=SHARED_MISSING_REASON)
def test_definition_refs_match_pharmcat_positions_vcf() -> None:
    """Cross-check against an independent file of the same release: every definition position is
    in pharmcat_positions.vcf with the same REF and the gene's PX tag."""
    records: dict[tuple[str, int], tuple[str, str]] = {}
    for line in (
        (PHARMCAT / "positions" / "pharmcat_positions.vcf").read_text(encoding="utf-8").splitlines()
    ):
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        records[(fields[0], int(fields[1]))] = (fields[3], fields[7])
    for gene, definition in load_definitions().items():
        for pos in definition.positions:
            ref, info = records[(definition.chromosome, pos.position)]
            assert ref == pos.ref, (gene, pos.label)
            assert gene in info, (gene, pos.label)
