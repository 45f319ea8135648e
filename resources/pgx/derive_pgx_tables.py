"""Derive GeneDesk's pharmacogenomic tables from their published sources.

Run from the repository root:

    uv run python resources/pgx/derive_pgx_tables.py [--pharmcat DIR] [--check]

Inputs (see SOURCES.md for versions, dates and licences):

* Allele definitions: PharmCAT's machine-readable copy of the CPIC/PharmVar allele definition
  tables (`definitions/<GENE>_translation.json` and `exemptions.json`), by default from
  `../shared/data/pharmcat` beside the repository.
* Allele function, activity values and diplotype-to-phenotype rules: verbatim excerpts of
  PharmCAT's CPIC phenotype files, kept in `resources/pgx/upstream/phenotypes/` (they are not in
  ../shared, so the excerpt files are the recorded input).

Outputs, all in `resources/pgx/`:

* `alleles/<GENE>.json` — positions and named-allele definitions in VCF allele space.
* `phenotypes/<GENE>.json` — allele function / activity value and the phenotype rules.
* `MANIFEST.json` — source versions and the SHA-256 of every input file, so a re-run can prove
  the tables were not edited by hand (`--check` re-derives and compares without writing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent

# Genes whose alleles are defined by SNVs and small indels at fixed positions and for which the
# PharmCAT copy in ../shared has a definition file.
GENES = ("CYP2C19", "CYP2C9", "CYP3A5", "CYP4F2", "DPYD", "NUDT15", "SLCO1B1", "TPMT", "VKORC1")

# PharmCAT's NamedAlleleMatcher.TREAT_UNDOCUMENTED_VARIATIONS_AS_REFERENCE (PharmGKB/PharmCAT,
# src/main/java/org/pharmgkb/pharmcat/haplotype/NamedAlleleMatcher.java): for these genes an ALT
# allele that no definition mentions is read as the reference allele instead of blocking the
# call. This is calling policy, not a clinical fact; it is recorded with each gene's table.
UNDOCUMENTED_AS_REFERENCE = frozenset({"DPYD", "NUDT15", "TPMT"})

PHARMCAT_REPOSITORY = "https://github.com/PharmGKB/PharmCAT"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _position(variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": variant["position"],
        "rsid": variant.get("rsid"),
        "hgvs_g": variant.get("chromosomeHgvsName"),
        "ref": variant["ref"],
        "alts": list(variant["alts"]),
        "cpic_alleles": list(variant["cpicAlleles"]),
        "cpic_to_vcf": dict(variant["cpicToVcfAlleleMap"]),
    }


def derive_alleles(definition_file: Path, exemption: dict[str, Any] | None) -> dict[str, Any]:
    raw = json.loads(definition_file.read_text(encoding="utf-8"))
    gene = raw["gene"]
    positions = [_position(v) for v in raw["variants"]]
    alleles = []
    for named in raw["namedAlleles"]:
        if len(named["alleles"]) != len(positions):
            raise ValueError(f"{definition_file.name}: {named['name']} has the wrong allele count")
        alleles.append(
            {
                "name": named["name"],
                "id": named.get("id"),
                "reference": bool(named["reference"]),
                # VCF allele space; one-letter IUPAC codes stand for "any of these bases";
                # null means the position is not part of this allele's definition.
                "definition": list(named["alleles"]),
                "cpic_definition": list(named["cpicAlleles"]),
            }
        )
    if sum(1 for a in alleles if a["reference"]) != 1:
        raise ValueError(f"{definition_file.name}: expected exactly one reference allele")
    extra = [_position(v) for v in (exemption or {}).get("extraPositions", [])]
    ignored = list((exemption or {}).get("ignoredAlleles", []))
    return {
        "gene": gene,
        "chromosome": raw["chromosome"],
        "genome_build": raw["genomeBuild"],
        "refseq_chromosome": raw.get("refSeqChromosomeId"),
        "source": {
            "name": "CPIC/PharmVar allele definitions, PharmCAT machine-readable copy",
            "repository": PHARMCAT_REPOSITORY,
            "file": f"src/main/resources/org/pharmgkb/pharmcat/definition/alleles/{definition_file.name}",
            "definitions_version": raw["version"],
            "definitions_source": raw["source"],
            "modification_date": raw.get("modificationDate"),
        },
        "positions": positions,
        "alleles": [a for a in alleles if a["name"] not in ignored],
        "extra_positions": extra,
        "undocumented_as_reference": gene in UNDOCUMENTED_AS_REFERENCE,
    }


def derive_phenotypes(excerpt_file: Path, alleles: dict[str, Any]) -> dict[str, Any]:
    """Check the phenotype excerpt against the allele table and normalise it."""
    raw = json.loads(excerpt_file.read_text(encoding="utf-8"))
    gene = raw["gene"]
    functions: dict[str, str] = raw["haplotypes"]
    activity: dict[str, str] = raw.get("activityValues", {})
    names = {a["name"] for a in alleles["alleles"]}
    missing = sorted(names - set(functions) - set(activity))
    rules = raw["rules"]
    for rule in rules:
        if rule["kind"] not in ("function_pair", "activity_score", "allele_pair"):
            raise ValueError(f"{excerpt_file.name}: unknown rule kind {rule['kind']}")
    return {
        "gene": gene,
        "source": raw["source"],
        "allele_function": {n: functions[n] for n in sorted(functions)},
        "activity_value": {n: activity[n] for n in sorted(activity)},
        "alleles_without_function": missing,
        "rules": rules,
    }


def _dump(table: dict[str, Any]) -> str:
    """JSON with one line per position, allele or rule, so reviews show one fact per diff line."""
    lines = ["{"]
    items = list(table.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f" {json.dumps(key)}: [")
            for j, entry in enumerate(value):
                sep = "," if j < len(value) - 1 else ""
                lines.append("  " + json.dumps(entry, ensure_ascii=False) + sep)
            lines.append(" ]" + comma)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def derive(pharmcat_dir: Path) -> dict[str, str]:
    """Return {relative output path: file text} for every derived table."""
    definitions = pharmcat_dir / "definitions"
    exemptions_file = definitions / "exemptions.json"
    exemptions = json.loads(exemptions_file.read_text(encoding="utf-8"))
    outputs: dict[str, str] = {}
    inputs: dict[str, str] = {"definitions/exemptions.json": _sha256(exemptions_file)}
    versions: dict[str, str] = {}
    for gene in GENES:
        path = definitions / f"{gene}_translation.json"
        table = derive_alleles(path, exemptions.get(gene))
        versions[gene] = table["source"]["definitions_version"]
        inputs[f"definitions/{path.name}"] = _sha256(path)
        outputs[f"alleles/{gene}.json"] = _dump(table)
        excerpt = HERE / "upstream" / "phenotypes" / f"{gene}.json"
        if excerpt.exists():
            inputs[f"upstream/phenotypes/{gene}.json"] = _sha256(excerpt)
            pheno = derive_phenotypes(excerpt, table)
            outputs[f"phenotypes/{gene}.json"] = _dump(pheno)
    manifest = {
        "allele_definition_versions": versions,
        "pharmcat_commit": "5431bf1187e50383df7e7db18ef67b36fc8b562e",
        "inputs_sha256": inputs,
    }
    outputs["MANIFEST.json"] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pharmcat",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data" / "pharmcat",
        help="folder holding PharmCAT's definitions/ (default: ../shared/data/pharmcat)",
    )
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    outputs = derive(args.pharmcat)
    stale = []
    for rel, text in sorted(outputs.items()):
        target = HERE / rel
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{'checked' if args.check else 'wrote'} {len(outputs)} tables")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
