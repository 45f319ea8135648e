"""`genedesk report` and `genedesk reports`: print a document, keep its version, list versions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import signed_in
from genedesk.core import patients
from genedesk.core.errors import UsageError
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer

_ROLE_WORDS = {"counsellor": "Genetic counsellor", "admin": "Clinic administrator"}


def run_report(args: argparse.Namespace) -> int:
    if args.amend and not args.reason:
        raise UsageError("An amendment needs a reason (--reason), printed on the new version.")
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        final = args.final or bool(args.amend)
        signer = (
            Signer(signed.staff.name, _ROLE_WORDS.get(signed.staff.role, signed.staff.role))
            if final
            else None
        )
        request = build_request(
            signed.vault,
            patient.id,
            args.kind,
            finding_id=args.finding,
            large_print=args.large_print,
            author=signed.staff.name,
            signer=signer,
        )
        # The PDF is written inside the version's own transaction: a file that cannot be
        # written leaves no new version behind.
        if args.amend:
            version = store.amend(
                signed.vault, signed.staff, request, report_id=args.amend, reason=args.reason,
                out=args.out,
            )
        elif args.final:
            version = store.finalize(signed.vault, signed.staff, request, out=args.out)
        else:
            version = store.save_draft(signed.vault, signed.staff, request, out=args.out)
        written = args.out
    if args.json:
        output.created(
            version.report_id,
            True,
            **{k: v for k, v in version.to_json().items() if k != "report_id"},
            file=str(written),
        )
        return 0
    output.say(
        f"{version.kind.value.capitalize()} report {version.report_id}, version {version.version} "
        f"({version.status.value}), written to {written}."
    )
    output.say(f"SHA-256 {version.sha256}")
    output.created(version.report_id, False)
    return 0


def run_reports(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        found = store.reports_of(signed.vault, patient.id)
    if args.json:
        output.emit_json([v.to_json() for v in found])
    elif found:
        output.table(
            ["Report", "Version", "Kind", "Status", "Date", "Signed by", "Replaced by"],
            [
                (
                    v.report_id,
                    v.version,
                    v.kind.value,
                    v.status.value,
                    v.report_date.date().isoformat(),
                    v.signed_by or "",
                    v.replaced_by or "",
                )
                for v in found
            ],
        )
    else:
        output.say("No reports for this patient yet.")
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "report", parents=[common], help="print a patient letter, clinician or family report"
    )
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--kind", required=True, choices=("patient", "clinician", "family"))
    p.add_argument("--finding", type=int, help="the finding a family letter is about")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument(
        "--final",
        action="store_true",
        help="the signed, final version (kept unchanged in the vault)",
    )
    p.add_argument(
        "--amend", metavar="REPORT", help="a new final version of this report (needs --reason)"
    )
    p.add_argument("--reason", help="why the report is amended")
    p.add_argument("--large-print", action="store_true", help="body text of 14 pt or more")
    p.set_defaults(handler=run_report)
    p = commands.add_parser(
        "reports", parents=[common], help="a patient's reports and all their versions"
    )
    p.add_argument("patient", metavar="PATIENT")
    p.set_defaults(handler=run_reports)
