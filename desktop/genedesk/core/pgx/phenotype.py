"""From a diplotype to CPIC's allele function, activity score and phenotype.

The tables come from resources/pgx/phenotypes/<GENE>.json (derived; see resources/pgx/SOURCES.md).
Three kinds of CPIC rule are used:

* function pair — the two alleles' functions decide (CYP2C19, TPMT, NUDT15, SLCO1B1, CYP3A5);
* activity score — the two alleles' activity values are added (CYP2C9, DPYD);
* allele pair — the diplotype itself names the result (VKORC1 -1639 genotype).

A combination that no rule covers, or an allele whose function is not in the table, gives no
phenotype and says why: GeneDesk does not guess a phenotype CPIC has not stated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from genedesk.core.errors import BadInputError
from genedesk.core.paths import resources_dir
from genedesk.core.pgx.calling import GeneCall

NO_CPIC_PHENOTYPE = {
    "CYP4F2": "CPIC gives CYP4F2 no phenotype of its own; it is used only inside the warfarin "
    "recommendation",
}


@dataclass(frozen=True)
class AlleleFunction:
    allele: str
    function: str | None
    activity_value: str | None


@dataclass(frozen=True)
class PhenotypeResult:
    gene: str
    diplotype: str
    alleles: tuple[AlleleFunction, AlleleFunction]
    activity_score: str | None
    phenotype: str | None
    note: str | None = None


@dataclass(frozen=True)
class PhenotypeTable:
    gene: str
    functions: dict[str, str]
    activity: dict[str, str]
    rules: tuple[dict[str, object], ...]
    source: dict[str, str]


def _load(path: Path) -> PhenotypeTable:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return PhenotypeTable(
            gene=raw["gene"],
            functions=dict(raw["allele_function"]),
            activity=dict(raw["activity_value"]),
            rules=tuple(raw["rules"]),
            source=dict(raw["source"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(f"The phenotype table {path.name} could not be read ({exc}).") from exc


@cache
def load_phenotype_tables() -> dict[str, PhenotypeTable]:
    folder = resources_dir() / "pgx" / "phenotypes"
    return {p.stem: _load(p) for p in sorted(folder.glob("*.json"))}


def _activity_score(values: list[str | None]) -> str | None:
    try:
        total = sum((Decimal(v) for v in values if v is not None), Decimal(0))
    except InvalidOperation:
        return "n/a"
    if any(v is None for v in values):
        return None
    return f"{total:.1f}"


def phenotype_of(table: PhenotypeTable, first: str, second: str) -> PhenotypeResult:
    """Phenotype of one diplotype (allele names as in the definition table)."""
    alleles = tuple(
        AlleleFunction(a, table.functions.get(a), table.activity.get(a)) for a in (first, second)
    )
    pair = (alleles[0], alleles[1])
    diplotype = f"{first}/{second}"
    activity_rules = [r for r in table.rules if r["kind"] == "activity_score"]
    if activity_rules:
        values = [a.activity_value for a in pair]
        if any(v is None for v in values):
            missing = ", ".join(a.allele for a in pair if a.activity_value is None)
            return PhenotypeResult(
                table.gene,
                diplotype,
                pair,
                None,
                None,
                f"no CPIC activity value in GeneDesk's table for {missing}",
            )
        score = "n/a" if "n/a" in values else _activity_score(list(values))
        for rule in activity_rules:
            if rule["score"] == score:
                return PhenotypeResult(table.gene, diplotype, pair, score, str(rule["phenotype"]))
        return PhenotypeResult(
            table.gene,
            diplotype,
            pair,
            score,
            None,
            f"no CPIC rule in GeneDesk's table for activity score {score}",
        )
    for rule in table.rules:
        if rule["kind"] == "allele_pair" and sorted(rule["alleles"]) == sorted((first, second)):  # type: ignore[call-overload]
            return PhenotypeResult(table.gene, diplotype, pair, None, str(rule["phenotype"]))
    functions = [a.function for a in pair]
    if any(f is None for f in functions):
        missing = ", ".join(a.allele for a in pair if a.function is None)
        return PhenotypeResult(
            table.gene,
            diplotype,
            pair,
            None,
            None,
            f"no CPIC allele function in GeneDesk's table for {missing}",
        )
    wanted = sorted(str(f) for f in functions)
    for rule in table.rules:
        if rule["kind"] == "function_pair" and rule["functions"] == wanted:
            return PhenotypeResult(table.gene, diplotype, pair, None, str(rule["phenotype"]))
    return PhenotypeResult(
        table.gene,
        diplotype,
        pair,
        None,
        None,
        f"no CPIC rule in GeneDesk's table for {wanted[0]} + {wanted[1]}",
    )


def _lowest_two(table: PhenotypeTable, found: tuple[str, ...], reference: str) -> tuple[str, str]:
    """CPIC DPYD: with phase unknown, score the two lowest-activity alleles carried."""

    def value(name: str) -> Decimal:
        raw = table.activity.get(name)
        try:
            return Decimal(raw) if raw is not None else Decimal(99)
        except InvalidOperation:
            return Decimal(99)

    ranked = sorted(found, key=value)
    padded = [*ranked[:2], reference, reference][:2]
    return padded[0], padded[1]


def phenotypes_for(call: GeneCall, reference: str | None = None) -> list[PhenotypeResult]:
    """One result per best-supported diplotype (a tie gives several)."""
    tables = load_phenotype_tables()
    table = tables.get(call.gene)
    if table is None:
        note = NO_CPIC_PHENOTYPE.get(call.gene, "GeneDesk has no phenotype table for this gene")
        return [
            PhenotypeResult(
                call.gene,
                d.name,
                (AlleleFunction(d.allele1, None, None), AlleleFunction(d.allele2, None, None)),
                None,
                None,
                note,
            )
            for d in call.diplotypes
        ]
    if call.alleles_found:
        first, second = _lowest_two(table, call.alleles_found, reference or "Reference")
        result = phenotype_of(table, first, second)
        note = f"phase unknown: CPIC scores the two lowest-function variants ({first} and {second})"
        return [
            PhenotypeResult(
                result.gene,
                " | ".join(dict.fromkeys(call.alleles_found)),
                result.alleles,
                result.activity_score,
                result.phenotype,
                note,
            )
        ]
    return [phenotype_of(table, d.allele1, d.allele2) for d in call.diplotypes]


__all__ = ["AlleleFunction", "PhenotypeResult", "phenotype_of", "phenotypes_for"]
