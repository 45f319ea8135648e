"""A ReportRequest built from what the vault holds about one patient.

The window's Generate button and the command line's `report` command both start here, so the same
patient gives the same document whichever front end asks. The findings printed are the ones the
counsellor left in the letter (`in_report`, not excluded; secondary ones only with consent, as
`findings.list_findings` already decides); the tests are those the findings came from.
"""

from __future__ import annotations

import datetime as dt

from genedesk import __version__
from genedesk.core import clock, findings, imports, patients
from genedesk.core.clinic import get_clinic
from genedesk.core.errors import NotFoundError, UsageError
from genedesk.core.knowledge.genes import shipped_genes
from genedesk.core.reports.model import (
    Choice,
    Clinic,
    PgxSummary,
    ReportFinding,
    ReportKind,
    ReportPatient,
    ReportRequest,
    ReportTest,
    Signer,
)
from genedesk.core.vault.store import Vault


def _choice(vault: Vault, patient_id: int, kind: str, today: dt.date) -> Choice:
    """The patient's yes / no for a wish-only consent, from its latest record."""
    from genedesk.core.consent.service import list_consents

    latest = [c for c in list_consents(vault, patient_id) if c.kind == kind]
    if not latest:
        return "not_asked"
    return "yes" if latest[-1].status_on(today) == "given" else "no"


def build_request(
    vault: Vault,
    patient_id: int,
    kind: ReportKind | str,
    *,
    finding_id: int | None = None,
    large_print: bool = False,
    author: str,
    clinic: Clinic | None = None,
    signer: Signer | None = None,
    reason_for_test: str = "",
    referrer: str = "",
    language: str = "en",
    report_date: dt.datetime | None = None,
) -> ReportRequest:
    """What to print for this patient now; `finding_id` is required for a family letter.
    `clinic` defaults to the clinic's details kept in the vault (core.clinic)."""
    report_kind = ReportKind(kind)
    patient = patients.get_patient(vault, patient_id)
    listed = findings.list_findings(vault, patient_id).shown
    chosen = [f for f in listed if f.in_report]
    if report_kind is ReportKind.FAMILY:
        if finding_id is None:
            raise UsageError("A family letter is about one finding: choose the finding first.")
        match = [f for f in listed if f.id == finding_id]
        if not match:
            raise NotFoundError(
                f"Finding {finding_id} is not one of this patient's findings that can be reported."
            )
        chosen = match
    report_findings = tuple(
        ReportFinding.from_finding(f, sex_at_birth=patient.sex_at_birth, language=language)
        for f in chosen
    )
    used_tests = {f.test_id for f in chosen}
    tests = tuple(
        ReportTest.from_genetic_test(t)
        for t in imports.tests_of(vault, patient_id)
        if t.id in used_tests
    )
    releases = sorted({f.clinvar_release for f in chosen if f.clinvar_release})
    genes = shipped_genes()
    today = clock.utcnow().date()
    return ReportRequest(
        kind=report_kind,
        patient=ReportPatient.from_patient(patient),
        report_date=report_date or clock.utcnow(),
        clinic=clinic if clinic is not None else get_clinic(vault),
        author=author,
        knowledge_base_version=f"GeneDesk {__version__} ({genes.sf_list})",
        sf_list=genes.sf_list,
        sf_citation=genes.sf_citation,
        clinvar_release=f"ClinVar {releases[-1]}" if releases else None,
        findings=report_findings,
        tests=tests,
        family_finding_id=finding_id if report_kind is ReportKind.FAMILY else None,
        # A family letter holds one finding and nothing else: never the patient's medicines.
        pgx=_pgx(vault, patient_id) if report_kind is not ReportKind.FAMILY else None,
        signer=signer,
        reason_for_test=reason_for_test,
        referrer=referrer,
        secondary_findings_choice=_choice(vault, patient_id, "secondary-findings", today),
        recontact_choice=_choice(vault, patient_id, "recontact", today),
        large_print=large_print,
        language=language,
        patient_id=patient_id,
    )


def _pgx(vault: Vault, patient_id: int) -> PgxSummary | None:
    """The pharmacogenomic results, when a GRCh38 test covered at least one PGx position."""
    from genedesk.core.pgx.definitions import load_definitions
    from genedesk.core.pgx.stored import pgx_for_patient

    report = pgx_for_patient(vault, patient_id)
    if report is None:
        return None
    definitions = load_definitions()
    tested = any(
        len(row.positions_not_tested) < len(definitions[row.gene].positions)
        for row in report.genes
        if row.gene in definitions
    )
    return PgxSummary.from_report(report) if tested else None


__all__ = ["build_request"]
