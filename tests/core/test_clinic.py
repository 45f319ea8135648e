"""The clinic's details: kept in the vault, changed by administrators only, audited, printed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from genedesk.core import audit, clinic, imports, patients, staff
from genedesk.core.errors import PermissionRefused, UsageError
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, open_vault
from support import PASSPHRASE, MadeVault, gene_position, write_vcf

ADDRESS = "Clinical Genetics, Floor 3\nSt Mary's Hospital\nOxford Road\nManchester M13 9WL"


def test_a_new_vault_prints_a_plain_default_name_until_the_details_are_set(vault: Vault) -> None:
    assert not clinic.is_set(vault)
    assert clinic.get_clinic(vault) == clinic.Clinic(name=clinic.DEFAULT_NAME)


def test_details_are_kept_in_the_vault_and_audited_by_field_name_only(
    passphrase_vault: MadeVault, vault: Vault, admin: Staff
) -> None:
    saved = clinic.set_clinic(vault, admin, name="  North West   Genetics ", address=ADDRESS + "\n\n",
                              phone="0161 555 0100", email="genetics@example.org",
                              contact_name="Dr Ada Byrne", contact_role="Consultant")
    assert saved.name == "North West Genetics" and saved.address == ADDRESS
    assert clinic.set_clinic(vault, admin, phone="0161 555 0199").email == "genetics@example.org"
    events = [e for e in audit.events(vault, limit=10) if e.action == "clinic.details_changed"]
    assert [json.loads(json.dumps(e.details))["fields"] for e in reversed(events)] == [
        ["address", "contact_name", "contact_role", "email", "name", "phone"], ["phone"]]
    assert "0161" not in json.dumps([e.details for e in events]), "no values in the audit trail"
    clinic.set_clinic(vault, admin, phone="0161 555 0199")  # no change: no event
    assert len([e for e in audit.events(vault, limit=10)
                if e.action == "clinic.details_changed"]) == 2
    vault.close()
    again = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE).vault
    try:
        assert clinic.get_clinic(again).phone == "0161 555 0199"
        assert clinic.get_clinic(again).address.splitlines()[-1] == "Manchester M13 9WL"
    finally:
        again.close()


def test_only_an_administrator_changes_them(vault: Vault, admin: Staff) -> None:
    staff.add_staff(vault, admin, name="Cora Counsellor", role="counsellor",
                    password="counsellor-pw-1")
    cora = staff.sign_in(vault, "Cora Counsellor", "counsellor-pw-1")
    with pytest.raises(PermissionRefused, match="administrator"):
        clinic.set_clinic(vault, cora, phone="0161 555 0100")
    assert not clinic.is_set(vault)


@pytest.mark.parametrize(("values", "words"), [
    ({"name": "   "}, "name is required"),
    ({"phone": "0161\n555"}, "must be on one line"),
    ({"address": "\n".join(f"line {n}" for n in range(7))}, "at most 6 fit"),
    ({"email": "not an address"}, "does not look like an email"),
    ({"name": "x" * 121}, "too long"),
    ({"name": "Clinic\x07"}, "cannot be printed"),
    ({"name": "診療所"}, r"U\+8A3A"),
    ({"fax": "0161"}, "Unknown clinic detail: fax"),
])
def test_refused_details_say_what_and_change_nothing(
    vault: Vault, admin: Staff, values: dict[str, str], words: str
) -> None:
    clinic.set_clinic(vault, admin, name="Kept Clinic")
    before = vault.query_one("SELECT count(*) FROM audit_event")[0]
    with pytest.raises(UsageError, match=words):
        clinic.set_clinic(vault, admin, **values)
    assert clinic.get_clinic(vault).name == "Kept Clinic"
    assert vault.query_one("SELECT count(*) FROM audit_event")[0] == before


def test_letters_and_reports_print_the_clinics_details(vault: Vault, admin: Staff,
                                                        tmp_path: Path) -> None:
    clinic.set_clinic(vault, admin, name="North West Genetics", address=ADDRESS,
                      phone="0161 555 0100", email="genetics@example.org",
                      contact_name="Dr Ada Byrne", contact_role="Consultant")
    patient = patients.add_patient(vault, admin, PatientDetails("C-1", "Cleo", "Clinic",
                                                                "1979-02-03", "female"))
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38",
                    [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, patient.id, vcf, lab="North Lab", test_type="panel")
    for kind in ("patient", "clinician"):
        request = build_request(vault, patient.id, kind, author=admin.name)
        assert request.clinic.phone == "0161 555 0100"
        kept = store.save_draft(vault, admin, request)
        reader = PdfReader(io.BytesIO(store.pdf_bytes(vault, kept.report_id, 1)))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert "North West Genetics" in text, kind
        assert "0161 555 0100" in text and "Manchester M13 9WL" in text, kind
        assert reader.metadata is not None and reader.metadata.author == "North West Genetics"
