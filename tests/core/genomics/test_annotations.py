"""VEP CSQ, SnpEff ANN/EFF and ClinVar-style annotations; transcript choice; severity order."""

from __future__ import annotations

from pathlib import Path

import pytest

from genedesk.core.genomics import KeepRules, read_vcf
from genedesk.core.genomics.annotations import (
    AlleleAnnotation,
    choose_transcript,
    consequence_rank,
    is_pathogenic_text,
    layouts_from_header,
    numeric_clinsig_codes,
    parse_entries,
    worst_rank,
)
from genedesk.core.genomics.header import Declared
from genedesk.core.genomics.source import open_source

VEP = Declared("CSQ", ".", "String", "Consequence annotations from Ensembl VEP. Format: "
               "Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|HGVSc|HGVSp|CANONICAL|"
               "MANE_SELECT|CLIN_SIG|gnomADe_AF")


def entries(value: str) -> list[AlleleAnnotation]:
    (layout,) = layouts_from_header({"CSQ": VEP})
    return parse_entries(layout, value)


def test_severity_follows_ensembl_order() -> None:
    order = ["transcript_ablation", "stop_gained", "frameshift_variant", "missense_variant",
             "splice_region_variant", "synonymous_variant", "5_prime_UTR_variant",
             "intron_variant", "upstream_gene_variant", "intergenic_variant"]
    ranks = [consequence_rank(term) for term in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert worst_rank("intron_variant&splice_region_variant") == consequence_rank(
        "splice_region_variant")
    # terms outside the table rank by the annotator's impact
    assert consequence_rank("exon_loss_variant", "HIGH") < consequence_rank("missense_variant")
    assert consequence_rank("conservative_inframe_deletion", "MODERATE") > consequence_rank(
        "missense_variant")


def test_mane_then_canonical_then_most_severe() -> None:
    mane = entries("T|intron_variant|MODIFIER|G|NM_1|protein_coding|c.1-5A>T|||NM_1.2||,"
                   "T|stop_gained|HIGH|G|NM_2|protein_coding|c.9C>T|p.Gln3Ter|YES|||")
    chosen, others = choose_transcript(mane)
    assert chosen is not None and chosen.annotation.transcript == "NM_1" and len(others) == 1
    canonical = entries("T|stop_gained|HIGH|G|NM_2|protein_coding|c.9C>T|p.Gln3Ter|||||,"
                        "T|missense_variant|MODERATE|G|NM_3|protein_coding|c.8A>T||YES|||")
    chosen, _ = choose_transcript(canonical)
    assert chosen is not None and chosen.annotation.transcript == "NM_3"
    severe = entries("T|intron_variant|MODIFIER|G|NM_4|protein_coding|c.1-5A>T|||||,"
                     "T|missense_variant|MODERATE|G|NM_5|protein_coding|c.8A>T|p.Glu3Val||||")
    chosen, _ = choose_transcript(severe)
    assert chosen is not None and chosen.annotation.hgvs_p == "p.Glu3Val"
    assert choose_transcript([]) == (None, [])


def test_clinical_significance_words() -> None:
    for text in ("Pathogenic", "Likely_pathogenic", "Pathogenic/Likely_pathogenic",
                 "likely_pathogenic&benign", "Pathogenic,_low_penetrance", "probable-pathogenic",
                 "Benign|Pathogenic"):
        assert is_pathogenic_text(text), text
    for text in ("Benign", "Uncertain_significance", "Conflicting_classifications_of_"
                 "pathogenicity", "not_provided", ""):
        assert not is_pathogenic_text(text), text
    numeric = Declared("CLNSIG", ".", "Integer", "Variant Clinical Significance, 0 - Uncertain "
                       "significance, 1 - not provided, 2 - Benign, 3 - Likely benign, 4 - Likely "
                       "pathogenic, 5 - Pathogenic, 6 - drug response")
    codes = numeric_clinsig_codes(numeric)
    assert codes["5"] == "pathogenic" and codes["4"] == "likely_pathogenic"
    assert is_pathogenic_text("2|5", codes) and not is_pathogenic_text("2|3", codes)


def test_vep_worst_consequence_matches_bcftools_split_vep(shared_data: Path) -> None:
    """bcftools +split-vep -s worst:missense+ gives, per site, the worst consequence when it is
    missense or worse (split-vep.1.out); our ranking must find the same severity at every site."""
    folder = shared_data / "bcftools" / "vep"
    source = open_source(folder / "split-vep.vcf")
    (layout,) = layouts_from_header(source.header.info)
    assert layout.source == "VEP CSQ" and layout.fields[:3] == ("Allele", "Consequence", "IMPACT")
    expected = dict(line.rstrip("\n").split("\t") for line in
                    (folder / "split-vep.1.out").open())
    missense = consequence_rank("missense_variant")
    checked = 0
    for line in (folder / "split-vep.vcf").open():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        csq = dict(kv.partition("=")[::2] for kv in fields[7].split(";"))["CSQ"]
        worst = min(e.rank for e in parse_entries(layout, csq))
        if expected[fields[1]] == ".":
            assert worst > missense, fields[1]
        else:
            assert worst == worst_rank(expected[fields[1]]), fields[1]
            checked += 1
    assert checked > 20


def test_canonical_transcript_chosen_from_real_vep(shared_data: Path) -> None:
    result = read_vcf(shared_data / "bcftools" / "vep" / "split-vep.vcf",
                      keep=KeepRules.keep_everything())
    call = next(c for c in result.calls if c.pos == 14464)
    # split-vep.9.out: CANONICAL is ".,YES,YES,.,.,.,." at 14464; the first canonical is chosen
    assert call.annotation_source == "VEP CSQ"
    assert call.consequence == "non_coding_transcript_exon_variant"
    assert call.gene == "WASH7P"
    assert len(call.other_transcripts) == 6
    assert call.population_af is not None


def test_snpeff_ann_matches_vembrane_table(shared_data: Path) -> None:
    folder = shared_data / "snpeff-ann-vembrane"
    result = read_vcf(folder / "snpeff_ann.hg38.chr18.vcf", keep=KeepRules.keep_everything())
    assert result.facts.build.build == "GRCh38" and len(result.calls) == 8
    rows = [line.rstrip("\n").split("\t") for line in
            (folder / "snpeff_ann.expected_table.tsv").open()]
    header, body = rows[0], rows[1:]
    hgvs_c = header.index("ANN['HGVS.c']")
    assert sum(1 + len(c.other_transcripts) for c in result.calls) == len(body) == 46
    ours = {t.hgvs_c for c in result.calls for t in c.other_transcripts} | {
        c.hgvs_c for c in result.calls}
    assert ours == {row[hgvs_c] for row in body}
    cdh2 = next(c for c in result.calls if c.consequence == "stop_gained")
    assert (cdh2.gene, cdh2.hgvs_p, cdh2.annotation_source) == ("CDH2", "p.Leu21*", "SnpEff ANN")


def test_vep_stored_under_ann_is_read_by_its_header(shared_data: Path) -> None:
    result = read_vcf(shared_data / "snpeff-ann-vembrane" / "vep-in-ann-key" / "test.vcf",
                      keep=KeepRules.keep_everything())
    arid1a = next(c for c in result.calls if c.pos == 26760988)
    assert arid1a.consequence == "missense_variant" and arid1a.gene == "ARID1A"
    assert arid1a.annotation_source == "VEP ANN"
    assert arid1a.zygosity == "unknown" and "GT" in arid1a.notes[0]


def test_old_snpeff_eff(shared_data: Path) -> None:
    result = read_vcf(shared_data / "cyvcf2-tests" / "test.snpeff.vcf", sample="1094PC0012",
                      keep=KeepRules.keep_everything())
    annotated = [c for c in result.calls if c.annotation_source == "SnpEff EFF"]
    assert annotated and all(c.gene for c in annotated)


def test_clinvar_fields_and_hgvs_match_clnhgvs(shared_data: Path) -> None:
    result = read_vcf(shared_data / "clinvar-seqr" / "clinvar.vcf", keep=KeepRules())
    # only the two Pathogenic records are kept when no gene region is asked for
    assert [(c.chrom, c.pos, c.gene) for c in result.calls] == [
        ("1", 69134, "OR4F5"), ("MT", 13112, "MT-ND5")]
    first, mito = result.calls
    assert first.clinvar_allele_id == "2193183"
    assert first.clinvar_review_status == "criteria_provided,_single_submitter"
    assert mito.clinvar_condition == "Leigh_syndrome"
    assert all(c.kept_because == ("pathogenic_annotation",) for c in result.calls)
    assert result.summary.outside_regions == 10 and result.summary.reconciles()
    # ClinVar's own CLNHGVS is an independent check of the derived genomic HGVS
    everything = read_vcf(shared_data / "clinvar-seqr" / "clinvar.vcf",
                          keep=KeepRules.keep_everything())
    for call in everything.calls:
        clnhgvs = dict(kv.partition("=")[::2] for kv in call.info.split(";"))["CLNHGVS"]
        assert call.hgvs_g == clnhgvs


@pytest.mark.parametrize("name", ["split-vep.types.vcf", "split-vep.broken-LoF.vcf"])
def test_plugin_and_broken_subfields_do_not_break_reading(shared_data: Path, name: str) -> None:
    result = read_vcf(shared_data / "bcftools" / "vep" / name, keep=KeepRules.keep_everything())
    # split-vep.broken-LoF.vcf keeps VEP's output under the tag 'vep'
    assert result.calls and all(c.annotation_source.startswith("VEP") and c.consequence
                                for c in result.calls)
