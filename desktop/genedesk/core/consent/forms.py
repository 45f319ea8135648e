"""Consent form texts: the exact words a patient read, kept with their hash, never edited.

GeneDesk ships version 1 of each form in resources/consent/forms/v1/<language>/<kind>.txt (first
line the title, the rest the text). The first time a form is needed the shipped text is stored
in the vault; a clinic that changes a text publishes a new version, and every consent keeps
pointing at the version its patient saw. The vault refuses to change a stored form (trigger).
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from genedesk.core import audit, clock
from genedesk.core.consent.model import KINDS, ConsentForm
from genedesk.core.errors import NotFoundError, UsageError
from genedesk.core.paths import resources_dir
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

STANDARD_VERSION = "v1"
_COLUMNS = "id, kind, language, version, title, body, sha256, created_at, created_by"


def form_hash(title: str, body: str) -> str:
    """SHA-256 of the form as the patient saw it: the title, a blank line, the text (UTF-8)."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def standard_form_path(kind: str, language: str = "en") -> Path:
    return resources_dir() / "consent" / "forms" / STANDARD_VERSION / language / f"{kind}.txt"


def read_standard_form(kind: str, language: str = "en") -> tuple[str, str]:
    path = standard_form_path(kind, language)
    if not path.is_file():
        raise NotFoundError(f"GeneDesk has no {language!r} consent form for {kind}.")
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title.strip(), body.strip()


def _row_to_form(row: object) -> ConsentForm:
    return ConsentForm(*(row[i] for i in range(9)))  # type: ignore[index]


def get_form(vault: Vault, form_id: int) -> ConsentForm:
    row = vault.query_one(f"SELECT {_COLUMNS} FROM consent_form WHERE id = ?", (form_id,))
    if row is None:
        raise NotFoundError(f"There is no consent form {form_id}.")
    return _row_to_form(row)


def list_forms(vault: Vault) -> list[ConsentForm]:
    rows = vault.query(f"SELECT {_COLUMNS} FROM consent_form ORDER BY kind, language, version")
    return [_row_to_form(r) for r in rows]


def latest_form(vault: Vault, kind: str, language: str = "en") -> ConsentForm | None:
    row = vault.query_one(
        f"SELECT {_COLUMNS} FROM consent_form WHERE kind = ? AND language = ?"
        " ORDER BY version DESC LIMIT 1",
        (kind, language),
    )
    return _row_to_form(row) if row else None


def publish_form(
    vault: Vault, actor: Staff, *, kind: str, title: str, body: str, language: str = "en"
) -> ConsentForm:
    """Store a form text as the next version for its kind and language."""
    if kind not in KINDS:
        raise UsageError(f"The consent kind must be one of: {', '.join(KINDS)}.")
    title = unicodedata.normalize("NFC", title.strip())
    body = unicodedata.normalize("NFC", body.strip())
    if not title or not body:
        raise UsageError("A consent form needs a title and a text.")
    digest = form_hash(title, body)
    with vault.transaction() as tx:
        row = tx.execute(
            "SELECT max(version) FROM consent_form WHERE kind = ? AND language = ?",
            (kind, language),
        ).fetchone()
        version = (row[0] or 0) + 1
        cursor = tx.execute(
            "INSERT INTO consent_form (kind, language, version, title, body, sha256, created_at,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, language, version, title, body, digest, clock.stamp(), actor.name),
        )
        form_id = int(cursor.lastrowid or 0)
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="consent_form.published",
            subject=f"consent_form:{form_id}",
            details={"kind": kind, "language": language, "version": version, "sha256": digest},
        )
    return get_form(vault, form_id)


def form_in_use(vault: Vault, actor: Staff, kind: str, language: str = "en") -> ConsentForm:
    """The newest stored form for a kind, storing GeneDesk's standard text the first time."""
    form = latest_form(vault, kind, language)
    if form is not None:
        return form
    title, body = read_standard_form(kind, language)
    return publish_form(vault, actor, kind=kind, title=title, body=body, language=language)
