"""VariantCall <-> row: the reader process sends calls as plain tuples; nothing may shift or be lost."""

from __future__ import annotations

from dataclasses import fields

from genedesk.core.genomics.model import (
    CALL_FIELDS,
    TranscriptAnnotation,
    VariantCall,
    call_from_row,
    call_row,
)


def test_a_call_survives_the_row_round_trip_field_by_field() -> None:
    transcripts = (
        TranscriptAnnotation("BRCA1", "NM_007294.4", "c.68_69del", "p.Glu23fs", "frameshift_variant",
                             "HIGH", "protein_coding", "NM_007294.4", True, "Pathogenic"),
        TranscriptAnnotation("BRCA1", "NM_007300.4", "c.68_69del", "", "frameshift_variant", "HIGH"),
    )
    # every field given a value different from its default, so a shifted field cannot pass
    call = VariantCall(
        build="GRCh38", chrom="17", pos=43124027, ref="ACT", alt="A", genotype="0/1",
        zygosity="heterozygous", other_alt="AC", depth=41, genotype_quality=99,
        allele_fraction=0.4878, quality=812.5, filter="PASS", vcf_id="rs80357914",
        hgvs_g="NC_000017.11:g.43124028_43124029del", gene="BRCA1", transcript="NM_007294.4",
        hgvs_c="c.68_69del", hgvs_p="p.Glu23fs", consequence="frameshift_variant",
        annotation_source="VEP CSQ", other_transcripts=transcripts,
        clinvar_significance="Pathogenic", clinvar_review_status="reviewed_by_expert_panel",
        clinvar_condition="Hereditary_breast_ovarian_cancer_syndrome",
        clinvar_gene_info="BRCA1:672", clinvar_allele_id="46285", population_af=0.0001,
        population_af_source="gnomAD_AF", kept_because=("gene_region", "pathogenic_annotation"),
        region_gene="BRCA1", notes=("a note",), info="DP=41;CLNSIG=Pathogenic",
        record_locator="record chr17:43124027",
    )
    assert CALL_FIELDS == tuple(f.name for f in fields(VariantCall))
    row = call_row(call)
    assert all(type(value) in (str, int, float, tuple) for value in row), "plain values only"
    assert row[CALL_FIELDS.index("other_transcripts")][0][1] == "NM_007294.4"
    back = call_from_row(row)
    assert back == call
    assert {f.name: getattr(back, f.name) for f in fields(VariantCall)} == {
        f.name: getattr(call, f.name) for f in fields(VariantCall)}
    assert hash(back) == hash(call)
