"""Genome build detection: contig lengths first, then names; asked, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from genedesk.core.errors import BadInputError, UsageError
from genedesk.core.genomics import BuildUnknownError, KeepRules, read_vcf
from genedesk.core.genomics.build import detect_build
from genedesk.core.genomics.header import parse_header
from genedesk.core.genomics.reference import (
    normalise_chromosome,
    reference_build,
    reference_source,
)

COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"


def header(*lines: str) -> list[str]:
    return ["##fileformat=VCFv4.2", *lines, COLUMNS]


def test_contig_lengths_decide() -> None:
    h37 = parse_header(header("##contig=<ID=1,length=249250621>"))
    h38 = parse_header(header("##contig=<ID=chr1,length=248956422>"))
    assert detect_build(h37, "f.vcf", None).build == "GRCh37"
    assert detect_build(h38, "f.vcf", None).build == "GRCh38"
    assert detect_build(h38, "f.vcf", None).decided_by == "file"


@pytest.mark.parametrize(
    ("line", "build"),
    [
        ("##reference=file:///ref/human_g1k_v37.fasta", "GRCh37"),
        ("##reference=hg19", "GRCh37"),
        ("##reference=GRCh38", "GRCh38"),
        ("##reference=file:///data/Homo_sapiens_assembly38.fasta hg38", "GRCh38"),
        ("##contig=<ID=1,assembly=b37>", "GRCh37"),
        ("##contig=<ID=chr1,assembly=GCF_000001405.40>", "GRCh38"),
    ],
)
def test_assembly_names(line: str, build: str) -> None:
    assert detect_build(parse_header(header(line)), "f.vcf", None).build == build


def test_lengths_outweigh_names() -> None:
    h = parse_header(header("##reference=hg19", "##contig=<ID=chr1,length=248956422>"))
    evidence = detect_build(h, "f.vcf", None)
    assert evidence.build == "GRCh38"
    assert any("hg19" in clue or "GRCh37" in clue for clue in evidence.clues)


def test_unknown_build_is_asked() -> None:
    with pytest.raises(BuildUnknownError) as asked:
        detect_build(parse_header(header()), "lab.vcf", None)
    assert "lab.vcf" in asked.value.message and asked.value.hint
    with pytest.raises(BuildUnknownError):  # names that disagree are a question too
        detect_build(parse_header(header("##reference=hg19", "##assembly=GRCh38")), "x", None)


def test_callers_answer_is_used_and_checked() -> None:
    bare = parse_header(header())
    assert detect_build(bare, "f", "GRCh37").decided_by == "caller"
    h38 = parse_header(header("##contig=<ID=chr1,length=248956422>"))
    with pytest.raises(UsageError):
        detect_build(h38, "f", "GRCh37")
    with pytest.raises(UsageError):
        detect_build(bare, "f", "hg18")


def test_lengths_of_no_known_build_are_refused() -> None:
    t2t = parse_header(header("##contig=<ID=chr1,length=248387328>"))  # T2T-CHM13 chr1
    with pytest.raises(BadInputError, match="not those of GRCh37 or GRCh38"):
        detect_build(t2t, "f", None)


def test_reference_data_and_names() -> None:
    ref38 = reference_build("GRCh38")
    assert ref38.chromosome_accessions["17"] == "NC_000017.11"
    assert ref38.chromosome_accessions["MT"] == "NC_012920.1"
    assert reference_build("GRCh37").chromosome_accessions["X"] == "NC_000023.10"
    assert ref38.in_par("X", 2_781_479) and not ref38.in_par("X", 2_781_480)
    assert reference_build("GRCh37").in_par("Y", 10_001) and not ref38.in_par("X", 10_000)
    source = reference_source()
    assert source.package == "bioutils" and source.assemblies["GRCh38"] == "GRCh38.p14"
    assert [normalise_chromosome(n) for n in ("chr1", "1", "chrM", "MT", "chrx", "GL000207.1")] \
        == ["1", "1", "MT", "MT", "X", None]


def test_same_sample_on_both_builds(shared_data: Path) -> None:
    folder = shared_data / "platinum-genomes-hap.py"
    rules = KeepRules()
    on37 = read_vcf(folder / "PG_NA12878_chr21.vcf.gz", keep=rules)
    on38 = read_vcf(folder / "PG_NA12878_hg38-chr21.vcf.gz", keep=rules)
    assert (on37.facts.build.build, on38.facts.build.build) == ("GRCh37", "GRCh38")
    assert on37.facts.build.decided_by == on38.facts.build.decided_by == "file"
