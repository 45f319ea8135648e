"""Release packages: only the data asked for, hashes that check out, and no identity leaks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from consent_cases import BRCA1, FINDINGS, HFE
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent as FhirConsent

from conftest import BIRTH, FAMILY, GIVEN, MRN, png_signature
from genedesk.core.consent import service
from genedesk.core.consent.model import ConsentTerms, Modifier, Purpose, Recipients, RequestDetails
from genedesk.core.consent.release import ReleaseData, ReportPdf, pseudonym

SIGNED = service.HowGiven("signed", evidence=png_signature())


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _identity_marks() -> list[bytes]:
    born = dt.date.fromisoformat(BIRTH)
    texts = [
        GIVEN,
        FAMILY,
        MRN,
        BIRTH,
        born.strftime("%Y%m%d"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%m/%d/%Y"),
        born.strftime("%d.%m.%Y"),
        f"{born.day} {born.strftime('%B')} {born.year}",
        "Zo\\u00eb",
        "Zoe",
        "Q7731",
    ]
    return [t.encode().lower() for t in texts]


def _consent_and_request(
    vault,
    admin,
    patient,
    *,
    deidentified: bool,
    data: tuple[str, ...],
    requester="University of Leeds",
):
    service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=ConsentTerms(
            Purpose.parse("HMB"),
            (Modifier.parse("GS:GB"),),
            ("report", "findings", "variants", "summary"),
            Recipients(types=("academic",)),
            identified=True,
        ),
        how=SIGNED,
    )
    return service.add_request(
        vault,
        admin,
        patient.id,
        RequestDetails(
            requester,
            "academic",
            "GB",
            Purpose.parse("DS:MONDO:0007254"),
            data,
            deidentified=deidentified,
        ),
    )


def test_a_deidentified_package_holds_no_name_record_number_or_birth_date(
    vault, admin, patient, tmp_path
) -> None:
    request = _consent_and_request(
        vault, admin, patient, deidentified=True, data=("findings", "variants", "summary")
    )
    out = tmp_path / "deidentified.zip"
    result = service.release_request(
        vault, admin, request.id, ReleaseData(findings=FINDINGS, variants=(BRCA1, HFE)), out=out
    )
    files = _unzip(out.read_bytes())
    assert sorted(files) == [
        "consent.fhir.json",
        "findings.fhir.json",
        "manifest.json",
        "summary.json",
        "variants.vcf",
    ]
    everything = b"\n".join([*files.values(), *(n.encode() for n in files)]).lower()
    for mark in _identity_marks():
        assert mark not in everything, mark
    alias = result.package.manifest["subject"]["value"]
    assert alias.startswith("GD-") and alias.encode() in files["variants.vcf"]
    assert (
        b'"birthDate"' not in files["findings.fhir.json"]
        and b'"name"' not in files["findings.fhir.json"]
    )


def test_an_identified_package_names_the_patient(vault, admin, patient, tmp_path) -> None:
    request = _consent_and_request(
        vault, admin, patient, deidentified=False, data=("findings", "report")
    )
    letter = ReportPdf("patient letter v1", b"%PDF-1.7 a real letter would be here")
    result = service.release_request(
        vault, admin, request.id, ReleaseData(findings=FINDINGS, reports=(letter,))
    )
    files = _unzip(result.package.data)
    assert sorted(files) == [
        "consent.fhir.json",
        "findings.fhir.json",
        "manifest.json",
        "reports/patient-letter-v1.pdf",
    ]
    bundle = json.loads(files["findings.fhir.json"])
    patient_resource = bundle["entry"][0]["resource"]
    assert patient_resource["name"] == [{"family": FAMILY, "given": [GIVEN]}]
    assert (
        patient_resource["birthDate"] == BIRTH and patient_resource["identifier"][0]["value"] == MRN
    )


def test_the_manifest_hashes_every_file_and_only_asked_data_goes(vault, admin, patient) -> None:
    request = _consent_and_request(vault, admin, patient, deidentified=True, data=("findings",))
    result = service.release_request(
        vault, admin, request.id, ReleaseData(findings=FINDINGS, variants=(BRCA1,))
    )
    files = _unzip(result.package.data)
    assert sorted(files) == ["consent.fhir.json", "findings.fhir.json", "manifest.json"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["data"] == ["findings"] and manifest["deidentified"] is True
    assert manifest["request"] == request.id and manifest["recipient"] == "University of Leeds"
    for entry in manifest["files"]:
        content = files[entry["name"]]
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["bytes"] == len(
            content
        )
    assert {e["name"] for e in manifest["files"]} == set(files) - {"manifest.json"}


def test_findings_are_valid_fhir_genomics_reporting(vault, admin, patient) -> None:
    request = _consent_and_request(vault, admin, patient, deidentified=True, data=("findings",))
    result = service.release_request(vault, admin, request.id, ReleaseData(findings=FINDINGS))
    files = _unzip(result.package.data)
    bundle = Bundle.model_validate_json(files["findings.fhir.json"])
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == [
        "Patient",
        "DiagnosticReport",
        "Observation",
        "Observation",
        "Observation",
        "Observation",
    ]
    raw = json.loads(files["findings.fhir.json"])
    report = raw["entry"][1]["resource"]
    assert report["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomics-report"
    ]
    assert len(report["result"]) == 4
    variant = raw["entry"][2]["resource"]
    codes = {c["code"]["coding"][0]["code"]: c for c in variant["component"]}
    assert variant["code"]["coding"][0]["code"] == "69548-6"
    assert codes["48018-6"]["valueCodeableConcept"]["coding"][0]["code"] == "HGNC:1100"
    assert codes["48004-6"]["valueCodeableConcept"]["coding"][0]["code"] == "NM_007294.4:c.5266dup"
    assert codes["69547-8"]["valueString"] == "G" and codes["69551-0"]["valueString"] == "A"
    assert codes["53034-5"]["valueCodeableConcept"]["coding"][0]["display"] == "Heterozygous"
    implication = raw["entry"][3]["resource"]
    assert implication["derivedFrom"] == [{"reference": raw["entry"][2]["fullUrl"]}]
    assert (
        implication["component"][0]["valueCodeableConcept"]["coding"][0]["display"] == "Pathogenic"
    )
    second = raw["entry"][5]["resource"]["component"][0]["valueCodeableConcept"]
    assert second == {"text": "Likely pathogenic"}
    consent = FhirConsent.model_validate_json(files["consent.fhir.json"])
    assert consent.status == "active" and consent.provision.type == "permit"


def test_pseudonyms_are_stable_per_recipient_and_differ_between_recipients() -> None:
    key = bytes(range(32))
    leeds = pseudonym(key, "University of Leeds", 7)
    assert leeds == pseudonym(key, "university  of LEEDS", 7)
    assert leeds != pseudonym(key, "University of York", 7)
    assert leeds != pseudonym(key, "University of Leeds", 8)
    assert leeds != pseudonym(bytes(32), "University of Leeds", 7)
    assert len(leeds) == 23


def test_same_release_same_bytes(vault, admin, patient) -> None:
    from genedesk.core.consent.fhir import consent_resource
    from genedesk.core.consent.release import PatientIdentity, build_package, subject_for

    request = _consent_and_request(
        vault, admin, patient, deidentified=True, data=("findings", "variants")
    )
    consent = service.list_consents(vault, patient.id)[0]
    moment = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

    def build() -> bytes:
        subject = subject_for(
            deidentified=True,
            identity=PatientIdentity(MRN, GIVEN, FAMILY, BIRTH, "female"),
            key=b"k" * 32,
            recipient="University of Leeds",
            patient_id=patient.id,
        )
        return build_package(
            request_id=request.id,
            details=request.details,
            consent_id=consent.id,
            consent_fhir=consent_resource(consent, subject, on=moment.date()),
            subject=subject,
            data=ReleaseData(findings=FINDINGS, variants=(HFE, BRCA1)),
            released_at=moment,
        ).data

    assert build() == build()


def test_bad_release_data_is_refused(vault, admin, patient) -> None:
    from dataclasses import replace

    from genedesk.core.errors import UsageError

    request = _consent_and_request(
        vault, admin, patient, deidentified=False, data=("variants", "report")
    )
    with pytest.raises(UsageError, match="no report PDF"):
        service.release_request(vault, admin, request.id, ReleaseData(variants=(BRCA1,)))
    with pytest.raises(UsageError, match="zygosity"):
        service.release_request(
            vault, admin, request.id, ReleaseData(variants=(replace(BRCA1, zygosity="het"),))
        )
    assert service.get_request(vault, request.id).status == "pending"
