"""`genedesk findings` and `genedesk classify`: what was found, and its ACMG/AMP classification."""

from __future__ import annotations

import argparse
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import signed_in
from genedesk.core import findings, patients


def _stars(stars: int | None) -> str:
    return "" if stars is None else "★" * stars + "☆" * (4 - stars)


def run_findings(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        found = findings.list_findings(signed.vault, patient.id, include_all=args.all)
    if args.json:
        output.emit_json(
            {
                "findings": [f.to_json() for f in found.shown],
                "hidden_secondary": found.hidden_secondary,
                "excluded": found.excluded,
            }
        )
        return 0
    if found.shown:
        output.table(
            [
                "ID",
                "Gene",
                "Change",
                "Zygosity",
                "Class",
                "Category",
                "Status",
                "In letter",
                "Source",
            ],
            [
                (
                    f.id,
                    f.gene,
                    f.call.hgvs_p or f.call.hgvs_c or f.call.hgvs_g,
                    f.call.zygosity,
                    f.label,
                    f.category,
                    f.status,
                    "yes" if f.in_report else "no",
                    f.classification_source,
                )
                for f in found.shown
            ],
        )
    else:
        output.say("No findings to show.")
    if found.hidden_secondary:
        output.say(
            f"{found.hidden_secondary} secondary finding(s) are held back: the patient has no active consent "
            "to receive secondary findings."
        )
    if found.excluded and not args.all:
        output.say(f"{found.excluded} excluded finding(s) not shown (add --all).")
    return 0


def run_classify(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        finding, result = findings.classify_finding(
            signed.vault,
            signed.staff,
            args.finding,
            args.criteria,
            manual_class=args.class_,
            reason=args.reason,
        )
    if args.json:
        output.emit_json(
            {
                "finding": finding.to_json(),
                "richards_class": result.richards_class.value,
                "richards_rules": list(result.richards_rules),
                "points": result.points,
                "points_class": result.points_class.value,
                "systems_disagree": result.systems_disagree,
            }
        )
        return 0
    output.say(f"Finding {finding.id} ({finding.gene}): {finding.label}")
    output.say(
        f"  Richards 2015: {result.richards_class.label}"
        + (f" — {'; '.join(result.richards_rules)}" if result.richards_rules else "")
    )
    output.say(
        f"  Tavtigian 2020 points: {result.points} ({result.points_class.label}, {result.points_band})"
    )
    if result.systems_disagree:
        output.say("  The two systems disagree: review the evidence.")
    for note in result.notes:
        output.say(f"  Note: {note}")
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser("findings", parents=[common], help="a patient's findings")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--all", action="store_true", help="also excluded findings")
    p.set_defaults(handler=run_findings)
    p = commands.add_parser(
        "classify", parents=[common], help="apply ACMG/AMP criteria to a finding"
    )
    p.add_argument("finding", type=int, metavar="FINDING")
    p.add_argument("--criteria", required=True, help="e.g. PVS1,PS3,PM2_Supporting")
    p.add_argument(
        "--class",
        dest="class_",
        metavar="CLASS",
        help="set the class by hand (pathogenic, likely_pathogenic, uncertain_significance, …); needs --reason",
    )
    p.add_argument("--reason", help="why (kept in the classification history and the audit trail)")
    p.set_defaults(handler=run_classify)


def run_pgx(args: argparse.Namespace) -> int:
    import dataclasses

    from genedesk.core.pgx.stored import pgx_for_patient

    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        report = pgx_for_patient(signed.vault, patient.id)
    if report is None:
        output.say(
            "No pharmacogenomic results: the patient has no GRCh38 test (PharmCAT's allele "
            "definitions are on GRCh38)."
        )
        return 0
    if args.json:
        output.emit_json(dataclasses.asdict(report))
        return 0
    output.table(
        ["Gene", "Diplotype", "Phenotype", "Medicines affected", "Positions not tested"],
        [
            (
                row.gene,
                row.diplotype + (" (tie)" if row.tie else ""),
                row.phenotype,
                ", ".join(f"{d.drug}: {d.action}" for d in row.drugs) or "-",
                len(row.positions_not_tested),
            )
            for row in report.genes
        ],
    )
    for gene in report.not_determined:
        output.say(f"{gene.gene}: not determined from this test ({gene.reason})")
    return 0


def register_pgx(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "pgx", parents=[common], help="pharmacogenomic results: diplotypes and medicines"
    )
    p.add_argument("patient", metavar="PATIENT")
    p.set_defaults(handler=run_pgx)
