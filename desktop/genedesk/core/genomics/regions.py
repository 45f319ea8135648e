"""The keep rules of one build, merged into sorted intervals per chromosome for fast look-ups."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from genedesk.core.errors import UsageError
from genedesk.core.genomics.model import KeepRules
from genedesk.core.genomics.reference import normalise_chromosome


@dataclass
class RegionIndex:
    everything: bool = False
    keep_pathogenic: bool = True
    # per chromosome ("1".."22", "X", "Y", "MT"): merged intervals, 1-based inclusive
    starts: dict[str, list[int]] = field(default_factory=dict)
    ends: dict[str, list[int]] = field(default_factory=dict)
    genes: dict[str, list[str]] = field(default_factory=dict)
    pgx: dict[str, dict[int, str]] = field(default_factory=dict)
    pgx_ref: dict[str, dict[int, str]] = field(default_factory=dict)
    pgx_sorted: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_rules(cls, rules: KeepRules, build: str) -> RegionIndex:
        index = cls(everything=rules.everything, keep_pathogenic=rules.keep_pathogenic)
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for region in rules.regions.get(build, ()):
            chrom = normalise_chromosome(region.chrom)
            if chrom is None or region.end < region.start:
                raise UsageError(
                    f"gene region {region.gene} has an unusable place "
                    f"{region.chrom}:{region.start}-{region.end}"
                )
            spans.setdefault(chrom, []).append(
                (max(1, region.start - rules.margin), region.end + rules.margin, region.gene)
            )
        for position in rules.pharmacogenomic_positions.get(build, ()):
            chrom = normalise_chromosome(position.chrom)
            if chrom is None:
                raise UsageError(
                    f"pharmacogenomic position {position.label} has an unusable "
                    f"chromosome {position.chrom}"
                )
            index.pgx.setdefault(chrom, {})[position.pos] = position.label
            if position.ref:
                index.pgx_ref.setdefault(chrom, {})[position.pos] = position.ref.upper()
            spans.setdefault(chrom, []).append((position.pos, position.pos, ""))
        index.pgx_sorted = {chrom: sorted(positions) for chrom, positions in index.pgx.items()}
        for chrom, items in spans.items():
            items.sort()
            starts: list[int] = []
            ends: list[int] = []
            genes: list[str] = []
            for start, end, gene in items:
                if starts and start <= ends[-1] + 1:
                    ends[-1] = max(ends[-1], end)
                    if gene and gene not in genes[-1].split(","):
                        genes[-1] = f"{genes[-1]},{gene}" if genes[-1] else gene
                else:
                    starts.append(start)
                    ends.append(end)
                    genes.append(gene)
            index.starts[chrom], index.ends[chrom], index.genes[chrom] = starts, ends, genes
        return index

    def overlapping(self, chrom: str, start: int, end: int) -> str | None:
        """The gene names of the merged interval overlapping [start, end], or None."""
        starts = self.starts.get(chrom)
        if not starts:
            return None
        k = bisect.bisect_right(starts, end) - 1
        if k >= 0 and self.ends[chrom][k] >= start:
            return self.genes[chrom][k]
        return None

    def pharmacogenomic(self, chrom: str, start: int, end: int) -> str | None:
        positions = self.pgx_sorted.get(chrom)
        if not positions:
            return None
        k = bisect.bisect_left(positions, start)
        if k < len(positions) and positions[k] <= end:
            pos = positions[k]
            return self.pgx[chrom][pos] or f"{chrom}:{pos}"
        return None

    def pharmacogenomic_within(self, chrom: str, start: int, end: int) -> list[int]:
        """Every PGx position from start to end (both included), in order."""
        positions = self.pgx_sorted.get(chrom, [])
        return positions[bisect.bisect_left(positions, start) : bisect.bisect_right(positions, end)]

    def intervals(self, join_within: int = 0) -> list[tuple[str, int, int]]:
        """The merged intervals; with `join_within`, neighbours closer than that are joined
        (fewer index queries; the records in between are counted as outside the regions)."""
        joined: list[tuple[str, int, int]] = []
        for chrom in self.starts:
            for start, end in zip(self.starts[chrom], self.ends[chrom], strict=True):
                if joined and joined[-1][0] == chrom and start - joined[-1][2] <= join_within:
                    joined[-1] = (chrom, joined[-1][1], max(end, joined[-1][2]))
                else:
                    joined.append((chrom, start, end))
        return joined
