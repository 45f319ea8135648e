"""A release package: one zip holding only the data a permitted request asked for.

The findings, variants and report PDFs come from the caller as plain data (the dataclasses
below), so this module does not depend on how the vault stores them. The package holds:

- manifest.json          what is inside, each file's SHA-256 and size, the request and consent
- consent.fhir.json      the governing consent as a FHIR R4 Consent
- findings.fhir.json     findings as FHIR Genomics Reporting resources       (data "findings")
- variants.vcf           the variant calls, VCF 4.2                          (data "variants")
- summary.json           gene, classification, condition per finding         (data "summary")
- reports/<name>.pdf     report PDFs                                         (data "report")

A de-identified package names the patient only by a pseudonym: HMAC-SHA256 of the patient id
under the vault's own secret and the recipient's name, so each recipient gets a different,
stable pseudonym and no recipient can link theirs to another's. It holds no name, record
number, birth date, sample name or source file name. Same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from genedesk.core.consent.fhir import (
    MRN_SYSTEM,
    PSEUDONYM_SYSTEM,
    FhirSubject,
    findings_bundle,
    to_json_bytes,
)
from genedesk.core.consent.model import RequestDetails
from genedesk.core.errors import Cancelled, UsageError
from genedesk.core.textfold import fold

ZYGOSITIES = ("heterozygous", "homozygous", "hemizygous")
CLASSIFICATIONS = (
    "pathogenic",
    "likely_pathogenic",
    "uncertain_significance",
    "likely_benign",
    "benign",
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_BASES = re.compile(r"^[ACGTN]+$|^<[A-Z0-9:_]+>$|^\*$")


@dataclass(frozen=True)
class ReleasedVariant:
    """One variant call as the caller hands it over (from the genomics tables)."""

    build: str  # GRCh37 | GRCh38
    chrom: str  # 1..22, X, Y, MT (no "chr")
    pos: int  # 1-based, as in VCF
    ref: str
    alt: str
    zygosity: str  # heterozygous | homozygous | hemizygous
    gene: str | None = None
    hgnc_id: str | None = None  # HGNC:1100
    transcript: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    hgvs_g: str | None = None
    clinvar_id: str | None = None
    depth: int | None = None
    quality: float | None = None
    filter: str | None = None  # PASS or the lab's filter names

    @property
    def genotype(self) -> str:
        return {"heterozygous": "0/1", "homozygous": "1/1", "hemizygous": "1"}[self.zygosity]


@dataclass(frozen=True)
class ReleasedFinding:
    """A finding under interpretation: its variant and the clinic's classification."""

    id: int
    variant: ReleasedVariant
    classification: str  # one of CLASSIFICATIONS
    condition: str | None = None
    inheritance: str | None = None
    category: str = "primary"  # primary | secondary | pharmacogenomic


@dataclass(frozen=True)
class ReportPdf:
    name: str  # e.g. "patient-letter-v2" (no patient name: it becomes a file name)
    pdf: bytes


@dataclass(frozen=True)
class ReleaseData:
    """Everything the caller can offer; only the categories the request asked for are used."""

    findings: Sequence[ReleasedFinding] = ()
    variants: Sequence[ReleasedVariant] = ()
    reports: Sequence[ReportPdf] = ()


@dataclass(frozen=True)
class PatientIdentity:
    """The identifying details, used only in an identified package."""

    record_number: str
    given_name: str
    family_name: str
    birth_date: str
    sex_at_birth: str


@dataclass(frozen=True)
class Package:
    data: bytes
    manifest: dict[str, Any]
    sha256: str
    files: dict[str, str] = field(default_factory=dict)  # name -> SHA-256


def pseudonym(key: bytes, recipient: str, patient_id: int) -> str:
    """A stable pseudonym for one patient as seen by one recipient."""
    message = f"genedesk-pseudonym-v1\x1f{fold(recipient)}\x1f{patient_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"GD-{digest[:20].upper()}"


def check_release_data(data: ReleaseData) -> None:
    for finding in data.findings:
        if finding.classification not in CLASSIFICATIONS:
            raise UsageError(f"Finding {finding.id} has an unknown classification.")
    for variant in [*data.variants, *(f.variant for f in data.findings)]:
        if variant.zygosity not in ZYGOSITIES:
            raise UsageError(f"A variant at {variant.chrom}:{variant.pos} has no known zygosity.")
        if not (_BASES.match(variant.ref) and _BASES.match(variant.alt)) or variant.pos < 1:
            raise UsageError(f"The variant at {variant.chrom}:{variant.pos} is not a VCF allele.")


def variant_file(variants: Sequence[ReleasedVariant], sample: str) -> bytes:
    """VCF 4.2 with one sample column named `sample` (the pseudonym or the record number)."""
    builds = sorted({v.build for v in variants}) or ["unknown"]
    lines = [
        "##fileformat=VCFv4.2",
        f"##reference={','.join(builds)}",
        '##INFO=<ID=GENE,Number=1,Type=String,Description="Gene symbol">',
        '##INFO=<ID=HGVSC,Number=1,Type=String,Description="HGVS c. on the transcript">',
        '##INFO=<ID=HGVSP,Number=1,Type=String,Description="HGVS p.">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample]
        ),
    ]
    for v in sorted(variants, key=lambda v: (v.build, _chrom_order(v.chrom), v.pos, v.ref, v.alt)):
        info = [
            f"{key}={_vcf_text(value)}"
            for key, value in (("GENE", v.gene), ("HGVSC", v.hgvs_c), ("HGVSP", v.hgvs_p))
            if value
        ]
        lines.append(
            "\t".join(
                [
                    v.chrom,
                    str(v.pos),
                    ".",
                    v.ref,
                    v.alt,
                    "." if v.quality is None else f"{v.quality:g}",
                    v.filter or ".",
                    ";".join(info) or ".",
                    "GT:DP",
                    f"{v.genotype}:{'.' if v.depth is None else v.depth}",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode()


def _chrom_order(chrom: str) -> tuple[int, str]:
    return (int(chrom), "") if chrom.isdigit() else (100, chrom)


def _vcf_text(value: str) -> str:
    # VCF INFO values may not hold spaces, semicolons, equals signs or commas.
    return re.sub(r"[\s;=,]", "_", value)


def summary_file(findings: Sequence[ReleasedFinding]) -> bytes:
    rows = [
        {
            "gene": f.variant.gene,
            "hgvs_c": f.variant.hgvs_c,
            "hgvs_p": f.variant.hgvs_p,
            "zygosity": f.variant.zygosity,
            "classification": f.classification,
            "condition": f.condition,
            "inheritance": f.inheritance,
            "category": f.category,
        }
        for f in findings
    ]
    return to_json_bytes({"findings": rows})


def _zip(files: dict[str, bytes], moment: dt.datetime) -> bytes:
    stamp = moment.astimezone(dt.UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def build_package(
    *,
    request_id: int,
    details: RequestDetails,
    consent_id: int,
    consent_fhir: dict[str, Any],
    subject: FhirSubject,
    data: ReleaseData,
    released_at: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Package:
    """The zip for one release, with only the categories the request asked for.
    `progress(done, total)` counts the parts made; `cancelled()` stops with Cancelled."""
    check_release_data(data)
    asked = set(details.data)
    steps = 5  # findings, variants, summary, reports (each made or skipped), then the zip
    done = 0

    def step() -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise Cancelled("Making the release package was cancelled; nothing was released.")
        done += 1
        if progress is not None:
            progress(done, steps)

    files: dict[str, bytes] = {"consent.fhir.json": to_json_bytes(consent_fhir)}
    key = f"release|{request_id}|{subject.identifier_value}"
    if "findings" in asked:
        bundle = findings_bundle(data.findings, subject, key=key, issued=released_at)
        files["findings.fhir.json"] = to_json_bytes(bundle)
    step()
    if "variants" in asked:
        files["variants.vcf"] = variant_file(data.variants, subject.identifier_value)
    step()
    if "summary" in asked:
        files["summary.json"] = summary_file(data.findings)
    step()
    if "report" in asked:
        if not data.reports:
            raise UsageError(
                "The request asks for reports, and there is no report PDF to release yet."
            )
        for report in data.reports:
            name = _SAFE_NAME.sub("-", report.name).strip("-") or "report"
            if not report.pdf.startswith(b"%PDF-"):
                raise UsageError(f"The report {name} is not a PDF.")
            files[f"reports/{name}.pdf"] = report.pdf
    step()
    hashes = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    manifest = {
        "format": "GeneDesk release package v1",
        "request": request_id,
        "consent": consent_id,
        "recipient": details.requester,
        "recipient_type": details.requester_type,
        "purpose": details.purpose.text(),
        "data": sorted(asked),
        "deidentified": details.deidentified,
        "subject": {
            "system": subject.identifier_system,
            "value": subject.identifier_value,
        },
        "released_at": released_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "files": [
            {"name": name, "sha256": hashes[name], "bytes": len(files[name])}
            for name in sorted(files)
        ],
    }
    files["manifest.json"] = to_json_bytes(manifest)
    package = _zip(files, released_at)
    step()
    return Package(package, manifest, hashlib.sha256(package).hexdigest(), hashes)


def subject_for(
    *,
    deidentified: bool,
    identity: PatientIdentity,
    key: bytes,
    recipient: str,
    patient_id: int,
) -> FhirSubject:
    """The package's subject: a pseudonym only, or the named patient with record number."""
    if deidentified:
        alias = pseudonym(key, recipient, patient_id)
        return FhirSubject(alias.lower(), PSEUDONYM_SYSTEM, alias)
    return FhirSubject(
        f"patient-{patient_id}",
        MRN_SYSTEM,
        identity.record_number,
        given=identity.given_name,
        family=identity.family_name,
        birth_date=identity.birth_date,
        sex=identity.sex_at_birth,
    )
