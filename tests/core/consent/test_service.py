"""Consents and requests in a real vault: lifecycle, form texts, withdrawal, refusal, audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlcipher3
from consent_cases import BRCA1, FINDINGS

from conftest import png_signature
from genedesk.core import audit
from genedesk.core.consent import service
from genedesk.core.consent.forms import form_hash, publish_form, read_standard_form
from genedesk.core.consent.model import (
    ConsentTerms,
    Modifier,
    Purpose,
    Recipients,
    RequestDetails,
)
from genedesk.core.consent.release import ReleaseData
from genedesk.core.errors import PermissionRefused, UsageError

SIGNED = service.HowGiven("signed", evidence=png_signature())
VERBAL = service.HowGiven("verbal", witness="Nurse Bea Okafor")


def research_terms(
    *modifiers: str,
    types: tuple[str, ...] = ("academic",),
    data=("findings", "variants", "summary"),
) -> ConsentTerms:
    return ConsentTerms(
        Purpose.parse("HMB"),
        tuple(Modifier.parse(m) for m in modifiers),
        data,
        Recipients(types=types),
    )


def ask(purpose: str = "HMB", **overrides) -> RequestDetails:
    values = dict(
        requester="University of Leeds",
        requester_type="academic",
        country="GB",
        purpose=Purpose.parse(purpose),
        data=("findings",),
        deidentified=True,
    )
    values.update(overrides)
    return RequestDetails(**values)


def test_a_given_consent_keeps_the_form_text_its_hash_and_the_signature(
    vault, admin, patient, signature
) -> None:
    consent = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=research_terms("GS:GB,FR"),
        how=service.HowGiven("signed", evidence=signature),
    )
    title, body = read_standard_form("research")
    assert consent.status == "given"
    assert (consent.form.title, consent.form.body, consent.form.version) == (title, body, 1)
    assert consent.form.sha256 == form_hash(title, body)
    assert consent.first_event.method == "signed" and consent.first_event.recorded_by == admin.name
    assert consent.first_event.form_id == consent.form.id
    assert service.consent_evidence(vault, consent.id) == ("image/png", signature)
    given = [e for e in audit.events(vault) if e.action == "consent.given"]
    assert given[0].details["form_sha256"] == consent.form.sha256
    assert given[0].subject == f"patient:{patient.id}"
    assert audit.verify_chain(vault).ok


def test_a_form_text_in_use_is_never_edited_and_changes_make_a_new_version(
    vault, admin, patient, signature
) -> None:
    first = service.record_consent(
        vault, admin, patient.id, kind="recontact", terms=ConsentTerms(), how=SIGNED
    )
    with pytest.raises(sqlcipher3.DatabaseError, match="never edited"):
        with vault.transaction() as tx:
            tx.execute("UPDATE consent_form SET body = 'changed' WHERE id = ?", (first.form.id,))
    with pytest.raises(sqlcipher3.DatabaseError):
        with vault.transaction() as tx:
            tx.execute("DELETE FROM consent_form WHERE id = ?", (first.form.id,))
    newer = publish_form(
        vault, admin, kind="recontact", title="Contacting you again", body="A clearer text."
    )
    assert newer.version == 2
    second = service.record_consent(
        vault, admin, patient.id, kind="recontact", terms=ConsentTerms(), how=VERBAL
    )
    assert second.form.id == newer.id
    assert (
        service.get_consent(vault, first.id).form.version == 1
    )  # still the text that patient read
    with pytest.raises(sqlcipher3.DatabaseError):
        with vault.transaction() as tx:
            tx.execute("UPDATE consent SET kind = 'research' WHERE id = ?", (first.id,))


def test_how_consent_was_given_is_checked(vault, admin, patient) -> None:
    terms = research_terms()
    with pytest.raises(UsageError, match="witness"):
        service.record_consent(
            vault, admin, patient.id, kind="research", terms=terms, how=service.HowGiven("verbal")
        )
    with pytest.raises(UsageError, match="PNG"):
        service.record_consent(
            vault, admin, patient.id, kind="research", terms=terms, how=service.HowGiven("signed")
        )
    with pytest.raises(UsageError, match="PNG"):
        service.record_consent(
            vault,
            admin,
            patient.id,
            kind="research",
            terms=terms,
            how=service.HowGiven("signed", evidence=b"\xff\xd8\xff\xe0 jpeg"),
        )
    with pytest.raises(UsageError, match="scan"):
        service.record_consent(
            vault, admin, patient.id, kind="research", terms=terms, how=service.HowGiven("paper")
        )
    with pytest.raises(UsageError, match="permission"):
        service.record_consent(
            vault, admin, patient.id, kind="research", terms=ConsentTerms(), how=VERBAL
        )
    with pytest.raises(UsageError, match="yes or no"):
        service.record_consent(
            vault, admin, patient.id, kind="secondary-findings", terms=terms, how=VERBAL
        )
    scanned = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=terms,
        how=service.HowGiven("paper", evidence=b"%PDF-1.4 scanned form"),
    )
    assert service.consent_evidence(vault, scanned.id) == (
        "application/pdf",
        b"%PDF-1.4 scanned form",
    )
    assert service.list_consents(vault, patient.id) == [scanned]


def test_lifecycle_given_withdrawn_declined_expired(vault, admin, patient) -> None:
    declined = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="secondary-findings",
        terms=ConsentTerms(),
        how=VERBAL,
        declined=True,
    )
    assert declined.status == "declined" and declined.first_event.witness == "Nurse Bea Okafor"
    with pytest.raises(UsageError, match="declined"):
        service.withdraw_consent(vault, admin, declined.id, reason=None, how=VERBAL)

    given = service.record_consent(
        vault, admin, patient.id, kind="research", terms=research_terms(), how=SIGNED
    )
    withdrawn = service.withdraw_consent(
        vault, admin, given.id, reason="Changed my mind", how=VERBAL
    ).consent
    assert [e.status for e in withdrawn.events] == ["given", "withdrawn"]
    assert withdrawn.events[-1].reason == "Changed my mind"
    with pytest.raises(UsageError, match="withdrawn"):
        service.withdraw_consent(vault, admin, given.id, reason=None, how=VERBAL)

    limited = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=research_terms("TS:2021-06-30"),
        how=SIGNED,
        valid_from=dt.date(2020, 1, 1),
    )
    assert limited.valid_until == dt.date(2021, 6, 30)
    assert limited.status == "given" and limited.status_on(dt.date(2021, 7, 1)) == "expired"
    assert service.record_expiries(vault, admin, on=dt.date(2021, 7, 1)) == [limited.id]
    assert service.get_consent(vault, limited.id).status == "expired"
    assert service.record_expiries(vault, admin, on=dt.date(2021, 7, 1)) == []
    with pytest.raises(UsageError, match="before"):
        service.record_consent(
            vault,
            admin,
            patient.id,
            kind="research",
            terms=research_terms("TS:2019-01-01"),
            how=SIGNED,
            valid_from=dt.date(2020, 1, 1),
        )
    with pytest.raises(sqlcipher3.DatabaseError):
        with vault.transaction() as tx:
            tx.execute("DELETE FROM consent_event WHERE consent_id = ?", (given.id,))


def test_withdraw_then_release_is_refused(vault, admin, patient, tmp_path) -> None:
    consent = service.record_consent(
        vault, admin, patient.id, kind="research", terms=research_terms(), how=SIGNED
    )
    request = service.add_request(vault, admin, patient.id, ask())
    assert service.evaluate_request(vault, admin, request.id).consent_id == consent.id
    result = service.withdraw_consent(vault, admin, consent.id, reason=None, how=VERBAL)
    assert result.denied_requests == (request.id,)
    out = tmp_path / "package.zip"
    with pytest.raises(PermissionRefused) as refused:
        service.release_request(vault, admin, request.id, ReleaseData(findings=FINDINGS), out=out)
    assert refused.value.exit_code == 5
    assert "withdrawn" in str(refused.value)
    assert not out.exists()
    assert vault.query_one("SELECT count(*) FROM consent_release")[0] == 0
    assert service.get_request(vault, request.id).status == "denied"


def test_withdrawal_stops_only_requests_no_other_consent_covers_and_lists_past_releases(
    vault, admin, patient, tmp_path
) -> None:
    health = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=research_terms(types=("academic", "commercial")),
        how=SIGNED,
    )
    general = service.record_consent(
        vault,
        admin,
        patient.id,
        kind="research",
        terms=ConsentTerms(
            Purpose.parse("GRU"), (Modifier.parse("NPU"),), ("findings",), Recipients(anyone=True)
        ),
        how=VERBAL,
    )
    released = service.add_request(vault, admin, patient.id, ask(data=("findings", "variants")))
    result = service.release_request(
        vault,
        admin,
        released.id,
        ReleaseData(findings=FINDINGS, variants=(BRCA1,)),
        out=tmp_path / "a.zip",
    )
    assert result.release.consent_id == health.id
    company = service.add_request(
        vault, admin, patient.id, ask(requester="GenCo Ltd", requester_type="commercial")
    )
    university = service.add_request(vault, admin, patient.id, ask(requester="University of York"))
    for r in (company, university):
        assert service.evaluate_request(vault, admin, r.id).consent_id == health.id

    withdrawal = service.withdraw_consent(vault, admin, health.id, reason=None, how=VERBAL)

    assert withdrawal.denied_requests == (company.id,)  # NPU keeps the company out of the other
    assert service.get_request(vault, company.id).status == "denied"
    still = service.get_request(vault, university.id)
    assert (still.status, still.governing_consent) == ("pending", general.id)
    assert [(r.recipient, r.request_id) for r in withdrawal.past_releases] == [
        ("University of Leeds", released.id)
    ]
    assert withdrawal.past_releases[0].contents["data"] == ["findings", "variants"]
    actions = [e.action for e in audit.events(vault)]
    assert actions.count("consent.withdrawn") == 1 and "request.denied" in actions
    assert audit.verify_chain(vault).ok


def test_each_release_is_audited_with_its_hash(vault, admin, patient, tmp_path) -> None:
    service.record_consent(
        vault, admin, patient.id, kind="research", terms=research_terms(), how=SIGNED
    )
    request = service.add_request(vault, admin, patient.id, ask(data=("findings", "summary")))
    out = tmp_path / "release.zip"
    result = service.release_request(
        vault, admin, request.id, ReleaseData(findings=FINDINGS), out=out
    )
    import hashlib

    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.package.sha256
    event = next(e for e in audit.events(vault) if e.action == "request.released")
    assert event.details["package_sha256"] == result.package.sha256
    assert event.details["release"] == result.release.id
    row = vault.query_one(
        "SELECT package_sha256, contents FROM consent_release WHERE id = ?", (result.release.id,)
    )
    assert row["package_sha256"] == result.package.sha256
    assert json.loads(row["contents"])["files"] == result.package.files
    assert service.get_request(vault, request.id).status == "released"
    with pytest.raises(UsageError, match="already released"):
        service.release_request(vault, admin, request.id, ReleaseData(findings=FINDINGS))
    # Nothing about the patient goes into the audit details.
    text = json.dumps([e.details for e in audit.events(vault)])
    assert patient.family_name not in text and patient.mrn not in text


def test_requests_are_checked(vault, admin, patient) -> None:
    with pytest.raises(UsageError, match="Report letters"):
        service.add_request(vault, admin, patient.id, ask(data=("report",)))
    with pytest.raises(UsageError, match="country"):
        service.add_request(vault, admin, patient.id, ask(country="England"))
    with pytest.raises(UsageError, match="requester type"):
        service.add_request(vault, admin, patient.id, ask(requester_type="pharma"))
    with pytest.raises(UsageError, match="agree"):
        service.add_request(vault, admin, patient.id, ask(agreements=("XYZ",)))
    request = service.add_request(vault, admin, patient.id, ask(ethics_ref=" REC 1 "))
    assert request.details.ethics_ref == "REC 1" and request.status == "pending"
    decision = service.evaluate_request(vault, admin, request.id)
    assert not decision.permitted and decision.reasons[0].code == "no-consent"
    assert service.get_request(vault, request.id).status == "denied"


def test_a_cancelled_release_leaves_no_trace_and_progress_is_reported(
    vault, admin, patient, tmp_path
) -> None:
    from genedesk.core.errors import Cancelled

    service.record_consent(
        vault, admin, patient.id, kind="research", terms=research_terms(), how=SIGNED
    )
    request = service.add_request(vault, admin, patient.id, ask(data=("findings", "variants")))
    out = tmp_path / "release.zip"
    seen: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        service.release_request(
            vault,
            admin,
            request.id,
            ReleaseData(findings=FINDINGS),
            out=out,
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [(1, 5), (2, 5)] and not out.exists()
    assert vault.query_one("SELECT count(*) FROM consent_release")[0] == 0
    seen.clear()
    service.release_request(
        vault,
        admin,
        request.id,
        ReleaseData(findings=FINDINGS),
        out=out,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (5, 5) and out.exists()
