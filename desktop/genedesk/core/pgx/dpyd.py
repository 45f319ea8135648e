"""DPYD: CPIC's "lowest-function" reading, because phase is rarely known.

CPIC's DPYD guideline scores the two lowest-function variant alleles a person carries. Every
DPYD allele in the definition table is one variant, except HapB3, whose causal variant is the
intronic c.1129-5923C>G; the exonic c.1236G>A normally travels with it and is read only when the
intronic position was not tested (as PharmCAT does; a disagreement is noted).

* No variant: Reference/Reference.
* One variant copy, or one variant on both copies: a plain diplotype (Reference/X, X/X).
* Several variants with known phase: the diplotype from the general caller, if one fits.
* Otherwise the variants are listed ("X | Y"); the phenotype uses the two lowest-function ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from genedesk.core.pgx.calling import (
    Diplotype,
    GeneCall,
    ObservedGenotype,
    PositionNote,
    allele_sort_key,
    call_gene,
)
from genedesk.core.pgx.definitions import GeneDefinition

HAPB3 = "c.1129-5923C>G, c.1236G>A (HapB3)"
HAPB3_INTRONIC_ONLY = "c.1129-5923C>G"
HAPB3_INTRON_RSID = "rs75017182"
HAPB3_EXON_RSID = "rs56038477"


def _without_hapb3(definition: GeneDefinition) -> tuple[GeneDefinition, dict[str, int]]:
    by_rsid = {p.rsid: i for i, p in enumerate(definition.positions)}
    drop = {by_rsid[HAPB3_INTRON_RSID], by_rsid[HAPB3_EXON_RSID]}
    keep = [i for i in range(len(definition.positions)) if i not in drop]
    alleles = tuple(
        replace(a, definition=tuple(a.definition[i] for i in keep))
        for a in definition.alleles
        if a.name not in (HAPB3, HAPB3_INTRONIC_ONLY)
    )
    reduced = replace(
        definition,
        positions=tuple(definition.positions[i] for i in keep),
        alleles=alleles,
    )
    return reduced, {"intron": by_rsid[HAPB3_INTRON_RSID], "exon": by_rsid[HAPB3_EXON_RSID]}


def _hapb3_copies(
    definition: GeneDefinition,
    where: dict[str, int],
    genotypes: Mapping[int, ObservedGenotype],
    notes: list[PositionNote],
) -> tuple[int, bool]:
    """HapB3 copies and whether the HapB3 evidence was heterozygous."""
    hapb3 = next(a for a in definition.alleles if a.name == HAPB3)
    counts: dict[str, int | None] = {}
    for part, index in where.items():
        pos = definition.positions[index]
        genotype = genotypes.get(pos.position)
        value = hapb3.definition[index]
        counts[part] = None if genotype is None else sum(1 for a in genotype.alleles if a == value)
    intron, exon = counts["intron"], counts["exon"]
    if intron is not None and exon is not None and intron != exon:
        notes.append(
            PositionNote(
                definition.positions[where["intron"]].position,
                HAPB3_INTRON_RSID,
                f"HapB3: intronic c.1129-5923C>G on {intron} copies but exonic c.1236G>A on {exon}; "
                "the intronic (causal) variant was used",
            )
        )
    if intron is None and exon is not None:
        notes.append(
            PositionNote(
                definition.positions[where["exon"]].position,
                HAPB3_EXON_RSID,
                "HapB3 inferred from exonic c.1236G>A only: intronic c.1129-5923C>G not tested",
            )
        )
    copies = intron if intron is not None else (exon or 0)
    return copies, copies == 1


def call_dpyd(definition: GeneDefinition, genotypes: Mapping[int, ObservedGenotype]) -> GeneCall:
    reduced, where = _without_hapb3(definition)
    general = call_gene(reduced, genotypes)
    notes = list(general.notes)
    hapb3_copies, hapb3_het = _hapb3_copies(definition, where, genotypes, notes)
    hapb3_positions = {definition.positions[i].position for i in where.values()}
    untested_general = {p.position for p in general.not_tested}
    not_tested = tuple(
        p
        for p in definition.positions
        if p.position not in genotypes
        and (p.position in hapb3_positions or p.position in untested_general)
    )

    found: list[str] = []
    het_positions = 1 if hapb3_het else 0
    for index, pos in enumerate(reduced.positions):
        genotype = genotypes.get(pos.position)
        if genotype is None:
            continue
        alleles = [
            pos.ref if a not in reduced.known_alleles(index) else a for a in genotype.alleles
        ]
        if alleles[0] != alleles[1]:
            het_positions += 1
        for allele in reduced.alleles:
            value = allele.definition[index]
            if allele.reference or value is None:
                continue
            found.extend([allele.name] * sum(1 for a in alleles if a == value))
    found.extend([HAPB3] * hapb3_copies)
    found.sort(key=allele_sort_key)
    reference = definition.reference_allele.name
    tested = general.tested_positions + sum(1 for p in hapb3_positions if p in genotypes)

    def result(
        diplotypes: tuple[Diplotype, ...] = (),
        candidates: tuple[Diplotype, ...] = (),
        alleles_found: tuple[str, ...] = (),
    ) -> GeneCall:
        return GeneCall(
            gene=definition.gene,
            definitions_version=definition.version,
            diplotypes=diplotypes,
            candidates=candidates,
            not_tested=not_tested,
            notes=tuple(notes),
            phased=general.phased,
            alleles_found=alleles_found,
            tested_positions=tested,
        )

    if (
        not general.tested_positions
        and not hapb3_copies
        and all(p not in genotypes for p in hapb3_positions)
    ):
        return result()
    plain: tuple[str, str] | None = None
    if not found:
        plain = (reference, reference)
    elif len(found) == 1:
        plain = (reference, found[0])
    elif len(found) == 2 and found[0] == found[1]:
        plain = (found[0], found[1])
    if plain is not None:
        diplotype = Diplotype(plain[0], plain[1], score=0)
        return result((diplotype,), (diplotype,))
    if not hapb3_copies and (het_positions <= 1 or general.phased):
        if general.diplotypes and len(general.diplotypes) == 1:
            return result(general.diplotypes, general.candidates)
    return result(alleles_found=tuple(found))
