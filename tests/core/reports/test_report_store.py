"""Reports in the vault: drafts, final versions that never change, amendments, export."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest
import sqlcipher3
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sample_reports as sample

from genedesk.core import audit, findings, imports, patients
from genedesk.core.errors import Cancelled, GeneDeskError, NotFoundError, UsageError
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.model import (
    ReportFinding,
    ReportKind,
    ReportPatient,
    ReportRequest,
    ReportStatus,
    ReportTest,
)
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import gene_position, write_vcf


def text_of(data: bytes) -> str:
    return " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def events(vault: Vault) -> list[tuple[str, str, dict[str, object]]]:
    rows = vault.query("SELECT action, subject, details FROM audit_event ORDER BY id")
    return [(r["action"], r["subject"], json.loads(r["details"])) for r in rows]


def counts(vault: Vault) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        vault.query_one(f"SELECT count(*) FROM {table}")[0]
        for table in ("report", "report_version", "audit_event")
    )


@pytest.fixture
def patient(vault: Vault, admin: Staff) -> patients.Patient:
    return patients.add_patient(
        vault, admin, PatientDetails("REP-1", "Ana", "Pérez", "1984-03-02", "female")
    )


@pytest.fixture
def imported(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> tuple[imports.ImportOutcome, findings.Finding]:
    """A lab file with one BRCA2 call the lab annotated pathogenic: one proposed finding."""
    chrom, pos = gene_position("BRCA2", "GRCh38")
    vcf = write_vcf(
        tmp_path / "lab-<b>file<b>&.vcf",
        "GRCh38",
        [(chrom, pos, "A", "G", "0/1")],
        extra_info="CLNSIG=Pathogenic",
    )
    outcome = imports.import_vcf(vault, admin, patient.id, vcf, lab="North Lab", test_type="panel")
    (finding,) = findings.list_findings(vault, patient.id).shown
    return outcome, finding


@pytest.fixture
def letter(patient: patients.Patient) -> ReportRequest:
    return sample.request(ReportKind.PATIENT, patient_id=patient.id, report_id="", version=1)


def test_draft_final_amendment_and_every_version_listed(
    vault: Vault, admin: Staff, letter: ReportRequest
) -> None:
    draft = store.save_draft(vault, admin, letter)
    assert (draft.report_id, draft.version, draft.status) == ("R-000001", 1, ReportStatus.DRAFT)
    # Saving the draft again replaces it: still one version.
    again = store.save_draft(
        vault, admin, dataclasses.replace(letter, next_steps="Call us."), report_id="R-000001"
    )
    assert again.version == 1 and again.sha256 != draft.sha256
    assert "Call us." in text_of(store.pdf_bytes(vault, "R-000001", 1))

    final = store.finalize(vault, admin, letter, report_id="R-000001")
    assert (final.version, final.status, final.signed_by) == (
        1,
        ReportStatus.FINAL,
        "Dr Sam Okafor",
    )
    final_text = text_of(store.pdf_bytes(vault, "R-000001", 1))
    assert "Version: 1 (final)" in final_text and "Draft." not in final_text
    assert "Report ID: R-000001" in final_text

    with pytest.raises(UsageError, match="final and cannot change; make an amendment"):
        store.finalize(vault, admin, letter, report_id="R-000001")
    with pytest.raises(UsageError, match="needs a reason"):
        store.amend(vault, admin, letter, report_id="R-000001", reason="  ")

    later = dataclasses.replace(letter, report_date=sample.REPORT_DATE.replace(month=6, day=2))
    amended = store.amend(
        vault, admin, later, report_id="R-000001", reason="the MYH7 change was reclassified"
    )
    assert (amended.version, amended.status, amended.replaces_version) == (
        2,
        ReportStatus.AMENDED,
        1,
    )
    amended_text = text_of(store.pdf_bytes(vault, "R-000001", 2))
    assert (
        "Amended — replaces version 1 of 14 March 2025 because the MYH7 change was reclassified"
        in amended_text
    )
    assert "Version: 2 (amended)" in amended_text and "2 June 2025" in amended_text

    listed = store.versions(vault, "R-000001")
    assert [(v.version, v.status, v.replaced_by) for v in listed] == [
        (1, ReportStatus.FINAL, 2),
        (2, ReportStatus.AMENDED, None),
    ]
    # The first final version is still there, byte for byte.
    assert store.pdf_bytes(vault, "R-000001", 1) == store.pdf_bytes(vault, "R-000001", 1)
    assert hashlib.sha256(store.pdf_bytes(vault, "R-000001", 1)).hexdigest() == final.sha256
    assert [v.report_id for v in store.reports_of(vault, letter.patient_id or 0)] == [
        "R-000001",
        "R-000001",
    ]

    actions = [(a, d.get("version"), d.get("status")) for a, _s, d in events(vault)[-4:]]
    assert actions == [
        ("report.draft_saved", 1, "draft"),
        ("report.draft_saved", 1, "draft"),
        ("report.finalized", 1, "final"),
        ("report.amended", 2, "amended"),
    ]
    assert audit.verify_chain(vault).ok


def test_amendment_drafted_first_then_finalized(
    vault: Vault, admin: Staff, letter: ReportRequest
) -> None:
    store.finalize(vault, admin, letter)
    with pytest.raises(UsageError, match="needs a reason"):
        store.save_draft(vault, admin, letter, report_id="R-000001")
    draft = store.save_draft(
        vault, admin, letter, report_id="R-000001", reason="a typo in the name"
    )
    assert (draft.version, draft.status, draft.replaces_version) == (2, ReportStatus.DRAFT, 1)
    text = text_of(store.pdf_bytes(vault, "R-000001", 2))
    assert "Draft." in text and "because a typo in the name" in text
    done = store.finalize(vault, admin, letter, report_id="R-000001")
    assert (done.version, done.status, done.amendment_reason) == (
        2,
        ReportStatus.AMENDED,
        "a typo in the name",
    )
    assert events(vault)[-1][0] == "report.amended"


def test_final_versions_cannot_be_changed_or_removed(
    vault: Vault, admin: Staff, letter: ReportRequest
) -> None:
    store.finalize(vault, admin, letter)
    with vault.transaction() as conn:
        for sql in (
            "UPDATE report_version SET pdf = x'00', size = 1",
            "UPDATE report_version SET status = 'draft'",
            "DELETE FROM report_version",
            "UPDATE report SET patient_id = patient_id",
        ):
            with pytest.raises(sqlcipher3.DatabaseError, match="cannot be"):
                conn.execute(sql)


def test_a_damaged_pdf_is_refused(vault: Vault, admin: Staff, letter: ReportRequest) -> None:
    store.save_draft(vault, admin, letter)
    with vault.transaction() as conn:  # a draft row may be written; its hash no longer fits
        conn.execute("UPDATE report_version SET pdf = zeroblob(size)")
    with pytest.raises(GeneDeskError, match="does not match its SHA-256"):
        store.pdf_bytes(vault, "R-000001", 1)


def test_final_needs_a_signer_and_a_patient(
    vault: Vault, admin: Staff, letter: ReportRequest
) -> None:
    before = counts(vault)
    with pytest.raises(UsageError, match="needs a signer"):
        store.finalize(vault, admin, dataclasses.replace(letter, signer=None))
    with pytest.raises(UsageError, match="which patient"):
        store.save_draft(vault, admin, dataclasses.replace(letter, patient_id=None))
    with pytest.raises(NotFoundError, match="not in the vault"):
        store.save_draft(vault, admin, dataclasses.replace(letter, patient_id=999))
    assert counts(vault) == before


def test_cancelled_render_keeps_nothing(vault: Vault, admin: Staff, letter: ReportRequest) -> None:
    before = counts(vault)
    with pytest.raises(Cancelled):
        store.finalize(vault, admin, letter, cancelled=lambda: True)
    assert counts(vault) == before


def test_a_version_must_be_the_same_document(
    vault: Vault,
    admin: Staff,
    letter: ReportRequest,
    patient: patients.Patient,
    imported: tuple[imports.ImportOutcome, findings.Finding],
) -> None:
    store.save_draft(vault, admin, letter)
    clinician = sample.request(ReportKind.CLINICIAN, patient_id=patient.id)
    with pytest.raises(UsageError, match="different document"):
        store.save_draft(vault, admin, clinician, report_id="R-000001")
    finding = imported[1]
    about = ReportFinding.from_finding(finding, sex_at_birth="female")
    family = sample.request(
        ReportKind.FAMILY, patient_id=patient.id, findings=(about,), family_finding_id=finding.id
    )
    kept = store.finalize(vault, admin, family)
    assert (kept.report_id, kept.kind, kept.finding_id) == ("R-000002", ReportKind.FAMILY, 1)
    other_finding = dataclasses.replace(about, id=finding.id + 1)
    other = dataclasses.replace(family, findings=(other_finding,), family_finding_id=finding.id + 1)
    with pytest.raises(UsageError, match="different document"):
        store.save_draft(vault, admin, other, report_id="R-000002", reason="x")
    with pytest.raises(NotFoundError, match="not one of this patient's findings"):
        store.save_draft(vault, admin, other)
    with pytest.raises(NotFoundError):
        store.versions(vault, "R-999999")


def test_export_writes_atomically_with_an_audit_event(
    vault: Vault, admin: Staff, letter: ReportRequest, tmp_path: Path
) -> None:
    kept = store.finalize(vault, admin, letter)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "Ana Pérez letter.pdf"
    target.write_bytes(b"an older file")
    store.export(vault, admin, kept.report_id, 1, target)
    assert target.read_bytes() == store.pdf_bytes(vault, kept.report_id, 1)
    assert [p.name for p in folder.iterdir()] == [target.name]  # no temp file left
    if os.name == "posix":
        assert target.stat().st_mode & 0o077 == 0
    action, subject, details = events(vault)[-1]
    assert (action, subject) == ("report.exported", f"patient:{letter.patient_id}")
    assert details == {
        "report": "R-000001",
        "kind": "patient",
        "version": 1,
        "status": "final",
        "sha256": kept.sha256,
    }
    # A write that fails records nothing.
    before = counts(vault)
    with pytest.raises(GeneDeskError):
        store.export(vault, admin, kept.report_id, 1, folder / "missing" / "x.pdf")
    assert counts(vault) == before


def test_audit_details_hold_no_patient_text(
    vault: Vault, admin: Staff, letter: ReportRequest
) -> None:
    store.save_draft(vault, admin, letter)
    store.finalize(vault, admin, letter, report_id="R-000001")
    store.amend(vault, admin, letter, report_id="R-000001", reason="Ana's sister's result")
    for _action, _subject, details in events(vault):
        flat = json.dumps(details, ensure_ascii=False)
        for secret in ("Ana", "Pérez", "REP-1", "1984", "sister"):
            assert secret not in flat


def test_filled_from_the_vault_records(
    vault: Vault,
    admin: Staff,
    patient: patients.Patient,
    imported: tuple[imports.ImportOutcome, findings.Finding],
) -> None:
    """The contract filled from the vault's own records: the patient, the finding proposed at
    import (texts composed by knowledge.explain), the imported file's provenance."""
    outcome, finding = imported
    test = ReportTest.from_genetic_test(outcome.test)
    report_finding = ReportFinding.from_finding(
        finding, sex_at_birth=patient.sex_at_birth, clinician_note="Check the lab's letter."
    )
    assert report_finding.patient_text is not None and report_finding.family_text is not None
    base = dict(
        patient=ReportPatient.from_patient(patient),
        patient_id=patient.id,
        findings=(report_finding,),
        tests=(test,),
        pgx=None,
    )
    call = finding.call
    clinician = store.finalize(vault, admin, sample.request(ReportKind.CLINICIAN, **base))
    text = text_of(store.pdf_bytes(vault, clinician.report_id, 1))
    assert "1. BRCA2 — Pathogenic" in text
    assert "Source file lab-<b>file<b>&.vcf" in text
    assert outcome.test.source_sha256 in text.replace(" ", "")
    assert call.hgvs_g in text.replace(" ", "")
    assert f"{call.chrom}:{call.pos} A>G" in text
    assert "Record number REP-1" in text and "North Lab: gene panel, GRCh38" in text
    assert f"by {admin.name}" in text and "Check the lab's letter." in text

    letter = store.finalize(vault, admin, sample.request(ReportKind.PATIENT, **base))
    letter_text = text_of(store.pdf_bytes(vault, letter.report_id, 1))
    assert "Your genetic test result: the BRCA2 gene" in letter_text
    assert "BRCA2 gene: a change that is known to cause a health problem" in letter_text

    family = store.finalize(
        vault,
        admin,
        sample.request(ReportKind.FAMILY, family_finding_id=finding.id, **base),
    )
    family_text = text_of(store.pdf_bytes(vault, family.report_id, 1))
    assert "A genetic test result in your family: the BRCA2 gene" in family_text
    assert "Check the lab's letter." not in family_text
    assert [v.kind for v in store.reports_of(vault, patient.id)] == [
        ReportKind.CLINICIAN,
        ReportKind.PATIENT,
        ReportKind.FAMILY,
    ]


def test_version_listing_is_plain_json(vault: Vault, admin: Staff, letter: ReportRequest) -> None:
    kept = store.finalize(vault, admin, letter)
    listed = kept.to_json()
    assert listed["kind"] == "patient" and listed["status"] == "final"
    json.dumps(listed)


def test_render_refuses_a_request_of_another_kind() -> None:
    from genedesk.core.reports.family_letter import build_family_letter

    with pytest.raises(ValueError):
        build_family_letter(sample.request(ReportKind.PATIENT))


def test_report_model_rejects_an_unknown_choice() -> None:
    with pytest.raises(UsageError, match="choice"):
        sample.request(recontact_choice="maybe")
    assert isinstance(store.render(sample.request()), bytes)
    assert ReportStatus("amended") is ReportStatus.AMENDED
    with pytest.raises(UsageError):
        ReportRequest(**{**_fields(sample.request()), "version": 0})


def _fields(request: ReportRequest) -> dict[str, object]:
    return {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}
