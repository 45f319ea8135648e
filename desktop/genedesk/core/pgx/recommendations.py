"""CPIC prescribing recommendations, in GeneDesk's words, looked up by gene result.

resources/pgx/recommendations.json holds, per drug and gene, CPIC's recommendation restated for
the clinician and for the patient, CPIC's strength, and the guideline citation. A lookup key is
the phenotype for function-based genes and the activity score for CYP2C9 and DPYD (CPIC words
those recommendations by score).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from genedesk.core.errors import BadInputError
from genedesk.core.paths import resources_dir
from genedesk.core.pgx.phenotype import PhenotypeResult


@dataclass(frozen=True)
class Guideline:
    key: str
    citation: str
    read_from: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class Recommendation:
    drug: str
    gene: str
    patient_name: str
    action: str  # standard | change | avoid | check
    strength: str
    clinician: str
    patient: str
    guideline: Guideline
    other_genes: tuple[str, ...] = ()

    @property
    def changes_prescribing(self) -> bool:
        return self.action != "standard"


@dataclass(frozen=True)
class _Rule:
    phenotypes: frozenset[str]
    activity_scores: frozenset[str]
    action: str
    strength: str
    clinician: str
    patient: str


@dataclass(frozen=True)
class _DrugEntry:
    drug: str
    gene: str
    patient_name: str
    guideline: Guideline
    rules: tuple[_Rule, ...]
    other_genes: tuple[str, ...]


@cache
def _load() -> tuple[_DrugEntry, ...]:
    path = resources_dir() / "pgx" / "recommendations.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        guidelines = {
            k: Guideline(k, g["citation"], tuple(g["read_from"]), g["scope"])
            for k, g in raw["guidelines"].items()
        }
        by_drug_gene: dict[tuple[str, str], list[dict[str, Any]]] = {}
        entries: list[_DrugEntry] = []
        for item in raw["drugs"]:
            source = item
            if "same_as" in item:
                source_rules = by_drug_gene[(item["same_as"], item["gene"])]
            else:
                source_rules = item["recommendations"]
                by_drug_gene[(item["drug"], item["gene"])] = source_rules
            rules = tuple(
                _Rule(
                    phenotypes=frozenset(r.get("phenotypes", [])),
                    activity_scores=frozenset(r.get("activity_scores", [])),
                    action=str(r["action"]),
                    strength=str(r["strength"]),
                    clinician=str(r["clinician"]),
                    patient=str(r["patient"]),
                )
                for r in source_rules
            )
            entries.append(
                _DrugEntry(
                    drug=source["drug"],
                    gene=source["gene"],
                    patient_name=source["patient_name"],
                    guideline=guidelines[source["guideline"]],
                    rules=rules,
                    other_genes=tuple(source.get("also_genes", [])),
                )
            )
        return tuple(entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(
            f"The recommendation table {path.name} could not be read ({exc})."
        ) from exc


def drugs_for_gene(gene: str) -> list[str]:
    return sorted({e.drug for e in _load() if e.gene == gene})


def recommendations_for(result: PhenotypeResult) -> list[Recommendation]:
    """Every drug recommendation that applies to one gene result (empty when none fits)."""
    found = []
    for entry in _load():
        if entry.gene != result.gene:
            continue
        for rule in entry.rules:
            by_score = (
                result.activity_score is not None and result.activity_score in rule.activity_scores
            )
            by_phenotype = result.phenotype is not None and result.phenotype in rule.phenotypes
            if by_score or by_phenotype:
                found.append(
                    Recommendation(
                        drug=entry.drug,
                        gene=entry.gene,
                        patient_name=entry.patient_name,
                        action=rule.action,
                        strength=rule.strength,
                        clinician=rule.clinician,
                        patient=rule.patient,
                        guideline=entry.guideline,
                        other_genes=entry.other_genes,
                    )
                )
                break
    return found
