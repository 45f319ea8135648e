"""`genedesk import`, `genedesk tests` and `genedesk calls`: a lab's file in, and what was kept."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import signed_in
from genedesk.core import imports, patients


class ProgressBar:
    """A one-line bar on a terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self._last < 0.1:
            return
        self._last = time.monotonic()
        if total:
            share = min(done / total, 1.0)
            bar = "#" * int(share * 30)
            sys.stderr.write(f"\r{self.label} [{bar:<30}] {share:4.0%}")
        else:
            sys.stderr.write(f"\r{self.label} {done / 1e6:,.1f} MB read")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def run_import(args: argparse.Namespace) -> int:
    bar = ProgressBar(f"Reading {args.file.name}")
    with signed_in(args) as signed:
        try:
            outcome = imports.import_vcf(
                signed.vault,
                signed.staff,
                args.patient,
                args.file,
                sample=args.sample,
                lab=args.lab or "",
                test_type=args.test_type,
                build=args.build,
                progress=bar,
            )
        finally:
            bar.finish()
    test, summary = outcome.test, outcome.result.summary
    if args.json:
        output.created(
            test.id,
            True,
            calls_kept=test.calls,
            build=test.build,
            summary=test.summary,
            notices=outcome.notices,
            sample=test.sample_name,
        )
        return 0
    facts = outcome.result.facts
    output.say(
        f"Imported {facts.name} ({facts.container}, VCF {facts.vcf_version or '?'}) on {test.build}"
        + (f", sample {test.sample_name}" if test.sample_name else "")
        + "."
    )
    output.say(
        f"Records read: {summary.records_read:,}"
        + (" (only the gene regions, using the index)" if facts.indexed_read else "")
    )
    output.say(
        f"Calls kept: {summary.kept:,} — in knowledge-base genes {summary.kept_in_regions:,}, "
        f"pathogenic elsewhere {summary.kept_pathogenic_outside_regions:,}, "
        f"pharmacogenomic {summary.kept_pharmacogenomic:,}"
    )
    output.say(
        f"Not kept: outside the genes {summary.outside_regions:,}, not carried {summary.not_carried:,}, "
        f"no call {summary.no_call:,}, placeholders (gVCF) {summary.not_a_variant:,}"
    )
    if summary.kept_zygosity_unknown:
        output.say(
            f"{summary.kept_zygosity_unknown:,} kept calls have no genotype: their zygosity is unknown."
        )
    for notice in outcome.notices:
        output.say(f"Note: {notice}")
    output.created(test.id, False)
    return 0


def run_tests(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        found = imports.tests_of(signed.vault, patient.id)
    if args.json:
        output.emit_json([t.to_json() for t in found])
    elif found:
        output.table(
            ["Test", "Imported (UTC)", "Lab", "Type", "Build", "File", "Calls kept"],
            [
                (
                    t.id,
                    t.imported_at[:16].replace("T", " "),
                    t.lab,
                    t.test_type,
                    t.build,
                    t.source_name,
                    t.calls,
                )
                for t in found
            ],
        )
    else:
        output.say("No tests imported for this patient yet.")
    return 0


def run_calls(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        tests = imports.tests_of(signed.vault, patient.id)
        if args.test is not None:
            tests = [t for t in tests if t.id == args.test]
        rows: list[tuple[int, Any]] = [
            (t.id, c) for t in tests for c in imports.calls_of(signed.vault, t.id)
        ]
    if args.json:
        import dataclasses

        output.emit_json([{"test": test_id, **dataclasses.asdict(call)} for test_id, call in rows])
    elif rows:
        output.table(
            ["Test", "Gene", "Position", "Change", "HGVS", "Zygosity", "Depth", "ClinVar"],
            [
                (
                    test_id,
                    c.gene or c.region_gene,
                    f"{c.build} {c.chrom}:{c.pos}",
                    f"{c.ref}>{c.alt}",
                    c.hgvs_p or c.hgvs_c or c.hgvs_g,
                    c.zygosity,
                    c.depth if c.depth is not None else "",
                    c.clinvar_significance,
                )
                for test_id, c in rows
            ],
        )
    else:
        output.say("No calls kept for this patient.")
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "import", parents=[common], help="import a lab's VCF/BCF file for a patient"
    )
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.add_argument("file", type=Path, metavar="FILE", help=".vcf, .vcf.gz or .bcf")
    p.add_argument("--sample", help="which sample of a multi-sample file")
    p.add_argument("--lab", help="the laboratory's name")
    p.add_argument("--test-type", default="genome", choices=imports.TEST_TYPES)
    p.add_argument(
        "--build",
        choices=("GRCh37", "GRCh38"),
        help="the genome build, when the file does not say (GeneDesk never guesses)",
    )
    p.set_defaults(handler=run_import)
    p = commands.add_parser("tests", parents=[common], help="a patient's imported tests")
    p.add_argument("patient", metavar="PATIENT")
    p.set_defaults(handler=run_tests)
    p = commands.add_parser("calls", parents=[common], help="the variant calls kept for a patient")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--test", type=int, help="only this test")
    p.set_defaults(handler=run_calls)
