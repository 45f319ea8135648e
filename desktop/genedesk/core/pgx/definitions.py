"""Allele definition tables (CPIC/PharmVar, derived by resources/pgx/derive_pgx_tables.py).

A definition lists the genomic positions that tell a gene's named alleles apart and, for each
named allele, the base (or bases) it carries at each position in VCF allele space. A position an
allele does not mention carries the reference allele's base — the convention of the CPIC allele
definition tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from genedesk.core.errors import BadInputError
from genedesk.core.paths import resources_dir

# IUPAC nucleotide codes used in CPIC definitions for "either base is part of this allele".
IUPAC: dict[str, frozenset[str]] = {
    "A": frozenset("A"),
    "C": frozenset("C"),
    "G": frozenset("G"),
    "T": frozenset("T"),
    "R": frozenset("AG"),
    "Y": frozenset("CT"),
    "S": frozenset("GC"),
    "W": frozenset("AT"),
    "K": frozenset("GT"),
    "M": frozenset("AC"),
    "B": frozenset("CGT"),
    "D": frozenset("AGT"),
    "H": frozenset("ACT"),
    "V": frozenset("ACG"),
    "N": frozenset("ACGT"),
}


def is_ambiguity_code(allele: str) -> bool:
    return len(allele) == 1 and allele in IUPAC and len(IUPAC[allele]) > 1


@dataclass(frozen=True)
class DefinitionPosition:
    position: int
    rsid: str | None
    hgvs_g: str | None
    ref: str
    alts: tuple[str, ...]
    cpic_to_vcf: dict[str, str]

    @property
    def label(self) -> str:
        """How a counsellor recognises the position: the rsID, else the genomic HGVS."""
        return self.rsid or self.hgvs_g or str(self.position)


@dataclass(frozen=True)
class NamedAllele:
    name: str
    reference: bool
    # One entry per definition position; None = not part of this allele (reference base).
    definition: tuple[str | None, ...]


@dataclass(frozen=True)
class GeneDefinition:
    gene: str
    chromosome: str
    genome_build: str
    version: str
    positions: tuple[DefinitionPosition, ...]
    alleles: tuple[NamedAllele, ...]
    extra_positions: tuple[DefinitionPosition, ...]
    undocumented_as_reference: bool

    @property
    def reference_allele(self) -> NamedAllele:
        return next(a for a in self.alleles if a.reference)

    def known_alleles(self, index: int) -> frozenset[str]:
        """Every VCF allele the definitions expect at one position."""
        pos = self.positions[index]
        known = {pos.ref, *pos.alts}
        for allele in self.alleles:
            value = allele.definition[index]
            if value is None:
                continue
            known.update(IUPAC[value] if is_ambiguity_code(value) else {value})
        return frozenset(known)


def _position(entry: dict[str, object]) -> DefinitionPosition:
    return DefinitionPosition(
        position=int(entry["position"]),  # type: ignore[call-overload]
        rsid=entry.get("rsid"),  # type: ignore[arg-type]
        hgvs_g=entry.get("hgvs_g"),  # type: ignore[arg-type]
        ref=str(entry["ref"]),
        alts=tuple(entry["alts"]),  # type: ignore[arg-type]
        cpic_to_vcf=dict(entry["cpic_to_vcf"]),  # type: ignore[call-overload]
    )


def load_definition_file(path: Path) -> GeneDefinition:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return GeneDefinition(
            gene=raw["gene"],
            chromosome=raw["chromosome"],
            genome_build=raw["genome_build"],
            version=raw["source"]["definitions_version"],
            positions=tuple(_position(p) for p in raw["positions"]),
            alleles=tuple(
                NamedAllele(a["name"], bool(a["reference"]), tuple(a["definition"]))
                for a in raw["alleles"]
            ),
            extra_positions=tuple(_position(p) for p in raw.get("extra_positions", [])),
            undocumented_as_reference=bool(raw.get("undocumented_as_reference", False)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(
            f"The allele definition table {path.name} could not be read ({exc})."
        ) from exc


def definitions_dir() -> Path:
    return resources_dir() / "pgx" / "alleles"


@cache
def load_definitions() -> dict[str, GeneDefinition]:
    """Every shipped gene definition, by gene symbol."""
    folder = definitions_dir()
    found = {p.stem: load_definition_file(p) for p in sorted(folder.glob("*.json"))}
    if not found:
        raise BadInputError(f"No allele definition tables were found in {folder}.")
    return found
