from __future__ import annotations

import pytest
import sqlcipher3

from genedesk.core import audit, patients, staff
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault


def _count(vault: Vault) -> int:
    return int(vault.query_one("SELECT count(*) FROM audit_event")[0])


def test_each_change_writes_exactly_one_event(vault: Vault, admin: Staff) -> None:
    start = _count(vault)
    patient = patients.add_patient(vault, admin, PatientDetails("A1", "Ann", "Lee", "1970-02-03", "female"))
    assert _count(vault) == start + 1
    patients.edit_patient(vault, admin, patient.id, family_name="Leigh")
    assert _count(vault) == start + 2
    patients.edit_patient(vault, admin, patient.id, family_name="Leigh")  # no change, no event
    assert _count(vault) == start + 2
    staff.add_staff(vault, admin, name="Cora Counsellor", role="counsellor", password="counsellor-pw-1")
    assert _count(vault) == start + 3
    last = audit.events(vault, limit=3)
    assert [e.action for e in last] == ["staff.added", "patient.edited", "patient.added"]
    assert last[1].details == {"fields": ["family_name"]}
    assert all(e.staff == admin.name for e in last)


def test_a_refused_change_writes_no_event(vault: Vault, admin: Staff) -> None:
    patients.add_patient(vault, admin, PatientDetails("A1", "Ann", "Lee", "1970-02-03", "female"))
    start = _count(vault)
    with pytest.raises(Exception, match="record number"):
        patients.add_patient(vault, admin, PatientDetails("A1", "Bob", "Lee", "1971-02-03", "male"))
    assert _count(vault) == start


def test_events_cannot_be_updated_or_deleted(vault: Vault, admin: Staff) -> None:
    patients.add_patient(vault, admin, PatientDetails("A1", "Ann", "Lee", "1970-02-03", "female"))
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        vault.connection.execute("UPDATE audit_event SET staff = 'someone else'")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be deleted"):
        vault.connection.execute("DELETE FROM audit_event")
    assert audit.verify_chain(vault).ok


def test_verify_names_the_first_changed_event(vault: Vault, admin: Staff) -> None:
    for n in range(5):
        patients.add_patient(vault, admin, PatientDetails(f"T{n}", "Ann", "Lee", "1970-02-03", "female"))
    assert audit.verify_chain(vault).ok
    target = int(vault.query_one("SELECT id FROM audit_event WHERE subject = 'patient:3'")[0])
    # A test-only connection goes around the triggers, as an attacker with the key could.
    conn = vault.connection
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET staff = 'Mallory' WHERE id = ?", (target,))
    check = audit.verify_chain(vault)
    assert not check.ok
    assert check.first_broken == target
    assert check.problem == f"event {target} was changed after it was written"


def test_verify_names_a_removed_event(vault: Vault, admin: Staff) -> None:
    for n in range(3):
        patients.add_patient(vault, admin, PatientDetails(f"T{n}", "Ann", "Lee", "1970-02-03", "female"))
    conn = vault.connection
    conn.execute("DROP TRIGGER audit_event_no_delete")
    conn.execute("DELETE FROM audit_event WHERE id = 2")
    check = audit.verify_chain(vault)
    assert check.first_broken == 2
    assert check.problem == "event 2 is missing"


def test_chain_starts_from_this_vault(vault: Vault) -> None:
    first = vault.query_one("SELECT prev_hash FROM audit_event WHERE id = 1")[0]
    assert first == audit.genesis_hash(vault.vault_id)
