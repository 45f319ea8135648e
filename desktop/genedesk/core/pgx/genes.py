"""Call every shipped gene from one sample's genotypes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from genedesk.core.errors import Cancelled
from genedesk.core.pgx.calling import GeneCall, ObservedGenotype, call_gene, genotypes_for
from genedesk.core.pgx.definitions import GeneDefinition, load_definitions
from genedesk.core.pgx.dpyd import call_dpyd

# Genes with CPIC guidelines that a VCF of small variants cannot settle: they need copy number,
# gene conversions or HLA typing. They are always listed as "not determined from this test".
NOT_DETERMINED_FROM_VCF: dict[str, str] = {
    "CYP2D6": "needs copy-number and hybrid-gene analysis (deletions, duplications, CYP2D6/2D7 "
    "hybrids) that a VCF of small variants does not carry",
    "HLA-A": "needs HLA typing; HLA alleles are not defined by single positions in a VCF",
    "HLA-B": "needs HLA typing; HLA alleles are not defined by single positions in a VCF",
}

# Genes the brief asks for whose allele definitions are not shipped yet.
NOT_DETERMINED_NO_DEFINITION: dict[str, str] = {
    "UGT1A1": "GeneDesk does not yet ship UGT1A1 allele definitions (the *28/*37 TA-repeat needs "
    "a definition source that is not in this release)",
}


@dataclass(frozen=True)
class NotDetermined:
    gene: str
    reason: str


def call_one(definition: GeneDefinition, genotypes: Mapping[int, ObservedGenotype]) -> GeneCall:
    if definition.gene == "DPYD":
        return call_dpyd(definition, genotypes)
    return call_gene(definition, genotypes)


def call_all(
    genotypes: Mapping[tuple[str, int], ObservedGenotype],
    definitions: Mapping[str, GeneDefinition] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[GeneCall]:
    """Call each gene from a mapping (chromosome, position) → genotype."""
    defs = dict(definitions) if definitions is not None else load_definitions()
    calls = []
    for done, gene in enumerate(sorted(defs), start=1):
        if cancelled is not None and cancelled():
            raise Cancelled("Pharmacogenomic calling was cancelled.")
        calls.append(call_one(defs[gene], genotypes_for(defs[gene], genotypes)))
        if progress is not None:
            progress(done, len(defs))
    return calls


def not_determined() -> list[NotDetermined]:
    reasons = {**NOT_DETERMINED_FROM_VCF, **NOT_DETERMINED_NO_DEFINITION}
    return [NotDetermined(g, r) for g, r in sorted(reasons.items())]
