"""`genedesk kb`: load a ClinVar release, and list the patients to recontact after one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from genedesk.cli import output
from genedesk.cli.cmd_tests import ProgressBar
from genedesk.cli.context import signed_in
from genedesk.core.knowledge import clinvar, reclassify


def _words(classification: str) -> str:
    return classification.replace("_", " ") if classification else "not in ClinVar"


def run_load_clinvar(args: argparse.Namespace) -> int:
    path: Path = args.file
    bar = ProgressBar(f"Loading {path.name}")
    with signed_in(args) as signed:
        try:
            summary = clinvar.load_clinvar(signed.vault, signed.staff, path, progress=bar)
        finally:
            bar.finish()
        # A new release is the moment to look again at what patients were told.
        entries = (
            None
            if summary.already_loaded
            else reclassify.recontact_worklist(signed.vault, signed.staff)
        )
    release = summary.release
    if args.json:
        output.emit_json(
            {
                "id": release.id,
                "build": release.build,
                "release_date": release.release_date,
                "already_loaded": summary.already_loaded,
                "records": summary.records,
                "alleles": summary.alleles,
                "without_germline_classification": summary.without_germline_classification,
                "other_contigs": summary.other_contigs,
                "recontact_entries": None if entries is None else len(entries),
            }
        )
        return 0
    output.say(summary.message)
    if entries:
        output.say(
            f"{len(entries)} reported finding(s) changed class in ClinVar in a way that matters: "
            "see `genedesk kb recontact`."
        )
    elif entries is not None:
        output.say("No reported finding changed class in a way that matters.")
    if not summary.already_loaded:
        output.say(str(release.id))
    return 0


def run_recontact(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        entries = reclassify.recontact_worklist(signed.vault, signed.staff)
    if args.json:
        output.emit_json([e.to_json() for e in entries])
        return 0
    if not entries:
        output.say(
            "No one to recontact: no reported finding has changed class in the newest ClinVar "
            "release in a way that matters."
        )
        return 0
    output.table(
        [
            "Record",
            "Finding",
            "Gene",
            "Change",
            "In the report",
            "ClinVar now",
            "Releases",
            "Reports",
            "Recontact consent",
        ],
        [
            (
                e.record_number,
                e.finding_id,
                e.gene,
                e.change,
                _words(e.reported_class),
                f"{_words(e.clinvar_now)} ({e.clinvar_now_stars}★)",
                f"{e.clinvar_before_release or '—'} → {e.clinvar_now_release}",
                ", ".join(e.reports),
                "yes" if e.has_recontact_consent else "NO: no active recontact consent",
            )
            for e in entries
        ],
    )
    without = sum(1 for e in entries if not e.has_recontact_consent)
    output.say(
        f"{len(entries)} finding(s) for {len({e.patient_id for e in entries})} patient(s); "
        f"{without} without an active recontact consent."
    )
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    kb = commands.add_parser("kb", help="the knowledge base: ClinVar releases and reclassification")
    sub = kb.add_subparsers(dest="kb_command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "load-clinvar",
        parents=[common],
        help="load a ClinVar release (clinvar.vcf.gz as NCBI publishes it, GRCh37 or GRCh38)",
    )
    p.add_argument("file", type=Path, metavar="FILE.vcf.gz")
    p.set_defaults(handler=run_load_clinvar)
    p = sub.add_parser(
        "recontact",
        parents=[common],
        help="reported findings whose ClinVar class changed in a way that matters: whom to recontact",
    )
    p.set_defaults(handler=run_recontact)
