"""Requests built from a real vault: the findings left in the letter, their tests, the choices."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from genedesk.core import findings, imports, patients
from genedesk.core.consent.model import ConsentTerms
from genedesk.core.consent.service import HowGiven, record_consent
from genedesk.core.errors import UsageError
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import ReportKind
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import gene_position, write_vcf


@pytest.fixture
def patient_with_findings(vault: Vault, admin: Staff, tmp_path: Path) -> patients.Patient:
    patient = patients.add_patient(vault, admin, PatientDetails("R-1", "Rhea", "Report", "1980-05-05", "female"))
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38",
                    [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1"),
                     (*gene_position("MLH1", "GRCh38"), "C", "T", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, patient.id, vcf, lab="North Lab", test_type="panel")
    return patient


def test_patient_letter_prints_the_findings_left_in_the_letter(
    vault: Vault, admin: Staff, patient_with_findings: patients.Patient
) -> None:
    listed = findings.list_findings(vault, patient_with_findings.id).shown
    assert {f.gene for f in listed} == {"BRCA2", "MLH1"}
    left_out = next(f for f in listed if f.gene == "MLH1")
    findings.update_finding(vault, admin, left_out.id, in_report=False)
    record_consent(vault, admin, patient_with_findings.id, kind="recontact", terms=ConsentTerms(),
                   how=HowGiven("signed", evidence=b"\x89PNG\r\n\x1a\nsig"))

    request = build_request(vault, patient_with_findings.id, "patient", author=admin.name, large_print=True)

    assert [f.gene for f in request.findings] == ["BRCA2"]
    assert [t.lab for t in request.tests] == ["North Lab"]
    assert request.patient.record_number == "R-1" and request.patient_id == patient_with_findings.id
    assert request.large_print and request.recontact_choice == "yes"
    assert request.secondary_findings_choice == "not_asked"
    kept = store.save_draft(vault, admin, request)
    text = "".join(page.extract_text() for page in
                   PdfReader(io.BytesIO(store.pdf_bytes(vault, kept.report_id, 1))).pages)
    assert "BRCA2" in text and "Rhea" in text


def test_family_letter_is_about_the_chosen_finding_only(
    vault: Vault, admin: Staff, patient_with_findings: patients.Patient
) -> None:
    listed = findings.list_findings(vault, patient_with_findings.id).shown
    brca2 = next(f for f in listed if f.gene == "BRCA2")
    request = build_request(vault, patient_with_findings.id, ReportKind.FAMILY, finding_id=brca2.id,
                            author=admin.name)
    assert request.kind is ReportKind.FAMILY and request.family_finding.gene == "BRCA2"
    assert [f.id for f in request.findings] == [brca2.id]
    with pytest.raises(UsageError, match="choose the finding"):
        build_request(vault, patient_with_findings.id, "family", author=admin.name)
