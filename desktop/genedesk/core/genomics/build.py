"""Which genome build a VCF's coordinates are on, told from its header, never guessed.

Clues, strongest first: `##contig` lengths of chromosomes 1-22/X/Y (each build's lengths differ;
they come from NCBI's assembly reports), then assembly names in `##reference`, `##assembly` and
`##contig=<...,assembly=...>`. When the clues are missing or disagree, `BuildUnknownError` lets the
caller ask the person; the answer comes back as `build=`.
"""

from __future__ import annotations

import re

from genedesk.core.errors import BadInputError, UsageError
from genedesk.core.genomics.header import VcfHeader
from genedesk.core.genomics.model import Build, BuildEvidence
from genedesk.core.genomics.reference import BUILDS, normalise_chromosome, reference_build


class BuildUnknownError(BadInputError):
    """The file does not say which genome build it uses: ask, then read again with `build=`."""

    def __init__(self, file_name: str, clues: tuple[str, ...]) -> None:
        found = "; ".join(clues) if clues else "no ##reference, ##assembly or ##contig lengths"
        super().__init__(
            f"{file_name}: the file does not say which genome build (GRCh37 or GRCh38) its "
            f"positions are on ({found}).",
            hint="Ask the lab which build they used, then import again choosing that build.",
        )
        self.file_name = file_name
        self.clues = clues


# Names by which files refer to each build (UCSC, 1000 Genomes and GATK bundle names); the NCBI
# assembly accession of each build's patch release comes from the reference data.
_BUILD_NAMES = {
    "GRCh37": r"grch37|hg19|\bb37\b|hs37d5|human_g1k_v37|g1k_v37",
    "GRCh38": r"grch38|hg38|\bb38\b|hs38",
}


def _names_pattern(build: str) -> re.Pattern[str]:
    accession = re.escape(reference_build(build).assembly_accession)
    return re.compile(rf"{_BUILD_NAMES[build]}|{accession}\b", re.IGNORECASE)


def _named_build(text: str) -> set[str]:
    return {build for build in BUILDS if _names_pattern(build).search(text)}


def _length_clues(header: VcfHeader) -> tuple[set[str], list[str], list[str]]:
    """Builds whose chromosome lengths match the ##contig lines; clue texts; contradictions."""
    matches: set[str] = set()
    clues: list[str] = []
    mismatched: list[str] = []
    for contig in header.contigs:
        chrom = normalise_chromosome(contig.name)
        if chrom is None or chrom == "MT" or contig.length is None:
            continue  # the mitochondrial genome (rCRS) has the same length in both builds
        fitting = [
            b for b in BUILDS if reference_build(b).chromosome_lengths.get(chrom) == contig.length
        ]
        if fitting:
            matches.update(fitting)
            if len(clues) < 2:
                clues.append(
                    f"##contig {contig.name} length {contig.length:,} is {' and '.join(fitting)}"
                )
        else:
            mismatched.append(f"{contig.name} ({contig.length:,} bases)")
    return matches, clues, mismatched


def detect_build(header: VcfHeader, file_name: str, caller_build: str | None) -> BuildEvidence:
    length_builds, clues, mismatched = _length_clues(header)
    named: set[str] = set()
    for source, text in (
        ("##reference", header.reference),
        *(("##assembly", a) for a in header.assembly_lines),
    ):
        found = _named_build(text)
        if found:
            named |= found
            clues.append(f"{source} names {' and '.join(sorted(found))}")
    contig_assemblies = {c.assembly for c in header.contigs if c.assembly}
    for assembly in sorted(contig_assemblies)[:3]:
        found = _named_build(assembly)
        if found:
            named |= found
            clues.append(f"##contig assembly={assembly}")
    if mismatched and length_builds:
        clues.append(f"##contig lengths of {', '.join(mismatched[:3])} match neither build")
    elif mismatched:
        raise BadInputError(
            f"{file_name}: the header's chromosome lengths ({', '.join(mismatched[:3])}) are not "
            "those of GRCh37 or GRCh38, so the file was not made on a human reference GeneDesk "
            "knows.",
            hint="Ask the lab for a VCF on GRCh37 or GRCh38.",
        )
    from_file: set[str] = length_builds if length_builds else named
    if caller_build is not None:
        if caller_build not in BUILDS:
            raise UsageError(f"the genome build must be GRCh37 or GRCh38, not '{caller_build}'")
        if length_builds and caller_build not in length_builds:
            raise UsageError(
                f"{file_name}: you chose {caller_build}, but the file's chromosome lengths are "
                f"those of {' and '.join(sorted(length_builds))}."
            )
        if len(from_file) == 1 and caller_build not in from_file:
            raise UsageError(
                f"{file_name}: you chose {caller_build}, but the file's header says "
                f"{next(iter(from_file))} ({'; '.join(clues)})."
            )
        return BuildEvidence(_as_build(caller_build), "caller", tuple(clues))
    if len(from_file) == 1:
        return BuildEvidence(_as_build(next(iter(from_file))), "file", tuple(clues))
    raise BuildUnknownError(file_name, tuple(clues))


def _as_build(name: str) -> Build:
    if name == "GRCh37":
        return "GRCh37"
    return "GRCh38"
