"""The VCF adapter on real files: ones written here, and PharmCAT's reader edge cases (../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pharmcat_cases import PHARMCAT, SHARED_MISSING_REASON

from genedesk.core.errors import UsageError
from genedesk.core.pgx.calling import call_gene, genotypes_for
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.pgx.vcf import read_pgx_genotypes

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr16>
##INFO=<ID=END,Number=1,Type=Integer,Description="End of block">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1
"""
VKORC1_POS = 31096368  # rs9923231, from the shipped VKORC1 table


def _write(tmp_path: Path, body: str, name: str = "s.vcf") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _vkorc1(path: Path) -> tuple[str, object]:
    definition = load_definitions()["VKORC1"]
    read = read_pgx_genotypes(path, [definition])
    return call_gene(definition, genotypes_for(definition, read.genotypes)).display, read


def test_plain_vcf_silence_is_not_tested(tmp_path: Path) -> None:
    path = _write(tmp_path, "chr16\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n")
    display, read = _vkorc1(path)
    assert display == "not called"
    assert not read.genotypes  # type: ignore[attr-defined]


def test_gvcf_reference_block_counts_as_reference(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"chr16\t{VKORC1_POS - 10}\t.\tA\t<NON_REF>\t.\tPASS\tEND={VKORC1_POS + 5}\tGT\t0/0\n",
    )
    display, read = _vkorc1(path)
    assert read.gvcf  # type: ignore[attr-defined]
    assert display == "rs9923231 reference (C)/rs9923231 reference (C)"


def test_variant_record_and_ad_consistency(tmp_path: Path) -> None:
    good = _write(
        tmp_path, f"chr16\t{VKORC1_POS}\trs9923231\tC\tT\t.\tPASS\t.\tGT:AD\t0/1:12,10\n", "a.vcf"
    )
    assert _vkorc1(good)[0] == "rs9923231 reference (C)/rs9923231 variant (T)"
    bad = _write(
        tmp_path, f"chr16\t{VKORC1_POS}\trs9923231\tC\tT\t.\tPASS\t.\tGT:AD\t0/1:30,0\n", "b.vcf"
    )
    display, read = _vkorc1(bad)
    assert display == "not called"
    assert "AD shows one allele" in read.notes[0].message  # type: ignore[attr-defined]


def test_ref_mismatch_and_partial_genotype_are_set_aside(tmp_path: Path) -> None:
    mismatch = _write(tmp_path, f"chr16\t{VKORC1_POS}\t.\tG\tT\t.\tPASS\t.\tGT\t0/1\n", "m.vcf")
    display, read = _vkorc1(mismatch)
    assert display == "not called" and "REF in the file (G)" in read.notes[0].message  # type: ignore[attr-defined]
    partial = _write(tmp_path, f"chr16\t{VKORC1_POS}\t.\tC\tT\t.\tPASS\t.\tGT\t./1\n", "p.vcf")
    display, read = _vkorc1(partial)
    assert display == "not called" and "incomplete" in read.notes[0].message  # type: ignore[attr-defined]


def test_contig_without_chr_prefix(tmp_path: Path) -> None:
    body = HEADER.replace("chr16", "16") + f"16\t{VKORC1_POS}\t.\tC\tT\t.\tPASS\t.\tGT\t1/1\n"
    path = tmp_path / "nochr.vcf"
    path.write_text(body, encoding="utf-8")
    assert _vkorc1(path)[0] == "rs9923231 variant (T)/rs9923231 variant (T)"


def test_progress_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, f"chr16\t{VKORC1_POS}\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\n")
    seen: list[tuple[int, int]] = []
    read_pgx_genotypes(
        path, [load_definitions()["VKORC1"]], progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 1)]


shared = pytest.mark.skipif(not PHARMCAT.is_dir(), reason=SHARED_MISSING_REASON)
READER = PHARMCAT / "haplotype-tests" / "vcfreader"


@shared
def test_pharmcat_allele_order_file_drops_half_calls() -> None:
    read = read_pgx_genotypes(
        READER / "VcfReaderTest-alleleOrder.vcf", [load_definitions()["DPYD"]]
    )
    # 0|1 and 1|0 are kept; the four half-missing genotypes are set aside and noted (PharmCAT
    # keeps .|1 and 1|. with a warning; GeneDesk lists them as not tested instead).
    assert len(read.genotypes) == 2
    assert sum("incomplete" in n.message for n in read.notes) == 4


@pytest.mark.parametrize(
    ("gt", "kept"),
    [("0/0", True), ("1/1", True), ("0/1", True), ("2/1", False), ("0/2", False), ("2/2", False)],
)
def test_symbolic_alt_in_use_is_discarded(tmp_path: Path, gt: str, kept: bool) -> None:
    # The records of PharmCAT's VcfReaderTest-structuralAlt.vcf, moved to a GeneDesk position.
    path = _write(tmp_path, f"chr16\t{VKORC1_POS}\t.\tC\tT,<*>\t.\tPASS\t.\tGT\t{gt}\n")
    display, read = _vkorc1(path)
    assert (display != "not called") is kept
    if not kept:
        assert "symbolic" in read.notes[0].message  # type: ignore[attr-defined]


@shared
def test_pharmcat_ad_file_discards_inconsistent_hets() -> None:
    read = read_pgx_genotypes(READER / "VcfReaderTest-AD.vcf", load_definitions().values())
    assert sum("AD shows one allele" in n.message for n in read.notes) == 2


@shared
def test_multisample_file_needs_a_sample_name() -> None:
    with pytest.raises(UsageError):
        read_pgx_genotypes(PHARMCAT / "examples" / "multisample.vcf", load_definitions().values())
