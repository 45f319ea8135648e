"""The two human genome builds GeneDesk knows: sequence names, lengths, RefSeq accessions, PARs.

The data is `resources/genomics/reference_builds.json`, derived from NCBI's assembly reports by
`resources/genomics/derive_reference.py` (see its provenance block); nothing here is typed in.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from genedesk.core.paths import resources_dir

BUILDS: tuple[str, ...] = ("GRCh37", "GRCh38")
CHROMOSOMES: tuple[str, ...] = (*(str(n) for n in range(1, 23)), "X", "Y", "MT")

# Sequences that are not in NCBI's assembly reports but sit in common analysis sets (1000 Genomes
# hs37d5 decoy, the GRCh38 analysis set's EBV/decoy/HLA contigs). Records on them are counted as
# "other sequences", never refused and never kept.
_ANALYSIS_SET_EXTRAS = re.compile(
    r"^(hs37d5|chrEBV|NC_007605(\.1)?|HLA-[A-Za-z0-9*:]+|.*_decoy|chrUn_.*|.*_random|.*_alt)$"
)
_PRIMARY = re.compile(r"^(?:chr)?([1-9]|1[0-9]|2[0-2]|X|Y|M|MT)$", re.IGNORECASE)


@dataclass(frozen=True)
class ReferenceBuild:
    build: str
    assembly: str
    assembly_accession: str
    chromosome_lengths: dict[str, int]  # "1".."22", "X", "Y", "MT"
    chromosome_accessions: dict[str, str]  # "1" -> "NC_000001.11"
    other_sequences: dict[str, int]  # every name/alias/accession of the other sequences -> length
    pseudoautosomal: tuple[tuple[str, int, int], ...]  # (chrom, start, end), 1-based inclusive

    def in_par(self, chrom: str, pos: int) -> bool:
        return any(c == chrom and start <= pos <= end for c, start, end in self.pseudoautosomal)


@dataclass(frozen=True)
class ReferenceSource:
    package: str
    version: str
    derived_on: str
    assemblies: dict[str, str]


def normalise_chromosome(name: str) -> str | None:
    """'chr1' / '1' -> '1', 'chrM' / 'MT' -> 'MT'; None for anything that is not 1-22, X, Y, MT."""
    match = _PRIMARY.match(name)
    if match is None:
        return None
    core = match.group(1).upper()
    return "MT" if core in ("M", "MT") else core


@functools.cache
def _document() -> dict[str, object]:
    path = resources_dir() / "genomics" / "reference_builds.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def reference_build(build: str) -> ReferenceBuild:
    builds = _document()["builds"]
    assert isinstance(builds, dict)
    raw = builds[build]
    lengths: dict[str, int] = {}
    accessions: dict[str, str] = {}
    others: dict[str, int] = {}
    for seq in raw["sequences"]:
        if seq["role"] == "assembled-molecule":
            chrom = normalise_chromosome(seq["name"])
            if chrom is not None:
                lengths[chrom] = seq["length"]
                accessions[chrom] = seq["refseq_ac"]
            continue
        for alias in (seq["name"], *seq["aliases"], seq["refseq_ac"], seq["genbank_ac"]):
            if alias:
                others[alias] = seq["length"]
    pars = tuple((p["chrom"], p["start"], p["end"]) for p in raw["pseudoautosomal_regions"])
    return ReferenceBuild(
        build=build,
        assembly=raw["assembly"],
        assembly_accession=raw["assembly_accession"],
        chromosome_lengths=lengths,
        chromosome_accessions=accessions,
        other_sequences=others,
        pseudoautosomal=pars,
    )


def reference_source() -> ReferenceSource:
    doc = _document()
    source = doc["source"]
    builds = doc["builds"]
    assert isinstance(source, dict) and isinstance(builds, dict)
    return ReferenceSource(
        package=source["package"],
        version=source["version"],
        derived_on=source["derived_on"],
        assemblies={name: b["assembly"] for name, b in builds.items()},
    )


def chromosome_for_accession(name: str) -> tuple[str, str] | None:
    """'NC_000001.11' -> ('GRCh38', '1'): RefSeq/GenBank accessions name one build's sequence."""
    for build in BUILDS:
        ref = reference_build(build)
        for chrom, accession in ref.chromosome_accessions.items():
            if name == accession:
                return build, chrom
    return None


def is_other_known_sequence(name: str, build: str) -> bool:
    """An alt, unplaced, unlocalised, patch or analysis-set sequence of this build."""
    return name in reference_build(build).other_sequences or bool(_ANALYSIS_SET_EXTRAS.match(name))
