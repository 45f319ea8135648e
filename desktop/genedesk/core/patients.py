"""Patients: the clinic's record of who each person is; validated, searchable by any part of a name.

Search folds case and accents ("zoe" finds "Zoë", "lukasz" finds "Łukasz") and matches every word
typed against the names, record number and date of birth.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, fields, replace

from genedesk.core import audit, clock
from genedesk.core.errors import NotFoundError, UsageError
from genedesk.core.staff import Staff
from genedesk.core.textfold import fold
from genedesk.core.vault.store import Vault

SEXES = ("female", "male", "unknown")
MAX_NAME = 200
MAX_MRN = 40
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
EARLIEST_BIRTH = dt.date(1880, 1, 1)


@dataclass(frozen=True)
class PatientDetails:
    """What a person types to add or edit a patient."""

    mrn: str
    given_name: str
    family_name: str
    birth_date: str
    sex_at_birth: str
    language: str = "en"


@dataclass(frozen=True)
class Patient:
    id: int
    mrn: str
    given_name: str
    family_name: str
    birth_date: str
    sex_at_birth: str
    language: str
    created_at: str
    updated_at: str

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def to_json(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _clean_text(value: str, label: str, limit: int) -> str:
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not value:
        raise UsageError(f"{label} is required.")
    if len(value) > limit:
        raise UsageError(f"{label} is too long (at most {limit} characters).")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in value):
        raise UsageError(f"{label} contains characters that cannot be printed.")
    return value


def _clean_date(value: str, today: dt.date) -> str:
    try:
        parsed = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise UsageError(
            "The date of birth must be a real date written as YYYY-MM-DD, for example 1984-03-07."
        ) from None
    if parsed > today:
        raise UsageError("The date of birth is in the future.")
    if parsed < EARLIEST_BIRTH:
        raise UsageError(f"The date of birth is before {EARLIEST_BIRTH.year}.")
    return parsed.isoformat()


def validate(details: PatientDetails, *, today: dt.date | None = None) -> PatientDetails:
    today = today or clock.utcnow().date()
    sex = (details.sex_at_birth or "").strip().lower()
    if sex not in SEXES:
        raise UsageError(f"Sex at birth must be one of: {', '.join(SEXES)}.")
    language = (details.language or "en").strip()
    if not _LANGUAGE.match(language):
        raise UsageError("The preferred language must be a language code such as en, es or pt-BR.")
    return PatientDetails(
        mrn=_clean_text(details.mrn, "The record number", MAX_MRN),
        given_name=_clean_text(details.given_name, "The given name", MAX_NAME),
        family_name=_clean_text(details.family_name, "The family name", MAX_NAME),
        birth_date=_clean_date(details.birth_date, today),
        sex_at_birth=sex,
        language=language,
    )


def _search_text(details: PatientDetails) -> str:
    return fold(f"{details.given_name} {details.family_name} {details.mrn} {details.birth_date}")


_COLUMNS = (
    "id, mrn, given_name, family_name, birth_date, sex_at_birth, language, created_at, updated_at"
)


def _row_to_patient(row: object) -> Patient:
    return Patient(*(row[i] for i in range(9)))  # type: ignore[index]


def add_patient(vault: Vault, actor: Staff, details: PatientDetails) -> Patient:
    clean = validate(details)
    now = clock.stamp()
    with vault.transaction() as tx:
        if tx.execute("SELECT 1 FROM patient WHERE mrn = ?", (clean.mrn,)).fetchone():
            raise UsageError("Another patient already has that record number.")
        cursor = tx.execute(
            "INSERT INTO patient (mrn, given_name, family_name, birth_date, sex_at_birth, language,"
            " search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clean.mrn,
                clean.given_name,
                clean.family_name,
                clean.birth_date,
                clean.sex_at_birth,
                clean.language,
                _search_text(clean),
                now,
                now,
            ),
        )
        patient_id = int(cursor.lastrowid or 0)
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="patient.added",
            subject=f"patient:{patient_id}",
            details={},
        )
    return get_patient(vault, patient_id)


def edit_patient(vault: Vault, actor: Staff, patient_id: int, **changes: str) -> Patient:
    current = get_patient(vault, patient_id)
    unknown = set(changes) - {f.name for f in fields(PatientDetails)}
    if unknown:
        raise UsageError(f"Unknown patient field: {', '.join(sorted(unknown))}.")
    before = PatientDetails(
        current.mrn,
        current.given_name,
        current.family_name,
        current.birth_date,
        current.sex_at_birth,
        current.language,
    )
    clean = validate(replace(before, **changes))
    changed = sorted(
        f.name for f in fields(PatientDetails) if getattr(clean, f.name) != getattr(before, f.name)
    )
    if not changed:
        return current
    with vault.transaction() as tx:
        if (
            "mrn" in changed
            and tx.execute(
                "SELECT 1 FROM patient WHERE mrn = ? AND id != ?", (clean.mrn, patient_id)
            ).fetchone()
        ):
            raise UsageError("Another patient already has that record number.")
        tx.execute(
            "UPDATE patient SET mrn = ?, given_name = ?, family_name = ?, birth_date = ?,"
            " sex_at_birth = ?, language = ?, search_text = ?, updated_at = ? WHERE id = ?",
            (
                clean.mrn,
                clean.given_name,
                clean.family_name,
                clean.birth_date,
                clean.sex_at_birth,
                clean.language,
                _search_text(clean),
                clock.stamp(),
                patient_id,
            ),
        )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="patient.edited",
            subject=f"patient:{patient_id}",
            details={"fields": changed},
        )
    return get_patient(vault, patient_id)


def get_patient(vault: Vault, ref: int | str) -> Patient:
    """A patient by id, or by record number (a record number is tried first for text)."""
    row = None
    if isinstance(ref, str):
        row = vault.query_one(f"SELECT {_COLUMNS} FROM patient WHERE mrn = ?", (ref.strip(),))
        if row is None and ref.strip().isdigit():
            ref = int(ref.strip())
    if row is None and isinstance(ref, int):
        row = vault.query_one(f"SELECT {_COLUMNS} FROM patient WHERE id = ?", (ref,))
    if row is None:
        raise NotFoundError("There is no patient with that record number or id.")
    return _row_to_patient(row)


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_patients(vault: Vault, text: str = "", *, limit: int = 200) -> list[Patient]:
    """Patients whose names, record number or birth date contain every word of `text`."""
    # A terminal's undecodable bytes arrive as lone surrogates, which SQLite cannot take.
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    words = fold(text).split()[:8]
    where = " AND ".join("search_text LIKE ? ESCAPE '\\'" for _ in words) or "1"
    rows = vault.query(
        f"SELECT {_COLUMNS} FROM patient WHERE {where}"
        # Unary + keeps SQLite from walking the name index row by row (random page reads, each
        # decrypted): one sequential scan and an in-memory sort is ~50x faster on 100,000 patients.
        " ORDER BY +family_name COLLATE NOCASE, +given_name COLLATE NOCASE, id LIMIT ?",
        (*[_like_pattern(w) for w in words], limit),
    )
    found = [_row_to_patient(row) for row in rows]
    # SQLite's NOCASE knows no accents: order the page as people read names ("Ánh" with the As).
    found.sort(key=lambda p: (fold(p.family_name), fold(p.given_name), p.id))
    return found


def count_patients(vault: Vault) -> int:
    return int(vault.query_one("SELECT count(*) FROM patient")[0])
