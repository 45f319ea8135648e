"""Patient mode's flow: one patient only, withdraw with a signature and a receipt, leave with a password."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from genedesk.core import imports, patients
from genedesk.core.consent.model import ConsentTerms, Purpose, Recipients
from genedesk.core.consent.service import HowGiven, get_consent, record_consent
from genedesk.core.errors import PermissionRefused, UsageError
from genedesk.core.patient_mode import PatientModeFlow, Step, patient_view
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import ADMIN, ADMIN_PASSWORD, gene_position, write_vcf

SIGNATURE = b"\x89PNG\r\n\x1a\n-signature-"
SIGNED = HowGiven(method="signed", evidence=SIGNATURE)


@pytest.fixture
def two_patients(vault: Vault, admin: Staff) -> tuple[patients.Patient, patients.Patient]:
    mine = patients.add_patient(vault, admin, PatientDetails("PM-1", "Zoë", "Kowalczyk", "1985-03-02", "female"))
    other = patients.add_patient(vault, admin, PatientDetails("PM-2", "Olaf", "Other", "1970-01-01", "male"))
    return mine, other


def _research(vault: Vault, admin: Staff, patient_id: int) -> int:
    terms = ConsentTerms(Purpose.parse("HMB"), (), ("findings",), Recipients(types=("academic",)))
    return record_consent(vault, admin, patient_id, kind="research", terms=terms, how=SIGNED).id


def test_the_view_shows_reported_results_and_every_consent(
    vault: Vault, admin: Staff, two_patients: tuple[patients.Patient, patients.Patient], tmp_path: Path
) -> None:
    mine, _ = two_patients
    vcf = write_vcf(tmp_path / "p.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, mine.id, vcf, test_type="panel")
    _research(vault, admin, mine.id)
    view = patient_view(vault, mine.id)
    assert view.patient_name == "Zoë Kowalczyk"
    (result,) = view.results
    assert "BRCA2" in result.title and any("BRCA2" in p for p in result.paragraphs)
    (card,) = view.consents
    assert card.can_withdraw and card.status_line.startswith("You said yes on ")
    assert any("health, medicine or biology" in line for line in card.lines)


def test_withdraw_needs_this_patients_active_consent_and_gives_a_receipt(
    vault: Vault, admin: Staff, two_patients: tuple[patients.Patient, patients.Patient]
) -> None:
    mine, other = two_patients
    my_consent = _research(vault, admin, mine.id)
    their_consent = _research(vault, admin, other.id)
    flow = PatientModeFlow(mine.id, opened_by=admin)
    with pytest.raises(PermissionRefused, match="one patient only"):
        flow.ask_withdraw(vault, their_consent)
    assert flow.step is Step.REVIEWING
    assert get_consent(vault, their_consent).status == "given"
    flow.ask_withdraw(vault, my_consent)
    assert flow.step is Step.CONFIRMING
    receipt = flow.confirm_withdraw(vault, SIGNATURE)
    assert flow.step is Step.WITHDRAWN
    assert get_consent(vault, my_consent).status == "withdrawn"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt)).pages)
    assert "Zoë" in text and "Kowalczyk" in text
    flow.go_back()
    with pytest.raises(UsageError, match="not active"):
        flow.ask_withdraw(vault, my_consent)
    card = patient_view(vault, mine.id).consents[0]
    assert not card.can_withdraw and card.status_line.startswith("You took this back on ")


def test_leaving_needs_a_staff_password(vault: Vault, admin: Staff,
                                        two_patients: tuple[patients.Patient, patients.Patient]) -> None:
    flow = PatientModeFlow(two_patients[0].id, opened_by=admin)
    with pytest.raises(UsageError):
        flow.leave(vault, ADMIN, ADMIN_PASSWORD)
    flow.ask_leave()
    with pytest.raises(PermissionRefused):
        flow.leave(vault, ADMIN, "not the password")
    assert flow.step is Step.LEAVING
    member = flow.leave(vault, ADMIN, ADMIN_PASSWORD)
    assert member.name == ADMIN and flow.step is Step.LEFT
