"""What a report is made from: the input contract of the patient letter, the clinician report and
the family letter.

Everything here is a frozen dataclass of plain values, so a report can be built from the vault,
from a test fixture or from the command line alike, and the same request always renders the same
bytes. The `from_…` constructors fill each part straight from the module that owns the facts:

- `ReportPatient.from_patient`      genedesk.core.patients.Patient
- `ReportFinding.from_finding`      genedesk.core.findings.Finding (texts, criteria, ClinVar)
- `ReportTest.from_genetic_test`    genedesk.core.imports.GeneticTest (provenance of the file)
- `ReportVariant.from_call`         genedesk.core.genomics.VariantCall
- `AcmgEvidence.from_result`        genedesk.core.knowledge.acmg.classify(...) (both systems)
- `ClinvarEvidence.from_allele`     genedesk.core.knowledge.clinvar.lookup(...) + its release
- `FindingText.from_explanation`    genedesk.core.knowledge.explain.*_explanation(...), with the
                                    counsellor's edits when there are any
- `PgxSummary.from_report`          genedesk.core.pgx.report.clinician_report(...)
- `ReportRequest.knowledge`         sf_list / sf_citation from GeneTable

A request says *what* to print. *Which* report and version it becomes (report ID, version number,
draft / final / amended, the amendment's reason) is decided by `store`, which fills those fields
before rendering; a request built by hand renders as an unsaved draft.

Module-level helpers at the end are shared by the three documents: page marks that show the
version and its status, the PDF metadata, and the draft / amendment banner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem

from genedesk.core.errors import UsageError
from genedesk.core.knowledge.acmg import Classification, default_rulebook
from genedesk.core.knowledge.explain import GlossaryEntry, glossary, glossary_terms_in
from genedesk.core.reports.blocks import boxed, gap
from genedesk.core.reports.document import DocumentInfo, Mark, PageMarks
from genedesk.core.reports.fonts import SANS
from genedesk.core.reports.styles import ACCENT, SHADE, Styles
from genedesk.core.reports.text import bold, paragraph, with_line_breaks
from genedesk.core.reports.words import Words

if TYPE_CHECKING:  # only for the `from_…` constructors' signatures; nothing heavy at run time
    from genedesk.core.findings import Finding
    from genedesk.core.genomics.model import VariantCall
    from genedesk.core.imports import GeneticTest
    from genedesk.core.knowledge.acmg import AcmgResult, Rulebook
    from genedesk.core.knowledge.clinvar import ClinvarAllele, ClinvarRelease
    from genedesk.core.knowledge.explain import Explanation
    from genedesk.core.knowledge.genes import GeneTable
    from genedesk.core.patients import Patient
    from genedesk.core.pgx.report import ClinicianPgxReport

PageSize = Literal["A4", "letter"]
Choice = Literal["yes", "no", "not_asked"]
CHOICES: tuple[str, ...] = ("yes", "no", "not_asked")
SEXES: tuple[str, ...] = ("female", "male", "unknown")
CLASSIFICATIONS: tuple[str, ...] = tuple(c.value for c in Classification)
DISEASE_CLASSES = frozenset({"pathogenic", "likely_pathogenic"})
ZYGOSITIES: tuple[str, ...] = (
    "heterozygous",
    "homozygous",
    "hemizygous",
    "two_changes_phase_unknown",
    "not_carried",
    "unknown",
)


class ReportKind(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    FAMILY = "family"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    AMENDED = "amended"  # a final version that replaces an earlier final version


class FindingCategory(StrEnum):
    PRIMARY = "primary"  # linked to the reason for testing
    SECONDARY = "secondary"  # ACMG secondary findings list, reported with the patient's consent
    PHARMACOGENOMIC = "pharmacogenomic"


def _utc(stamp: str) -> dt.datetime:
    """A vault timestamp (2026-11-21T09:30:00.123456Z) as an aware datetime."""
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _refuse(what: str) -> UsageError:
    return UsageError(f"The report cannot be made: {what}.")


def _check_printable_name(patient: ReportPatient) -> None:
    """A name the report fonts cannot draw would print as empty boxes on every page: refuse it,
    naming the field and the characters by code (never the name itself)."""
    from genedesk.core.reports.fonts import unprintable_codes

    for field, value in (("given name", patient.given_name), ("family name", patient.family_name)):
        codes = unprintable_codes(value)
        if codes:
            raise _refuse(
                f"the patient's {field} has characters the report fonts cannot print ({codes}); "
                "write the name in the Latin, Greek or Cyrillic alphabet on the patient's record"
            )


# --- the parts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPatient:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex_at_birth: str  # female | male | unknown
    record_number: str  # the clinic's record number (MRN)

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @classmethod
    def from_patient(cls, patient: Patient) -> ReportPatient:
        return cls(
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=dt.date.fromisoformat(patient.birth_date),
            sex_at_birth=patient.sex_at_birth,
            record_number=patient.mrn,
        )


@dataclass(frozen=True)
class ReportTest:
    """One imported genetic test: where the data behind the report came from."""

    test_id: int
    lab: str
    test_type: str  # panel | exome | genome | pharmacogenomic
    build: str  # GRCh37 | GRCh38
    source_name: str  # the lab's file name, as imported
    source_sha256: str
    imported_at: dt.datetime
    imported_by: str
    sample_name: str | None = None

    @classmethod
    def from_genetic_test(cls, test: GeneticTest) -> ReportTest:
        return cls(
            test_id=test.id,
            lab=test.lab,
            test_type=test.test_type,
            build=test.build,
            source_name=test.source_name,
            source_sha256=test.source_sha256,
            imported_at=_utc(test.imported_at),
            imported_by=test.imported_by,
            sample_name=test.sample_name,
        )


@dataclass(frozen=True)
class ReportVariant:
    """The variant call behind a finding, as the lab's file gave it."""

    build: str
    chrom: str
    pos: int
    ref: str
    alt: str
    zygosity: str  # one of ZYGOSITIES
    genotype: str = ""  # e.g. 0/1
    transcript: str = ""  # e.g. NM_007294.4
    hgvs_c: str = ""  # c.68_69del (with or without the transcript prefix)
    hgvs_p: str = ""  # p.(Glu23ValfsTer17)
    hgvs_g: str = ""  # NC_000017.11:g.43124027_43124028del
    consequence: str = ""
    depth: int | None = None
    genotype_quality: int | None = None
    allele_fraction: float | None = None
    quality: float | None = None  # QUAL
    filter: str = ""  # PASS or the lab's filter names

    @property
    def hgvs_c_full(self) -> str:
        """c. with its transcript: NM_007294.4:c.68_69del (files write it either way)."""
        if not self.hgvs_c or ":" in self.hgvs_c or not self.transcript:
            return self.hgvs_c
        return f"{self.transcript}:{self.hgvs_c}"

    @property
    def description(self) -> str:
        """The change in one line for a doctor or a lab: transcript c. and p., else genomic."""
        if self.hgvs_c:
            return " ".join(part for part in (self.hgvs_c_full, self.hgvs_p) if part)
        if self.hgvs_g:
            return f"{self.hgvs_g} ({self.build})"
        return f"{self.build} {self.chrom}:{self.pos} {self.ref}>{self.alt}"

    @classmethod
    def from_call(cls, call: VariantCall) -> ReportVariant:
        return cls(
            build=call.build,
            chrom=call.chrom,
            pos=call.pos,
            ref=call.ref,
            alt=call.alt,
            zygosity=call.zygosity,
            genotype=call.genotype,
            transcript=call.transcript,
            hgvs_c=call.hgvs_c,
            hgvs_p=call.hgvs_p,
            hgvs_g=call.hgvs_g,
            consequence=call.consequence,
            depth=call.depth,
            genotype_quality=call.genotype_quality,
            allele_fraction=call.allele_fraction,
            quality=call.quality,
            filter=call.filter,
        )


@dataclass(frozen=True)
class CriterionLine:
    """One ACMG/AMP criterion as applied: PM2_Supporting, pathogenic, Supporting, 1 point."""

    code: str
    direction: str  # pathogenic | benign
    strength: str  # Supporting | Moderate | Strong | Very strong | Stand-alone
    points: int  # Tavtigian 2020 points (negative for benign evidence)
    summary: str


@dataclass(frozen=True)
class AcmgEvidence:
    """Both answers of `acmg.classify` for the applied criteria."""

    criteria: tuple[CriterionLine, ...]
    richards_class: str  # classification key
    richards_rules: tuple[str, ...]  # the Richards 2015 rule(s) that fired, described
    points: int
    points_class: str
    points_band: str  # e.g. "Pathogenic: 10 points or more"
    notes: tuple[str, ...] = ()

    @property
    def codes(self) -> str:
        return ", ".join(c.code for c in self.criteria)

    @classmethod
    def from_result(cls, result: AcmgResult, rulebook: Rulebook | None = None) -> AcmgEvidence:
        book = rulebook or default_rulebook()
        return cls(
            criteria=tuple(
                CriterionLine(
                    code=applied.code,
                    direction=applied.direction.value,
                    strength=applied.strength.label,
                    points=book.points[(applied.direction, applied.strength)],
                    summary=applied.criterion.summary,
                )
                for applied in result.criteria
            ),
            richards_class=result.richards_class.value,
            richards_rules=result.richards_rules,
            points=result.points,
            points_class=result.points_class.value,
            points_band=result.points_band,
            notes=result.notes,
        )


@dataclass(frozen=True)
class ClinvarEvidence:
    release: str  # the release's name, e.g. "ClinVar 2025-01-05 (GRCh38)"
    significance: str  # as ClinVar words it
    stars: int | None = None  # review status as gold stars, 0-4
    review_status: str = ""  # CLNREVSTAT as written, when known
    variation_id: int | None = None

    @classmethod
    def from_allele(cls, allele: ClinvarAllele, release: ClinvarRelease) -> ClinvarEvidence:
        return cls(
            release=release.label,
            significance=allele.clnsig.replace("_", " "),
            review_status=allele.review_status.replace("_", " "),
            stars=allele.stars,
            variation_id=allele.variation_id,
        )


@dataclass(frozen=True)
class TextSource:
    title: str
    version: str
    url: str


@dataclass(frozen=True)
class FindingText:
    """A finding's text for one audience: the title and paragraphs as they will print."""

    title: str
    paragraphs: tuple[str, ...]
    glossary_terms: tuple[GlossaryEntry, ...] = ()
    sources: tuple[TextSource, ...] = ()
    edited: bool = False  # the counsellor changed the composed text

    @classmethod
    def from_explanation(
        cls,
        explanation: Explanation,
        *,
        title: str | None = None,
        paragraphs: Sequence[str] | None = None,
    ) -> FindingText:
        """The composed text, or the counsellor's edited `title` / `paragraphs` in its place
        (then the glossary terms are found again in the edited words)."""
        edited = title is not None or paragraphs is not None
        final_title = explanation.title if title is None else title
        final_paragraphs = tuple(explanation.paragraphs if paragraphs is None else paragraphs)
        terms = explanation.glossary_terms
        if edited:
            text = "\n\n".join((final_title, *final_paragraphs))
            terms = glossary_terms_in(text, explanation.language)
        return cls(
            title=final_title,
            paragraphs=final_paragraphs,
            glossary_terms=terms,
            sources=tuple(TextSource(s.title, s.version, s.url) for s in explanation.sources),
            edited=edited,
        )


@dataclass(frozen=True)
class ReportFinding:
    """One reported finding. `classification_label` is how the clinician report names the
    class (Classification(key).label); the letters word each class in their own plain terms."""

    id: int
    gene: str
    condition: str  # the knowledge base's condition name
    inheritance: str  # AD | AR | XL | XLR | XLD | MT
    category: FindingCategory
    classification: str  # one of CLASSIFICATIONS
    classification_label: str
    variant: ReportVariant
    condition_ids: tuple[str, ...] = ()  # OMIM:604370, MONDO:…
    test_id: int | None = None  # the ReportTest it came from
    acmg: AcmgEvidence | None = None
    classification_reason: str = ""  # when the counsellor set the class by hand
    clinvar: ClinvarEvidence | None = None
    patient_text: FindingText | None = None  # needed for the patient letter
    family_text: FindingText | None = None  # needed for this finding's family letter
    clinician_text: FindingText | None = None
    clinician_note: str = ""  # the counsellor's note for the clinician

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", FindingCategory(self.category))

    @classmethod
    def from_finding(
        cls,
        finding: Finding,
        *,
        sex_at_birth: str,
        language: str = "en",
        clinician_note: str = "",
        classification_reason: str = "",
    ) -> ReportFinding:
        """A finding from the vault with its texts composed by knowledge.explain (the
        counsellor's edited paragraphs, when kept, in place of the patient text) and its
        criteria classified again by acmg.classify for the clinician's table. Where no text
        can be composed (a gene or condition the knowledge base lacks), the texts stay empty
        and the patient letter refuses the finding until the counsellor writes one."""
        from genedesk.core.errors import GeneDeskError
        from genedesk.core.knowledge.acmg import classify
        from genedesk.core.knowledge.explain import (
            clinician_explanation,
            family_explanation,
            patient_explanation,
        )
        from genedesk.core.knowledge.genes import shipped_genes

        args = (
            finding.gene,
            finding.condition or None,
            finding.classification,
            finding.call.zygosity,
            finding.inheritance or None,
            sex_at_birth,
        )
        patient_text = family_text = clinician_text = None
        try:
            patient_text = FindingText.from_explanation(
                patient_explanation(*args, language=language), paragraphs=finding.explanation
            )
            clinician_text = FindingText.from_explanation(
                clinician_explanation(*args, language=language)
            )
            if finding.classification not in ("likely_benign", "benign"):
                family_text = FindingText.from_explanation(
                    family_explanation(*args, language=language)
                )
        except GeneDeskError:
            # No composed text for this gene: the counsellor's own words are printed if written.
            if finding.explanation:
                words = "\n\n".join(finding.explanation)
                patient_text = FindingText(
                    title=finding.gene,
                    paragraphs=tuple(finding.explanation),
                    glossary_terms=glossary_terms_in(words, language),
                )
        genes = shipped_genes()
        condition_ids: tuple[str, ...] = ()
        if finding.gene in genes:
            condition_ids = next(
                (
                    c.identifiers
                    for c in genes.gene(finding.gene).conditions
                    if c.name.lower() == finding.condition.lower()
                ),
                (),
            )
        clinvar = None
        if finding.clinvar_release:
            clinvar = ClinvarEvidence(
                release=f"ClinVar {finding.clinvar_release}",
                significance=finding.clinvar_significance,
                stars=finding.clinvar_stars,
            )
        return cls(
            id=finding.id,
            gene=finding.gene,
            condition=finding.condition,
            inheritance=finding.inheritance,
            category=FindingCategory(finding.category),
            classification=finding.classification,
            classification_label=Classification(finding.classification).label,
            variant=ReportVariant.from_call(finding.call),
            condition_ids=condition_ids,
            test_id=finding.test_id,
            acmg=AcmgEvidence.from_result(classify(",".join(finding.criteria)))
            if finding.criteria
            else None,
            classification_reason=classification_reason,
            clinvar=clinvar,
            patient_text=patient_text,
            family_text=family_text,
            clinician_text=clinician_text,
            clinician_note=clinician_note,
        )

    @property
    def causes_disease(self) -> bool:
        return self.classification in DISEASE_CLASSES


@dataclass(frozen=True)
class PgxDrug:
    drug: str
    action: str  # standard | change | avoid | check
    strength: str
    recommendation: str
    citation: str


@dataclass(frozen=True)
class PgxGene:
    gene: str
    diplotype: str
    phenotype: str
    activity_score: str | None
    drugs: tuple[PgxDrug, ...]
    positions_not_tested: tuple[str, ...]
    notes: tuple[str, ...]
    definitions_version: str


@dataclass(frozen=True)
class PgxNotDetermined:
    gene: str
    reason: str


@dataclass(frozen=True)
class PgxSummary:
    """The pharmacogenomic result: the clinician table and the patient's "Your medicines"."""

    genes: tuple[PgxGene, ...]
    not_determined: tuple[PgxNotDetermined, ...]
    your_medicines: tuple[str, ...]  # the patient's lines, in order, without the heading
    medicine_names: tuple[str, ...] = ()  # names that begin a line "Name: …" (printed bold)
    test_id: int | None = None

    @classmethod
    def from_report(cls, report: ClinicianPgxReport, *, test_id: int | None = None) -> PgxSummary:
        from genedesk.core.pgx.report import your_medicines

        lines = [line for line in your_medicines(report).splitlines() if line.strip()]
        names = {
            r.patient_name[:1].upper() + r.patient_name[1:]
            for r in report.patient_recommendations
            if r.changes_prescribing
        }
        return cls(
            genes=tuple(
                PgxGene(
                    gene=row.gene,
                    diplotype=row.diplotype,
                    phenotype=row.phenotype,
                    activity_score=row.activity_score,
                    drugs=tuple(
                        PgxDrug(d.drug, d.action, d.strength, d.recommendation, d.citation)
                        for d in row.drugs
                    ),
                    positions_not_tested=row.positions_not_tested,
                    notes=row.notes,
                    definitions_version=row.definitions_version,
                )
                for row in report.genes
            ),
            not_determined=tuple(PgxNotDetermined(n.gene, n.reason) for n in report.not_determined),
            # The first line of your_medicines() is its own heading; the letter prints its own.
            your_medicines=tuple(lines[1:]),
            medicine_names=tuple(sorted(names)),
            test_id=test_id,
        )


@dataclass(frozen=True)
class Signer:
    """Who signs a final report; the signing date is the final version's report date."""

    name: str
    role: str  # e.g. "Genetic counsellor", "Consultant clinical geneticist"
    registration: str = ""  # professional registration, e.g. "GCRB 123"


@dataclass(frozen=True)
class Clinic:
    """Who sent the report, and whom to contact about it."""

    name: str
    address: str = ""  # several lines, as the clinic writes it
    phone: str = ""
    email: str = ""
    contact_name: str = ""  # the person to ask for
    contact_role: str = ""


@dataclass(frozen=True)
class Amendment:
    replaces_version: int
    replaced_report_date: dt.date
    reason: str


@dataclass(frozen=True)
class ReportRequest:
    """Everything one document needs. `findings` are the findings to report, in the order to
    print them; a family letter prints only `family_finding_id` among them."""

    kind: ReportKind
    patient: ReportPatient
    report_date: dt.datetime  # the report's own date (never the clock): metadata and text
    clinic: Clinic
    author: str  # who prepared it (the counsellor)
    knowledge_base_version: str
    sf_list: str  # e.g. "ACMG SF v3.3" (named in every report)
    sf_citation: str
    clinvar_release: str | None  # the release used, e.g. "ClinVar 2025-01-05 (GRCh38)"
    findings: tuple[ReportFinding, ...] = ()
    tests: tuple[ReportTest, ...] = ()
    pgx: PgxSummary | None = None
    family_finding_id: int | None = None
    signer: Signer | None = None
    reason_for_test: str = ""  # the counsellor's words, e.g. "a family history of breast cancer"
    referrer: str = ""  # the referring clinician (the clinician report is addressed to them)
    next_steps: str = ""  # the counsellor's own words for "What happens next" (optional)
    secondary_findings_choice: Choice = "not_asked"
    recontact_choice: Choice = "not_asked"
    large_print: bool = False
    language: str = "en"
    page_size: PageSize = "A4"
    # Set by `store` when the report is kept; a request built by hand is an unsaved draft.
    report_id: str = ""
    version: int = 1
    status: ReportStatus = ReportStatus.DRAFT
    amendment: Amendment | None = None
    patient_id: int | None = None  # the vault's patient id (for the store; never printed)

    def __post_init__(self) -> None:
        kind = ReportKind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "status", ReportStatus(self.status))
        if self.patient.sex_at_birth not in SEXES:
            raise _refuse(f"sex at birth must be one of {', '.join(SEXES)}")
        for choice in (self.secondary_findings_choice, self.recontact_choice):
            if choice not in CHOICES:
                raise _refuse(f"a patient's choice must be one of {', '.join(CHOICES)}")
        if self.version < 1:
            raise _refuse("versions are numbered from 1")
        _check_printable_name(self.patient)
        if self.status is ReportStatus.AMENDED and self.amendment is None:
            raise _refuse("an amended version must say which version it replaces and why")
        ids = [f.id for f in self.findings]
        if len(set(ids)) != len(ids):
            raise _refuse("the same finding is listed twice")
        for finding in self.findings:
            if finding.classification not in CLASSIFICATIONS:
                raise _refuse(f"finding {finding.id} has an unknown classification")
            if finding.variant.zygosity not in ZYGOSITIES:
                raise _refuse(f"finding {finding.id} has an unknown zygosity")
        if kind is ReportKind.PATIENT:
            lacking = [
                str(f.id)
                for f in self.findings
                if f.patient_text is None and f.category is not FindingCategory.PHARMACOGENOMIC
            ]
            if lacking:
                raise _refuse(f"finding {', '.join(lacking)} has no text for the patient")
        if kind is ReportKind.FAMILY:
            finding = self.family_finding
            if finding.family_text is None:
                raise _refuse(f"finding {finding.id} has no letter text for relatives")

    @property
    def family_finding(self) -> ReportFinding:
        for finding in self.findings:
            if finding.id == self.family_finding_id:
                return finding
        raise _refuse("a family letter needs the finding it is about")

    @property
    def is_final(self) -> bool:
        return self.status is not ReportStatus.DRAFT

    @staticmethod
    def knowledge(genes: GeneTable) -> dict[str, str]:
        """The gene table's SF list fields, to pass as ReportRequest(**knowledge(table), …)."""
        return {"sf_list": genes.sf_list, "sf_citation": genes.sf_citation}

    def test_of(self, finding: ReportFinding) -> ReportTest | None:
        return next((t for t in self.tests if t.test_id == finding.test_id), None)


def glossary_for(
    texts: Iterable[str], extra: Iterable[GlossaryEntry], language: str
) -> list[GlossaryEntry]:
    """Every glossary entry whose words appear in `texts`, plus `extra` (the explanations' own
    terms), in the glossary's order, each once."""
    found = list(glossary_terms_in("\n\n".join(texts), language))
    for entry in extra:
        if entry not in found:
            found.append(entry)
    order = {entry.term: index for index, entry in enumerate(glossary(language))}
    return sorted(found, key=lambda e: (order.get(e.term, len(order)), e.term))


# --- what every report prints the same way ------------------------------------------------
# Each document's words file carries the keys used here (status_*, version_mark, banner_*,
# report_id_unsaved, about_*, contact_*, glossary_*, closing, signed_draft).


def report_id_text(request: ReportRequest, words: Words) -> str:
    return request.report_id or words.text("report_id_unsaved")


def version_text(request: ReportRequest, words: Words) -> str:
    """ "2 (final)": the version number with its status, on every page."""
    status = words.text(f"status_{request.status.value}")
    return words.text("version_mark", version=str(request.version), status=status)


def page_marks(request: ReportRequest, words: Words, *, name_label: str | None = None) -> PageMarks:
    """Patient name, date of birth, report ID, version (with status) and page X of Y."""
    return PageMarks(
        header=(
            (Mark(request.patient.name, name_label or words.text("mark_patient"), bold=True),),
            (
                Mark(words.date(request.patient.date_of_birth), words.text("mark_date_of_birth")),
                Mark(words.text("document_title")),
            ),
        ),
        footer=(
            Mark(report_id_text(request, words), words.text("mark_report_id")),
            Mark(version_text(request, words), words.text("mark_version")),
        ),
        page_counter=words.text("page_counter", page="{page}", pages="{pages}"),
    )


def document_info(request: ReportRequest, words: Words) -> DocumentInfo:
    """PDF metadata. No patient name: PDF files get indexed and previewed by other programs."""
    return DocumentInfo(
        title=words.text("pdf_title"),
        author=request.clinic.name or request.author,
        subject=words.text(
            "pdf_subject",
            report_id=report_id_text(request, words),
            version=version_text(request, words),
        ),
        language=request.language,
        created_at=request.report_date,
        keywords=(request.sf_list,),
    )


def banners(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    """The draft warning and "Amended — replaces version N of DATE because …" (both, on the
    draft of an amendment), at the top."""
    inner: list[Flowable] = []
    if request.status is ReportStatus.DRAFT:
        inner.append(paragraph(words.text("banner_draft"), styles.subheading))
    if request.amendment is not None:
        amendment = request.amendment
        inner += [
            paragraph(
                words.text(
                    "banner_amended",
                    version=str(amendment.replaces_version),
                    date=words.date(amendment.replaced_report_date),
                    reason=amendment.reason,
                ),
                styles.subheading,
            ),
            paragraph(words.text("banner_amended_help"), styles.body),
        ]
    if not inner:
        return []
    return [boxed(inner, styles=styles, border=ACCENT, background=SHADE), gap(styles, 0.5)]


def letter_head(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    """The clinic's name and address, and the letter's date."""
    clinic = request.clinic
    parts: list[Flowable] = [paragraph(clinic.name, styles.subheading)]
    if clinic.address.strip():
        parts.append(paragraph(with_line_breaks(clinic.address.strip()), styles.body))
    parts += [paragraph(words.date(request.report_date.date()), styles.body), gap(styles, 0.3)]
    return parts


def bullets(items: Sequence[str], styles: Styles) -> ListFlowable:
    """A bulleted list (each item escaped unless it is Markup); splits across pages."""
    return ListFlowable(
        [ListItem(paragraph(item, styles.body)) for item in items],
        bulletType="bullet",
        start="•",
        bulletFontName=SANS,
        bulletFontSize=styles.body_size,
        leftIndent=styles.body_size * 1.5,
    )


def contact_section(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    clinic = request.clinic
    lines = [
        line
        for line in (
            ", ".join(p for p in (clinic.contact_name, clinic.contact_role) if p),
            clinic.name,
        )
        if line
    ]
    block: list[Flowable] = [
        paragraph(words.text("contact_heading"), styles.heading),
        paragraph(words.text("contact_intro"), styles.body),
        paragraph(bold(lines[0]) if lines else "", styles.body),
    ]
    if len(lines) > 1:
        block.append(paragraph(lines[1], styles.body))
    if clinic.address.strip():
        block.append(paragraph(with_line_breaks(clinic.address.strip()), styles.body))
    if clinic.phone:
        block.append(paragraph(words.text("contact_phone", phone=clinic.phone), styles.body))
    if clinic.email:
        block.append(paragraph(words.text("contact_email", email=clinic.email), styles.body))
    # One block, so the heading and the address never part at a page end (KeepTogether still
    # splits a block taller than a page: a clinic's 2,000-character address).
    return [KeepTogether(block)]


def glossary_section(
    entries: Sequence[GlossaryEntry], words: Words, styles: Styles
) -> list[Flowable]:
    if not entries:
        return []
    return [
        paragraph(words.text("glossary_heading"), styles.heading),
        paragraph(words.text("glossary_intro"), styles.body),
        *(
            paragraph(
                words.markup("glossary_entry", term=bold(entry.term), definition=entry.definition),
                styles.body,
            )
            for entry in entries
        ),
    ]


def closing(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    """ "Yours sincerely," and who signs; a draft says it is not signed yet."""
    story: list[Flowable] = [gap(styles, 0.5), paragraph(words.text("closing"), styles.body)]
    if request.is_final and request.signer is not None:
        signer = request.signer
        story += [
            gap(styles, 0.8),
            paragraph(bold(signer.name), styles.body),
            paragraph(signer.role, styles.body),
        ]
        if signer.registration:
            story.append(paragraph(signer.registration, styles.body))
    else:
        story += [
            paragraph(bold(request.author), styles.body),
            paragraph(words.text("signed_draft"), styles.small),
        ]
    return story


def about_section(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    """Report, version and the knowledge behind it, in small print (the SF list is named in
    every report)."""
    return [
        paragraph(words.text("about_heading"), styles.heading),
        paragraph(
            words.text(
                "about_report",
                report_id=report_id_text(request, words),
                version=version_text(request, words),
                date=words.date(request.report_date.date()),
            ),
            styles.small,
        ),
        paragraph(
            words.text(
                "about_knowledge",
                sf_list=request.sf_list,
                knowledge=request.knowledge_base_version,
                clinvar=request.clinvar_release or words.text("clinvar_none"),
            ),
            styles.small,
        ),
    ]


__all__ = [
    "CHOICES",
    "CLASSIFICATIONS",
    "ZYGOSITIES",
    "AcmgEvidence",
    "Amendment",
    "Choice",
    "Clinic",
    "ClinvarEvidence",
    "CriterionLine",
    "FindingCategory",
    "FindingText",
    "PgxDrug",
    "PgxGene",
    "PgxNotDetermined",
    "PgxSummary",
    "ReportFinding",
    "ReportKind",
    "ReportPatient",
    "ReportRequest",
    "ReportStatus",
    "ReportTest",
    "ReportVariant",
    "Signer",
    "TextSource",
    "about_section",
    "banners",
    "bullets",
    "closing",
    "contact_section",
    "document_info",
    "glossary_for",
    "glossary_section",
    "letter_head",
    "page_marks",
    "report_id_text",
    "version_text",
]
