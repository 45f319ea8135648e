"""The clinic's own details, printed on every letter and report: who sent it and how to reach them.

They are kept in the vault (`vault_info`, key "clinic", as JSON), so every PC that opens the vault
and every backup carries them. Only an administrator changes them, and each change is audited
with the fields that changed (never their old or new text: an address is the clinic's, but the
audit trail is for what happened, not a copy of the data).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, fields

from genedesk.core import audit
from genedesk.core.errors import PermissionRefused, UsageError
from genedesk.core.reports.fonts import unprintable_codes
from genedesk.core.reports.model import Clinic
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

_KEY = "clinic"
DEFAULT_NAME = "Genetic counselling clinic"


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    limit: int
    lines: int = 1  # the address may take several lines


FIELDS = (
    _Field("name", "The clinic's name", 120),
    _Field("address", "The address", 400, lines=6),
    _Field("phone", "The phone number", 40),
    _Field("email", "The email address", 120),
    _Field("contact_name", "The contact person", 120),
    _Field("contact_role", "The contact person's role", 120),
)
assert [f.name for f in FIELDS] == [f.name for f in fields(Clinic)], "one form field per detail"


def _stored(vault: Vault) -> Clinic | None:
    row = vault.query_one("SELECT value FROM vault_info WHERE key = ?", (_KEY,))
    if row is None:
        return None
    stored = json.loads(row["value"])
    return Clinic(**{f.name: str(stored.get(f.name, "")) for f in FIELDS})


def get_clinic(vault: Vault) -> Clinic:
    """The clinic's details, or a plain default name until an administrator sets them."""
    return _stored(vault) or Clinic(name=DEFAULT_NAME)


def is_set(vault: Vault) -> bool:
    return _stored(vault) is not None


def set_clinic(vault: Vault, actor: Staff, **values: str) -> Clinic:
    """Change the details given (the others stay); returns the clinic as now stored."""
    if not actor.is_admin:
        raise PermissionRefused("Only an administrator can change the clinic's details.")
    unknown = sorted(set(values) - {f.name for f in FIELDS})
    if unknown:
        raise UsageError(f"Unknown clinic detail: {', '.join(unknown)}.")
    stored = _stored(vault)
    current = asdict(stored or Clinic(name=DEFAULT_NAME))
    new = dict(current)
    for spec in FIELDS:
        if spec.name in values:
            new[spec.name] = _clean(spec, values[spec.name])
    changed = sorted(name for name in new if new[name] != current[name])
    clinic = Clinic(**new)
    if not changed and stored is not None:
        return clinic
    with vault.transaction() as tx:
        tx.execute(
            "INSERT INTO vault_info (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_KEY, json.dumps(new, ensure_ascii=False, sort_keys=True)),
        )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="clinic.details_changed",
            subject="clinic",
            details={"fields": changed},
        )
    return clinic


def _clean(spec: _Field, value: str) -> str:
    lines = [
        " ".join(line.split())
        for line in unicodedata.normalize("NFC", value or "").replace("\r", "\n").split("\n")
    ]
    lines = [line for line in lines if line]
    if spec.name == "name" and not lines:
        raise UsageError("The clinic's name is required: it heads every letter and report.")
    if len(lines) > spec.lines:
        raise UsageError(
            f"{spec.label} has {len(lines)} lines; at most {spec.lines} fit on a letter."
            if spec.lines > 1
            else f"{spec.label} must be on one line."
        )
    text = "\n".join(lines)
    if len(text) > spec.limit:
        raise UsageError(f"{spec.label} is too long (at most {spec.limit} characters).")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text.replace("\n", "")):
        raise UsageError(f"{spec.label} contains characters that cannot be printed.")
    codes = unprintable_codes(text)
    if codes:
        raise UsageError(
            f"{spec.label} has characters the report fonts cannot print ({codes}); "
            "use the Latin, Greek or Cyrillic alphabet."
        )
    if spec.name == "email" and text and ("@" not in text or " " in text):
        raise UsageError(f"{spec.label} does not look like an email address (name@example.org).")
    return text
