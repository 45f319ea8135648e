"""FHIR R4 Consent export of any consent, validated with the fhir.resources models."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from fhir.resources.R4B.consent import Consent as FhirConsent

from conftest import png_signature
from genedesk.core.consent import fhir, service
from genedesk.core.consent.model import ConsentTerms, Modifier, Purpose, Recipients

SIGNED = service.HowGiven("signed", evidence=png_signature())
VERBAL = service.HowGiven("verbal", witness="Nurse Bea Okafor")
TODAY = dt.date(2026, 6, 1)


def _subject(patient) -> fhir.FhirSubject:
    return fhir.FhirSubject(f"patient-{patient.id}", fhir.MRN_SYSTEM, patient.mrn)


def _terms() -> ConsentTerms:
    return ConsentTerms(
        Purpose.parse("DS:MONDO:0007254"),
        (Modifier.parse("GS:GB,FR"), Modifier.parse("NPU"), Modifier.parse("TS:2030-12-31")),
        ("findings", "summary"),
        Recipients(organisations=("University of Leeds",), types=("registry",)),
    )


def test_a_given_consent_is_active_and_permits_with_duo_purpose_and_data_classes(
    vault, admin, patient
) -> None:
    consent = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=_terms(),
        how=SIGNED,
        valid_from=dt.date(2026, 1, 5),
    )
    resource = fhir.consent_resource(consent, _subject(patient), on=TODAY)
    parsed = FhirConsent.model_validate(resource)
    assert parsed.status == "active"
    assert parsed.scope.coding[0].code == "research"
    provision = resource["provision"]
    assert provision["type"] == "permit"
    assert provision["period"] == {"start": "2026-01-05", "end": "2030-12-31"}
    assert [p["code"] for p in provision["purpose"]] == [
        "DUO:0000007",
        "DUO:0000022",
        "DUO:0000045",
        "DUO:0000025",
    ]
    assert provision["purpose"][0]["display"] == "disease specific research: MONDO:0007254"
    assert provision["purpose"][1]["display"] == "geographical restriction: FR, GB"
    assert provision["code"][0]["coding"][0]["code"] == "MONDO:0007254"
    assert [c["code"] for c in provision["class"]] == ["findings", "summary"]
    assert [a["reference"]["display"] for a in provision["actor"]] == [
        "University of Leeds",
        "any registry organisation",
    ]
    attachment = resource["sourceAttachment"]
    text = base64.b64decode(attachment["data"])
    assert text.decode() == f"{consent.form.title}\n\n{consent.form.body}"
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(text).digest()).decode()
    assert consent.form.sha256 in resource["policy"][0]["uri"]


def test_withdrawn_declined_and_expired_consents(vault, admin, patient) -> None:
    given = service.record_consent(
        vault, admin, patient.id, kind="research", terms=_terms(), how=SIGNED
    )
    withdrawn = service.withdraw_consent(vault, admin, given.id, reason=None, how=VERBAL).consent
    resource = fhir.consent_resource(withdrawn, _subject(patient), on=TODAY)
    assert (resource["status"], resource["provision"]["type"]) == ("inactive", "deny")
    assert resource["provision"]["period"]["end"] == withdrawn.events[-1].at[:10]

    declined = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="secondary-findings",
        terms=ConsentTerms(),
        how=VERBAL,
        declined=True,
    )
    resource = fhir.consent_resource(declined, _subject(patient), on=TODAY)
    FhirConsent.model_validate(resource)
    assert (resource["status"], resource["provision"]["type"]) == ("active", "deny")
    assert resource["scope"]["coding"][0]["code"] == "treatment"

    limited = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="registry",
        terms=ConsentTerms(
            Purpose.parse("HMB"),
            (Modifier.parse("TS:2026-03-01"),),
            ("summary",),
            Recipients(types=("registry",)),
        ),
        how=SIGNED,
        valid_from=dt.date(2026, 1, 1),
    )
    resource = fhir.consent_resource(limited, _subject(patient), on=TODAY)
    assert (resource["status"], resource["provision"]["type"]) == ("inactive", "permit")
    assert FhirConsent.model_validate(resource).provision.period.end is not None
