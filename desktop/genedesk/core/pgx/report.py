"""Report structures: the clinician table and the patient's "Your medicines" text.

Clinician: gene → diplotype (ties shown as ties) → phenotype / activity score → drugs →
recommendation with the guideline citation, plus the positions not tested and the genes this test
cannot determine. Patient: short plain sentences about the medicines whose use the result changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from genedesk.core.pgx.calling import GeneCall
from genedesk.core.pgx.genes import NotDetermined, not_determined
from genedesk.core.pgx.phenotype import PhenotypeResult, phenotypes_for
from genedesk.core.pgx.recommendations import Recommendation, drugs_for_gene, recommendations_for


@dataclass(frozen=True)
class DrugLine:
    drug: str
    action: str
    strength: str
    recommendation: str
    citation: str
    other_genes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeneResultRow:
    gene: str
    diplotype: str
    tie: bool
    phenotype: str
    activity_score: str | None
    allele_functions: tuple[str, ...]
    drugs: tuple[DrugLine, ...]
    positions_not_tested: tuple[str, ...]
    notes: tuple[str, ...]
    definitions_version: str


@dataclass(frozen=True)
class ClinicianPgxReport:
    genes: tuple[GeneResultRow, ...]
    not_determined: tuple[NotDetermined, ...]
    patient_recommendations: tuple[Recommendation, ...] = field(default=())


def _phenotype_text(results: list[PhenotypeResult]) -> str:
    names = [r.phenotype or "not assigned" for r in results]
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else " or ".join(unique)


def _row(call: GeneCall) -> tuple[GeneResultRow, list[Recommendation]]:
    results = phenotypes_for(call) if call.called else []
    notes = [f"{n.label}: {n.note}" for n in call.notes]
    notes += [r.note for r in results if r.note]
    drugs: list[DrugLine] = []
    chosen: list[Recommendation] = []
    if results:
        per_result = [recommendations_for(r) for r in results]
        # A tie counts only when every tied diplotype leads to the same advice for that drug.
        for drug in drugs_for_gene(call.gene):
            options = [next((x for x in recs if x.drug == drug), None) for recs in per_result]
            if any(o is None for o in options):
                continue
            texts = {o.clinician for o in options if o is not None}
            first = options[0]
            assert first is not None
            if len(texts) > 1:
                drugs.append(
                    DrugLine(
                        drug,
                        "check",
                        first.strength,
                        "The tied diplotypes lead to different advice; settle the "
                        "diplotype before using it for " + drug + ".",
                        first.guideline.citation,
                        first.other_genes,
                    )
                )
                continue
            drugs.append(
                DrugLine(
                    drug,
                    first.action,
                    first.strength,
                    first.clinician,
                    first.guideline.citation,
                    first.other_genes,
                )
            )
            chosen.append(first)
    scores = {r.activity_score for r in results if r.activity_score}
    if not call.called:
        notes.append("no allele combination explains the genotypes; the gene is not called")
    row = GeneResultRow(
        gene=call.gene,
        diplotype=call.display,
        tie=call.tie,
        phenotype=_phenotype_text(results) if results else "not called",
        activity_score=" or ".join(sorted(scores)) if scores else None,
        allele_functions=tuple(
            dict.fromkeys(
                f"{a.allele}: {a.function or a.activity_value or 'function not in table'}"
                for r in results
                for a in r.alleles
            )
        ),
        drugs=tuple(drugs),
        positions_not_tested=tuple(p.label for p in call.not_tested),
        notes=tuple(notes),
        definitions_version=call.definitions_version,
    )
    return row, chosen


def clinician_report(calls: Iterable[GeneCall]) -> ClinicianPgxReport:
    rows = []
    chosen: list[Recommendation] = []
    for call in sorted(calls, key=lambda c: c.gene):
        row, recs = _row(call)
        rows.append(row)
        chosen.extend(recs)
    return ClinicianPgxReport(tuple(rows), tuple(not_determined()), tuple(chosen))


def your_medicines(report: ClinicianPgxReport) -> str:
    """The patient letter's "Your medicines" section, in plain words."""
    lines = ["Your medicines", ""]
    changes = [r for r in report.patient_recommendations if r.changes_prescribing]
    if changes:
        lines.append("Your genes can change how some medicines work for you.")
        lines.append("Show this page to any doctor or pharmacist who gives you medicine.")
        lines.append("")
        severity = {"avoid": 0, "change": 1, "check": 2}
        strongest: dict[str, Recommendation] = {}
        for rec in changes:
            kept = strongest.get(rec.drug)
            if kept is None or severity.get(rec.action, 3) < severity.get(kept.action, 3):
                strongest[rec.drug] = rec
        for drug in sorted(strongest):
            rec = strongest[drug]
            name = rec.patient_name[0].upper() + rec.patient_name[1:]
            lines.append(f"{name}: {rec.patient}")
        lines.append("")
    else:
        lines.append("We found no gene result that changes how your medicines should be given.")
        lines.append("")
    lines.append("Do not stop or change a medicine on your own. Talk to your doctor first.")
    if report.not_determined:
        lines.append(
            "Some genes cannot be read from this kind of test. They may still matter "
            "for other medicines."
        )
    return "\n".join(lines) + "\n"
