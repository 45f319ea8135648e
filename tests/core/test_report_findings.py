"""Each report version records which findings it printed, with the class it printed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from genedesk.core import findings, imports, patients
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import gene_position, write_vcf


def test_final_report_records_its_findings_for_good(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    patient = patients.add_patient(vault, admin, PatientDetails("RF-1", "Rae", "Finding", "1977-07-07", "female"))
    vcf = write_vcf(tmp_path / "p.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1"),
                                                   (*gene_position("MLH1", "GRCh38"), "C", "T", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, patient.id, vcf, test_type="panel")
    mlh1 = next(f for f in findings.list_findings(vault, patient.id).shown if f.gene == "MLH1")
    findings.update_finding(vault, admin, mlh1.id, in_report=False)  # taken out before the report
    draft = store.save_draft(vault, admin, build_request(vault, patient.id, "clinician", author=admin.name))
    request = build_request(vault, patient.id, "clinician", author=admin.name, signer=Signer(admin.name, "Counsellor"))
    final = store.finalize(vault, admin, request, report_id=draft.report_id)
    rows = vault.query("SELECT vf.finding_id, vf.classification FROM report_version_finding vf"
                       " JOIN report r ON r.id = vf.report_id WHERE r.number = ? AND vf.version = ?",
                       (final.report_id, final.version))
    brca2 = next(f for f in findings.list_findings(vault, patient.id).shown if f.gene == "BRCA2")
    assert [(r["finding_id"], r["classification"]) for r in rows] == [(brca2.id, "pathogenic")]
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        vault.connection.execute("DELETE FROM report_version_finding")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        vault.connection.execute("UPDATE report_version_finding SET classification = 'benign'")


def test_the_counsellors_own_words_print_for_a_gene_without_a_standard_text(
    vault: Vault, admin: Staff, tmp_path: Path
) -> None:
    import io

    from pypdf import PdfReader

    patient = patients.add_patient(vault, admin, PatientDetails("RF-2", "Ola", "Outside", "1980-08-08", "male"))
    # Annotated pathogenic outside every knowledge-base gene: kept and proposed, but no standard text.
    vcf = write_vcf(tmp_path / "p.vcf", "GRCh38", [("1", 1_000_000, "A", "G", "0/1")], extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, patient.id, vcf, test_type="panel")
    (finding,) = findings.list_findings(vault, patient.id).shown
    words = "We found a change that your doctor will explain at your next visit."
    findings.update_finding(vault, admin, finding.id, explanation=[words])
    version = store.save_draft(vault, admin, build_request(vault, patient.id, "patient", author=admin.name))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        store.pdf_bytes(vault, version.report_id, version.version))).pages)
    assert words in " ".join(text.split())
