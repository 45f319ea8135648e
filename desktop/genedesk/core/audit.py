"""The audit trail: who changed what, when — append-only and hash-chained.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields and the previous event's
hash, so changing, removing or reordering any event breaks every link after it. The table refuses
UPDATE and DELETE through triggers. Details hold field names and record ids, never secrets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from genedesk.core import clock
from genedesk.core.vault.store import Vault

SYSTEM = "system"


def genesis_hash(vault_id: str) -> str:
    return hashlib.sha256(f"GeneDesk audit genesis v1|{vault_id}".encode()).hexdigest()


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(
    *, event_id: int, at: str, staff: str, action: str, subject: str, details: str, prev_hash: str
) -> str:
    fields = {
        "id": event_id,
        "at": at,
        "staff": staff,
        "action": action,
        "subject": subject,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(fields)).hexdigest()


def record(
    conn: sqlcipher3.Connection,
    *,
    vault_id: str,
    staff: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one event inside the caller's open transaction; return its id."""
    last = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    event_id = (last[0] + 1) if last else 1
    prev_hash = last[1] if last else genesis_hash(vault_id)
    at = clock.stamp()
    details_text = _canonical(dict(details or {})).decode()
    digest = event_hash(
        event_id=event_id,
        at=at,
        staff=staff,
        action=action,
        subject=subject,
        details=details_text,
        prev_hash=prev_hash,
    )
    conn.execute(
        "INSERT INTO audit_event (id, at, staff, action, subject, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (event_id, at, staff, action, subject, details_text, prev_hash, digest),
    )
    return event_id


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    staff: str
    action: str
    subject: str
    details: dict[str, Any]


@dataclass(frozen=True)
class ChainCheck:
    events: int
    first_broken: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify_chain(vault: Vault) -> ChainCheck:
    """Walk the chain from the start; name the first event whose link does not hold."""
    expected_prev = genesis_hash(vault.vault_id)
    expected_id = 1
    count = 0
    for row in vault.connection.execute(
        "SELECT id, at, staff, action, subject, details, prev_hash, hash FROM audit_event ORDER BY id"
    ):
        count += 1
        if row["id"] != expected_id:
            return ChainCheck(count, expected_id, f"event {expected_id} is missing")
        if row["prev_hash"] != expected_prev:
            return ChainCheck(
                count, row["id"], f"event {row['id']} does not follow event {row['id'] - 1}"
            )
        digest = event_hash(
            event_id=row["id"],
            at=row["at"],
            staff=row["staff"],
            action=row["action"],
            subject=row["subject"],
            details=row["details"],
            prev_hash=row["prev_hash"],
        )
        if digest != row["hash"]:
            return ChainCheck(
                count, row["id"], f"event {row['id']} was changed after it was written"
            )
        expected_prev = row["hash"]
        expected_id += 1
    return ChainCheck(count, None, None)


def events(vault: Vault, *, subject: str | None = None, limit: int = 500) -> list[AuditEvent]:
    if subject is None:
        rows = vault.query(
            "SELECT id, at, staff, action, subject, details FROM audit_event ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    else:
        rows = vault.query(
            "SELECT id, at, staff, action, subject, details FROM audit_event WHERE subject = ?"
            " ORDER BY id DESC LIMIT ?",
            (subject, limit),
        )
    return [
        AuditEvent(
            r["id"], r["at"], r["staff"], r["action"], r["subject"], json.loads(r["details"])
        )
        for r in rows
    ]
