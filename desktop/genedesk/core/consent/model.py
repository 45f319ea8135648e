"""What a consent and a sharing request say, in the clinic's words, with their checks.

A consent holds a kind, the DUO purpose (one permission plus modifiers), the data categories it
covers, who may receive them, and whether identified data may go. A sharing request says who
asks, from where, for what purpose, for which data, identified or not, and what the requester
declares or agrees to (ethics approval, publication, collaboration …).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from genedesk.core.consent.duo import duo
from genedesk.core.errors import UsageError
from genedesk.core.textfold import fold

KINDS = ("secondary-findings", "recontact", "relatives", "research", "registry", "clinical-care")
# Kinds that can permit a release; the other two record a wish (told about extra findings,
# contacted again), not a permission to share.
SHARING_KINDS = ("relatives", "research", "registry", "clinical-care")
METHODS = ("signed", "paper", "verbal")
METHOD_WORDS = {
    "signed": "signed on screen",
    "paper": "signed on paper (scanned)",
    "verbal": "given verbally, with a witness",
}
DATA_CATEGORIES = ("report", "findings", "variants", "summary")
DATA_WORDS = {
    "report": "report letters (PDF)",
    "findings": "findings",
    "variants": "the variant file",
    "summary": "a summary without your name",
}
RECIPIENT_TYPES = ("academic", "commercial", "clinical", "family", "registry")
STATUSES = ("given", "declined", "withdrawn", "expired")
AGREEMENTS = ("PUB", "COL", "RTN", "MOR")
REQUEST_STATUSES = ("pending", "denied", "released")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DISEASE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.-]+$")
MAX_TEXT = 200


def clean_text(value: str | None, label: str, *, required: bool = True) -> str | None:
    """Outside text trimmed and checked (no control characters, not too long)."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if not text:
        if required:
            raise UsageError(f"{label} is required.")
        return None
    if len(text) > MAX_TEXT:
        raise UsageError(f"{label} is too long (at most {MAX_TEXT} characters).")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text):
        raise UsageError(f"{label} contains characters that cannot be printed.")
    return text


def parse_date(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{label} must be a real date written as YYYY-MM-DD.") from None


def same_name(a: str, b: str) -> bool:
    """Organisation and people names match regardless of case, accents and spacing."""
    return fold(a) == fold(b)


@dataclass(frozen=True)
class Purpose:
    """A DUO permission, with the disease identifier for DS (e.g. MONDO:0007254)."""

    permission: str
    disease: str | None = None

    @classmethod
    def parse(cls, text: str) -> Purpose:
        code, _, disease = text.strip().partition(":")
        code = code.upper()
        release = duo()
        if code not in release.permissions:
            raise UsageError(
                f"{text!r} is not a DUO permission; use one of {', '.join(release.permissions)}"
                " (DS needs a disease, e.g. DS:MONDO:0007254)."
            )
        if code == "DS":
            if not _DISEASE.match(disease):
                raise UsageError(
                    "A disease-specific permission needs a disease identifier, e.g. "
                    "DS:MONDO:0007254."
                )
            return cls("DS", disease)
        if disease:
            raise UsageError(f"The permission {code} takes no value.")
        return cls(code)

    def text(self) -> str:
        return f"DS:{self.disease}" if self.permission == "DS" else self.permission


@dataclass(frozen=True)
class Modifier:
    """A DUO modifier with its values: GS countries, TS/MOR a date, US/PS/IS names, RS a type."""

    code: str
    values: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Modifier:
        code, _, rest = text.strip().partition(":")
        code = code.upper()
        release = duo()
        if code not in release.modifiers:
            raise UsageError(
                f"{text!r} is not a DUO modifier; use one of {', '.join(release.modifiers)}."
            )
        kind = release.term(code).value
        if kind is None:
            if rest:
                raise UsageError(f"The modifier {code} takes no value.")
            return cls(code)
        if not rest.strip():
            example = {"countries": "GS:GB,FR", "date": f"{code}:2030-12-31"}.get(
                kind, f"{code}:NAME"
            )
            raise UsageError(f"The modifier {code} needs a value, e.g. {example}.")
        if kind == "countries":
            countries = tuple(sorted({c.strip().upper() for c in rest.split(",") if c.strip()}))
            bad = [c for c in countries if not _COUNTRY.match(c)]
            if bad or not countries:
                raise UsageError(
                    "Countries are two-letter ISO 3166 codes separated by commas, e.g. GS:GB,FR."
                )
            return cls(code, countries)
        if kind == "date":
            return cls(code, (parse_date(rest, f"The date of {code}").isoformat(),))
        if kind == "names":
            names = tuple(
                clean_text(n, f"A name in {code}") or "" for n in rest.split(",") if n.strip()
            )
            return cls(code, names)
        return cls(code, (clean_text(rest, f"The value of {code}") or "",))

    def text(self) -> str:
        return f"{self.code}:{','.join(self.values)}" if self.values else self.code

    @property
    def date(self) -> dt.date | None:
        return (
            dt.date.fromisoformat(self.values[0]) if duo().term(self.code).value == "date" else None
        )


@dataclass(frozen=True)
class Recipients:
    anyone: bool = False
    organisations: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.anyone or self.organisations or self.types)

    def words(self) -> str:
        if self.anyone:
            return "anyone"
        parts = list(self.organisations) + [f"any {t} organisation" for t in self.types]
        return ", ".join(parts) or "no one"


@dataclass(frozen=True)
class ConsentTerms:
    """What a consent allows. Empty for the two kinds that share nothing."""

    purpose: Purpose | None = None
    modifiers: tuple[Modifier, ...] = ()
    data: tuple[str, ...] = ()
    recipients: Recipients = field(default_factory=Recipients)
    identified: bool = False  # may data that names the patient go (else de-identified only)

    def modifier(self, code: str) -> Modifier | None:
        return next((m for m in self.modifiers if m.code == code), None)

    @property
    def valid_until(self) -> dt.date | None:
        limit = self.modifier("TS")
        return limit.date if limit else None

    def to_json(self) -> dict[str, Any]:
        return {
            "permission": self.purpose.permission if self.purpose else None,
            "disease": self.purpose.disease if self.purpose else None,
            "modifiers": [{"code": m.code, "values": list(m.values)} for m in self.modifiers],
            "data": list(self.data),
            "recipients": {
                "anyone": self.recipients.anyone,
                "organisations": list(self.recipients.organisations),
                "types": list(self.recipients.types),
            },
            "identified": self.identified,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ConsentTerms:
        purpose = Purpose(raw["permission"], raw.get("disease")) if raw.get("permission") else None
        recipients = raw.get("recipients") or {}
        return cls(
            purpose=purpose,
            modifiers=tuple(Modifier(m["code"], tuple(m["values"])) for m in raw["modifiers"]),
            data=tuple(raw["data"]),
            recipients=Recipients(
                bool(recipients.get("anyone")),
                tuple(recipients.get("organisations", ())),
                tuple(recipients.get("types", ())),
            ),
            identified=bool(raw.get("identified")),
        )


def check_data(categories: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(c.strip().lower() for c in categories if c.strip()))
    bad = [c for c in chosen if c not in DATA_CATEGORIES]
    if bad:
        raise UsageError(
            f"Unknown data category {bad[0]!r}; use any of {', '.join(DATA_CATEGORIES)}."
        )
    return chosen


def check_recipient_types(types: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(t.strip().lower() for t in types if t.strip()))
    bad = [t for t in chosen if t not in RECIPIENT_TYPES]
    if bad:
        raise UsageError(
            f"Unknown organisation type {bad[0]!r}; use any of {', '.join(RECIPIENT_TYPES)}."
        )
    return chosen


def check_terms(kind: str, terms: ConsentTerms) -> ConsentTerms:
    """A consent's terms made whole and checked for its kind."""
    if kind not in KINDS:
        raise UsageError(f"The consent kind must be one of: {', '.join(KINDS)}.")
    if kind not in SHARING_KINDS:
        if terms.purpose or terms.modifiers or terms.data or not terms.recipients.empty:
            raise UsageError(
                f"A {kind} consent records a yes or no only; it takes no purpose, data or "
                "recipients."
            )
        return ConsentTerms()
    if terms.purpose is None:
        raise UsageError(f"A {kind} consent needs a DUO permission (--permission).")
    if not terms.data:
        raise UsageError(f"Say which data the {kind} consent covers (--data).")
    if terms.recipients.empty:
        raise UsageError("Say who may receive the data (--recipient or --recipient-type).")
    codes = [m.code for m in terms.modifiers]
    repeated = {c for c in codes if codes.count(c) > 1}
    if repeated:
        raise UsageError(f"The modifier {sorted(repeated)[0]} is given more than once.")
    modifiers = terms.modifiers
    if kind == "clinical-care" and terms.modifier("CC") is None:
        # A consent for care is, in DUO's words, one that allows "clinical use and care".
        modifiers = (*modifiers, Modifier("CC"))
    return ConsentTerms(
        purpose=terms.purpose,
        modifiers=tuple(sorted(modifiers, key=lambda m: m.code)),
        data=check_data(terms.data),
        recipients=Recipients(
            terms.recipients.anyone,
            tuple(
                dict.fromkeys(
                    clean_text(o, "A recipient organisation") or ""
                    for o in terms.recipients.organisations
                )
            ),
            check_recipient_types(terms.recipients.types),
        ),
        identified=terms.identified,
    )


@dataclass(frozen=True)
class ConsentForm:
    id: int
    kind: str
    language: str
    version: int
    title: str
    body: str
    sha256: str
    created_at: str
    created_by: str


@dataclass(frozen=True)
class ConsentEvent:
    id: int
    status: str
    at: str
    recorded_by: str
    method: str | None
    witness: str | None
    evidence_type: str | None
    evidence_sha256: str | None
    reason: str | None
    form_id: int | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Consent:
    id: int
    patient_id: int
    kind: str
    form: ConsentForm
    terms: ConsentTerms
    valid_from: dt.date
    valid_until: dt.date | None
    created_at: str
    events: tuple[ConsentEvent, ...]

    @property
    def status(self) -> str:
        """The recorded status (its latest event)."""
        return self.events[-1].status

    @property
    def first_event(self) -> ConsentEvent:
        return self.events[0]

    def status_on(self, day: dt.date) -> str:
        """The status on a day: a given consent past its time limit counts as expired."""
        if self.status == "given" and self.valid_until is not None and day > self.valid_until:
            return "expired"
        return self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "kind": self.kind,
            "status": self.status,
            "form": {"id": self.form.id, "version": self.form.version, "sha256": self.form.sha256},
            "terms": self.terms.to_json(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "created_at": self.created_at,
            "events": [e.to_json() for e in self.events],
        }


@dataclass(frozen=True)
class RequestDetails:
    """What a requester asks for and declares. Names here are organisations and researchers,
    never the patient."""

    requester: str
    requester_type: str
    country: str
    purpose: Purpose
    data: tuple[str, ...]
    deidentified: bool = True
    ethics_ref: str | None = None
    clinical_care: bool = False  # the use is the care of a patient (DUO CC)
    commercial_use: bool = False  # the use is meant to make money (DUO NCU)
    methods_development: bool = False  # develops methods, software or algorithms (DUO NMDS)
    phenotype_only: bool = False  # studies phenotypes alone, no genotypes (DUO GSO)
    agreements: tuple[str, ...] = ()  # PUB, COL, RTN, MOR the requester agrees to
    researcher: str | None = None  # the approved user (DUO US)
    project: str | None = None  # the approved project (DUO PS)
    research_type: str | None = None  # DUO RS
    use_until: dt.date | None = None  # when the use ends (DUO TS)

    def to_json(self) -> dict[str, Any]:
        raw = dict(self.__dict__)
        raw["purpose"] = self.purpose.text()
        raw["data"] = list(self.data)
        raw["agreements"] = list(self.agreements)
        raw["use_until"] = self.use_until.isoformat() if self.use_until else None
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RequestDetails:
        values = dict(raw)
        values["purpose"] = Purpose.parse(values["purpose"])
        values["data"] = tuple(values["data"])
        values["agreements"] = tuple(values["agreements"])
        until = values.get("use_until")
        values["use_until"] = dt.date.fromisoformat(until) if until else None
        return cls(**values)


def check_request(details: RequestDetails) -> RequestDetails:
    requester_type = details.requester_type.strip().lower()
    if requester_type not in RECIPIENT_TYPES:
        raise UsageError(f"The requester type must be one of: {', '.join(RECIPIENT_TYPES)}.")
    country = details.country.strip().upper()
    if not _COUNTRY.match(country):
        raise UsageError("The country is a two-letter ISO 3166 code, e.g. GB or FR.")
    data = check_data(details.data)
    if not data:
        raise UsageError("Say which data the request asks for (--data).")
    if details.deidentified and "report" in data:
        # Report letters name the patient on every page; they cannot be de-identified.
        raise UsageError(
            "Report letters name the patient, so a de-identified request cannot ask for them; "
            "ask for findings, variants or the summary instead."
        )
    agreements = tuple(dict.fromkeys(a.strip().upper() for a in details.agreements))
    bad = [a for a in agreements if a not in AGREEMENTS]
    if bad:
        raise UsageError(f"A requester can agree to {', '.join(AGREEMENTS)}, not {bad[0]!r}.")
    return RequestDetails(
        requester=clean_text(details.requester, "The requesting organisation") or "",
        requester_type=requester_type,
        country=country,
        purpose=details.purpose,
        data=data,
        deidentified=details.deidentified,
        ethics_ref=clean_text(details.ethics_ref, "The ethics reference", required=False),
        clinical_care=details.clinical_care,
        commercial_use=details.commercial_use,
        methods_development=details.methods_development,
        phenotype_only=details.phenotype_only,
        agreements=agreements,
        researcher=clean_text(details.researcher, "The researcher", required=False),
        project=clean_text(details.project, "The project", required=False),
        research_type=clean_text(details.research_type, "The research type", required=False),
        use_until=details.use_until,
    )


@dataclass(frozen=True)
class SharingRequest:
    id: int
    patient_id: int
    details: RequestDetails
    status: str
    decision: dict[str, Any] | None
    governing_consent: int | None
    decided_at: str | None
    created_at: str
    created_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "status": self.status,
            "details": self.details.to_json(),
            "decision": self.decision,
            "governing_consent": self.governing_consent,
            "decided_at": self.decided_at,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Reason:
    """One reason a consent does not permit a request (consent_id None: about no consent)."""

    consent_id: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Decision:
    permitted: bool
    consent_id: int | None  # the consent that permits, when permitted
    reasons: tuple[Reason, ...]  # every reason, when not permitted
    decided_on: dt.date

    def to_json(self) -> dict[str, Any]:
        return {
            "permitted": self.permitted,
            "consent_id": self.consent_id,
            "decided_on": self.decided_on.isoformat(),
            "reasons": [r.__dict__ for r in self.reasons],
        }

    def explain(self) -> str:
        if self.permitted:
            return f"Permitted by consent {self.consent_id}."
        return "Not permitted:\n" + "\n".join(
            f"- {'consent ' + str(r.consent_id) + ': ' if r.consent_id else ''}{r.message}"
            for r in self.reasons
        )


@dataclass(frozen=True)
class Release:
    id: int
    request_id: int
    consent_id: int
    recipient: str
    released_at: str
    released_by: str
    deidentified: bool
    contents: dict[str, Any]
    package_sha256: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
