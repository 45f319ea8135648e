"""HL7 FHIR R4 exports: a consent as a FHIR Consent, findings as Genomics Reporting resources.

Every resource is validated with the `fhir.resources` models before it leaves GeneDesk. The
package (8.x) carries FHIR R4B (4.3.0) models; R4B left Consent, Observation, DiagnosticReport,
Patient and Bundle as they were in R4 (4.0.1), so a resource these models accept is a valid R4
resource. The Genomics Reporting codes come from resources/consent/fhir_genomics_codes.json,
each copied from the HL7 implementation guide's sources (file and line named there).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from genedesk.core.consent.duo import duo
from genedesk.core.consent.model import Consent, Modifier
from genedesk.core.errors import GeneDeskError
from genedesk.core.paths import resources_dir

if TYPE_CHECKING:
    from genedesk.core.consent.release import ReleasedFinding

DUO_SYSTEM = "http://purl.obolibrary.org/obo/duo.owl"
DATA_CATEGORY_SYSTEM = "urn:genedesk:data-category"
DISEASE_SYSTEM = "urn:genedesk:disease-identifier"
MRN_SYSTEM = "urn:genedesk:record-number"
PSEUDONYM_SYSTEM = "urn:genedesk:pseudonym"
FORM_POLICY = "urn:genedesk:consent-form"
RECIPIENT_ROLE = {
    # HL7 v3 ParticipationType "IRCP" (information recipient), as FHIR's Consent examples use.
    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "code": "IRCP",
}
CONSENT_CATEGORY = {"system": "http://loinc.org", "code": "57016-8"}
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
SCOPES = {
    "research": "research",
    "registry": "research",
    "relatives": "patient-privacy",
    "clinical-care": "patient-privacy",
    "secondary-findings": "treatment",
    "recontact": "treatment",
}
HGVS_SYSTEM = "http://varnomen.hgvs.org"
HGNC_SYSTEM = "http://www.genenames.org/geneId"
REFSEQ_SYSTEM = "http://www.ncbi.nlm.nih.gov/refseq"
CLINVAR_SYSTEM = "http://www.ncbi.nlm.nih.gov/clinvar"
CLASSIFICATION_WORDS = {
    "pathogenic": "Pathogenic",
    "likely_pathogenic": "Likely pathogenic",
    "uncertain_significance": "Uncertain significance",
    "likely_benign": "Likely benign",
    "benign": "Benign",
}
# Fixed namespace so the same release gives the same resource ids (and bytes) every time.
_NAMESPACE = uuid.UUID("5b0c6e1e-3f0a-4a63-9d5e-0c6f3f9b2a10")


@dataclass(frozen=True)
class FhirSubject:
    """Who the resources are about: the named patient, or only a pseudonym (de-identified)."""

    resource_id: str
    identifier_system: str
    identifier_value: str
    given: str | None = None
    family: str | None = None
    birth_date: str | None = None
    sex: str | None = None

    @property
    def reference(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.resource_id}"}


def patient_resource(subject: FhirSubject) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": subject.resource_id,
        "identifier": [{"system": subject.identifier_system, "value": subject.identifier_value}],
    }
    if subject.family or subject.given:
        resource["name"] = [{"family": subject.family, "given": [subject.given]}]
    if subject.birth_date:
        resource["birthDate"] = subject.birth_date
    if subject.sex in ("female", "male", "unknown"):
        resource["gender"] = subject.sex
    return validated(resource)


def validated(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource, checked against the fhir.resources model of its type."""
    from fhir.resources.R4B import get_fhir_model_class

    kind = str(resource["resourceType"])
    try:
        model = get_fhir_model_class(kind)
        model.model_validate(dict(resource))
    except Exception as error:  # noqa: BLE001 - pydantic's errors name the field; keep them
        raise GeneDeskError(f"GeneDesk made a FHIR {kind} that is not valid: {error}") from None
    return dict(resource)


def to_json_bytes(resource: Mapping[str, Any]) -> bytes:
    return (json.dumps(resource, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- Consent -----------------------------------------------------------------------------------


def _modifier_display(modifier: Modifier) -> str:
    label = duo().term(modifier.code).label
    return f"{label}: {', '.join(modifier.values)}" if modifier.values else label


def consent_resource(consent: Consent, subject: FhirSubject, *, on: dt.date) -> dict[str, Any]:
    """A FHIR R4 Consent: active/inactive, and a provision that permits or denies, with the DUO
    purpose and the data categories."""
    status = consent.status_on(on)
    active = status in ("given", "declined")
    permit = status in ("given", "expired")
    terms, form = consent.terms, consent.form
    form_text = f"{form.title}\n\n{form.body}".encode()
    period: dict[str, str] = {"start": consent.valid_from.isoformat()}
    end = consent.valid_until
    if status == "withdrawn":
        end = dt.date.fromisoformat(consent.events[-1].at[:10])
    if end is not None:
        period["end"] = end.isoformat()
    provision: dict[str, Any] = {"type": "permit" if permit else "deny", "period": period}
    purposes = []
    if terms.purpose is not None:
        term = duo().term(terms.purpose.permission)
        display = term.label
        if terms.purpose.disease:
            display = f"{term.label}: {terms.purpose.disease}"
            provision["code"] = [
                {"coding": [{"system": DISEASE_SYSTEM, "code": terms.purpose.disease}]}
            ]
        purposes.append({"system": DUO_SYSTEM, "code": term.id, "display": display})
    for modifier in terms.modifiers:
        purposes.append(
            {
                "system": DUO_SYSTEM,
                "code": duo().term(modifier.code).id,
                "display": _modifier_display(modifier),
            }
        )
    if purposes:
        provision["purpose"] = purposes
    if terms.data:
        provision["class"] = [{"system": DATA_CATEGORY_SYSTEM, "code": c} for c in terms.data]
    actors = [
        {"role": {"coding": [RECIPIENT_ROLE]}, "reference": {"display": name}}
        for name in terms.recipients.organisations
    ] + [
        {"role": {"coding": [RECIPIENT_ROLE]}, "reference": {"display": f"any {kind} organisation"}}
        for kind in terms.recipients.types
    ]
    if actors and not terms.recipients.anyone:
        provision["actor"] = actors
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": f"consent-{consent.id}",
        "status": "active" if active else "inactive",
        "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": SCOPES[consent.kind]}]},
        "category": [{"coding": [CONSENT_CATEGORY], "text": f"GeneDesk {consent.kind} consent"}],
        "patient": subject.reference,
        "dateTime": consent.first_event.at,
        "sourceAttachment": {
            "contentType": "text/plain; charset=utf-8",
            "language": form.language,
            "data": base64.b64encode(form_text).decode(),
            # FHIR's Attachment.hash is the base64 SHA-1 of the data; our own SHA-256 is in policy.
            "hash": base64.b64encode(hashlib.sha1(form_text).digest()).decode(),  # noqa: S324
            "title": f"{form.title} (version {form.version})",
        },
        "policy": [
            {
                "uri": f"{FORM_POLICY}:{form.kind}:{form.language}:v{form.version}:sha256:{form.sha256}"
            }
        ],
        "provision": provision,
    }
    return validated(resource)


# --- Findings (Genomics Reporting) --------------------------------------------------------------


@cache
def genomics_codes() -> Mapping[str, Mapping[str, str]]:
    path = resources_dir() / "consent" / "fhir_genomics_codes.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return raw["codes"]


def _coding(name: str) -> dict[str, str]:
    entry = genomics_codes()[name]
    coding = {"system": entry["system"], "code": entry["code"]}
    if "display" in entry:
        coding["display"] = entry["display"]
    return coding


def _concept(name: str) -> dict[str, Any]:
    return {"coding": [_coding(name)]}


def _component(name: str, value_key: str, value: Any) -> dict[str, Any]:
    return {"code": _concept(name), value_key: value}


def _coded_or_text(system: str, code: str | None) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": code}]} if code else {}


def _entry_id(key: str, what: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{key}|{what}"))


def _variant_observation(
    finding: ReleasedFinding, subject: FhirSubject, issued: str, obs_id: str
) -> dict[str, Any]:
    variant = finding.variant
    components: list[dict[str, Any]] = []
    if variant.gene:
        gene = (
            {"coding": [{"system": HGNC_SYSTEM, "code": variant.hgnc_id, "display": variant.gene}]}
            if variant.hgnc_id
            else {"text": variant.gene}
        )
        components.append(_component("gene_studied", "valueCodeableConcept", gene))
    if variant.build == "GRCh37":
        assembly: dict[str, Any] = _concept("grch37")
    else:
        assembly = {"text": variant.build}  # only GRCh37's answer code is in our cited sources
    components.append(_component("reference_assembly", "valueCodeableConcept", assembly))
    components.append(
        _component("chromosome", "valueCodeableConcept", {"text": f"chr{variant.chrom}"})
    )
    for name, value in (
        ("coding_hgvs", variant.hgvs_c),
        ("protein_hgvs", variant.hgvs_p),
        ("genomic_hgvs", variant.hgvs_g),
    ):
        if value:
            components.append(
                _component(name, "valueCodeableConcept", _coded_or_text(HGVS_SYSTEM, value))
            )
    if variant.transcript:
        components.append(
            _component(
                "transcript",
                "valueCodeableConcept",
                _coded_or_text(REFSEQ_SYSTEM, variant.transcript),
            )
        )
    end = variant.pos + max(len(variant.ref), 1) - 1
    components.append(
        _component(
            "exact_start_end",
            "valueRange",
            {"low": {"value": variant.pos}, "high": {"value": end}},
        )
    )
    components.append(_component("ref_allele", "valueString", variant.ref))
    components.append(_component("alt_allele", "valueString", variant.alt))
    components.append(
        _component("genomic_source_class", "valueCodeableConcept", _concept("germline"))
    )
    zygosity = (
        _concept("heterozygous")
        if variant.zygosity == "heterozygous"
        else {"text": variant.zygosity.capitalize()}
    )
    components.append(_component("allelic_state", "valueCodeableConcept", zygosity))
    if variant.clinvar_id:
        components.append(
            _component(
                "variation_code",
                "valueCodeableConcept",
                {"coding": [{"system": CLINVAR_SYSTEM, "code": variant.clinvar_id}]},
            )
        )
    return validated(
        {
            "resourceType": "Observation",
            "id": obs_id,
            "meta": {"profile": [genomics_codes()["variant_profile"]["uri"]]},
            "status": "final",
            "category": [_concept("laboratory_category")],
            "code": _concept("variant_code"),
            "subject": subject.reference,
            "issued": issued,
            "valueCodeableConcept": _concept("present"),
            "component": components,
        }
    )


def _implication_observation(
    finding: ReleasedFinding, subject: FhirSubject, issued: str, obs_id: str, variant_url: str
) -> dict[str, Any]:
    words = CLASSIFICATION_WORDS.get(finding.classification, finding.classification)
    significance = (
        _concept("pathogenic") if finding.classification == "pathogenic" else {"text": words}
    )
    components = [_component("clinical_significance", "valueCodeableConcept", significance)]
    if finding.condition:
        components.append(
            _component("associated_phenotype", "valueCodeableConcept", {"text": finding.condition})
        )
    return validated(
        {
            "resourceType": "Observation",
            "id": obs_id,
            "meta": {"profile": [genomics_codes()["implication_profile"]["uri"]]},
            "status": "final",
            "category": [_concept("laboratory_category")],
            "code": _concept("implication_code"),
            "subject": subject.reference,
            "issued": issued,
            "derivedFrom": [{"reference": variant_url}],
            "component": components,
        }
    )


def findings_bundle(
    findings: Sequence[ReleasedFinding], subject: FhirSubject, *, key: str, issued: dt.datetime
) -> dict[str, Any]:
    """A FHIR collection Bundle: the patient (or pseudonym), a Genomics Report and, for each
    finding, a variant Observation and a diagnostic-implication Observation (classification).
    `key` makes the resource ids stable for one release."""
    stamp = issued.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    patient_url = f"urn:uuid:{_entry_id(key, 'patient')}"
    entries: list[dict[str, Any]] = [
        {"fullUrl": patient_url, "resource": patient_resource(subject)}
    ]
    local_subject = FhirSubject(
        subject.resource_id, subject.identifier_system, subject.identifier_value
    )
    results = []
    for finding in findings:
        variant_id = _entry_id(key, f"variant-{finding.id}")
        implication_id = _entry_id(key, f"implication-{finding.id}")
        variant_url, implication_url = f"urn:uuid:{variant_id}", f"urn:uuid:{implication_id}"
        entries.append(
            {
                "fullUrl": variant_url,
                "resource": _variant_observation(finding, local_subject, stamp, variant_id),
            }
        )
        entries.append(
            {
                "fullUrl": implication_url,
                "resource": _implication_observation(
                    finding, local_subject, stamp, implication_id, variant_url
                ),
            }
        )
        results += [{"reference": variant_url}, {"reference": implication_url}]
    report_id = _entry_id(key, "report")
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "meta": {"profile": [genomics_codes()["report_profile"]["uri"]]},
        "status": "final",
        "code": _concept("report_code"),
        "subject": local_subject.reference,
        "issued": stamp,
    }
    if results:
        report["result"] = results
    entries.insert(1, {"fullUrl": f"urn:uuid:{report_id}", "resource": validated(report)})
    # Inside the bundle, resources point at each other by their urn:uuid full URLs.
    for entry in entries:
        resource = entry["resource"]
        if "subject" in resource:
            resource["subject"] = {"reference": patient_url}
    bundle = {
        "resourceType": "Bundle",
        "id": _entry_id(key, "bundle"),
        "type": "collection",
        "timestamp": stamp,
        "entry": entries,
    }
    return validated(bundle)
