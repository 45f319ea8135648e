"""The sharing decision, case by case, each expected outcome read from DUO's own definitions.

DUO definitions quoted in the reasons are those of resources/consent/upstream/duo.csv
(EBISPOT/DUO). Hierarchy: DUO README "Research Purpose to Query" (a disease-focused request
matches GRU, HMB and DS of that disease; an ancestry request matches GRU) and EBISPOT/DUO
issue #29 (HMB is a child of GRU). Every case is decided on ON (2026-06-01) against one consent
that otherwise allows everything (anyone, every data category, identified data), so the column
under test is the only thing that varies. PERMIT means permitted by that consent; otherwise the
named reason code must be among the reasons given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from consent_cases import ON, consent, request

from genedesk.core.consent.evaluate import decide
from genedesk.core.consent.model import Recipients

PERMIT = "permit"


@dataclass(frozen=True)
class Case:
    id: str
    consent: str
    request: str
    expected: str
    why: str
    consent_options: dict[str, Any] = field(default_factory=dict)
    request_options: dict[str, Any] = field(default_factory=dict)
    on: dt.date = ON


def case(
    id: str,
    consent: str,
    request: str,
    expected: str,
    why: str,
    *,
    c: dict[str, Any] | None = None,
    r: dict[str, Any] | None = None,
    on: dt.date = ON,
) -> Case:
    return Case(id, consent, request, expected, why, c or {}, r or {}, on)


LEEDS = "University of Leeds"
MATRIX = [
    # --- permissions: which requested purpose each consented permission allows -------------
    case("nres-nres", "NRES", "NRES", PERMIT, "NRES: 'there is no restriction on use'."),
    case(
        "nres-gru", "NRES", "GRU", PERMIT, "NRES: no restriction, so general research is allowed."
    ),
    case("nres-hmb", "NRES", "HMB", PERMIT, "NRES: no restriction, so health research is allowed."),
    case(
        "nres-ds",
        "NRES",
        "DS:MONDO:0007254",
        PERMIT,
        "NRES: no restriction, so disease research is allowed.",
    ),
    case(
        "nres-poa", "NRES", "POA", PERMIT, "NRES: no restriction, so ancestry research is allowed."
    ),
    case(
        "gru-nres",
        "GRU",
        "NRES",
        "purpose",
        "GRU is 'for any research purpose', not unrestricted use of any kind.",
    ),
    case("gru-gru", "GRU", "GRU", PERMIT, "GRU: 'general research use for any research purpose'."),
    case(
        "gru-hmb",
        "GRU",
        "HMB",
        PERMIT,
        "HMB is a child of GRU (DUO issue #29): health research is research.",
    ),
    case(
        "gru-ds",
        "GRU",
        "DS:MONDO:0007254",
        PERMIT,
        "README: a disease-focused request matches 'any dataset with GRU'.",
    ),
    case(
        "gru-poa",
        "GRU",
        "POA",
        PERMIT,
        "README: an ancestry request matches 'any dataset tagged with GRU'.",
    ),
    case(
        "hmb-nres",
        "HMB",
        "NRES",
        "purpose",
        "HMB allows health research only, not unrestricted use.",
    ),
    case(
        "hmb-gru",
        "HMB",
        "GRU",
        "purpose",
        "HMB is narrower than GRU: research outside health is not allowed.",
    ),
    case(
        "hmb-hmb",
        "HMB",
        "HMB",
        PERMIT,
        "HMB: 'use is allowed for health/medical/biomedical purposes'.",
    ),
    case(
        "hmb-ds",
        "HMB",
        "DS:MONDO:0007254",
        PERMIT,
        "README: a disease-focused request matches 'any dataset with HMB'.",
    ),
    case(
        "hmb-poa",
        "HMB",
        "POA",
        "purpose",
        "HMB 'does not include the study of population origins or ancestry'.",
    ),
    case(
        "ds-nres",
        "DS:MONDO:0007254",
        "NRES",
        "purpose",
        "DS allows use only 'related to the specified disease'.",
    ),
    case(
        "ds-gru",
        "DS:MONDO:0007254",
        "GRU",
        "purpose",
        "DS: general research is not 'related to the specified disease'.",
    ),
    case(
        "ds-hmb",
        "DS:MONDO:0007254",
        "HMB",
        "purpose",
        "DS: health research in general is not limited to the specified disease.",
    ),
    case(
        "ds-same",
        "DS:MONDO:0007254",
        "DS:MONDO:0007254",
        PERMIT,
        "DS: the request is about the specified disease.",
    ),
    case(
        "ds-same-case",
        "DS:MONDO:0007254",
        "DS:mondo:0007254",
        PERMIT,
        "DS: the same identifier, written in lower case.",
    ),
    case(
        "ds-other",
        "DS:MONDO:0007254",
        "DS:MONDO:0005148",
        "purpose",
        "DS: another disease is not 'the specified disease'.",
    ),
    case(
        "ds-poa",
        "DS:MONDO:0007254",
        "POA",
        "purpose",
        "DS: ancestry research is not about the specified disease.",
    ),
    case(
        "poa-nres",
        "POA",
        "NRES",
        "purpose",
        "POA: 'limited to the study of population origins or ancestry'.",
    ),
    case("poa-gru", "POA", "GRU", "purpose", "POA: general research goes beyond ancestry."),
    case("poa-hmb", "POA", "HMB", "purpose", "POA: health research is not the study of ancestry."),
    case(
        "poa-ds",
        "POA",
        "DS:MONDO:0007254",
        "purpose",
        "POA: disease research is not the study of ancestry.",
    ),
    case(
        "poa-poa", "POA", "POA", PERMIT, "POA: the request studies population origins or ancestry."
    ),
    # --- NPU: 'limited to not-for-profit organizations' -----------------------------------------
    case(
        "npu-academic",
        "HMB NPU",
        "HMB",
        PERMIT,
        "NPU: a university is a not-for-profit organisation.",
    ),
    case(
        "npu-commercial",
        "HMB NPU",
        "HMB",
        "modifier:NPU",
        "NPU: a commercial requester is not a not-for-profit organisation.",
        r={"requester_type": "commercial", "requester": "GenCo Ltd"},
    ),
    case(
        "npu-clinical",
        "HMB NPU",
        "HMB",
        PERMIT,
        "NPU: a clinic is taken as not-for-profit.",
        r={"requester_type": "clinical", "requester": "St Mary's Hospital"},
    ),
    case(
        "npu-registry",
        "HMB NPU",
        "HMB",
        PERMIT,
        "NPU: a registry is taken as not-for-profit.",
        r={"requester_type": "registry", "requester": "ClinVar"},
    ),
    case(
        "nres-npu-commercial",
        "NRES NPU",
        "HMB",
        "modifier:NPU",
        "NPU limits NRES too: modifiers add conditions to any permission.",
        r={"requester_type": "commercial", "requester": "GenCo Ltd"},
    ),
    # --- NCU: 'limited to not-for-profit use' -----------------------------------------------------
    case("ncu-noncommercial", "GRU NCU", "GRU", PERMIT, "NCU: the use is not commercial."),
    case(
        "ncu-commercial-use",
        "GRU NCU",
        "GRU",
        "modifier:NCU",
        "NCU: a use meant to make money is not not-for-profit use.",
        r={"commercial_use": True},
    ),
    case(
        "ncu-commercial-org-noncommercial-use",
        "GRU NCU",
        "GRU",
        PERMIT,
        "NCU limits the use, not the organisation: non-commercial use by a company is allowed.",
        r={"requester_type": "commercial", "requester": "GenCo Ltd"},
    ),
    # --- NPUNCU: 'not-for-profit organizations and not-for-profit use' ---------------------------
    case(
        "npuncu-academic",
        "HMB NPUNCU",
        "HMB",
        PERMIT,
        "NPUNCU: not-for-profit organisation, not-for-profit use.",
    ),
    case(
        "npuncu-commercial-org",
        "HMB NPUNCU",
        "HMB",
        "modifier:NPUNCU",
        "NPUNCU: a commercial organisation is refused even for non-commercial use.",
        r={"requester_type": "commercial", "requester": "GenCo Ltd"},
    ),
    case(
        "npuncu-commercial-use",
        "HMB NPUNCU",
        "HMB",
        "modifier:NPUNCU",
        "NPUNCU: commercial use is refused even by a university.",
        r={"commercial_use": True},
    ),
    # --- IRB: 'must provide documentation of local IRB/ERB approval' ---------------------------
    case(
        "irb-with-ref",
        "HMB IRB",
        "HMB",
        PERMIT,
        "IRB: the requester gives its ethics approval reference.",
        r={"ethics_ref": "REC 24/YH/0042"},
    ),
    case(
        "irb-without-ref", "HMB IRB", "HMB", "modifier:IRB", "IRB: no ethics approval documented."
    ),
    # --- GS: 'limited to within a specific geographic region' ------------------------------------
    case("gs-gb", "HMB GS:GB,FR", "HMB", PERMIT, "GS: GB is in the region."),
    case(
        "gs-fr",
        "HMB GS:GB,FR",
        "HMB",
        PERMIT,
        "GS: FR is in the region.",
        r={"country": "FR", "requester": "Inserm"},
    ),
    case(
        "gs-us",
        "HMB GS:GB,FR",
        "HMB",
        "modifier:GS",
        "GS: the US is outside the region.",
        r={"country": "US", "requester": "Broad Institute"},
    ),
    case(
        "gs-de",
        "HMB GS:GB,FR",
        "HMB",
        "modifier:GS",
        "GS: Germany is outside the region.",
        r={"country": "DE", "requester": "Charité"},
    ),
    case(
        "nres-gs-us", "NRES GS:GB", "GRU", "modifier:GS", "GS limits NRES too.", r={"country": "US"}
    ),
    # --- PUB, COL, RTN, MOR: 'requestor agrees to …' ----------------------------------------------
    case(
        "pub-agreed",
        "HMB PUB",
        "HMB",
        PERMIT,
        "PUB: the requester agrees to make results available.",
        r={"agreements": ("PUB",)},
    ),
    case(
        "pub-not-agreed",
        "HMB PUB",
        "HMB",
        "modifier:PUB",
        "PUB: the requester has not agreed to publish.",
    ),
    case(
        "col-agreed",
        "HMB COL",
        "HMB",
        PERMIT,
        "COL: the requester agrees to collaborate.",
        r={"agreements": ("COL",)},
    ),
    case(
        "col-not-agreed",
        "HMB COL",
        "HMB",
        "modifier:COL",
        "COL: no agreement to collaborate with the primary investigators.",
    ),
    case(
        "rtn-agreed",
        "HMB RTN",
        "HMB",
        PERMIT,
        "RTN: the requester agrees to return derived data.",
        r={"agreements": ("RTN",)},
    ),
    case(
        "rtn-not-agreed",
        "HMB RTN",
        "HMB",
        "modifier:RTN",
        "RTN: no agreement to return derived/enriched data.",
    ),
    case(
        "mor-agreed",
        "HMB MOR:2027-01-01",
        "HMB",
        PERMIT,
        "MOR: the requester agrees not to publish before the date.",
        r={"agreements": ("MOR",)},
    ),
    case(
        "mor-not-agreed",
        "HMB MOR:2027-01-01",
        "HMB",
        "modifier:MOR",
        "MOR: no agreement to the publication moratorium.",
    ),
    case(
        "pub-col-one-missing",
        "HMB PUB COL",
        "HMB",
        "modifier:COL",
        "Every modifier must hold: PUB agreed, COL not.",
        r={"agreements": ("PUB",)},
    ),
    # --- TS: 'approved for a specific number of months' (kept as the end date) ------------------
    case(
        "ts-within",
        "HMB TS:2026-12-31",
        "HMB",
        PERMIT,
        "TS: the use ends before the limit.",
        r={"use_until": dt.date(2026, 10, 1)},
    ),
    case(
        "ts-on-the-day",
        "HMB TS:2026-12-31",
        "HMB",
        PERMIT,
        "TS: a use ending on the last allowed day is within the limit.",
        r={"use_until": dt.date(2026, 12, 31)},
    ),
    case(
        "ts-beyond",
        "HMB TS:2026-12-31",
        "HMB",
        "modifier:TS",
        "TS: the use would run past the approved period.",
        r={"use_until": dt.date(2027, 6, 1)},
    ),
    case(
        "ts-open-ended",
        "HMB TS:2026-12-31",
        "HMB",
        "modifier:TS",
        "TS: a use with no end cannot be shown to stay within the period.",
    ),
    case(
        "ts-after-limit",
        "HMB TS:2026-12-31",
        "HMB",
        "status",
        "TS: on 2027-01-15 the approved period is over; the consent has expired.",
        r={"use_until": dt.date(2026, 12, 1)},
        on=dt.date(2027, 1, 15),
    ),
    # --- US, PS, IS: 'limited to use by approved users / within an approved project / institution'
    case(
        "us-approved",
        "HMB US:Dr Ada Byron",
        "HMB",
        PERMIT,
        "US: the named researcher is an approved user.",
        r={"researcher": "dr ada byron"},
    ),
    case(
        "us-other",
        "HMB US:Dr Ada Byron",
        "HMB",
        "modifier:US",
        "US: another researcher is not an approved user.",
        r={"researcher": "Dr Alan Turing"},
    ),
    case("us-none", "HMB US:Dr Ada Byron", "HMB", "modifier:US", "US: the request names no user."),
    case(
        "ps-approved",
        "HMB PS:BRCA-Leeds",
        "HMB",
        PERMIT,
        "PS: the request is for the approved project.",
        r={"project": "BRCA-Leeds"},
    ),
    case(
        "ps-other",
        "HMB PS:BRCA-Leeds",
        "HMB",
        "modifier:PS",
        "PS: another project is not approved.",
        r={"project": "Obesity-2030"},
    ),
    case(
        "is-approved",
        "HMB IS:Université de Lyon",
        "HMB",
        PERMIT,
        "IS: the requester is the approved institution (accents and case aside).",
        r={"requester": "universite de lyon", "country": "FR"},
    ),
    case(
        "is-other",
        "HMB IS:Université de Lyon",
        "HMB",
        "modifier:IS",
        "IS: another institution is not approved.",
    ),
    # --- RS: 'limited to studies of a certain research type' -------------------------------------
    case(
        "rs-same",
        "HMB RS:paediatric",
        "HMB",
        PERMIT,
        "RS: the request is paediatric research.",
        r={"research_type": "Paediatric"},
    ),
    case(
        "rs-other",
        "HMB RS:paediatric",
        "HMB",
        "modifier:RS",
        "RS: another research type.",
        r={"research_type": "oncology"},
    ),
    # --- NMDS: 'does not allow methods development research' --------------------------------------
    case(
        "nmds-methods",
        "HMB NMDS",
        "HMB",
        "modifier:NMDS",
        "NMDS: developing software or algorithms is not allowed.",
        r={"methods_development": True},
    ),
    case("nmds-no-methods", "HMB NMDS", "HMB", PERMIT, "NMDS: the request develops no methods."),
    # --- GSO: 'genetic studies only … not phenotype research exclusively' -------------------------
    case(
        "gso-phenotype-only",
        "HMB GSO",
        "HMB",
        "modifier:GSO",
        "GSO: phenotype-only research is excluded.",
        r={"phenotype_only": True},
    ),
    case("gso-genetic", "HMB GSO", "HMB", PERMIT, "GSO: the request is a genetic study."),
    # --- NPOA: 'population, origin, or ancestry research is prohibited' ---------------------------
    case(
        "npoa-poa",
        "GRU NPOA",
        "POA",
        "modifier:NPOA",
        "NPOA: ancestry research is prohibited even under GRU.",
    ),
    case("npoa-hmb", "GRU NPOA", "HMB", PERMIT, "NPOA: health research is not ancestry research."),
    case("nres-npoa-poa", "NRES NPOA", "POA", "modifier:NPOA", "NPOA limits NRES too."),
    # --- CC: 'use is allowed for clinical use and care' --------------------------------------------
    case(
        "cc-care",
        "HMB CC",
        "HMB",
        PERMIT,
        "CC: clinical use and care is allowed.",
        r={"clinical_care": True, "requester_type": "clinical", "requester": "St Mary's Hospital"},
    ),
    case(
        "no-cc-care",
        "HMB",
        "HMB",
        "clinical-care",
        "HMB alone is research; without CC a use in care is not allowed.",
        r={"clinical_care": True, "requester_type": "clinical", "requester": "St Mary's Hospital"},
    ),
    case(
        "nres-care",
        "NRES",
        "HMB",
        PERMIT,
        "NRES: no restriction, care included.",
        r={"clinical_care": True},
    ),
    case(
        "ds-cc-care",
        "DS:MONDO:0007254 CC",
        "DS:MONDO:0007254",
        PERMIT,
        "DS + CC: care related to the specified disease.",
        r={"clinical_care": True},
    ),
    case(
        "ds-cc-care-other",
        "DS:MONDO:0007254 CC",
        "DS:MONDO:0005148",
        "purpose",
        "DS + CC: care for another disease is not related to the specified one.",
        r={"clinical_care": True},
    ),
    case(
        "cc-research",
        "HMB CC",
        "HMB",
        PERMIT,
        "CC adds care to HMB; health research stays allowed.",
    ),
    # --- several modifiers together: every one must hold ---------------------------------------
    case(
        "all-kept",
        "HMB NPU GS:GB IRB PUB",
        "HMB",
        PERMIT,
        "NPU, GS, IRB and PUB all satisfied.",
        r={"ethics_ref": "REC 1", "agreements": ("PUB",)},
    ),
    case(
        "all-but-npu",
        "HMB NPU GS:GB IRB PUB",
        "HMB",
        "modifier:NPU",
        "NPU broken (commercial requester).",
        r={
            "ethics_ref": "REC 1",
            "agreements": ("PUB",),
            "requester_type": "commercial",
            "requester": "GenCo Ltd",
        },
    ),
    case(
        "all-but-gs",
        "HMB NPU GS:GB IRB PUB",
        "HMB",
        "modifier:GS",
        "GS broken (requester in FR).",
        r={"ethics_ref": "REC 1", "agreements": ("PUB",), "country": "FR"},
    ),
    case(
        "all-but-irb",
        "HMB NPU GS:GB IRB PUB",
        "HMB",
        "modifier:IRB",
        "IRB broken (no ethics reference).",
        r={"agreements": ("PUB",)},
    ),
    case(
        "all-but-pub",
        "HMB NPU GS:GB IRB PUB",
        "HMB",
        "modifier:PUB",
        "PUB broken (no publication agreement).",
        r={"ethics_ref": "REC 1"},
    ),
    # --- recipients -----------------------------------------------------------------------------
    case("to-anyone", "HMB", "HMB", PERMIT, "The consent allows anyone to receive the data."),
    case(
        "type-academic",
        "HMB",
        "HMB",
        PERMIT,
        "An academic requester is an allowed organisation type.",
        c={"recipients": Recipients(types=("academic",))},
    ),
    case(
        "type-not-commercial",
        "HMB",
        "HMB",
        "recipient",
        "A commercial requester is not an allowed organisation type.",
        c={"recipients": Recipients(types=("academic",))},
        r={"requester_type": "commercial", "requester": "GenCo Ltd"},
    ),
    case(
        "named-org",
        "HMB",
        "HMB",
        PERMIT,
        "The requester is the named organisation (case and spacing aside).",
        c={"recipients": Recipients(organisations=(LEEDS,))},
        r={"requester": "university  of LEEDS"},
    ),
    case(
        "other-org",
        "HMB",
        "HMB",
        "recipient",
        "Another organisation is not the named one.",
        c={"recipients": Recipients(organisations=(LEEDS,))},
        r={"requester": "University of York"},
    ),
    # --- data categories and identified data -----------------------------------------------------
    case(
        "data-subset",
        "HMB",
        "HMB",
        PERMIT,
        "Findings and summary are both covered.",
        c={"data": ("findings", "summary")},
        r={"data": ("findings", "summary")},
    ),
    case(
        "data-beyond",
        "HMB",
        "HMB",
        "data",
        "The variant file is not covered.",
        c={"data": ("findings", "summary")},
        r={"data": ("findings", "variants")},
    ),
    case(
        "identified-vs-deid-only",
        "HMB",
        "HMB",
        "identified",
        "The consent allows de-identified data only.",
        c={"identified": False},
        r={"deidentified": False},
    ),
    case(
        "identified-allowed",
        "HMB",
        "HMB",
        PERMIT,
        "The consent allows identified data.",
        r={"deidentified": False},
    ),
    case(
        "deid-under-deid-only",
        "HMB",
        "HMB",
        PERMIT,
        "De-identified data under a de-identified-only consent.",
        c={"identified": False},
    ),
    # --- status, dates and kinds ------------------------------------------------------------------
    case(
        "withdrawn",
        "HMB",
        "HMB",
        "status",
        "A withdrawn consent permits nothing.",
        c={"status": "withdrawn"},
    ),
    case(
        "declined",
        "HMB",
        "HMB",
        "status",
        "A declined consent permits nothing.",
        c={"status": "declined"},
    ),
    case(
        "expired",
        "HMB TS:2026-01-01",
        "HMB",
        "status",
        "TS: the approved period ended before the decision day.",
        r={"use_until": dt.date(2026, 1, 1)},
    ),
    case(
        "not-yet",
        "HMB",
        "HMB",
        "not-yet",
        "The consent applies only from a later day.",
        c={"valid_from": dt.date(2026, 7, 1)},
    ),
    case(
        "kind-secondary-findings",
        "HMB",
        "HMB",
        "kind",
        "A secondary-findings consent records a wish, not a permission to share.",
        c={"kind": "secondary-findings"},
    ),
    case(
        "kind-recontact",
        "HMB",
        "HMB",
        "kind",
        "A recontact consent records a wish, not a permission to share.",
        c={"kind": "recontact"},
    ),
    case(
        "care-kind-research",
        "HMB",
        "HMB",
        "kind",
        "A consent for the patient's care does not allow research use.",
        c={"kind": "clinical-care"},
    ),
    case(
        "care-kind-care",
        "HMB",
        "HMB",
        PERMIT,
        "A consent for care (HMB + CC) allows a use in care.",
        c={"kind": "clinical-care"},
        r={"clinical_care": True, "requester_type": "clinical", "requester": "St Mary's Hospital"},
    ),
    case(
        "relatives-family",
        "HMB CC",
        "HMB",
        PERMIT,
        "A relatives consent to family recipients, for their care.",
        c={"kind": "relatives", "recipients": Recipients(types=("family",))},
        r={"clinical_care": True, "requester_type": "family", "requester": "Sister of the patient"},
    ),
    case(
        "relatives-not-academic",
        "HMB CC",
        "HMB",
        "recipient",
        "A relatives consent to family does not reach a university.",
        c={"kind": "relatives", "recipients": Recipients(types=("family",))},
    ),
]


def test_the_matrix_is_big_and_every_case_has_a_reason() -> None:
    assert len(MATRIX) >= 100
    assert len({c.id for c in MATRIX}) == len(MATRIX)
    assert all(c.why.strip() for c in MATRIX)
    outcomes = {c.expected == PERMIT for c in MATRIX}
    assert outcomes == {True, False}


@pytest.mark.parametrize("row", MATRIX, ids=[c.id for c in MATRIX])
def test_decision(row: Case) -> None:
    given = consent(row.consent, **row.consent_options)
    asked = request(row.request, **row.request_options)
    decision = decide([given], asked, on=row.on)
    if row.expected == PERMIT:
        assert decision.permitted, (row.why, decision.explain())
        assert decision.consent_id == given.id
        assert decision.reasons == ()
    else:
        assert not decision.permitted, row.why
        assert decision.consent_id is None
        codes = [r.code for r in decision.reasons]
        assert row.expected in codes, (row.why, codes)
        assert all(r.consent_id == given.id and r.message for r in decision.reasons)


def test_every_reason_is_named_not_just_the_first() -> None:
    given = consent(
        "HMB NPU GS:GB IRB",
        recipients=Recipients(types=("academic",)),
        data=("summary",),
        identified=False,
    )
    asked = request(
        "POA",
        requester="GenCo Ltd",
        requester_type="commercial",
        country="US",
        data=("findings", "variants"),
        deidentified=False,
    )
    decision = decide([given], asked, on=ON)
    codes = {r.code for r in decision.reasons}
    assert codes == {
        "recipient",
        "purpose",
        "data",
        "identified",
        "modifier:NPU",
        "modifier:GS",
        "modifier:IRB",
    }
    assert "does not include the study of population origins or ancestry" in decision.explain()


def test_one_consent_must_cover_everything_and_is_named() -> None:
    health_only = consent("HMB", consent_id=1)
    general = consent("GRU NPU", consent_id=2)
    decision = decide([health_only, general], request("POA"), on=ON)
    assert decision.permitted and decision.consent_id == 2
    # Two consents that each cover half do not add up to one that covers all.
    findings_gb = consent("HMB GS:GB", consent_id=3, data=("findings",))
    variants_anywhere = consent("HMB", consent_id=4, data=("variants",))
    split = decide(
        [findings_gb, variants_anywhere],
        request("HMB", country="FR", data=("findings", "variants")),
        on=ON,
    )
    assert not split.permitted
    assert {(r.consent_id, r.code) for r in split.reasons} == {
        (3, "data"),
        (3, "modifier:GS"),
        (4, "data"),
    }


def test_no_consent_is_a_denial() -> None:
    decision = decide([], request("HMB"), on=ON)
    assert not decision.permitted
    assert [r.code for r in decision.reasons] == ["no-consent"]
