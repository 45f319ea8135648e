"""Reports kept in the vault: drafts, final versions, amendments, and exporting a PDF.

A report (one document about one patient: patient letter, clinician report, or a family letter
about one finding) has numbered versions. Each version keeps the PDF exactly as printed, with its
SHA-256:

- A **draft** may be saved again and again; it replaces itself.
- `finalize` turns the draft (or a new report) into the **final** version. From then on the
  version can never change: the vault's triggers refuse any update or deletion.
- `amend` makes a new version that replaces the latest final one, with the banner
  "Amended — replaces version N of DATE because …" printed on it. Every version stays listed.

The store decides each version's identity (report ID, version number, status, amendment) and
renders the request with it, inside one transaction with its audit event, so the PDF kept is
exactly the PDF described and a cancelled or failed render leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from genedesk.core import audit, clock
from genedesk.core.atomic import atomic_write
from genedesk.core.errors import GeneDeskError, NotFoundError, UsageError
from genedesk.core.reports.clinician_report import build_clinician_report
from genedesk.core.reports.family_letter import build_family_letter
from genedesk.core.reports.model import Amendment, ReportKind, ReportRequest, ReportStatus
from genedesk.core.reports.patient_letter import build_patient_letter
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

NUMBER_FORMAT = "R-{id:06d}"

_BUILDERS: dict[ReportKind, Callable[..., bytes]] = {
    ReportKind.PATIENT: build_patient_letter,
    ReportKind.CLINICIAN: build_clinician_report,
    ReportKind.FAMILY: build_family_letter,
}


def render(
    request: ReportRequest,
    *,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
) -> bytes:
    """The PDF of any kind of report, as the request describes it (also for previews)."""
    return _BUILDERS[request.kind](request, progress=progress, cancelled=cancelled)


@dataclass(frozen=True)
class ReportVersion:
    report_id: str  # the number printed on every page, e.g. R-000012
    patient_id: int
    kind: ReportKind
    finding_id: int | None
    version: int
    status: ReportStatus
    report_date: dt.datetime
    sha256: str
    size: int
    large_print: bool
    language: str
    signed_by: str | None
    replaces_version: int | None
    amendment_reason: str | None
    saved_at: str
    saved_by: str
    replaced_by: int | None  # the later final version that replaces this one, if any

    @property
    def is_final(self) -> bool:
        return self.status is not ReportStatus.DRAFT

    def to_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["kind"] = self.kind.value
        values["status"] = self.status.value
        values["report_date"] = self.report_date.isoformat()
        return values


_SELECT = (
    "SELECT r.id AS rid, r.number, r.patient_id, r.kind, r.finding_id, v.version, v.status,"
    " v.report_date, v.sha256, v.size, v.large_print, v.language, v.signed_by,"
    " v.replaces_version, v.amendment_reason, v.saved_at, v.saved_by,"
    " (SELECT min(later.version) FROM report_version later WHERE later.report_id = v.report_id"
    "  AND later.replaces_version = v.version AND later.status != 'draft') AS replaced_by"
    " FROM report_version v JOIN report r ON r.id = v.report_id"
)


def _version(row: Any) -> ReportVersion:
    return ReportVersion(
        report_id=row["number"],
        patient_id=row["patient_id"],
        kind=ReportKind(row["kind"]),
        finding_id=row["finding_id"],
        version=row["version"],
        status=ReportStatus(row["status"]),
        report_date=dt.datetime.fromisoformat(row["report_date"]),
        sha256=row["sha256"],
        size=row["size"],
        large_print=bool(row["large_print"]),
        language=row["language"],
        signed_by=row["signed_by"],
        replaces_version=row["replaces_version"],
        amendment_reason=row["amendment_reason"],
        saved_at=row["saved_at"],
        saved_by=row["saved_by"],
        replaced_by=row["replaced_by"],
    )


def versions(vault: Vault, report_id: str) -> list[ReportVersion]:
    """Every version of one report, oldest first."""
    rows = vault.query(f"{_SELECT} WHERE r.number = ? ORDER BY v.version", (report_id,))
    if not rows:
        raise NotFoundError(f"There is no report {report_id}.")
    return [_version(row) for row in rows]


def reports_of(vault: Vault, patient_id: int) -> list[ReportVersion]:
    """Every version of every report about a patient, by report then version."""
    rows = vault.query(f"{_SELECT} WHERE r.patient_id = ? ORDER BY r.id, v.version", (patient_id,))
    return [_version(row) for row in rows]


def pdf_bytes(vault: Vault, report_id: str, version: int) -> bytes:
    """The PDF as kept, checked against its SHA-256 first."""
    row = vault.query_one(
        "SELECT v.pdf, v.sha256 FROM report_version v JOIN report r ON r.id = v.report_id"
        " WHERE r.number = ? AND v.version = ?",
        (report_id, version),
    )
    if row is None:
        raise NotFoundError(f"Report {report_id} has no version {version}.")
    data = bytes(row["pdf"])
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise GeneDeskError(
            f"Version {version} of report {report_id} does not match its SHA-256: the stored "
            "PDF has been damaged.",
            hint="Restore the latest backup of the vault; do not give this PDF to anyone.",
        )
    return data


# --- saving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Report:
    id: int
    number: str
    patient_id: int
    kind: ReportKind
    finding_id: int | None


def _stored_report(conn: sqlcipher3.Connection, report_id: str) -> _Report:
    row = conn.execute(
        "SELECT id, number, patient_id, kind, finding_id FROM report WHERE number = ?",
        (report_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"There is no report {report_id}.")
    return _Report(row[0], row[1], row[2], ReportKind(row[3]), row[4])


def _latest(conn: sqlcipher3.Connection, report: _Report) -> Any:
    return conn.execute(
        "SELECT version, status, report_date, replaces_version, amendment_reason"
        " FROM report_version WHERE report_id = ? ORDER BY version DESC LIMIT 1",
        (report.id,),
    ).fetchone()


def _latest_final(conn: sqlcipher3.Connection, report: _Report) -> Any:
    return conn.execute(
        "SELECT version, report_date FROM report_version"
        " WHERE report_id = ? AND status != 'draft' ORDER BY version DESC LIMIT 1",
        (report.id,),
    ).fetchone()


def _check_request(request: ReportRequest) -> int:
    if request.patient_id is None:
        raise UsageError("The report cannot be kept: it does not say which patient it is for.")
    return request.patient_id


def _new_report(conn: sqlcipher3.Connection, actor: Staff, request: ReportRequest) -> _Report:
    patient_id = _check_request(request)
    if conn.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone() is None:
        raise NotFoundError("The report cannot be kept: its patient is not in the vault.")
    finding_id = request.family_finding_id if request.kind is ReportKind.FAMILY else None
    if finding_id is not None:
        owner = conn.execute(
            "SELECT patient_id FROM finding WHERE id = ?", (finding_id,)
        ).fetchone()
        if owner is None or owner[0] != patient_id:
            raise NotFoundError(
                f"The family letter cannot be kept: finding {finding_id} is not one of this "
                "patient's findings."
            )
    last = conn.execute("SELECT max(id) FROM report").fetchone()[0]
    new_id = (last or 0) + 1
    number = NUMBER_FORMAT.format(id=new_id)
    conn.execute(
        "INSERT INTO report (id, number, patient_id, kind, finding_id, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (new_id, number, patient_id, request.kind.value, finding_id, clock.stamp(), actor.name),
    )
    return _Report(new_id, number, patient_id, request.kind, finding_id)


def _same_report(report: _Report, request: ReportRequest) -> None:
    """A new version must be of the same document: same patient, kind and finding."""
    finding_id = request.family_finding_id if request.kind is ReportKind.FAMILY else None
    if (
        report.kind is not request.kind
        or report.finding_id != finding_id
        or (request.patient_id is not None and request.patient_id != report.patient_id)
    ):
        raise UsageError(
            f"Report {report.number} is a different document (another patient, kind or "
            "finding); save this one as a new report."
        )


def _keep(
    conn: sqlcipher3.Connection,
    vault: Vault,
    actor: Staff,
    report: _Report,
    request: ReportRequest,
    *,
    replace_draft: bool,
    action: str,
    progress: Progress | None,
    cancelled: Cancel | None,
    out: Path | None = None,
) -> None:
    """Render the request as this version and store it (over the draft, or as a new row).

    With `out`, the PDF is also written there inside the same transaction: if the file cannot be
    written the version is not kept either, so no version exists that nobody received."""
    data = render(request, progress=progress, cancelled=cancelled)
    digest = hashlib.sha256(data).hexdigest()
    amendment = request.amendment
    values = (
        request.status.value,
        request.report_date.isoformat(),
        amendment.replaces_version if amendment else None,
        amendment.reason if amendment else None,
        data,
        digest,
        len(data),
        int(request.large_print),
        request.language,
        request.signer.name if request.is_final and request.signer else None,
        clock.stamp(),
        actor.name,
    )
    if replace_draft:  # the draft's list of findings goes first, while it is still a draft
        conn.execute(
            "DELETE FROM report_version_finding WHERE report_id = ? AND version = ?",
            (report.id, request.version),
        )
        conn.execute(
            "UPDATE report_version SET status = ?, report_date = ?, replaces_version = ?,"
            " amendment_reason = ?, pdf = ?, sha256 = ?, size = ?, large_print = ?, language = ?,"
            " signed_by = ?, saved_at = ?, saved_by = ? WHERE report_id = ? AND version = ?",
            (*values, report.id, request.version),
        )
    else:
        conn.execute(
            "INSERT INTO report_version (status, report_date, replaces_version, amendment_reason,"
            " pdf, sha256, size, large_print, language, signed_by, saved_at, saved_by,"
            " report_id, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, report.id, request.version),
        )
    # What this version printed, so a later ClinVar release can be compared with what the
    # patient was told (a draft saved again replaced its own list above).
    conn.executemany(
        "INSERT INTO report_version_finding (report_id, version, finding_id, classification) VALUES (?, ?, ?, ?)",
        [(report.id, request.version, f.id, f.classification) for f in request.findings],
    )
    audit.record(
        conn,
        vault_id=vault.vault_id,
        staff=actor.name,
        action=action,
        subject=f"patient:{report.patient_id}",
        details={
            "report": report.number,
            "kind": report.kind.value,
            "finding": report.finding_id,
            "version": request.version,
            "status": request.status.value,
            "replaces_version": amendment.replaces_version if amendment else None,
            "sha256": digest,
        },
    )
    if out is not None:
        _record_export(conn, vault, actor, report.number, report.kind.value, report.patient_id,
                       request.version, request.status.value, digest)
        atomic_write(Path(out), data, what=f"report {report.number}")


def _identity(
    request: ReportRequest,
    report: _Report,
    version: int,
    status: ReportStatus,
    amendment: Amendment | None,
) -> ReportRequest:
    return dataclasses.replace(
        request,
        report_id=report.number,
        version=version,
        status=status,
        amendment=amendment,
        patient_id=report.patient_id,
    )


def _amendment(conn: sqlcipher3.Connection, report: _Report, reason: str) -> Amendment:
    final = _latest_final(conn, report)
    return Amendment(
        replaces_version=final["version"],
        replaced_report_date=dt.datetime.fromisoformat(final["report_date"]).date(),
        reason=reason,
    )


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise UsageError("An amendment needs a reason: say what changed and why.")
    return text


def _version_for(vault: Vault, report: _Report, version: int) -> ReportVersion:
    return next(v for v in versions(vault, report.number) if v.version == version)


def save_draft(
    vault: Vault,
    actor: Staff,
    request: ReportRequest,
    *,
    report_id: str | None = None,
    reason: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
    out: Path | None = None,
) -> ReportVersion:
    """Keep a draft: a new report (no `report_id`), the report's draft saved again, or — after
    a final version — the draft of an amendment (then `reason` is required)."""
    with vault.transaction() as conn:
        if report_id is None:
            report = _new_report(conn, actor, request)
            latest = None
        else:
            report = _stored_report(conn, report_id)
            _same_report(report, request)
            latest = _latest(conn, report)
        if latest is None:
            version, replace, amendment = 1, False, None
        elif latest["status"] == ReportStatus.DRAFT.value:
            version, replace = latest["version"], True
            amendment = (
                _amendment(conn, report, _reason(reason or latest["amendment_reason"]))
                if latest["replaces_version"] is not None
                else None
            )
        else:
            version, replace = latest["version"] + 1, False
            amendment = _amendment(conn, report, _reason(reason))
        draft = _identity(request, report, version, ReportStatus.DRAFT, amendment)
        _keep(
            conn,
            vault,
            actor,
            report,
            draft,
            replace_draft=replace,
            action="report.draft_saved",
            progress=progress,
            cancelled=cancelled,
            out=out,
        )
    return _version_for(vault, report, version)


def _needs_signer(request: ReportRequest) -> None:
    if request.signer is None or not request.signer.name.strip():
        raise UsageError("A final report needs a signer: name who signs it.")


def finalize(
    vault: Vault,
    actor: Staff,
    request: ReportRequest,
    *,
    report_id: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
    out: Path | None = None,
) -> ReportVersion:
    """Make the final version: of a new report (no `report_id`), or from the report's draft
    (a draft made after a final version becomes the amendment it was drafted as). A report
    whose latest version is already final is refused: use `amend`."""
    _needs_signer(request)
    with vault.transaction() as conn:
        if report_id is None:
            report = _new_report(conn, actor, request)
            latest = None
        else:
            report = _stored_report(conn, report_id)
            _same_report(report, request)
            latest = _latest(conn, report)
        if latest is not None and latest["status"] != ReportStatus.DRAFT.value:
            raise UsageError(
                f"Version {latest['version']} of report {report.number} is final and cannot "
                "change; make an amendment instead."
            )
        if latest is None:
            version, replace, amendment = 1, False, None
        else:
            version, replace = latest["version"], True
            amendment = (
                _amendment(conn, report, latest["amendment_reason"])
                if latest["replaces_version"] is not None
                else None
            )
        status = ReportStatus.AMENDED if amendment else ReportStatus.FINAL
        final = _identity(request, report, version, status, amendment)
        _keep(
            conn,
            vault,
            actor,
            report,
            final,
            replace_draft=replace,
            action="report.amended" if amendment else "report.finalized",
            progress=progress,
            cancelled=cancelled,
            out=out,
        )
    return _version_for(vault, report, version)


def amend(
    vault: Vault,
    actor: Staff,
    request: ReportRequest,
    *,
    report_id: str,
    reason: str,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
    out: Path | None = None,
) -> ReportVersion:
    """A new final version replacing the latest final one, printed with the amendment banner.
    A pending amendment draft is replaced by it."""
    _needs_signer(request)
    why = _reason(reason)
    with vault.transaction() as conn:
        report = _stored_report(conn, report_id)
        _same_report(report, request)
        latest = _latest(conn, report)
        if _latest_final(conn, report) is None:
            raise UsageError(
                f"Report {report.number} has no final version yet; finalize it instead."
            )
        replace = latest["status"] == ReportStatus.DRAFT.value
        version = latest["version"] if replace else latest["version"] + 1
        amended = _identity(
            request, report, version, ReportStatus.AMENDED, _amendment(conn, report, why)
        )
        _keep(
            conn,
            vault,
            actor,
            report,
            amended,
            replace_draft=replace,
            action="report.amended",
            progress=progress,
            cancelled=cancelled,
            out=out,
        )
    return _version_for(vault, report, version)


def export(vault: Vault, actor: Staff, report_id: str, version: int, path: Path) -> Path:
    """Write one version's PDF to `path` atomically (a reader never sees half a file), with an
    audit event; a failed write records nothing."""
    data = pdf_bytes(vault, report_id, version)
    kept = next(v for v in versions(vault, report_id) if v.version == version)
    target = Path(path)
    with vault.transaction() as conn:
        _record_export(conn, vault, actor, report_id, kept.kind.value, kept.patient_id, version,
                       kept.status.value, kept.sha256)
        atomic_write(target, data, what=f"report {report_id}")
    return target


def record_printed(vault: Vault, actor: Staff, report_id: str, version: int, pages: int) -> None:
    """A report version sent to a printer: as much a disclosure as an export, so it is audited."""
    kept = next(v for v in versions(vault, report_id) if v.version == version)
    with vault.transaction() as conn:
        audit.record(
            conn,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="report.printed",
            subject=f"patient:{kept.patient_id}",
            details={"report": report_id, "kind": kept.kind.value, "version": version,
                     "status": kept.status.value, "sha256": kept.sha256, "pages": pages},
        )


def _record_export(
    conn: sqlcipher3.Connection,
    vault: Vault,
    actor: Staff,
    report_id: str,
    kind: str,
    patient_id: int,
    version: int,
    status: str,
    sha256: str,
) -> None:
    audit.record(
        conn,
        vault_id=vault.vault_id,
        staff=actor.name,
        action="report.exported",
        subject=f"patient:{patient_id}",
        # No file name: people name files after the patient.
        details={"report": report_id, "kind": kind, "version": version, "status": status,
                 "sha256": sha256},
    )


__all__ = [
    "ReportVersion",
    "amend",
    "export",
    "finalize",
    "pdf_bytes",
    "record_printed",
    "render",
    "reports_of",
    "save_draft",
    "versions",
]
