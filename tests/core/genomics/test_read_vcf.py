"""read_vcf on small VCFs written here: splitting, zygosity, keep rules, counts, file facts."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from genedesk.core.errors import BadInputError
from genedesk.core.genomics import (
    GeneRegion,
    KeepRules,
    PharmacogenomicPosition,
    VariantCall,
    VcfReadResult,
    read_vcf,
)

from .conftest import HEADER_38, WriteVcf  # type: ignore[import-not-found]

BRCA1 = GeneRegion("chr17", 43044295, 43125483, "BRCA1")
CFTR = GeneRegion("7", 117480025, 117668665, "CFTR")
DMD = GeneRegion("X", 31097677, 33339441, "DMD")
RULES = KeepRules(regions={"GRCh38": (BRCA1, CFTR, DMD)}, margin=50)
EVERYTHING = KeepRules.keep_everything()


def by_alt(calls: tuple[VariantCall, ...]) -> dict[str, VariantCall]:
    return {c.alt: c for c in calls}


def test_multiallelic_split_trimmed_with_each_alleles_values(write_vcf: WriteVcf) -> None:
    path = write_vcf([
        "chr17 43045700 rs1 CAT C,CGT 99.5 PASS DP=40;gnomAD_AF=0.001,0.2 GT:AD:DP:GQ 1/2:2,18,20:40:87",
    ])
    result = read_vcf(path, keep=RULES)
    deletion, snv = result.calls
    assert (deletion.pos, deletion.ref, deletion.alt) == (43045700, "CAT", "C")
    assert (snv.pos, snv.ref, snv.alt) == (43045701, "A", "G")  # padded SNV trimmed
    assert deletion.zygosity == snv.zygosity == "heterozygous"
    assert (deletion.other_alt, snv.other_alt) == ("CGT", "C")
    assert deletion.hgvs_g == "NC_000017.11:g.43045701_43045702del"
    assert snv.hgvs_g == "NC_000017.11:g.43045701A>G"
    assert (deletion.allele_fraction, snv.allele_fraction) == (0.45, 0.5)
    assert (deletion.depth, deletion.genotype_quality, deletion.quality) == (40, 87, 99.5)
    assert (deletion.population_af, snv.population_af) == (0.001, 0.2)
    assert deletion.population_af_source == "gnomAD_AF"
    assert deletion.gene == "BRCA1" and deletion.kept_because == ("gene_region",)
    assert deletion.genotype == "1/2" and deletion.vcf_id == "rs1"
    assert deletion.info == "DP=40;gnomAD_AF=0.001,0.2" and deletion.record_locator.startswith(
        "line ")
    assert result.summary.multiallelic_records == 1 and result.summary.kept == 2


def test_every_allele_lands_in_one_count(write_vcf: WriteVcf) -> None:
    path = write_vcf([
        "chr17 43045710 . G A 50 PASS . GT 0/1",  # kept
        "chr17 43045711 . G A,T 50 PASS . GT 0/2",  # A not carried, T kept
        "chr17 43045712 . G A 50 PASS . GT ./.",  # no call
        "chr17 43045713 . G A,<NON_REF> 50 PASS . GT 1/1",  # A kept, <NON_REF> not a variant
        "chr17 43045714 . G <NON_REF> . PASS END=43045720 GT 0/0",  # reference block
        "chr17 43045721 . G . . PASS END=43045730 GT 0/0",  # reference block, no ALT
        "chr17 43045731 . G *,C 50 LowQual . GT 1/2",  # * not a variant, C kept
        "chr1 1000000 . A C 50 PASS . GT 0/1",  # outside every region
    ])
    summary = read_vcf(path, keep=RULES).summary
    assert summary.records_read == 8
    assert summary.alt_alleles_seen == 10
    assert (summary.kept, summary.not_carried, summary.no_call, summary.not_a_variant,
            summary.outside_regions) == (4, 1, 1, 3, 1)
    assert summary.reconciles()
    assert summary.reference_only_records == 2
    assert summary.filtered_records == 1 and summary.kept_not_pass == 1


def test_pathogenic_annotation_kept_anywhere_and_never_dropped_silently(
        write_vcf: WriteVcf) -> None:
    path = write_vcf([
        "chr1 1000000 . A C 50 PASS CLNSIG=Pathogenic GT 0/1",  # outside regions: kept
        "chr1 1000100 . A C 50 PASS CLNSIG=Likely_pathogenic GT 0/0",  # not carried: counted
        "chr1 1000200 . A C 50 PASS CLNSIG=Pathogenic GT ./.",  # no call at a P site: kept
        "chr1 1000300 . A C 50 PASS CLNSIG=Benign GT 0/1",  # outside, benign: counted
    ])
    result = read_vcf(path, keep=RULES)
    kept = {c.pos: c for c in result.calls}
    assert set(kept) == {1000000, 1000200}
    assert kept[1000000].kept_because == ("pathogenic_annotation",)
    assert kept[1000000].clinvar_significance == "Pathogenic"
    assert kept[1000200].zygosity == "unknown"
    summary = result.summary
    assert summary.kept_pathogenic_outside_regions == 2
    assert summary.pathogenic_not_carried == 1 and summary.outside_regions == 1
    assert summary.reconciles()
    without = read_vcf(path, keep=KeepRules(regions=RULES.regions, keep_pathogenic=False))
    assert without.calls == ()


def test_margin_and_pharmacogenomic_positions(write_vcf: WriteVcf) -> None:
    path = write_vcf([
        f"chr17 {BRCA1.end + 50} . A G 50 PASS . GT 0/1",  # inside the 50-base margin
        f"chr17 {BRCA1.end + 51} . A G 50 PASS . GT 0/1",  # just outside
        "chr1 2000000 . C T 50 PASS . GT 0/0",  # a reference genotype at a PGx position
    ])
    rules = KeepRules(regions=RULES.regions,
                      pharmacogenomic_positions={"GRCh38": (
                          PharmacogenomicPosition("1", 2000000, "rs_test"),)})
    result = read_vcf(path, keep=rules)
    assert [c.pos for c in result.calls] == [BRCA1.end + 50, 2000000]
    pgx = result.calls[1]
    assert pgx.zygosity == "not_carried" and pgx.kept_because == ("pharmacogenomic_position",)
    assert result.summary.kept_pharmacogenomic == 1 and result.summary.reconciles()


@pytest.mark.parametrize(
    ("sex", "pos", "expected"),
    [
        ("male", 31200000, "hemizygous"),  # DMD, outside the PARs
        ("female", 31200000, "homozygous"),
        ("unknown", 31200000, "homozygous"),
        (None, 31200000, "homozygous"),
        ("male", 1000000, "homozygous"),  # inside PAR1 (GRCh38 X:10,001-2,781,479)
    ],
)
def test_sex_chromosome_zygosity(write_vcf: WriteVcf, sex: str | None, pos: int,
                                 expected: str) -> None:
    path = write_vcf([f"chrX {pos} . A G 50 PASS . GT 1/1"])
    (call,) = read_vcf(path, keep=EVERYTHING, sex_at_birth=sex).calls  # type: ignore[arg-type]
    assert call.zygosity == expected and call.chrom == "X"


def test_sites_only_and_missing_gt_are_unknown(write_vcf: WriteVcf) -> None:
    sites = write_vcf(["chr17 43045710 . G A 50 PASS DP=12"], samples=())
    (call,) = read_vcf(sites, keep=RULES).calls
    assert call.zygosity == "unknown" and call.genotype == "" and call.depth == 12
    assert read_vcf(sites, keep=RULES).facts.chosen_sample is None
    no_gt = write_vcf(["chr17 43045710 . G A 50 PASS . DP:VAF 30:0.25"])
    (call,) = read_vcf(no_gt, keep=RULES).calls
    assert call.zygosity == "unknown" and call.allele_fraction == 0.25 and call.depth == 30


def test_sample_choice(write_vcf: WriteVcf) -> None:
    path = write_vcf(["chr17 43045710 . G A 50 PASS . GT 0/1 1/1"], samples=("MOTHER", "CHILD"))
    with pytest.raises(BadInputError) as ambiguous:
        read_vcf(path, keep=RULES)
    assert "2 samples (MOTHER, CHILD)" in ambiguous.value.message
    with pytest.raises(BadInputError) as unknown:
        read_vcf(path, sample="FATHER", keep=RULES)
    assert "'FATHER'" in unknown.value.message and "MOTHER, CHILD" in unknown.value.message
    (call,) = read_vcf(path, sample="CHILD", keep=RULES).calls
    assert call.zygosity == "homozygous"


def test_header_without_records_is_no_variants(write_vcf: WriteVcf) -> None:
    result = read_vcf(write_vcf([]), keep=RULES)
    assert result.calls == () and result.summary.records_read == 0 and result.summary.reconciles()


def test_undeclared_keys_warn_but_do_not_fail(write_vcf: WriteVcf) -> None:
    path = write_vcf(["chr17 43045710 . G A 50 PASS MYSTERY=1 GT:XY 0/1:3"])
    result = read_vcf(path, keep=RULES)
    assert len(result.calls) == 1
    assert any("INFO key 'MYSTERY'" in w for w in result.warnings)
    assert any("FORMAT key 'XY'" in w for w in result.warnings)


def test_chromosome_names(write_vcf: WriteVcf) -> None:
    header = HEADER_38.replace("chr", "") + "##contig=<ID=NC_000001.11,length=248956422>\n"
    path = write_vcf(["MT 8993 . T G 50 PASS . GT 1", "NC_000001.11 5 . A G 50 PASS . GT 0/1"],
                     header=header)
    mito, one = read_vcf(path, keep=EVERYTHING).calls
    assert (mito.chrom, mito.hgvs_g, mito.zygosity) == ("MT", "NC_012920.1:m.8993T>G",
                                                       "homozygous")
    assert (one.chrom, one.hgvs_g) == ("1", "NC_000001.11:g.5A>G")


def test_file_facts(write_vcf: WriteVcf) -> None:
    path = write_vcf(["chr17 43045710 . G A 50 PASS . GT 0/1"], name="lab.vcf.gz")
    result = read_vcf(path, keep=RULES)
    facts = result.facts
    assert facts.name == "lab.vcf.gz" and facts.size == path.stat().st_size
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.container == "vcf.gz (gzip)" and facts.vcf_version == "v4.2"
    assert facts.samples == ("S1",) and facts.chosen_sample == "S1"
    assert facts.build.build == "GRCh38" and facts.build.clues
    assert not facts.indexed_read


@pytest.mark.skipif(shutil.which("bcftools") is None or shutil.which("tabix") is None,
                    reason="needs bcftools and tabix (Debian packages bcftools, tabix)")
def test_bgzf_indexed_and_bcf_give_the_same_calls(write_vcf: WriteVcf, tmp_path: Path) -> None:
    records = [f"chr17 {43045000 + 10 * i} . G A,T 50 PASS . GT:AD 0/{1 + i % 2}:5,5,5"
               for i in range(200)] + ["chr1 1000000 . A C 50 PASS . GT 0/1"]
    without_clinsig = "".join(line + "\n" for line in HEADER_38.splitlines()
                              if "CLNSIG" not in line)
    text = write_vcf(records, header=without_clinsig)
    bgzf = tmp_path / "bgzf.vcf.gz"
    subprocess.run(["bcftools", "view", "-Oz", "-o", str(bgzf), str(text)], check=True)
    subprocess.run(["tabix", "-p", "vcf", str(bgzf)], check=True)
    bcf = tmp_path / "lab.bcf"
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(text)], check=True)
    subprocess.run(["bcftools", "index", str(bcf)], check=True)
    plain = read_vcf(text, keep=RULES)
    indexed = read_vcf(bgzf, keep=RULES)
    binary = read_vcf(bcf, keep=RULES)
    assert indexed.facts.indexed_read and binary.facts.indexed_read
    assert indexed.facts.container == "vcf.gz (bgzf)" and binary.facts.container == "bcf"

    def key(c: VariantCall) -> tuple[object, ...]:
        return (c.chrom, c.pos, c.ref, c.alt, c.genotype, c.zygosity, c.allele_fraction,
                c.hgvs_g)

    assert [key(c) for c in plain.calls] == [key(c) for c in indexed.calls] == [
        key(c) for c in binary.calls]
    assert len(plain.calls) == 200
    # the indexed reads only read the region; the streaming read counted the rest
    assert (plain.summary.records_read, plain.summary.not_carried,
            plain.summary.outside_regions) == (201, 200, 1)
    assert indexed.summary.records_read == binary.summary.records_read == 200
    # a file that can carry clinical significance is read whole, index or not
    annotated = tmp_path / "annotated.vcf.gz"
    subprocess.run(["bcftools", "view", "-Oz", "-o", str(annotated), str(write_vcf(
        records, name="annotated.vcf"))], check=True)
    subprocess.run(["tabix", "-p", "vcf", str(annotated)], check=True)
    whole = read_vcf(annotated, keep=RULES)
    assert not whole.facts.indexed_read and whole.summary.records_read == 201
    assert any("clinical-significance" in w for w in whole.warnings)


def test_index_and_stream_agree_on_real_data(shared_data: Path, tmp_path: Path) -> None:
    """Platinum Genomes chr21 (GRCh38): the same gene regions read through the .tbi and by one
    streaming pass over an unindexed copy give the same calls; bcftools view -R counts the same
    records in those regions (2,882 records, 2,923 ALT alleles)."""
    original = shared_data / "platinum-genomes-hap.py" / "PG_NA12878_hg38-chr21.vcf.gz"
    copy = tmp_path / "copy.vcf.gz"
    shutil.copyfile(original, copy)
    regions = tuple(GeneRegion("chr21", start, start + 200_000, f"R{start}")
                    for start in range(15_000_000, 40_000_000, 2_500_000))
    rules = KeepRules(regions={"GRCh38": regions}, margin=0)
    indexed = read_vcf(original, keep=rules)
    streamed = read_vcf(copy, keep=rules)
    assert indexed.facts.indexed_read and not streamed.facts.indexed_read
    assert (indexed.summary.records_read, indexed.summary.alt_alleles_seen) == (2882, 2923)
    # same calls, same order, same INFO text; only where they were found is named differently
    assert [replace(c, record_locator="") for c in indexed.calls] == [
        replace(c, record_locator="") for c in streamed.calls]
    assert indexed.calls[0].record_locator.startswith("record chr21:")
    assert streamed.summary.records_read == 65370 and streamed.summary.reconciles()


def test_plain_gzip_is_read(write_vcf: WriteVcf, tmp_path: Path) -> None:
    path = write_vcf(["chr17 43045710 . G A 50 PASS . GT 0/1"])
    packed = tmp_path / "plain.vcf.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert read_vcf(packed, keep=RULES).facts.container == "vcf.gz (gzip)"


@pytest.mark.skipif(shutil.which("bgzip") is None or shutil.which("tabix") is None,
                    reason="needs bgzip and tabix (Debian package tabix)")
def test_a_refusal_in_a_later_region_of_an_indexed_read_names_the_record(write_vcf: WriteVcf, tmp_path: Path) -> None:
    # Two regions far apart, each its own index query; the bad record is in the second.
    regions = (GeneRegion("chr1", 1_000_000, 1_100_000, "FIRST"),
               GeneRegion("chr2", 5_000_000, 5_100_000, "SECOND"))
    rules = KeepRules(regions={"GRCh38": regions}, margin=0)
    records = [f"chr1 {1_000_000 + 10 * i} . G A 50 PASS . GT 0/1" for i in range(50)]
    records += [f"chr2 {5_000_000 + 10 * i} . G A 50 PASS . GT 0/1" for i in range(20)]
    records.append("chr2 5050000 . G A 50 PASS . GT 0/7")  # names an allele the record lacks
    without_clinsig = "".join(line + "\n" for line in HEADER_38.splitlines() if "CLNSIG" not in line)
    text = write_vcf(records, header=without_clinsig)
    bgzf = tmp_path / "two-genes.vcf.gz"
    subprocess.run(f"bgzip -c {text} > {bgzf}", shell=True, check=True)
    subprocess.run(["tabix", "-p", "vcf", str(bgzf)], check=True)
    with pytest.raises(BadInputError, match=r"chr2:5050000.*allele the record does not have"):
        read_vcf(bgzf, keep=rules)
    before_the_bad_one = (regions[0], GeneRegion("chr2", 5_000_000, 5_000_500, "SECOND"))
    good = read_vcf(bgzf, keep=KeepRules(regions={"GRCh38": before_the_bad_one}, margin=0))
    assert good.facts.indexed_read and len(good.calls) == 50 + 20
    assert [c.pos for c in good.calls] == sorted(c.pos for c in good.calls if c.chrom == "1") + sorted(
        c.pos for c in good.calls if c.chrom == "2"), "file order across the regions"


def test_a_call_kept_only_for_a_pgx_position_is_not_counted_as_in_a_gene(write_vcf: WriteVcf) -> None:
    from genedesk.core.genomics import PharmacogenomicPosition

    rules = KeepRules(regions={"GRCh38": (BRCA1,)}, margin=0,
                      pharmacogenomic_positions={"GRCh38": (PharmacogenomicPosition("chr10", 94781859, "a PGx position"),)})
    result = read_vcf(write_vcf(["chr10 94781859 . G A 50 PASS . GT 0/1",
                                 "chr17 43045710 . G A 50 PASS . GT 0/1"]), keep=rules)
    assert (result.summary.kept, result.summary.kept_in_regions, result.summary.kept_pharmacogenomic) == (2, 1, 1)


@pytest.mark.skipif(shutil.which("bgzip") is None or shutil.which("tabix") is None,
                    reason="needs bgzip and tabix (Debian package tabix)")
def test_an_indexed_read_finds_a_chromosome_only_the_index_names(write_vcf: WriteVcf,
                                                                  tmp_path: Path) -> None:
    """The indexed read opens the file so that htslib does not load the index a second time,
    which also skips htslib adding the index's sequences to a header that lacks them. Calls on
    a chromosome the header leaves out (chr2 here) must still be found through the index."""
    regions = (GeneRegion("chr17", 43_044_295, 43_125_483, "BRCA1"),
               GeneRegion("chr2", 47_403_067, 47_634_501, "MSH2"))
    rules = KeepRules(regions={"GRCh38": regions}, margin=0)
    records = [f"chr2 {47_403_100 + 10 * i} . G A 50 PASS . GT:AD 0/1:7,3" for i in range(30)]
    records += [f"chr17 {43_045_000 + 10 * i} . C T 50 PASS . GT 1/1" for i in range(20)]
    without_clinsig = "".join(line + "\n" for line in HEADER_38.splitlines()
                              if "CLNSIG" not in line)
    text = write_vcf(records, header=without_clinsig)  # declares chr17, not chr2
    bgzf = tmp_path / "lab.vcf.gz"
    subprocess.run(f"bgzip -c {text} > {bgzf}", shell=True, check=True)
    subprocess.run(["tabix", "-p", "vcf", str(bgzf)], check=True)
    indexed = read_vcf(bgzf, keep=rules)
    streamed = read_vcf(text, keep=rules)
    assert indexed.facts.indexed_read and not streamed.facts.indexed_read
    def unplaced(result: VcfReadResult) -> list[VariantCall]:  # regions come in their own order
        return sorted((replace(c, record_locator="") for c in result.calls),
                      key=lambda c: (c.chrom, c.pos))

    assert unplaced(indexed) == unplaced(streamed)
    assert {c.chrom for c in indexed.calls} == {"2", "17"} and len(indexed.calls) == 50
    by_chrom = {c.chrom: c for c in indexed.calls}
    assert by_chrom["2"].allele_fraction == 0.3 and by_chrom["17"].zygosity == "homozygous"
