"""Findings: the variant calls a counsellor interprets, classifies and reports.

At import, calls become *proposed* findings when there is evidence to look at them:
- pathogenic or likely pathogenic in a loaded ClinVar release with at least one review star, or
  in the lab file's own annotations (the source is always shown);
- otherwise, in a knowledge-base gene with a protein- or splice-changing (or unannotated) effect
  and no benign evidence (ClinVar benign/likely benign, or a population frequency above the
  ACMG/AMP BA1 threshold of 5%): listed as uncertain significance, kept out of the patient letter.
Secondary findings (ACMG SF genes found by an exome or genome) are shown only while the patient
has an active consent to receive them. Every classification is kept in an append-only history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from genedesk.core import audit, clock
from genedesk.core.errors import NotFoundError, UsageError
from genedesk.core.genomics import VariantCall
from genedesk.core.knowledge import acmg
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

CLASSES = tuple(c.value for c in acmg.Classification)
REPORTABLE = ("pathogenic", "likely_pathogenic")
STATUSES = ("proposed", "confirmed", "excluded")
CATEGORIES = ("primary", "secondary", "pharmacogenomic")
BA1_ALLELE_FREQUENCY = 0.05  # Richards et al. 2015, BA1: allele frequency above 5%
# Sequence Ontology terms for effects on the protein or on splicing: a call with one of these in a
# knowledge-base gene is worth a counsellor's look even without a classification.
PROTEIN_OR_SPLICE = frozenset(
    {
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "transcript_amplification",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
        "splice_region_variant",
        "splice_donor_5th_base_variant",
        "splice_donor_region_variant",
        "splice_polypyrimidine_tract_variant",
        "incomplete_terminal_codon_variant",
        "start_retained_variant",
        "stop_retained_variant",
        "coding_sequence_variant",
        "exon_loss_variant",
        "disruptive_inframe_deletion",
        "disruptive_inframe_insertion",
        "conservative_inframe_deletion",
        "conservative_inframe_insertion",
    }
)


@dataclass(frozen=True)
class Finding:
    id: int
    patient_id: int
    test_id: int
    gene: str
    condition: str
    inheritance: str
    category: str
    classification: str
    classification_source: str
    criteria: tuple[str, ...]
    points: int | None
    points_class: str | None
    richards_rules: tuple[str, ...]
    clinvar_release: str
    clinvar_significance: str
    clinvar_stars: int | None
    status: str
    in_report: bool
    explanation: tuple[str, ...] | None
    created_at: str
    updated_at: str
    call: VariantCall

    @property
    def label(self) -> str:
        return self.classification.replace("_", " ").capitalize()

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["call"] = {
            k: v for k, v in data["call"].items() if k not in ("info", "other_transcripts")
        }
        return data


@dataclass(frozen=True)
class FindingList:
    shown: tuple[Finding, ...]
    hidden_secondary: int  # secondary findings held back: no active consent to receive them
    excluded: int  # findings the counsellor excluded (shown with --all)


@dataclass(frozen=True)
class ClassificationEvent:
    at: str
    staff: str
    classification: str
    source: str
    criteria: tuple[str, ...]
    points: int | None
    reason: str


# Proposing at import ---------------------------------------------------------------------------------


def _gene_facts(gene: str) -> tuple[bool, str, str]:
    """(in the SF list, condition, inheritance) from the knowledge base; blanks for other genes."""
    from genedesk.core.knowledge.genes import shipped_genes

    table = shipped_genes()
    if gene not in table:
        return False, "", ""
    entry = table.gene(gene)
    if len(entry.conditions) == 1:
        return True, entry.conditions[0].name, entry.conditions[0].inheritance
    return True, "", "/".join(entry.inheritance)


def _clinvar_record(conn: sqlcipher3.Connection, vault: Vault, call: VariantCall) -> Any:
    from genedesk.core.knowledge import clinvar

    try:
        found = clinvar.lookup(vault, call.build, call.chrom, call.pos, call.ref, call.alt)
    except NotFoundError:
        return None
    return max(found, key=lambda allele: allele.stars, default=None)


def _file_class(call: VariantCall) -> str | None:
    """The class the lab file's own annotations give (ClinVar-style CLNSIG, or VEP's CLIN_SIG)."""
    from genedesk.core.knowledge import clinvar

    texts = [call.clinvar_significance] + [t.clinical_significance for t in call.other_transcripts]
    best: str | None = None
    for text in texts:
        if not text:
            continue
        try:
            cls, _ = clinvar.classify(text)
        except ValueError:
            continue
        if cls in REPORTABLE and (best is None or CLASSES.index(cls) < CLASSES.index(best)):
            best = cls
    return best


def _worth_a_look(call: VariantCall) -> bool:
    if not call.consequence:
        return True  # no annotation in the file: the counsellor must look
    return any(term in PROTEIN_OR_SPLICE for term in call.consequence.replace(",", "&").split("&"))


def _proposal(
    conn: sqlcipher3.Connection, vault: Vault, call: VariantCall, *, broad_test: bool = False
) -> dict[str, Any] | None:
    if call.zygosity == "not_carried":
        return None
    if set(call.kept_because) == {"pharmacogenomic_position"}:
        return None  # reported through the pharmacogenomic results, not as a finding
    record = _clinvar_record(conn, vault, call)
    clinvar_fields = {"clinvar_release": "", "clinvar_significance": "", "clinvar_stars": None}
    if record is not None:
        clinvar_fields = {
            "clinvar_release": record.release_date,
            "clinvar_significance": record.classification,
            "clinvar_stars": record.stars,
        }
        if record.classification in REPORTABLE and record.stars >= 1:
            source = (
                f"ClinVar release {record.release_date}: {record.classification.replace('_', ' ')}, "
                f"{record.stars} review star{'s' if record.stars != 1 else ''}"
            )
            return {"classification": record.classification, "source": source, **clinvar_fields}
    from_file = _file_class(call)
    if from_file is not None:
        return {
            "classification": from_file,
            "source": "the lab file's own annotation (not checked against a ClinVar release)",
            **clinvar_fields,
        }
    if not call.region_gene:
        return None
    benign = record is not None and record.classification in ("benign", "likely_benign")
    common = call.population_af is not None and call.population_af > BA1_ALLELE_FREQUENCY
    if benign or common or not _worth_a_look(call):
        return None
    if broad_test and not call.consequence:
        # An exome or genome without effect annotations would list every intronic change in the
        # knowledge-base genes as uncertain; the import says how many were left unreviewed instead.
        return UNANNOTATED
    return {
        "classification": "uncertain_significance",
        "source": "no classification found; the change is in a knowledge-base gene",
        **clinvar_fields,
    }


UNANNOTATED: dict[str, Any] = {"unannotated": True}


def propose_for_test(
    tx: sqlcipher3.Connection,
    vault: Vault,
    actor: Staff,
    *,
    patient_id: int,
    test_id: int,
    test_type: str,
    calls: Sequence[tuple[int, VariantCall]],
    unannotated: list[int] | None = None,
) -> int:
    """Turn a new test's calls into proposed findings, inside the import's transaction.

    Calls of an exome or genome that lie in knowledge-base genes but carry no effect annotation
    are not proposed; their ids go into `unannotated` so the import can say so."""
    now = clock.stamp()
    made = 0
    broad = test_type in ("exome", "genome")
    for call_id, call in calls:
        proposal = _proposal(tx, vault, call, broad_test=broad)
        if proposal is None:
            continue
        if proposal is UNANNOTATED:
            if unannotated is not None:
                unannotated.append(call_id)
            continue
        gene = call.gene or call.region_gene
        in_sf, condition, inheritance = _gene_facts(gene)
        category = "secondary" if in_sf and test_type in ("exome", "genome") else "primary"
        cursor = tx.execute(
            "INSERT INTO finding (patient_id, call_id, gene, condition, inheritance, category, classification,"
            " classification_source, criteria, points, points_class, richards_rules, clinvar_release,"
            " clinvar_significance, clinvar_stars, status, in_report, explanation, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', NULL, NULL, '[]', ?, ?, ?, 'proposed', ?, NULL, ?, ?)",
            (
                patient_id,
                call_id,
                gene,
                condition,
                inheritance,
                category,
                proposal["classification"],
                proposal["source"],
                proposal["clinvar_release"],
                proposal["clinvar_significance"],
                proposal["clinvar_stars"],
                int(proposal["classification"] in REPORTABLE),
                now,
                now,
            ),
        )
        _history(
            tx,
            int(cursor.lastrowid or 0),
            actor.name,
            proposal["classification"],
            proposal["source"],
            (),
            None,
            f"proposed at import of test {test_id}",
        )
        made += 1
    return made


def _history(
    tx: sqlcipher3.Connection,
    finding_id: int,
    staff: str,
    classification: str,
    source: str,
    criteria: tuple[str, ...],
    points: int | None,
    reason: str,
) -> None:
    tx.execute(
        "INSERT INTO classification_event (finding_id, at, staff, classification, source, criteria, points, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            finding_id,
            clock.stamp(),
            staff,
            classification,
            source,
            json.dumps(list(criteria)),
            points,
            reason,
        ),
    )


# Reading -----------------------------------------------------------------------------------------

_COLUMNS = (
    "f.id, f.patient_id, c.test_id, f.gene, f.condition, f.inheritance, f.category, f.classification,"
    " f.classification_source, f.criteria, f.points, f.points_class, f.richards_rules, f.clinvar_release,"
    " f.clinvar_significance, f.clinvar_stars, f.status, f.in_report, f.explanation, f.created_at, f.updated_at,"
    " f.call_id"
)


def _row_to_finding(vault: Vault, row: Any) -> Finding:
    from genedesk.core.imports import call_by_id

    explanation = json.loads(row["explanation"]) if row["explanation"] else None
    return Finding(
        id=row["id"],
        patient_id=row["patient_id"],
        test_id=row["test_id"],
        gene=row["gene"],
        condition=row["condition"],
        inheritance=row["inheritance"],
        category=row["category"],
        classification=row["classification"],
        classification_source=row["classification_source"],
        criteria=tuple(json.loads(row["criteria"])),
        points=row["points"],
        points_class=row["points_class"],
        richards_rules=tuple(json.loads(row["richards_rules"])),
        clinvar_release=row["clinvar_release"],
        clinvar_significance=row["clinvar_significance"],
        clinvar_stars=row["clinvar_stars"],
        status=row["status"],
        in_report=bool(row["in_report"]),
        explanation=tuple(explanation) if explanation is not None else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        call=call_by_id(vault, row["call_id"]),
    )


def get_finding(vault: Vault, finding_id: int) -> Finding:
    row = vault.query_one(
        f"SELECT {_COLUMNS} FROM finding f JOIN variant_call c ON c.id = f.call_id WHERE f.id = ?",
        (finding_id,),
    )
    if row is None:
        raise NotFoundError("There is no finding with that id.")
    return _row_to_finding(vault, row)


def secondary_findings_consented(
    vault: Vault, patient_id: int, *, on: dt.date | None = None
) -> bool:
    """True while the patient has an active consent to receive secondary findings."""
    from genedesk.core.consent.service import list_consents

    day = on or clock.utcnow().date()
    return any(
        c.kind == "secondary-findings" and c.status_on(day) == "given"
        for c in list_consents(vault, patient_id)
    )


def list_findings(vault: Vault, patient_id: int, *, include_all: bool = False) -> FindingList:
    """A patient's findings: most serious first; secondary ones only with consent; excluded with --all."""
    rows = vault.query(
        f"SELECT {_COLUMNS} FROM finding f JOIN variant_call c ON c.id = f.call_id"
        " WHERE f.patient_id = ? ORDER BY f.id",
        (patient_id,),
    )
    found = [_row_to_finding(vault, row) for row in rows]
    consented = secondary_findings_consented(vault, patient_id)
    hidden = [f for f in found if f.category == "secondary" and not consented]
    excluded = [f for f in found if f.status == "excluded"]
    shown = [f for f in found if f not in hidden and (include_all or f.status != "excluded")]
    shown.sort(key=lambda f: (CLASSES.index(f.classification), f.gene, f.id))
    return FindingList(tuple(shown), len(hidden), len([f for f in excluded if f not in hidden]))


def history(vault: Vault, finding_id: int) -> list[ClassificationEvent]:
    rows = vault.query(
        "SELECT at, staff, classification, source, criteria, points, reason FROM"
        " classification_event WHERE finding_id = ? ORDER BY id",
        (finding_id,),
    )
    return [
        ClassificationEvent(
            r["at"],
            r["staff"],
            r["classification"],
            r["source"],
            tuple(json.loads(r["criteria"])),
            r["points"],
            r["reason"],
        )
        for r in rows
    ]


# Changing ----------------------------------------------------------------------------------------


def classify_finding(
    vault: Vault,
    actor: Staff,
    finding_id: int,
    criteria: str,
    *,
    manual_class: str | None = None,
    reason: str | None = None,
) -> tuple[Finding, acmg.AcmgResult]:
    """Apply ACMG/AMP criteria; the class is Richards 2015's unless a manual class is given with a reason."""
    finding = get_finding(vault, finding_id)
    result = acmg.classify(criteria)
    reason = (reason or "").strip()
    if manual_class is not None:
        manual_class = manual_class.strip().lower().replace(" ", "_")
        if manual_class not in CLASSES:
            raise UsageError(f"The class must be one of: {', '.join(CLASSES)}.")
        if not reason:
            raise UsageError(
                "A class set by hand needs a reason (--reason), kept in the audit trail."
            )
    if len(reason) > 2000:
        raise UsageError("The reason is too long (at most 2,000 characters).")
    chosen = manual_class or result.richards_class.value
    codes = tuple(c.code for c in result.criteria)
    source = (
        f"set by {actor.name} (criteria give {result.richards_class.label.lower()})"
        if manual_class and manual_class != result.richards_class.value
        else "ACMG/AMP criteria"
    )
    in_report = (finding.in_report and chosen in REPORTABLE) or (
        chosen in REPORTABLE and finding.status != "excluded"
    )
    now = clock.stamp()
    with vault.transaction() as tx:
        tx.execute(
            "UPDATE finding SET classification = ?, classification_source = ?, criteria = ?, points = ?,"
            " points_class = ?, richards_rules = ?, in_report = ?, status = CASE WHEN status = 'proposed'"
            " THEN 'confirmed' ELSE status END, updated_at = ? WHERE id = ?",
            (
                chosen,
                source,
                json.dumps(list(codes)),
                result.points,
                result.points_class.value,
                json.dumps(list(result.richards_rules)),
                int(in_report),
                now,
                finding_id,
            ),
        )
        _history(tx, finding_id, actor.name, chosen, source, codes, result.points, reason)
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="finding.classified",
            subject=f"patient:{finding.patient_id}",
            details={
                "finding": finding_id,
                "classification": chosen,
                "criteria": list(codes),
                "points": result.points,
                "set_by_hand": manual_class is not None,
            },
        )
    return get_finding(vault, finding_id), result


def update_finding(
    vault: Vault,
    actor: Staff,
    finding_id: int,
    *,
    status: str | None = None,
    in_report: bool | None = None,
    category: str | None = None,
    explanation: Sequence[str] | None = None,
    reset_explanation: bool = False,
) -> Finding:
    """Confirm or exclude, put in or out of the letter, change category, or edit the explanation."""
    finding = get_finding(vault, finding_id)
    changes: dict[str, Any] = {}
    if status is not None:
        if status not in STATUSES:
            raise UsageError(f"The status must be one of: {', '.join(STATUSES)}.")
        changes["status"] = status
    if in_report is not None:
        changes["in_report"] = int(in_report)
    if category is not None:
        if category not in CATEGORIES:
            raise UsageError(f"The category must be one of: {', '.join(CATEGORIES)}.")
        changes["category"] = category
    if reset_explanation:
        changes["explanation"] = None
    elif explanation is not None:
        paragraphs = [p.strip() for p in explanation if p.strip()]
        if not paragraphs or sum(len(p) for p in paragraphs) > 20_000:
            raise UsageError("An explanation needs some text, and at most 20,000 characters.")
        changes["explanation"] = json.dumps(paragraphs, ensure_ascii=False)
    if not changes:
        return finding
    assignments = ", ".join(f"{name} = ?" for name in changes)
    with vault.transaction() as tx:
        tx.execute(
            f"UPDATE finding SET {assignments}, updated_at = ? WHERE id = ?",
            (*changes.values(), clock.stamp(), finding_id),
        )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="finding.updated",
            subject=f"patient:{finding.patient_id}",
            details={"finding": finding_id, "fields": sorted(changes)},
        )
    return get_finding(vault, finding_id)


# Sharing -------------------------------------------------------------------------------------------


def release_data_for(vault: Vault, patient_id: int) -> Any:
    """What a permitted sharing request may take from this patient's findings and variant calls.

    Findings as the counsellor sees them (excluded ones left out, secondary ones only with consent);
    variants: every kept call whose genotype is known. The release service picks the categories
    the request asked for and its consent allows.
    """
    from genedesk.core.consent.release import ReleaseData, ReleasedFinding, ReleasedVariant
    from genedesk.core.imports import calls_of, tests_of

    def variant(call: VariantCall) -> ReleasedVariant:
        return ReleasedVariant(
            build=call.build,
            chrom=call.chrom,
            pos=call.pos,
            ref=call.ref,
            alt=call.alt,
            zygosity=call.zygosity,
            gene=(call.gene or call.region_gene) or None,
            transcript=call.transcript or None,
            hgvs_c=call.hgvs_c or None,
            hgvs_p=call.hgvs_p or None,
            hgvs_g=call.hgvs_g or None,
            clinvar_id=call.vcf_id if call.vcf_id.isdigit() else None,
            depth=call.depth,
            quality=call.quality,
            filter=call.filter or "PASS",
        )

    known = ("heterozygous", "homozygous", "hemizygous")
    shown = [f for f in list_findings(vault, patient_id).shown if f.call.zygosity in known]
    released_findings = [
        ReleasedFinding(
            id=f.id,
            variant=variant(f.call),
            classification=f.classification,
            condition=f.condition or None,
            inheritance=f.inheritance or None,
            category=f.category,
        )
        for f in shown
    ]
    variants = [
        variant(call)
        for test in tests_of(vault, patient_id)
        for call in calls_of(vault, test.id)
        if call.zygosity in known
    ]
    return ReleaseData(
        findings=released_findings, variants=variants, reports=_final_reports(vault, patient_id)
    )


def _final_reports(vault: Vault, patient_id: int) -> list[Any]:
    """The latest final version of each of the patient's reports, as the release's report PDFs."""
    from genedesk.core.consent.release import ReportPdf
    from genedesk.core.reports import store

    latest: dict[str, Any] = {}
    for version in store.reports_of(vault, patient_id):
        if version.is_final and (
            version.report_id not in latest or version.version > latest[version.report_id].version
        ):
            latest[version.report_id] = version
    return [
        ReportPdf(
            name=f"{v.kind.value}-report-{v.report_id}-v{v.version}",
            pdf=store.pdf_bytes(vault, v.report_id, v.version),
        )
        for v in sorted(latest.values(), key=lambda v: v.report_id)
    ]
