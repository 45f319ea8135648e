"""Diplotype calling from genotypes at a gene's definition positions.

What "best-supported" means here (the PharmCAT approach, written down so it can be checked):

1. Only positions that were tested count. A definition position missing from the input is
   "not tested": it is listed, and every allele definition is compared on the tested positions
   only. An allele whose every defining position is untested cannot be seen and is dropped.
2. An allele matches one chromosome copy when, at every tested position, the copy carries the
   allele's base — the reference base where the allele's definition is silent, any listed base
   where the definition uses an IUPAC code.
3. Unphased genotypes are split into two copies in every possible way (each heterozygous position
   can go either way, independently); phased genotypes keep their orientation within a phase set.
   Every pair of alleles that explains both copies of some split is a candidate diplotype.
4. A candidate's score is the number of tested positions that its two alleles actually define,
   counting an IUPAC code only when it matched a non-reference base (the reference allele
   defines every position, so a copy explained as reference is strong evidence). The most
   specific explanation wins: the best-supported diplotypes are the candidates with the top
   score, and more than one of them is reported as a tie, never resolved by guessing.
5. A base that no definition mentions (an undocumented variant) blocks every candidate, so the
   gene is reported as not called — except for genes where CPIC/PharmCAT read such a base as
   the reference allele (DPYD, NUDT15, TPMT); the position is listed either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from genedesk.core.pgx.definitions import (
    IUPAC,
    DefinitionPosition,
    GeneDefinition,
    NamedAllele,
    is_ambiguity_code,
)


@dataclass(frozen=True)
class ObservedGenotype:
    """The two alleles seen at one position, as VCF allele sequences (REF or an ALT)."""

    alleles: tuple[str, str]
    phased: bool = False
    phase_set: int | None = None

    @property
    def homozygous(self) -> bool:
        return self.alleles[0] == self.alleles[1]


@dataclass(frozen=True)
class Diplotype:
    allele1: str
    allele2: str
    score: int

    @property
    def name(self) -> str:
        return f"{self.allele1}/{self.allele2}"


@dataclass(frozen=True)
class PositionNote:
    """A tested position that needs a word in the report (undocumented base, REF mismatch …)."""

    position: int
    label: str
    note: str


@dataclass(frozen=True)
class GeneCall:
    gene: str
    definitions_version: str
    diplotypes: tuple[Diplotype, ...]
    candidates: tuple[Diplotype, ...]
    not_tested: tuple[DefinitionPosition, ...]
    notes: tuple[PositionNote, ...] = ()
    phased: bool = False
    # DPYD from unphased data with several variants: the alleles found, each once or twice
    # (homozygous); CPIC then scores the two lowest-function alleles.
    alleles_found: tuple[str, ...] = ()
    tested_positions: int = 0
    extra_genotypes: tuple[tuple[str, str], ...] = field(default=())

    @property
    def called(self) -> bool:
        return bool(self.diplotypes) or bool(self.alleles_found)

    @property
    def tie(self) -> bool:
        return len(self.diplotypes) > 1

    @property
    def display(self) -> str:
        """The call as written in PharmCAT's reports: ties joined with " | "."""
        if self.diplotypes:
            return " | ".join(d.name for d in self.diplotypes)
        if self.alleles_found:
            return " | ".join(dict.fromkeys(self.alleles_found))
        return "not called"


_CHUNKS = re.compile(r"(\d+)")


def allele_sort_key(
    name: str, reference: bool = False
) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """Reference allele first, then natural order (*2 before *10, c.61 before c.557)."""
    parts = tuple((0, int(c)) if c.isdigit() else (1, c) for c in _CHUNKS.split(name) if c)
    return (0 if reference else 1, parts)


class _Prepared:
    """One gene's definitions reduced to the tested positions of one sample."""

    def __init__(
        self,
        definition: GeneDefinition,
        genotypes: Mapping[int, ObservedGenotype],
    ) -> None:
        self.definition = definition
        self.notes: list[PositionNote] = []
        self.indices: list[int] = []
        self.observed: list[tuple[str, str]] = []
        self.phase: list[ObservedGenotype] = []
        missing: list[DefinitionPosition] = []
        for index, pos in enumerate(definition.positions):
            genotype = genotypes.get(pos.position)
            if genotype is None:
                missing.append(pos)
                continue
            known = definition.known_alleles(index)
            alleles = list(genotype.alleles)
            for k, observed in enumerate(alleles):
                if observed in known:
                    continue
                if definition.undocumented_as_reference:
                    self.notes.append(
                        PositionNote(
                            pos.position,
                            pos.label,
                            f"allele {observed} is not in any definition; read as reference",
                        )
                    )
                    alleles[k] = pos.ref
                else:
                    self.notes.append(
                        PositionNote(
                            pos.position,
                            pos.label,
                            f"allele {observed} is not in any definition; the gene cannot be called",
                        )
                    )
            self.indices.append(index)
            self.observed.append((alleles[0], alleles[1]))
            self.phase.append(genotype)
        self.missing = tuple(missing)
        reference = definition.reference_allele
        self.alleles: list[NamedAllele] = []
        # expected[a][i]: the set of VCF alleles allele a accepts at tested position i;
        # weight[a][i]: whether that position is part of a's own definition.
        self.expected: list[list[frozenset[str]]] = []
        self.defined: list[list[str | None]] = []
        for allele in definition.alleles:
            values = [allele.definition[i] for i in self.indices]
            if not allele.reference and all(v is None for v in values):
                continue  # nothing tested tells this allele apart
            accepted = []
            for i, value in zip(self.indices, values, strict=True):
                if value is None:
                    ref_value = reference.definition[i]
                    if ref_value is None or is_ambiguity_code(ref_value):
                        ref_value = definition.positions[i].ref
                    value = ref_value
                accepted.append(IUPAC[value] if is_ambiguity_code(value) else frozenset({value}))
            self.alleles.append(allele)
            self.expected.append(accepted)
            self.defined.append(values)

    def weight(self, a: int, i: int, observed: str) -> int:
        value = self.defined[a][i]
        if value is None:
            return 0
        if is_ambiguity_code(value) and observed == self.definition.positions[self.indices[i]].ref:
            return 0
        return 1

    def phase_groups(self) -> list[list[int]]:
        """Positions whose orientation must be chosen together."""
        groups: dict[object, list[int]] = {}
        free: list[list[int]] = []
        for i, genotype in enumerate(self.phase):
            if self.observed[i][0] == self.observed[i][1]:
                free.append([i])
            elif genotype.phased:
                groups.setdefault(("ps", genotype.phase_set), []).append(i)
            else:
                free.append([i])
        return list(groups.values()) + free


def _pair_score(prep: _Prepared, a: int, b: int, groups: list[list[int]]) -> int | None:
    total = 0
    for group in groups:
        best: int | None = None
        for flip in (False, True):
            score = 0
            for i in group:
                x, y = prep.observed[i]
                if flip:
                    x, y = y, x
                if x not in prep.expected[a][i] or y not in prep.expected[b][i]:
                    break
                score += prep.weight(a, i, x) + prep.weight(b, i, y)
            else:
                best = score if best is None else max(best, score)
        if best is None:
            return None
        total += best
    return total


def _candidates(prep: _Prepared) -> list[Diplotype]:
    n = len(prep.indices)
    # An allele can only be part of a diplotype if it fits one of the two bases everywhere.
    usable = [
        a
        for a in range(len(prep.alleles))
        if all(
            prep.observed[i][0] in prep.expected[a][i] or prep.observed[i][1] in prep.expected[a][i]
            for i in range(n)
        )
    ]
    groups = prep.phase_groups()
    found: list[Diplotype] = []
    for x, a in enumerate(usable):
        for b in usable[x:]:
            score = _pair_score(prep, a, b, groups)
            if score is None:
                continue
            first, second = prep.alleles[a], prep.alleles[b]
            if allele_sort_key(second.name, second.reference) < allele_sort_key(
                first.name, first.reference
            ):
                first, second = second, first
            found.append(Diplotype(first.name, second.name, score))
    reference_names = {a.name for a in prep.alleles if a.reference}
    found.sort(
        key=lambda d: (
            -d.score,
            allele_sort_key(d.allele1, d.allele1 in reference_names),
            allele_sort_key(d.allele2, d.allele2 in reference_names),
        )
    )
    return found


def call_gene(definition: GeneDefinition, genotypes: Mapping[int, ObservedGenotype]) -> GeneCall:
    """Call one gene from genotypes keyed by position on the gene's chromosome."""
    prep = _Prepared(definition, genotypes)
    extra = tuple(
        (p.label, "/".join(genotypes[p.position].alleles))
        for p in definition.extra_positions
        if p.position in genotypes
    )
    phased = bool(prep.phase) and all(g.phased or g.homozygous for g in prep.phase)
    candidates = _candidates(prep) if prep.indices else []
    top = tuple(d for d in candidates if d.score == candidates[0].score)
    return GeneCall(
        gene=definition.gene,
        definitions_version=definition.version,
        diplotypes=top,
        candidates=tuple(candidates),
        not_tested=prep.missing,
        notes=tuple(prep.notes),
        phased=phased,
        tested_positions=len(prep.indices),
        extra_genotypes=extra,
    )


def genotypes_for(
    definition: GeneDefinition,
    genotypes: Mapping[tuple[str, int], ObservedGenotype],
) -> dict[int, ObservedGenotype]:
    """Pick one gene's positions out of a genome-wide mapping keyed by (chromosome, position)."""
    wanted = {p.position for p in (*definition.positions, *definition.extra_positions)}
    chrom = definition.chromosome
    return {pos: g for (c, pos), g in genotypes.items() if c == chrom and pos in wanted}


def heterozygous_count(genotypes: Iterable[ObservedGenotype]) -> int:
    return sum(1 for g in genotypes if not g.homozygous)
