"""Properties of the sharing decision (genedesk.core.consent.evaluate.decide) over random consents.

Consents and requests are drawn from every DUO permission and modifier GeneDesk ships
(resources/consent/duo_terms.json), every data category, recipient type, status and kind, and go
through the same checks as in the clinic (check_terms, check_request). The case-by-case expected
outcomes live in tests/core/consent/test_decision_matrix.py; here the rules that must hold for
every combination:

- deny by default: a withdrawn, declined or expired consent never permits, nor one not yet valid;
- a refusal always carries reasons, in words, naming each consent considered;
- restricting a consent (a modifier other than CC, fewer data categories or recipients, no
  identified data) or widening a request (more data, identified data) never turns a refusal
  into a permit; DUO's CC ("clinical use and care") is the one modifier that allows more;
- the decision does not depend on the order the consents are listed in;
- random text for permissions, modifiers and requests raises only UsageError.

Examples: derandomized; GENEDESK_FUZZ_EXAMPLES raises the counts by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from genedesk.core.consent.duo import duo
from genedesk.core.consent.evaluate import check_consent, decide
from genedesk.core.consent.model import (
    AGREEMENTS,
    DATA_CATEGORIES,
    KINDS,
    RECIPIENT_TYPES,
    SHARING_KINDS,
    Consent,
    ConsentEvent,
    ConsentForm,
    ConsentTerms,
    Modifier,
    Purpose,
    Recipients,
    RequestDetails,
    check_request,
    check_terms,
)
from genedesk.core.errors import UsageError
from reliability.fuzzing import fuzz_settings

ON = dt.date(2026, 6, 1)
FORM = ConsentForm(1, "research", "en", 1, "Form", "Text", "0" * 64, "2025-01-01T00:00:00Z", "Ada")
COUNTRIES = ("GB", "FR", "US", "DE")
NAMES = ("University of Leeds", "Dr Ada Byron", "Project Kestrel", "Genomics England")
RESEARCH_TYPES = ("cancer", "cardiology")
DISEASES = ("MONDO:0007254", "MONDO:0005148")


DATES = st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31))


@st.composite
def purposes(draw: st.DrawFn) -> Purpose:
    code = draw(st.sampled_from(duo().permissions))
    return Purpose(code, draw(st.sampled_from(DISEASES)) if code == "DS" else None)


@st.composite
def modifier_values(draw: st.DrawFn, code: str) -> Modifier:
    kind = duo().term(code).value
    if kind is None:
        return Modifier(code)
    if kind == "countries":
        return Modifier(code, tuple(sorted(draw(st.sets(st.sampled_from(COUNTRIES), min_size=1)))))
    if kind == "date":
        return Modifier(code, (draw(DATES).isoformat(),))
    if kind == "names":
        return Modifier(code, tuple(sorted(draw(st.sets(st.sampled_from(NAMES), min_size=1)))))
    return Modifier(code, (draw(st.sampled_from(RESEARCH_TYPES)),))


@st.composite
def modifier_sets(draw: st.DrawFn) -> tuple[Modifier, ...]:
    codes = draw(st.sets(st.sampled_from(duo().modifiers), max_size=5))
    return tuple(draw(modifier_values(code)) for code in sorted(codes))


@st.composite
def recipient_sets(draw: st.DrawFn) -> Recipients:
    return draw(
        st.one_of(
            st.just(Recipients(anyone=True)),
            st.builds(
                Recipients,
                organisations=st.lists(st.sampled_from(NAMES), max_size=2, unique=True).map(tuple),
                types=st.lists(
                    st.sampled_from(RECIPIENT_TYPES), min_size=1, max_size=3, unique=True
                ).map(tuple),
            ),
        )
    )


@st.composite
def consents(draw: st.DrawFn, consent_id: int = 1) -> Consent:
    kind = draw(st.sampled_from(KINDS))
    if kind in SHARING_KINDS:
        raw = ConsentTerms(
            purpose=draw(purposes()),
            modifiers=draw(modifier_sets()),
            data=tuple(draw(st.sets(st.sampled_from(DATA_CATEGORIES), min_size=1))),
            recipients=draw(recipient_sets()),
            identified=draw(st.booleans()),
        )
    else:
        raw = ConsentTerms()
    terms = check_terms(kind, raw)
    status = draw(st.sampled_from(("given", "given", "withdrawn", "declined", "expired")))
    return make_consent(consent_id, kind, terms, status, draw(DATES))


def make_consent(
    consent_id: int, kind: str, terms: ConsentTerms, status: str, valid_from: dt.date
) -> Consent:
    given = ConsentEvent(
        1, "given", "2024-01-01T09:00:00Z", "Ada", "signed", None, None, None, None, 1
    )
    events = [given]
    if status != "given":
        events.append(
            ConsentEvent(
                2, status, "2025-02-03T10:00:00Z", "Ada", "verbal", "Bea", None, None, None, 1
            )
        )
    return Consent(
        id=consent_id,
        patient_id=1,
        kind=kind,
        form=FORM,
        terms=terms,
        valid_from=valid_from,
        valid_until=terms.valid_until,
        created_at="2024-01-01T09:00:00Z",
        events=tuple(events),
    )


@st.composite
def requests(draw: st.DrawFn) -> RequestDetails:
    deidentified = draw(st.booleans())
    categories = [c for c in DATA_CATEGORIES if not (deidentified and c == "report")]
    details = RequestDetails(
        requester=draw(st.sampled_from(NAMES)),
        requester_type=draw(st.sampled_from(RECIPIENT_TYPES)),
        country=draw(st.sampled_from(COUNTRIES)),
        purpose=draw(purposes()),
        data=tuple(draw(st.sets(st.sampled_from(categories), min_size=1))),
        deidentified=deidentified,
        ethics_ref=draw(st.sampled_from((None, "REC 24/NE/0001"))),
        clinical_care=draw(st.booleans()),
        commercial_use=draw(st.booleans()),
        methods_development=draw(st.booleans()),
        phenotype_only=draw(st.booleans()),
        agreements=tuple(draw(st.sets(st.sampled_from(AGREEMENTS)))),
        researcher=draw(st.sampled_from((None, *NAMES))),
        project=draw(st.sampled_from((None, *NAMES))),
        research_type=draw(st.sampled_from((None, *RESEARCH_TYPES))),
        use_until=draw(st.one_of(st.none(), DATES)),
    )
    return check_request(details)


def permits(consent: Consent, request: RequestDetails, on: dt.date = ON) -> bool:
    return not check_consent(consent, request, on=on)


# --- deny by default and reasons ------------------------------------------------------------


@fuzz_settings(ci_examples=400)
@given(
    listed=st.lists(st.integers(1, 50), max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*(consents(i) for i in ids))
    ),
    request=requests(),
    on=DATES,
)
def test_a_decision_names_its_consent_or_gives_reasons_for_each(
    listed: tuple[Consent, ...], request: RequestDetails, on: dt.date
) -> None:
    decision = decide(listed, request, on=on)
    ids = {c.id for c in listed}
    assert decision.decided_on == on
    if decision.permitted:
        assert decision.consent_id in ids and decision.reasons == ()
        granting = next(c for c in listed if c.id == decision.consent_id)
        assert granting.status_on(on) == "given" and granting.valid_from <= on
        assert granting.kind in SHARING_KINDS
        assert "Permitted by consent" in decision.explain()
    else:
        assert decision.consent_id is None and decision.reasons
        assert all(r.message.strip() and r.code for r in decision.reasons)
        # Every consent the patient has is accounted for in the refusal.
        assert {r.consent_id for r in decision.reasons} == (ids or {None})
        assert decision.explain().startswith("Not permitted:")
    # The order the consents come in does not matter.
    again = decide(tuple(reversed(listed)), request, on=on)
    assert (again.permitted, again.consent_id) == (decision.permitted, decision.consent_id)


@fuzz_settings(ci_examples=300)
@given(consent=consents(), request=requests(), on=DATES)
def test_only_a_consent_given_and_in_force_on_the_day_permits(
    consent: Consent, request: RequestDetails, on: dt.date
) -> None:
    if consent.status in ("withdrawn", "declined", "expired") or on < consent.valid_from:
        assert not permits(consent, request, on)
    if consent.valid_until is not None and on > consent.valid_until:
        assert consent.status_on(on) != "given"
        assert not permits(consent, request, on)
    if consent.kind not in SHARING_KINDS:
        assert not permits(consent, request, on)


# --- monotonicity -----------------------------------------------------------------------------


def restricted(consent: Consent, terms: ConsentTerms) -> Consent:
    checked = check_terms(consent.kind, terms)
    return dataclasses.replace(consent, terms=checked, valid_until=checked.valid_until)


@fuzz_settings(ci_examples=400)
@given(consent=consents(), request=requests(), data=st.data())
def test_restricting_a_consent_never_turns_a_refusal_into_a_permit(
    consent: Consent, request: RequestDetails, data: st.DataObject
) -> None:
    assume(consent.kind in SHARING_KINDS)
    terms = consent.terms
    present = {m.code for m in terms.modifiers}
    # CC ("use is allowed for clinical use and care") allows more; every other modifier limits.
    extra_codes = [c for c in duo().modifiers if c not in present and c != "CC"]
    changes: list[ConsentTerms] = []
    if extra_codes:
        code = data.draw(st.sampled_from(extra_codes))
        extra = data.draw(modifier_values(code))
        changes.append(dataclasses.replace(terms, modifiers=(*terms.modifiers, extra)))
    if len(terms.data) > 1:
        kept = data.draw(
            st.sets(st.sampled_from(terms.data), min_size=1, max_size=len(terms.data) - 1)
        )
        changes.append(dataclasses.replace(terms, data=tuple(kept)))
    changes.append(dataclasses.replace(terms, identified=False))
    if terms.recipients.anyone:
        changes.append(dataclasses.replace(terms, recipients=Recipients(types=("registry",))))
    elif len(terms.recipients.types) > 1:
        changes.append(
            dataclasses.replace(
                terms,
                recipients=dataclasses.replace(terms.recipients, types=terms.recipients.types[:1]),
            )
        )
    before = permits(consent, request)
    for changed in changes:
        after = permits(restricted(consent, changed), request)
        assert before or not after, f"{changed} permits what {terms} refused"
    # Withdrawing it ends every permission.
    withdrawn = make_consent(consent.id, consent.kind, terms, "withdrawn", consent.valid_from)
    assert not permits(withdrawn, request)


@fuzz_settings(ci_examples=300)
@given(consent=consents(), request=requests(), data=st.data())
def test_asking_for_more_never_turns_a_refusal_into_a_permit(
    consent: Consent, request: RequestDetails, data: st.DataObject
) -> None:
    wider = [dataclasses.replace(request, deidentified=False)]
    missing = [c for c in DATA_CATEGORIES if c not in request.data]
    if missing:
        extra = data.draw(st.sampled_from(missing))
        wider.append(
            check_request(
                dataclasses.replace(request, data=(*request.data, extra), deidentified=False)
            )
        )
    if request.use_until is not None:
        wider.append(
            dataclasses.replace(request, use_until=request.use_until + dt.timedelta(days=400))
        )
    before = permits(consent, request)
    for asked in wider:
        assert before or not permits(consent, asked)


# --- random text ------------------------------------------------------------------------------

TERM_TEXT = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda code, sep, value: f"{code}{sep}{value}",
        st.sampled_from((*duo().permissions, *duo().modifiers, "ds", "gs", "XYZ", "")),
        st.sampled_from((":", "", " :", "::")),
        st.text(max_size=30),
    ),
)


@fuzz_settings(ci_examples=400)
@given(text=TERM_TEXT)
def test_random_duo_term_text_is_parsed_or_refused_with_a_usage_error(text: str) -> None:
    for parse in (Purpose.parse, Modifier.parse):
        try:
            parsed = parse(text)
        except UsageError as refusal:
            assert refusal.message and refusal.exit_code == 2
            continue
        # What is accepted is a real DUO term and prints back as parseable text.
        assert parse(parsed.text()) == parsed


@fuzz_settings(ci_examples=300)
@given(
    requester=st.text(max_size=30),
    requester_type=st.text(max_size=12) | st.sampled_from(RECIPIENT_TYPES),
    country=st.text(max_size=3) | st.sampled_from(COUNTRIES),
    data=st.lists(st.text(max_size=10) | st.sampled_from(DATA_CATEGORIES), max_size=3),
    agreements=st.lists(st.text(max_size=4) | st.sampled_from(AGREEMENTS), max_size=3),
    deidentified=st.booleans(),
    on=DATES,
    consent=consents(),
)
def test_a_random_request_is_checked_or_refused_and_then_decided(
    requester: str,
    requester_type: str,
    country: str,
    data: list[str],
    agreements: list[str],
    deidentified: bool,
    on: dt.date,
    consent: Consent,
) -> None:
    details = RequestDetails(
        requester=requester,
        requester_type=requester_type,
        country=country,
        purpose=Purpose("HMB"),
        data=tuple(data),
        deidentified=deidentified,
        agreements=tuple(agreements),
    )
    try:
        checked = check_request(details)
    except UsageError:
        return
    decision = decide((consent,), checked, on=on)
    assert decision.permitted or decision.reasons
