"""Building consents and requests for the tests, in memory (no vault) or in a vault."""

from __future__ import annotations

import datetime as dt
from typing import Any

from genedesk.core.consent.model import (
    DATA_CATEGORIES,
    Consent,
    ConsentEvent,
    ConsentForm,
    ConsentTerms,
    Modifier,
    Purpose,
    Recipients,
    RequestDetails,
)
from genedesk.core.consent.release import ReleasedFinding, ReleasedVariant

ON = dt.date(2026, 6, 1)  # the day every matrix decision is taken
_FORM = ConsentForm(
    1, "research", "en", 1, "Form", "Text", "0" * 64, "2025-01-01T00:00:00.000000Z", "Ada"
)


def consent(
    spec: str,
    *,
    consent_id: int = 1,
    kind: str = "research",
    status: str = "given",
    recipients: Recipients | None = None,
    data: tuple[str, ...] = DATA_CATEGORIES,
    identified: bool = True,
    valid_from: dt.date = dt.date(2025, 1, 1),
) -> Consent:
    """A consent from "PERMISSION MODIFIER …", e.g. "HMB NPU GS:GB,FR"."""
    tokens: list[str] = []
    for part in spec.split():
        head = part.split(":")[0]
        if tokens and not (head.isalpha() and head.isupper()):
            tokens[-1] += " " + part  # a value with spaces, e.g. "US:Dr Ada Byron"
        else:
            tokens.append(part)
    first, *rest = tokens
    modifiers = tuple(Modifier.parse(m) for m in rest)
    if kind == "clinical-care" and not any(m.code == "CC" for m in modifiers):
        modifiers = (*modifiers, Modifier("CC"))
    terms = ConsentTerms(
        Purpose.parse(first),
        modifiers,
        data,
        recipients or Recipients(anyone=True),
        identified,
    )
    events = [
        ConsentEvent(
            1,
            "given",
            "2025-01-01T09:00:00.000000Z",
            "Ada",
            "signed",
            None,
            "image/png",
            "a" * 64,
            None,
            1,
        )
    ]
    if status != "given":
        events.append(
            ConsentEvent(
                2,
                status,
                "2026-02-03T10:00:00.000000Z",
                "Ada",
                "verbal",
                "Bea",
                None,
                None,
                None,
                1,
            )
        )
    return Consent(
        id=consent_id,
        patient_id=1,
        kind=kind,
        form=_FORM,
        terms=terms,
        valid_from=valid_from,
        valid_until=terms.valid_until,
        created_at="2025-01-01T09:00:00.000000Z",
        events=tuple(events),
    )


def request(purpose: str = "HMB", **overrides: Any) -> RequestDetails:
    values: dict[str, Any] = {
        "requester": "University of Leeds",
        "requester_type": "academic",
        "country": "GB",
        "purpose": Purpose.parse(purpose),
        "data": ("findings",),
        "deidentified": True,
    }
    values.update(overrides)
    return RequestDetails(**values)


# Synthetic calls for the release tests (shapes of real calls; not facts about these genes).
BRCA1 = ReleasedVariant(
    build="GRCh38",
    chrom="17",
    pos=43057051,
    ref="G",
    alt="A",
    zygosity="heterozygous",
    gene="BRCA1",
    hgnc_id="HGNC:1100",
    transcript="NM_007294.4",
    hgvs_c="NM_007294.4:c.5266dup",
    depth=48,
    quality=99.0,
    filter="PASS",
)
HFE = ReleasedVariant(
    build="GRCh38",
    chrom="6",
    pos=26092913,
    ref="G",
    alt="A",
    zygosity="homozygous",
    gene="HFE",
    transcript="NM_000410.4",
    hgvs_c="NM_000410.4:c.845G>A",
    hgvs_p="NP_000401.1:p.(Cys282Tyr)",
    depth=61,
)
FINDINGS = (
    ReleasedFinding(1, BRCA1, "pathogenic", "Hereditary breast and ovarian cancer syndrome"),
    ReleasedFinding(
        2, HFE, "likely_pathogenic", "Hemochromatosis type 1", "autosomal recessive", "secondary"
    ),
)
