"""Consent and withdrawal receipts, read back from the PDF as a patient (or a program) would."""

from __future__ import annotations

import datetime as dt
import io

from consent_cases import FINDINGS
from pypdf import PdfReader

from conftest import FAMILY, GIVEN, png_signature
from genedesk.core.consent import receipts, service
from genedesk.core.consent.model import ConsentTerms, Modifier, Purpose, Recipients, RequestDetails
from genedesk.core.consent.release import ReleaseData

SIGNED = service.HowGiven("signed", evidence=png_signature())
VERBAL = service.HowGiven("verbal", witness="Nurse Bea Okafor")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _consent(vault, admin, patient):
    return service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=ConsentTerms(
            Purpose.parse("HMB"),
            (Modifier.parse("GS:GB,FR"), Modifier.parse("TS:2030-12-31")),
            ("findings", "summary"),
            Recipients(types=("academic",)),
        ),
        how=SIGNED,
    )


def test_the_consent_receipt_says_what_was_agreed_and_shows_the_text_read(
    vault, admin, patient
) -> None:
    consent = _consent(vault, admin, patient)
    pdf = receipts.build_consent_receipt(consent, patient)
    text = _text(pdf)
    for expected in (
        "Your consent receipt",
        f"Patient: {GIVEN} {FAMILY}",
        "Date of birth: 29 November 1968",
        "you agreed to sharing your data for research",
        f"Consent number {consent.id}",
        "Yes, I agree",
        "Signed on screen",
        f"Recorded by {admin.name}",
        "Sharing your data for research, version 1",
        "for research about health, medicine or biology",
        "only in the countries you chose. (FR, GB)",
        "only until the date you chose. (31 December 2030)",
        "any university or research organisation",
        "removed first",
        "The text you read",
        "Research on genetic data from many people",
        "If you change your mind",
        f"Report ID: C-{consent.id}",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert consent.form.sha256 in _squeezed(text)
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert FAMILY not in str(meta) and meta["/Title"] == "Consent receipt"
    assert receipts.build_consent_receipt(consent, patient) == pdf


def test_a_declined_consent_gets_a_receipt_too(vault, admin, patient) -> None:
    declined = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="secondary-findings",
        terms=ConsentTerms(),
        how=VERBAL,
        declined=True,
    )
    text = _text(receipts.build_consent_receipt(declined, patient))
    assert "you said no to being told about extra findings" in text
    assert "No, I do not agree" in text and "Witness Nurse Bea Okafor" in text
    assert "What you agreed to" not in text


def test_the_withdrawal_receipt_lists_what_was_shared_before(
    vault, admin, patient, tmp_path
) -> None:
    consent = _consent(vault, admin, patient)
    shared = service.add_request(
        vault,
        admin,
        patient.id,
        RequestDetails(
            "University of Leeds",
            "academic",
            "GB",
            Purpose.parse("HMB"),
            ("findings",),
            use_until=dt.date(2028, 1, 1),
        ),
    )
    service.release_request(vault, admin, shared.id, ReleaseData(findings=FINDINGS))
    waiting = service.add_request(
        vault,
        admin,
        patient.id,
        RequestDetails(
            "Université de Lyon",
            "academic",
            "FR",
            Purpose.parse("HMB"),
            ("summary",),
            use_until=dt.date(2028, 1, 1),
        ),
    )
    assert service.evaluate_request(vault, admin, waiting.id).permitted
    result = service.withdraw_consent(vault, admin, consent.id, reason="I moved abroad", how=VERBAL)
    pdf = receipts.build_withdrawal_receipt(
        result.consent,
        patient,
        stopped_requests=len(result.denied_requests),
        past_releases=result.past_releases,
    )
    text = _text(pdf)
    for expected in (
        "You have withdrawn your consent",
        f"Patient: {GIVEN} {FAMILY}",
        "You withdrew your consent to sharing your data for research",
        "Said aloud, with a witness",
        "Witness Nurse Bea Okafor",
        "Your reason I moved abroad",
        "Requests waiting to be sent under this consent were stopped: 1",
        "Data already shared under this consent",
        "University of Leeds",
        "findings (without your name)",
        f"Report ID: W-{consent.id}",
    ):
        assert expected in text, expected
    assert "Université de Lyon" not in text  # stopped, never shared
    out = tmp_path / "withdrawal.pdf"
    out.write_bytes(pdf)
    assert PdfReader(str(out)).metadata["/Title"] == "Withdrawal receipt"
