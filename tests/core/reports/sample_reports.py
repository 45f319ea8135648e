"""Report requests built the way the findings service fills them: explanations from
knowledge.explain, classifications from acmg.classify, the SF list from the gene table and the
pharmacogenomic summary from the real calling engine. Variants and people are invented test
inputs (the HGVS strings are made up; no real person's result).

Used by the letter tests and by tests/benchmarks/bench_reports.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Sequence

from genedesk.core.knowledge.acmg import Classification, classify
from genedesk.core.knowledge.explain import (
    clinician_explanation,
    family_explanation,
    patient_explanation,
)
from genedesk.core.knowledge.genes import shipped_genes
from genedesk.core.pgx.calling import ObservedGenotype
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.pgx.genes import call_all
from genedesk.core.pgx.report import clinician_report
from genedesk.core.reports.model import (
    AcmgEvidence,
    Clinic,
    ClinvarEvidence,
    FindingCategory,
    FindingText,
    PgxSummary,
    ReportFinding,
    ReportKind,
    ReportPatient,
    ReportRequest,
    ReportTest,
    ReportVariant,
    Signer,
)

REPORT_DATE = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
KNOWLEDGE = "GeneDesk knowledge base 0.1.0 (test)"
CLINVAR = "ClinVar 2025-01-05 (GRCh38)"
SHA = "3b4c1f0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"

# Criteria that acmg.classify turns into each class (the class itself is read from the result).
CRITERIA = {
    "pathogenic": "PVS1,PS3,PM2_Supporting",
    "likely_pathogenic": "PVS1,PM2_Supporting",
    "uncertain_significance": "PM2_Supporting,PP3",
    "likely_benign": "BP4,BP7",
    "benign": "BA1",
}

NAMES = {
    "vietnamese": ("Nguyễn Thị", "Ánh"),
    "polish": ("Łukasz", "Żółć"),
    "icelandic": ("Ólafur", "Þórsson"),
    "greek": ("Σοφία", "Παπαδοπούλου"),
    "russian": ("Юлия", "Смирнова"),
}


def patient(given: str = "Ana", family: str = "Pérez", sex: str = "female") -> ReportPatient:
    return ReportPatient(
        given_name=given,
        family_name=family,
        date_of_birth=dt.date(1984, 3, 2),
        sex_at_birth=sex,
        record_number="MRN-0042",
    )


def clinic(**overrides: str) -> Clinic:
    values = dict(
        name="Northfield Clinical Genetics Service",
        address="Level 3, Northfield Hospital\n12 Harbour Road\nNorthfield NF1 2AB",
        phone="+44 20 7946 0000",
        email="genetics@northfield.example",
        contact_name="Maria Lopez",
        contact_role="Genetic counsellor",
    )
    values.update(overrides)
    return Clinic(**values)


def test_record(test_id: int = 7) -> ReportTest:
    return ReportTest(
        test_id=test_id,
        lab="Helix Diagnostics Lab",
        test_type="exome",
        build="GRCh38",
        source_name="HX-2025-0193.vcf.gz",
        source_sha256=SHA,
        imported_at=dt.datetime(2025, 3, 1, 10, 5, tzinfo=dt.UTC),
        imported_by="Maria Lopez",
        sample_name="HX0193",
    )


def variant(n: int, zygosity: str = "heterozygous") -> ReportVariant:
    pos = 43_000_000 + n * 37
    return ReportVariant(
        build="GRCh38",
        chrom="17",
        pos=pos,
        ref="G",
        alt="A",
        zygosity=zygosity,
        genotype={"heterozygous": "0/1", "homozygous": "1/1", "hemizygous": "1"}.get(
            zygosity, "./."
        ),
        transcript=f"NM_{7000 + n:06d}.4",
        hgvs_c=f"c.{100 + n}G>A",
        hgvs_p=f"p.(Arg{30 + n}His)",
        hgvs_g=f"NC_000017.11:g.{pos}G>A",
        consequence="missense_variant",
        depth=40 + n % 20,
        genotype_quality=99,
        allele_fraction=0.48,
        quality=1234.5,
        filter="PASS",
    )


def finding(
    finding_id: int,
    gene: str,
    classification: str,
    *,
    condition: str | None = None,
    zygosity: str = "heterozygous",
    sex: str = "female",
    category: FindingCategory = FindingCategory.PRIMARY,
    note: str = "",
    edited_paragraphs: Sequence[str] | None = None,
    clinvar_stars: int | None = 2,
) -> ReportFinding:
    table = shipped_genes()
    known = table.gene(gene)
    kb_condition = (
        known.conditions[0]
        if condition is None
        else next(c for c in known.conditions if c.name == condition)
    )
    args = (gene, kb_condition.name, classification, zygosity, None, sex)
    result = classify(CRITERIA[classification])
    benign = classification in ("likely_benign", "benign")
    return ReportFinding(
        id=finding_id,
        gene=known.symbol,
        condition=kb_condition.name,
        inheritance=kb_condition.inheritance,
        category=category,
        classification=classification,
        classification_label=Classification(classification).label,
        variant=variant(finding_id, zygosity),
        condition_ids=kb_condition.identifiers,
        test_id=7,
        acmg=AcmgEvidence.from_result(result),
        clinvar=None
        if clinvar_stars is None
        else ClinvarEvidence(
            CLINVAR,
            "Pathogenic",
            stars=clinvar_stars,
            review_status="criteria provided, multiple submitters, no conflicts",
            variation_id=55_000 + finding_id,
        ),
        patient_text=FindingText.from_explanation(
            patient_explanation(*args), paragraphs=edited_paragraphs
        ),
        family_text=None if benign else FindingText.from_explanation(family_explanation(*args)),
        clinician_text=FindingText.from_explanation(clinician_explanation(*args)),
        clinician_note=note,
    )


def pgx_summary() -> PgxSummary:
    """A real call: CYP2C19 *1/*2 and DPYD c.1905+1G>A heterozygous, everything else reference."""
    genotypes: dict[tuple[str, int], ObservedGenotype] = {}
    definitions = load_definitions()
    for definition in definitions.values():
        for position in definition.positions:
            genotypes[(definition.chromosome, position.position)] = ObservedGenotype(
                (position.ref, position.ref)
            )

    def carry(gene: str, rsid: str, alt: str) -> None:
        definition = definitions[gene]
        position = next(p for p in definition.positions if p.rsid == rsid)
        genotypes[(definition.chromosome, position.position)] = ObservedGenotype(
            (position.ref, alt)
        )

    carry("DPYD", "rs3918290", "T")
    return PgxSummary.from_report(clinician_report(call_all(genotypes)), test_id=7)


def two_findings() -> tuple[ReportFinding, ReportFinding]:
    return (
        finding(1, "BRCA1", "pathogenic", note="Confirmed by Sanger sequencing."),
        finding(
            2,
            "MYH7",
            "uncertain_significance",
            category=FindingCategory.SECONDARY,
            note="Segregation studies in the family may help.",
        ),
    )


def many_findings(count: int, *, note: str = "") -> tuple[ReportFinding, ...]:
    """`count` findings over the shipped genes, cycling through the classes and categories."""
    table = shipped_genes()
    genes = [
        (g.symbol, c.name) for g in table for c in g.conditions if c.inheritance in ("AD", "AR")
    ]
    classes = ("pathogenic", "likely_pathogenic", "uncertain_significance")
    found = []
    for n, ((gene, condition), classification) in enumerate(
        zip(
            itertools.islice(itertools.cycle(genes), count), itertools.cycle(classes), strict=False
        ),
        start=1,
    ):
        found.append(
            finding(
                n,
                gene,
                classification,
                condition=condition,
                category=FindingCategory.SECONDARY if n % 4 == 0 else FindingCategory.PRIMARY,
                note=note if n % 50 == 7 else "",
            )
        )
    return tuple(found)


def request(kind: ReportKind | str = ReportKind.PATIENT, **overrides: object) -> ReportRequest:
    table = shipped_genes()
    values: dict[str, object] = dict(
        kind=ReportKind(kind),
        patient=patient(),
        report_date=REPORT_DATE,
        clinic=clinic(),
        author="Maria Lopez",
        knowledge_base_version=KNOWLEDGE,
        **ReportRequest.knowledge(table),
        clinvar_release=CLINVAR,
        findings=two_findings(),
        tests=(test_record(),),
        pgx=pgx_summary(),
        signer=Signer("Dr Sam Okafor", "Consultant clinical geneticist", "GMC 7654321"),
        reason_for_test="a family history of breast cancer",
        referrer="Dr Jane Miller, Northfield Breast Clinic",
        secondary_findings_choice="yes",
        recontact_choice="yes",
        report_id="R-000012",
        version=1,
    )
    if values["kind"] is ReportKind.FAMILY:
        values["family_finding_id"] = 1
    values.update(overrides)
    return ReportRequest(**values)  # type: ignore[arg-type]


def final(req: ReportRequest) -> ReportRequest:
    from genedesk.core.reports.model import ReportStatus

    return dataclasses.replace(req, status=ReportStatus.FINAL)
