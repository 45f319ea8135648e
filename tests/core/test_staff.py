from __future__ import annotations

import pytest

from genedesk.core import staff
from genedesk.core.errors import PermissionRefused, UsageError
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import ADMIN, ADMIN_PASSWORD


def test_admin_signs_in_and_passwords_are_argon2id(vault: Vault) -> None:
    member = staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
    assert member.is_admin
    stored = vault.query_one("SELECT password_hash FROM staff WHERE id = ?", (member.id,))[0]
    assert stored.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in stored


def test_wrong_password_and_unknown_name_get_the_same_answer(vault: Vault) -> None:
    with pytest.raises(PermissionRefused) as wrong:
        staff.sign_in(vault, ADMIN, "not-the-password")
    with pytest.raises(PermissionRefused) as unknown:
        staff.sign_in(vault, "Nobody Here", "not-the-password")
    assert wrong.value.exit_code == 5
    assert str(wrong.value) == str(unknown.value)


def test_repeated_failures_slow_down_and_success_resets(vault: Vault) -> None:
    waits: list[float] = []
    for _ in range(6):
        with pytest.raises(PermissionRefused):
            staff.sign_in(vault, ADMIN, "wrong-password", sleep=waits.append)
    assert waits == [1.0, 2.0, 4.0]
    staff.sign_in(vault, ADMIN, ADMIN_PASSWORD, sleep=waits.append)
    assert waits[-1] == 8.0
    waits.clear()
    with pytest.raises(PermissionRefused):
        staff.sign_in(vault, ADMIN, "wrong-password", sleep=waits.append)
    assert waits == []
    assert staff.delay_after(50) == staff.MAX_DELAY_SECONDS


def test_only_admins_add_staff_and_roles_are_checked(vault: Vault, admin: Staff) -> None:
    cora = staff.add_staff(vault, admin, name="Cora Counsellor", role="counsellor", password="counsellor-pw-1")
    assert not cora.is_admin
    with pytest.raises(PermissionRefused, match="Only an administrator"):
        staff.add_staff(vault, cora, name="Dan", role="admin", password="another-pw-12")
    with pytest.raises(UsageError, match="role"):
        staff.add_staff(vault, admin, name="Eve", role="owner", password="another-pw-12")
    with pytest.raises(UsageError, match="at least 10"):
        staff.add_staff(vault, admin, name="Eve", role="counsellor", password="short")
    with pytest.raises(UsageError, match="already exists"):
        staff.add_staff(vault, admin, name="cora counsellor", role="counsellor", password="another-pw-12")
    assert [m.name for m in staff.list_staff(vault)] == [ADMIN, "Cora Counsellor"]
