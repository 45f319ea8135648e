"""Staff accounts: who may sign in, with which role; Argon2id password hashes.

A wrong password is answered the same way as an unknown name, and after three failures in a row
each further attempt waits longer (1, 2, 4 … 30 s) before it is even checked.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from genedesk.core import audit, clock
from genedesk.core.errors import NotFoundError, PermissionRefused, UsageError
from genedesk.core.vault.store import Vault

ROLES = ("admin", "counsellor")
MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 30.0

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
_DUMMY_HASH = _hasher.hash("not a real password, used to keep timing even")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise UsageError("A staff member needs a name.")
    if len(name) > 80 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise UsageError("A staff name must be at most 80 characters, letters, digits and spaces.")
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def delay_after(failures: int) -> float:
    """Seconds to wait before checking a password after `failures` failed sign-ins in a row."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


def _insert(vault: Vault, *, by: str, name: str, role: str, password: str) -> Staff:
    name = check_name(name)
    if role not in ROLES:
        raise UsageError(f"The role must be one of: {', '.join(ROLES)}.")
    check_new_password(password)
    hashed = _hasher.hash(password)
    with vault.transaction() as tx:
        if tx.execute("SELECT 1 FROM staff WHERE name = ?", (name,)).fetchone():
            raise UsageError("A staff member with that name already exists.")
        cursor = tx.execute(
            "INSERT INTO staff (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, hashed, clock.stamp()),
        )
        staff_id = int(cursor.lastrowid or 0)
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=by,
            action="staff.added",
            subject=f"staff:{staff_id}",
            details={"role": role},
        )
    return Staff(staff_id, name, role)


def add_first_admin(vault: Vault, name: str, password: str) -> Staff:
    if vault.query_one("SELECT count(*) FROM staff")[0]:
        raise UsageError("This vault already has staff accounts.")
    return _insert(vault, by=audit.SYSTEM, name=name, role="admin", password=password)


def add_staff(vault: Vault, actor: Staff, *, name: str, role: str, password: str) -> Staff:
    if not actor.is_admin:
        raise PermissionRefused("Only an administrator can add staff members.")
    return _insert(vault, by=actor.name, name=name, role=role, password=password)


def list_staff(vault: Vault) -> list[Staff]:
    rows = vault.query("SELECT id, name, role FROM staff WHERE active = 1 ORDER BY name")
    return [Staff(r["id"], r["name"], r["role"]) for r in rows]


def find_staff(vault: Vault, name: str) -> Staff:
    row = vault.query_one("SELECT id, name, role FROM staff WHERE name = ? AND active = 1", (name,))
    if row is None:
        raise NotFoundError("There is no staff member of that name.")
    return Staff(row["id"], row["name"], row["role"])


def sign_in(
    vault: Vault, name: str, password: str, *, sleep: Callable[[float], None] = time.sleep
) -> Staff:
    """The staff member, if the password is theirs; otherwise PermissionRefused (exit 5)."""
    refused = PermissionRefused("The staff name or password is not right.")
    row = vault.query_one(
        "SELECT id, name, role, password_hash, failed_signins FROM staff WHERE name = ? AND active = 1",
        (name.strip(),),
    )
    if row is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise refused
    wait = delay_after(int(row["failed_signins"]))
    if wait:
        sleep(wait)
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        with vault.transaction() as tx:
            tx.execute(
                "UPDATE staff SET failed_signins = failed_signins + 1, last_failed_at = ? WHERE id = ?",
                (clock.stamp(), row["id"]),
            )
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=audit.SYSTEM,
                action="staff.sign_in_failed",
                subject=f"staff:{row['id']}",
                details={"failures_in_a_row": row["failed_signins"] + 1},
            )
        log.info("sign-in refused for staff %d", row["id"])
        raise refused from None
    if row["failed_signins"]:
        with vault.transaction() as tx:
            tx.execute("UPDATE staff SET failed_signins = 0 WHERE id = ?", (row["id"],))
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=row["name"],
                action="staff.signed_in",
                subject=f"staff:{row['id']}",
                details={"after_failures": row["failed_signins"]},
            )
    if _hasher.check_needs_rehash(row["password_hash"]):
        with vault.transaction() as tx:
            tx.execute(
                "UPDATE staff SET password_hash = ? WHERE id = ?",
                (_hasher.hash(password), row["id"]),
            )
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=row["name"],
                action="staff.password_rehashed",
                subject=f"staff:{row['id']}",
            )
    return Staff(row["id"], row["name"], row["role"])
