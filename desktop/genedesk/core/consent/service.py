"""Consents and sharing requests in the vault: record, withdraw, decide, release — each audited.

Every change is one transaction with its audit event(s) inside it. The decision itself is
`evaluate.decide` (pure); this module only loads what it needs and stores what it decided.
A release re-decides on the day it is made, so a consent withdrawn a minute earlier refuses it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genedesk.core import audit, clock, patients
from genedesk.core.atomic import atomic_write
from genedesk.core.consent import fhir
from genedesk.core.consent.evaluate import decide
from genedesk.core.consent.forms import form_in_use, get_form
from genedesk.core.consent.model import (
    METHODS,
    Consent,
    ConsentEvent,
    ConsentTerms,
    Decision,
    Release,
    RequestDetails,
    SharingRequest,
    check_request,
    check_terms,
    clean_text,
)
from genedesk.core.consent.release import (
    Package,
    PatientIdentity,
    ReleaseData,
    build_package,
    subject_for,
)
from genedesk.core.errors import NotFoundError, PermissionRefused, UsageError
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

_PNG = b"\x89PNG\r\n\x1a\n"
_EVIDENCE_TYPES = (
    (_PNG, "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)
MAX_EVIDENCE = 20 * 1024 * 1024


@dataclass(frozen=True)
class HowGiven:
    """How the patient gave (or declined, or withdrew) consent, and the proof kept of it."""

    method: str  # signed (on screen) | paper (signed, scanned) | verbal (with a witness)
    witness: str | None = None
    evidence: bytes | None = None  # the signature drawn on screen (PNG) or the scan


@dataclass(frozen=True)
class Withdrawal:
    consent: Consent
    denied_requests: tuple[int, ...]  # pending requests no other consent covers
    past_releases: tuple[Release, ...]  # everything released under it: the clinic tells them


@dataclass(frozen=True)
class ReleaseResult:
    release: Release
    package: Package
    decision: Decision


def _today(on: dt.date | None) -> dt.date:
    return on or clock.utcnow().date()


def _evidence(how: HowGiven) -> tuple[str, str | None, bytes | None, str | None, str | None]:
    """The checked method, witness, evidence, its media type and its SHA-256."""
    if how.method not in METHODS:
        raise UsageError(f"How consent was given must be one of: {', '.join(METHODS)}.")
    witness = clean_text(how.witness, "The witness's name", required=False)
    evidence = how.evidence or None
    if how.method == "verbal" and witness is None:
        raise UsageError("Consent given verbally needs a witness (--witness NAME).")
    media: str | None = None
    if evidence is not None:
        if len(evidence) > MAX_EVIDENCE:
            raise UsageError("The signature or scan is larger than 20 MB.")
        media = next((kind for magic, kind in _EVIDENCE_TYPES if evidence.startswith(magic)), None)
        if media is None:
            raise UsageError("The signature or scan must be a PNG, JPEG or PDF file.")
    if how.method == "signed" and media != "image/png":
        raise UsageError("A signature drawn on screen is kept as a PNG image; none was given.")
    if how.method == "paper" and evidence is None:
        raise UsageError("Consent signed on paper needs the scan of the signed form.")
    digest = hashlib.sha256(evidence).hexdigest() if evidence is not None else None
    return how.method, witness, evidence, media, digest


# --- reading ----------------------------------------------------------------------------------

_EVENT_COLUMNS = (
    "id, status, at, recorded_by, method, witness, evidence_type, evidence_sha256, reason, form_id"
)


def get_consent(vault: Vault, consent_id: int) -> Consent:
    row = vault.query_one(
        "SELECT id, patient_id, kind, form_id, terms, valid_from, valid_until, created_at"
        " FROM consent WHERE id = ?",
        (consent_id,),
    )
    if row is None:
        raise NotFoundError(f"There is no consent {consent_id}.")
    events = tuple(
        ConsentEvent(*(r[i] for i in range(10)))
        for r in vault.query(
            f"SELECT {_EVENT_COLUMNS} FROM consent_event WHERE consent_id = ? ORDER BY id",
            (consent_id,),
        )
    )
    return Consent(
        id=row["id"],
        patient_id=row["patient_id"],
        kind=row["kind"],
        form=get_form(vault, row["form_id"]),
        terms=ConsentTerms.from_json(json.loads(row["terms"])),
        valid_from=dt.date.fromisoformat(row["valid_from"]),
        valid_until=dt.date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
        created_at=row["created_at"],
        events=events,
    )


def list_consents(vault: Vault, patient_id: int) -> list[Consent]:
    rows = vault.query("SELECT id FROM consent WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [get_consent(vault, r["id"]) for r in rows]


def consent_evidence(vault: Vault, consent_id: int) -> tuple[str, bytes] | None:
    """The signature image or scan kept with the consent when it was given (or declined)."""
    row = vault.query_one(
        "SELECT evidence_type, evidence FROM consent_event WHERE consent_id = ?"
        " AND status IN ('given', 'declined') ORDER BY id LIMIT 1",
        (consent_id,),
    )
    if row is None or row["evidence"] is None:
        return None
    return str(row["evidence_type"]), bytes(row["evidence"])


# --- recording and withdrawing -------------------------------------------------------------------


def record_consent(
    vault: Vault,
    actor: Staff,
    patient_id: int,
    *,
    kind: str,
    terms: ConsentTerms,
    how: HowGiven,
    declined: bool = False,
    valid_from: dt.date | None = None,
    form_id: int | None = None,
    language: str = "en",
) -> Consent:
    """Record a consent the patient gave (or declined) on the form they read."""
    patient = patients.get_patient(vault, patient_id)
    clean = check_terms(kind, terms)
    method, witness, evidence, media, digest = _evidence(how)
    form = (
        get_form(vault, form_id)
        if form_id is not None
        else form_in_use(vault, actor, kind, language)
    )
    if form.kind != kind:
        raise UsageError(f"Form {form.id} is a {form.kind} form, not a {kind} form.")
    start = valid_from or clock.utcnow().date()
    until = clean.valid_until
    if until is not None and until < start:
        raise UsageError("The time limit (TS) is before the day the consent starts.")
    now = clock.stamp()
    status = "declined" if declined else "given"
    with vault.transaction() as tx:
        cursor = tx.execute(
            "INSERT INTO consent (patient_id, kind, form_id, terms, valid_from, valid_until,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                patient.id,
                kind,
                form.id,
                json.dumps(clean.to_json(), sort_keys=True),
                start.isoformat(),
                until.isoformat() if until else None,
                now,
            ),
        )
        consent_id = int(cursor.lastrowid or 0)
        tx.execute(
            "INSERT INTO consent_event (consent_id, status, at, recorded_by, method, witness,"
            " evidence, evidence_type, evidence_sha256, form_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                consent_id,
                status,
                now,
                actor.name,
                method,
                witness,
                evidence,
                media,
                digest,
                form.id,
            ),
        )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action=f"consent.{status}",
            subject=f"patient:{patient.id}",
            details={
                "consent": consent_id,
                "kind": kind,
                "method": method,
                "form": form.id,
                "form_version": form.version,
                "form_sha256": form.sha256,
                "evidence_sha256": digest,
            },
        )
    return get_consent(vault, consent_id)


def releases_under(vault: Vault, consent_id: int) -> list[Release]:
    rows = vault.query(
        "SELECT id, request_id, consent_id, recipient, released_at, released_by, deidentified,"
        " contents, package_sha256 FROM consent_release WHERE consent_id = ? ORDER BY id",
        (consent_id,),
    )
    return [_row_to_release(r) for r in rows]


def _row_to_release(row: Any) -> Release:
    return Release(
        id=row["id"],
        request_id=row["request_id"],
        consent_id=row["consent_id"],
        recipient=row["recipient"],
        released_at=row["released_at"],
        released_by=row["released_by"],
        deidentified=bool(row["deidentified"]),
        contents=json.loads(row["contents"]),
        package_sha256=row["package_sha256"],
    )


def withdraw_consent(
    vault: Vault,
    actor: Staff,
    consent_id: int,
    *,
    reason: str | None,
    how: HowGiven,
    on: dt.date | None = None,
) -> Withdrawal:
    """Withdraw at once: pending requests that only this consent covered become denied, and
    every past release made under it is listed for the clinic to tell the recipients."""
    consent = get_consent(vault, consent_id)
    if consent.status != "given":
        raise UsageError(
            f"Consent {consent_id} is {consent.status}; only a given consent can be withdrawn."
        )
    method, witness, evidence, media, digest = _evidence(how)
    why = clean_text(reason, "The reason", required=False)
    day = _today(on)
    now = clock.stamp()
    denied: list[int] = []
    with vault.transaction() as tx:
        tx.execute(
            "INSERT INTO consent_event (consent_id, status, at, recorded_by, method, witness,"
            " evidence, evidence_type, evidence_sha256, reason, form_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                consent_id,
                "withdrawn",
                now,
                actor.name,
                method,
                witness,
                evidence,
                media,
                digest,
                why,
                consent.form.id,
            ),
        )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="consent.withdrawn",
            subject=f"patient:{consent.patient_id}",
            details={"consent": consent_id, "method": method, "evidence_sha256": digest},
        )
        remaining = [c for c in list_consents(vault, consent.patient_id) if c.id != consent_id]
        pending = tx.execute(
            "SELECT id, details FROM sharing_request WHERE patient_id = ? AND status = 'pending'"
            " AND governing_consent = ? ORDER BY id",
            (consent.patient_id, consent_id),
        ).fetchall()
        for row in pending:
            details = RequestDetails.from_json(json.loads(row["details"]))
            decision = decide(remaining, details, on=day)
            _store_decision(tx, vault, actor, row["id"], consent.patient_id, decision, now)
            if not decision.permitted:
                denied.append(row["id"])
    return Withdrawal(
        consent=get_consent(vault, consent_id),
        denied_requests=tuple(denied),
        past_releases=tuple(releases_under(vault, consent_id)),
    )


def record_expiries(vault: Vault, actor: Staff, *, on: dt.date | None = None) -> list[int]:
    """Mark every given consent past its time limit as expired; return their ids."""
    day = _today(on)
    rows = vault.query(
        "SELECT c.id, c.patient_id FROM consent c WHERE c.valid_until IS NOT NULL"
        " AND c.valid_until < ? AND (SELECT e.status FROM consent_event e WHERE e.consent_id = c.id"
        " ORDER BY e.id DESC LIMIT 1) = 'given' ORDER BY c.id",
        (day.isoformat(),),
    )
    expired = []
    for row in rows:
        with vault.transaction() as tx:
            tx.execute(
                "INSERT INTO consent_event (consent_id, status, at, recorded_by)"
                " VALUES (?, 'expired', ?, ?)",
                (row["id"], clock.stamp(), actor.name),
            )
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=actor.name,
                action="consent.expired",
                subject=f"patient:{row['patient_id']}",
                details={"consent": row["id"]},
            )
        expired.append(int(row["id"]))
    return expired


# --- sharing requests ----------------------------------------------------------------------------

_REQUEST_COLUMNS = (
    "id, patient_id, details, status, decision, governing_consent, decided_at, created_at,"
    " created_by"
)


def _row_to_request(row: Any) -> SharingRequest:
    return SharingRequest(
        id=row["id"],
        patient_id=row["patient_id"],
        details=RequestDetails.from_json(json.loads(row["details"])),
        status=row["status"],
        decision=json.loads(row["decision"]) if row["decision"] else None,
        governing_consent=row["governing_consent"],
        decided_at=row["decided_at"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def get_request(vault: Vault, request_id: int) -> SharingRequest:
    row = vault.query_one(
        f"SELECT {_REQUEST_COLUMNS} FROM sharing_request WHERE id = ?", (request_id,)
    )
    if row is None:
        raise NotFoundError(f"There is no sharing request {request_id}.")
    return _row_to_request(row)


def list_requests(vault: Vault, patient_id: int) -> list[SharingRequest]:
    rows = vault.query(
        f"SELECT {_REQUEST_COLUMNS} FROM sharing_request WHERE patient_id = ? ORDER BY id",
        (patient_id,),
    )
    return [_row_to_request(r) for r in rows]


def add_request(
    vault: Vault, actor: Staff, patient_id: int, details: RequestDetails
) -> SharingRequest:
    patient = patients.get_patient(vault, patient_id)
    clean = check_request(details)
    with vault.transaction() as tx:
        cursor = tx.execute(
            "INSERT INTO sharing_request (patient_id, details, created_at, created_by)"
            " VALUES (?, ?, ?, ?)",
            (patient.id, json.dumps(clean.to_json(), sort_keys=True), clock.stamp(), actor.name),
        )
        request_id = int(cursor.lastrowid or 0)
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="request.added",
            subject=f"patient:{patient.id}",
            details={
                "request": request_id,
                "requester_type": clean.requester_type,
                "purpose": clean.purpose.text(),
                "data": list(clean.data),
                "deidentified": clean.deidentified,
            },
        )
    return get_request(vault, request_id)


def _store_decision(
    tx: Any,
    vault: Vault,
    actor: Staff,
    request_id: int,
    patient_id: int,
    decision: Decision,
    now: str,
) -> None:
    status = "pending" if decision.permitted else "denied"
    tx.execute(
        "UPDATE sharing_request SET status = ?, decision = ?, governing_consent = ?, decided_at = ?"
        " WHERE id = ?",
        (
            status,
            json.dumps(decision.to_json(), sort_keys=True),
            decision.consent_id,
            now,
            request_id,
        ),
    )
    audit.record(
        tx,
        vault_id=vault.vault_id,
        staff=actor.name,
        action="request.permitted" if decision.permitted else "request.denied",
        subject=f"patient:{patient_id}",
        details={
            "request": request_id,
            "consent": decision.consent_id,
            "reasons": sorted({r.code for r in decision.reasons}),
        },
    )


def evaluate_request(
    vault: Vault, actor: Staff, request_id: int, *, on: dt.date | None = None
) -> Decision:
    """Decide a request against the patient's consents today, and keep the decision."""
    request = get_request(vault, request_id)
    if request.status == "released":
        raise UsageError(f"Request {request_id} was already released.")
    decision = decide(list_consents(vault, request.patient_id), request.details, on=_today(on))
    with vault.transaction() as tx:
        _store_decision(tx, vault, actor, request_id, request.patient_id, decision, clock.stamp())
    return decision


def _pseudonym_key(vault: Vault) -> bytes:
    row = vault.query_one("SELECT value FROM consent_secret WHERE name = 'pseudonym_key'")
    return bytes(row["value"])


def release_request(
    vault: Vault,
    actor: Staff,
    request_id: int,
    data: ReleaseData,
    *,
    out: Path | None = None,
    on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ReleaseResult:
    """Release a permitted request as one zip (written to `out` when given), or refuse it with
    PermissionRefused (exit 5) naming every reason. Each release is audited with its hash."""
    request = get_request(vault, request_id)
    if request.status == "released":
        raise UsageError(f"Request {request_id} was already released.")
    day = _today(on)
    consents = list_consents(vault, request.patient_id)
    decision = decide(consents, request.details, on=day)
    if not decision.permitted:
        with vault.transaction() as tx:
            _store_decision(
                tx, vault, actor, request_id, request.patient_id, decision, clock.stamp()
            )
        raise PermissionRefused(
            f"Request {request_id} is not permitted by the patient's consent, so nothing was "
            "released.",
            hint=decision.explain(),
        )
    consent = next(c for c in consents if c.id == decision.consent_id)
    patient = patients.get_patient(vault, request.patient_id)
    details = request.details
    subject = subject_for(
        deidentified=details.deidentified,
        identity=PatientIdentity(
            patient.mrn,
            patient.given_name,
            patient.family_name,
            patient.birth_date,
            patient.sex_at_birth,
        ),
        key=_pseudonym_key(vault),
        recipient=details.requester,
        patient_id=patient.id,
    )
    released_at = clock.utcnow().replace(microsecond=0)
    package = build_package(
        request_id=request_id,
        details=details,
        consent_id=consent.id,
        consent_fhir=fhir.consent_resource(consent, subject, on=day),
        subject=subject,
        data=data,
        released_at=released_at,
        progress=progress,
        cancelled=cancelled,
    )
    contents = {"data": sorted(details.data), "files": package.files}
    now = clock.stamp(released_at)
    wrote = False
    try:
        with vault.transaction() as tx:
            cursor = tx.execute(
                "INSERT INTO consent_release (request_id, consent_id, patient_id, recipient,"
                " released_at, released_by, deidentified, contents, package_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request_id,
                    consent.id,
                    patient.id,
                    details.requester,
                    now,
                    actor.name,
                    int(details.deidentified),
                    json.dumps(contents, sort_keys=True),
                    package.sha256,
                ),
            )
            release_id = int(cursor.lastrowid or 0)
            tx.execute(
                "UPDATE sharing_request SET status = 'released', decision = ?,"
                " governing_consent = ?, decided_at = ? WHERE id = ?",
                (json.dumps(decision.to_json(), sort_keys=True), consent.id, now, request_id),
            )
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=actor.name,
                action="request.released",
                subject=f"patient:{patient.id}",
                details={
                    "request": request_id,
                    "release": release_id,
                    "consent": consent.id,
                    "data": sorted(details.data),
                    "deidentified": details.deidentified,
                    "package_sha256": package.sha256,
                },
            )
            if out is not None:
                # Inside the transaction: a failed write leaves no release on record.
                atomic_write(out, package.data, what="the release package")
                wrote = True
    except BaseException:
        if wrote and out is not None:
            out.unlink(missing_ok=True)
        raise
    release = _row_to_release(
        vault.query_one(
            "SELECT id, request_id, consent_id, recipient, released_at, released_by,"
            " deidentified, contents, package_sha256 FROM consent_release WHERE id = ?",
            (release_id,),
        )
    )
    return ReleaseResult(release, package, decision)


def patient_releases(vault: Vault, patient_id: int) -> Sequence[Release]:
    rows = vault.query(
        "SELECT id, request_id, consent_id, recipient, released_at, released_by, deidentified,"
        " contents, package_sha256 FROM consent_release WHERE patient_id = ? ORDER BY id",
        (patient_id,),
    )
    return [_row_to_release(r) for r in rows]
