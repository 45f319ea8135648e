"""gVCF from bcftools' tests: reference blocks, <NON_REF>, a merged multi-sample gVCF.

These excerpts declare made-up contig lengths (chr22 of 450 or 10,514,891 bases), which GeneDesk
refuses (see test_shared_fixtures). Here the same records are read under their header with only
the `##contig` lines removed, and the build given as the counsellor's answer.
"""

from __future__ import annotations

from pathlib import Path

from genedesk.core.genomics import KeepRules, read_vcf


def without_contig_lines(source: Path, target: Path) -> Path:
    lines = source.read_text().splitlines(keepends=True)
    target.write_text("".join(line for line in lines if not line.startswith("##contig")))
    return target


def test_illumina_blocks(shared_data: Path, tmp_path: Path) -> None:
    path = without_contig_lines(shared_data / "bcftools" / "gvcf" / "convert.gvcf.vcf",
                                tmp_path / "convert.gvcf.vcf")
    result = read_vcf(path, keep=KeepRules.keep_everything())
    summary = result.summary
    # ##reference=.../human_g1k_v37.fasta tells the build; 30 blocks (ALT .) and one SNV
    assert result.facts.build.build == "GRCh37" and result.facts.build.decided_by == "file"
    assert (summary.records_read, summary.reference_only_records, summary.alt_alleles_seen) == (
        31, 30, 1)
    assert summary.filtered_records == 10  # LowGQX ×5 and HighDepth ×5
    assert summary.reconciles()


def test_merged_gvcf_each_sample(shared_data: Path, tmp_path: Path) -> None:
    path = without_contig_lines(shared_data / "bcftools" / "gvcf" / "merge.gvcf.5.1.out",
                                tmp_path / "merged.gvcf.vcf")
    rules = KeepRules.keep_everything()
    thirteen = read_vcf(path, sample="13", build="GRCh38", keep=rules)
    (call,) = thirteen.calls
    # 10510113 C><NON_REF>,T with GT 2/2: T homozygous; <NON_REF> is not a variant
    assert (call.chrom, call.pos, call.ref, call.alt, call.zygosity) == (
        "22", 10510113, "C", "T", "homozygous")
    summary = thirteen.summary
    assert (summary.alt_alleles_seen, summary.not_a_variant, summary.kept) == (4, 3, 1)
    assert summary.reference_only_records == 2 and summary.reconciles()
    eleven = read_vcf(path, sample="11", build="GRCh38", keep=rules)
    assert eleven.calls == () and eleven.summary.not_carried == 1


def test_gatk_per_base_gvcf(shared_data: Path) -> None:
    result = read_vcf(shared_data / "bcftools" / "gvcf" / "gvcfz.vcf",
                      keep=KeepRules.keep_everything())
    summary = result.summary
    assert summary.records_read == 2595 and summary.reference_only_records == 2390
    assert summary.kept + summary.not_carried + summary.no_call == summary.alt_alleles_seen
