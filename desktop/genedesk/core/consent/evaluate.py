"""The sharing decision: a pure function of the patient's consents, the request and the day.

Deny by default. A request is permitted only when ONE consent, on that day, is a sharing consent
in force that covers the recipient, the purpose (DUO's hierarchy), every one of its modifiers,
the data categories and identified/de-identified. The decision names that consent, or lists
every reason each consent does not permit the request, in words for a counsellor.

Each modifier is read from its DUO definition (resources/consent/duo_terms.json):
- NPU "limited to not-for-profit organizations": a commercial requester is refused.
- NCU "limited to not-for-profit use": a use meant to make money is refused.
- NPUNCU: both of the above.
- IRB "must provide documentation of local IRB/ERB approval": an ethics reference is needed.
- GS "limited to within a specific geographic region": the requester's country must be listed.
- PUB, COL, RTN, MOR "requestor agrees to …": the requester must have agreed to it.
- TS "approved for a specific number of months": use on that day, and ending by the limit.
- US, PS, IS "limited to use by approved users / within an approved project / institution".
- RS "limited to studies of a certain research type": the request's research type must match.
- NMDS "does not allow methods development research": such a use is refused.
- GSO "genetic studies only … not phenotype research exclusively": phenotype-only is refused.
- NPOA "population, origin, or ancestry research is prohibited": a POA purpose is refused.
- CC "use is allowed for clinical use and care": needed (unless NRES) for a use in care.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from genedesk.core.consent.duo import duo, permission_covers
from genedesk.core.consent.model import (
    DATA_WORDS,
    SHARING_KINDS,
    Consent,
    ConsentTerms,
    Decision,
    Modifier,
    Reason,
    RequestDetails,
    same_name,
)


def decide(consents: Sequence[Consent], request: RequestDetails, *, on: dt.date) -> Decision:
    """Permit when one consent covers everything the request asks; otherwise every reason."""
    if not consents:
        return Decision(
            False, None, (Reason(None, "no-consent", "The patient has no recorded consent."),), on
        )
    reasons: list[Reason] = []
    for consent in sorted(consents, key=lambda c: c.id):
        why = check_consent(consent, request, on=on)
        if not why:
            return Decision(True, consent.id, (), on)
        reasons.extend(why)
    return Decision(False, None, tuple(reasons), on)


def check_consent(consent: Consent, request: RequestDetails, *, on: dt.date) -> list[Reason]:
    """Every reason this one consent does not permit the request (empty: it permits it)."""
    reasons: list[Reason] = []

    def refuse(code: str, message: str) -> None:
        reasons.append(Reason(consent.id, code, message))

    if consent.kind not in SHARING_KINDS:
        refuse("kind", f"it is a {consent.kind} consent, which does not allow sharing.")
        return reasons
    status = consent.status_on(on)
    if status != "given":
        refuse("status", _status_words(consent, status))
    if on < consent.valid_from:
        refuse("not-yet", f"it applies only from {consent.valid_from.isoformat()}.")
    if consent.kind == "clinical-care" and not request.clinical_care:
        refuse("kind", "it is a consent for sharing for the patient's care, not for other uses.")
    terms = consent.terms
    if not _recipient_allowed(terms, request):
        refuse(
            "recipient",
            f"it allows sharing with {terms.recipients.words()}, not with "
            f"{request.requester} ({request.requester_type}).",
        )
    _check_purpose(terms, request, refuse)
    missing = [c for c in request.data if c not in terms.data]
    if missing:
        refuse(
            "data",
            f"it does not cover {', '.join(DATA_WORDS[c] for c in missing)} "
            f"(it covers {', '.join(DATA_WORDS[c] for c in terms.data) or 'no data'}).",
        )
    if not request.deidentified and not terms.identified:
        refuse("identified", "it allows only de-identified data, and the request is identified.")
    for modifier in terms.modifiers:
        problem = _modifier_problem(modifier, request, on)
        if problem:
            label = duo().term(modifier.code).label
            refuse(f"modifier:{modifier.code}", f"{modifier.code} ({label}): {problem}")
    return reasons


def _status_words(consent: Consent, status: str) -> str:
    if status == "expired" and consent.valid_until is not None:
        return f"it expired after {consent.valid_until.isoformat()}."
    when = consent.events[-1].at[:10]
    return {
        "withdrawn": f"it was withdrawn on {when}.",
        "declined": f"the patient declined it on {when}.",
        "expired": f"it expired on {when}.",
    }.get(status, f"it is {status}.")


def _recipient_allowed(terms: ConsentTerms, request: RequestDetails) -> bool:
    recipients = terms.recipients
    if recipients.anyone or request.requester_type in recipients.types:
        return True
    return any(same_name(org, request.requester) for org in recipients.organisations)


def _check_purpose(
    terms: ConsentTerms, request: RequestDetails, refuse: Callable[[str, str], None]
) -> None:
    if terms.purpose is None:
        refuse("purpose", "it names no purpose of use.")
        return
    granted, asked = terms.purpose, request.purpose
    if not permission_covers(granted.permission, granted.disease, asked.permission, asked.disease):
        refuse("purpose", _purpose_words(granted.text(), asked.text()))
    if request.clinical_care and granted.permission != "NRES" and terms.modifier("CC") is None:
        refuse(
            "clinical-care",
            "the request is for clinical care, and the consent does not include CC "
            f"({duo().term('CC').label}).",
        )


def _purpose_words(granted: str, asked: str) -> str:
    release = duo()
    g_code, a_code = granted.split(":")[0], asked.split(":")[0]
    if g_code == "DS" and a_code == "DS":
        return f"it allows research on {granted[3:]} only, and the request is about {asked[3:]}."
    if g_code == "HMB" and a_code == "POA":
        return (
            "it allows health/medical/biomedical research, which by DUO's definition "
            "'does not include the study of population origins or ancestry'."
        )
    return (
        f"it allows {granted} ({release.term(g_code).label}), which does not include "
        f"{asked} ({release.term(a_code).label})."
    )


def _modifier_problem(modifier: Modifier, request: RequestDetails, on: dt.date) -> str | None:
    """Why the request breaks this modifier of the consent, or None when it keeps it."""
    code = modifier.code
    commercial_org = request.requester_type == "commercial"
    if code in ("NPU", "NPUNCU") and commercial_org:
        return "only not-for-profit organisations may use the data; the requester is commercial."
    if code in ("NCU", "NPUNCU") and request.commercial_use:
        return "the data may not be used to make money; the request is for commercial use."
    if code == "IRB" and not request.ethics_ref:
        return "the requester must show ethics approval; the request has no ethics reference."
    if code == "GS" and request.country not in modifier.values:
        return (
            f"use is limited to {', '.join(modifier.values)}; the requester is in "
            f"{request.country}."
        )
    if code in ("PUB", "COL", "RTN", "MOR") and code not in request.agreements:
        needed = {
            "PUB": "agree to make the results available to the scientific community",
            "COL": "agree to collaborate with the clinic",
            "RTN": "agree to return derived or enriched data",
            "MOR": f"agree not to publish before {modifier.values[0] if modifier.values else ''}",
        }[code]
        return f"the requester must {needed}, and has not."
    if code == "TS":
        return _time_limit_problem(modifier, request, on)
    if code in ("US", "PS", "IS"):
        given = {
            "US": request.researcher,
            "PS": request.project,
            "IS": request.requester,
        }[code]
        if not given or not any(same_name(v, given) for v in modifier.values):
            what = {
                "US": "approved users",
                "PS": "approved projects",
                "IS": "approved institutions",
            }
            return (
                f"use is limited to the {what[code]} ({', '.join(modifier.values)}); "
                f"the request names {given or 'none'}."
            )
    if code == "RS" and not (
        request.research_type and same_name(request.research_type, modifier.values[0])
    ):
        return (
            f"use is limited to {modifier.values[0]} research; the request names "
            f"{request.research_type or 'no research type'}."
        )
    if code == "NMDS" and request.methods_development:
        return "the data may not be used to develop methods or software; the request does."
    if code == "GSO" and request.phenotype_only:
        return "only genetic studies may use the data; the request studies phenotypes only."
    if code == "NPOA" and request.purpose.permission == "POA":
        return "population origins or ancestry research is prohibited; the request is for it."
    return None


def _time_limit_problem(modifier: Modifier, request: RequestDetails, on: dt.date) -> str | None:
    limit = modifier.date
    if limit is None:
        return "the time limit has no date."
    if on > limit:
        return f"use was allowed until {limit.isoformat()}."
    if request.use_until is None:
        return (
            f"use is allowed until {limit.isoformat()}; the request does not say when its use ends."
        )
    if request.use_until > limit:
        return (
            f"use is allowed until {limit.isoformat()}; the request runs until "
            f"{request.use_until.isoformat()}."
        )
    return None
