"""Patient mode: one patient, at the counsellor's screen, reviewing results and consents.

The flow is a small state machine with no Qt (STYLE.md 2): the window only renders its state.
It is bound to one patient from the start; every request names that patient or is refused, so
nothing in patient mode can reach another patient's record. Leaving needs a staff password.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from genedesk.core import clock, findings, patients, staff
from genedesk.core.errors import PermissionRefused, UsageError
from genedesk.core.knowledge import explain
from genedesk.core.paths import resources_dir
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault


@lru_cache(maxsize=4)
def words(language: str = "en") -> dict[str, Any]:
    path = resources_dir() / "ui" / language / "patient_mode.json"
    if not path.exists():
        path = resources_dir() / "ui" / "en" / "patient_mode.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


class Step(StrEnum):
    REVIEWING = "reviewing"
    CONFIRMING = "confirming"  # the patient asked to take back one consent
    WITHDRAWN = "withdrawn"  # done; the receipt is ready
    LEAVING = "leaving"  # a staff member asked to leave; waiting for the password
    LEFT = "left"


@dataclass(frozen=True)
class ResultCard:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ConsentCard:
    consent_id: int
    title: str
    lines: tuple[str, ...]
    status_line: str
    can_withdraw: bool


@dataclass(frozen=True)
class PatientView:
    patient_name: str
    results: tuple[ResultCard, ...]
    consents: tuple[ConsentCard, ...]


def _date_words(day: dt.date | str) -> str:
    value = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    return f"{value.day} {value.strftime('%B')} {value.year}"


@lru_cache(maxsize=1)
def _duo_plain() -> dict[str, str]:
    """GeneDesk's own plain-language words for each DUO permission (resources/consent)."""
    raw = json.loads(
        (resources_dir() / "consent" / "duo_explanations.json").read_text(encoding="utf-8")
    )
    return {
        key: value
        for key, value in raw.items()
        if not key.startswith("_") and isinstance(value, str)
    }


def consent_card(consent: Any, w: dict[str, Any], today: dt.date) -> ConsentCard:
    terms = consent.terms
    lines: list[str] = []
    if terms.purpose is not None:
        plain = _duo_plain().get(terms.purpose.permission)
        if plain:
            lines.append(plain)
    if terms.data:
        lines.append(
            w["covers"].format(data=", ".join(w["data_words"].get(d, d) for d in terms.data))
        )
    recipients = terms.recipients
    if recipients.anyone:
        lines.append(w["who"].format(who=w["recipient_anyone"]))
    elif not recipients.empty:
        names = [w["recipient_types"].get(t, t) for t in recipients.types] + list(
            recipients.organisations
        )
        lines.append(w["who"].format(who=", ".join(names)))
    if consent.valid_until is not None:
        lines.append(w["until"].format(date=_date_words(consent.valid_until)))
    status = consent.status_on(today)
    event = consent.events[-1]
    status_line = w[f"status_{status}"].format(
        date=_date_words(event.at if status != "expired" else consent.valid_until)
    )
    return ConsentCard(
        consent.id,
        consent.form.title or consent.kind.replace("-", " ").capitalize(),
        tuple(lines),
        status_line,
        status == "given",
    )


def patient_view(vault: Vault, patient_id: int, *, today: dt.date | None = None) -> PatientView:
    """What the patient sees: their reported results in plain words and every consent they gave."""
    from genedesk.core.consent.service import list_consents

    day = today or clock.utcnow().date()
    patient = patients.get_patient(vault, patient_id)
    w = words(patient.language)
    cards = []
    for finding in findings.list_findings(vault, patient_id).shown:
        if not finding.in_report or finding.status == "excluded":
            continue
        try:
            standard = explain.patient_explanation(
                finding.gene,
                finding.condition or None,
                finding.classification,
                finding.call.zygosity,
                finding.inheritance or None,
                patient.sex_at_birth,
            )
            title, paragraphs = standard.title, standard.paragraphs
        except (UsageError, KeyError, ValueError):
            title, paragraphs = finding.gene, ()
        cards.append(ResultCard(title, tuple(finding.explanation or paragraphs)))
    consents = tuple(consent_card(c, w, day) for c in list_consents(vault, patient_id))
    return PatientView(patient.display_name, tuple(cards), consents)


@dataclass
class PatientModeFlow:
    """The steps of patient mode for one patient. The staff member who opened it is recorded
    as the one present for anything the patient does."""

    patient_id: int
    opened_by: Staff
    step: Step = Step.REVIEWING
    consent_id: int | None = None
    receipt: bytes | None = None
    withdrawn: list[int] = field(default_factory=list)

    def guard(self, patient_id: int) -> None:
        if patient_id != self.patient_id:
            raise PermissionRefused("Patient mode shows one patient only.")

    def ask_withdraw(self, vault: Vault, consent_id: int) -> None:
        from genedesk.core.consent.service import get_consent

        if self.step is not Step.REVIEWING:
            raise UsageError("Finish the current step first.")
        consent = get_consent(vault, consent_id)
        self.guard(consent.patient_id)
        if consent.status_on(clock.utcnow().date()) != "given":
            raise UsageError("This consent is not active, so there is nothing to take back.")
        self.consent_id, self.step = consent_id, Step.CONFIRMING

    def go_back(self) -> None:
        if self.step in (Step.CONFIRMING, Step.WITHDRAWN, Step.LEAVING):
            self.consent_id, self.step = None, Step.REVIEWING

    def confirm_withdraw(
        self, vault: Vault, signature_png: bytes, *, clinic_name: str | None = None
    ) -> bytes:
        """Withdraw at once, signed on screen by the patient; returns the receipt PDF."""
        from genedesk.core.clinic import get_clinic
        from genedesk.core.consent.receipts import build_withdrawal_receipt
        from genedesk.core.consent.service import HowGiven, withdraw_consent

        if self.step is not Step.CONFIRMING or self.consent_id is None:
            raise UsageError("Choose the consent to take back first.")
        done = withdraw_consent(
            vault,
            self.opened_by,
            self.consent_id,
            reason="Withdrawn by the patient in patient mode",
            how=HowGiven(method="signed", evidence=signature_png),
        )
        self.guard(done.consent.patient_id)
        patient = patients.get_patient(vault, self.patient_id)
        self.receipt = build_withdrawal_receipt(
            done.consent,
            patient,
            stopped_requests=len(done.denied_requests),
            past_releases=done.past_releases,
            clinic_name=clinic_name if clinic_name is not None else get_clinic(vault).name,
            large_print=True,
        )
        self.withdrawn.append(self.consent_id)
        self.step = Step.WITHDRAWN
        return self.receipt

    def ask_leave(self) -> None:
        self.step = Step.LEAVING

    def leave(self, vault: Vault, name: str, password: str) -> Staff:
        """A staff member's own password ends patient mode; a wrong one keeps it."""
        if self.step is not Step.LEAVING:
            raise UsageError("Ask to leave first.")
        member = staff.sign_in(vault, name, password)
        self.step = Step.LEFT
        return member
