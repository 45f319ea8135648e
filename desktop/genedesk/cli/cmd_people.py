"""`genedesk user …`, `genedesk clinic …`, `genedesk patient …` and `genedesk audit …`."""

from __future__ import annotations

import argparse
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import secret, signed_in
from genedesk.core import audit, clinic, patients, staff
from genedesk.core.errors import UsageError
from genedesk.core.patients import PatientDetails


def run_user_add(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        password = secret("GENEDESK_NEW_PASSWORD", f"New password for {args.name}", confirm=True)
        member = staff.add_staff(
            signed.vault, signed.staff, name=args.name, role=args.role, password=password
        )
    if not args.json:
        output.say(f"Added {member.name} as {member.role}.")
    output.created(member.id, args.json, name=member.name, role=member.role)
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        members = staff.list_staff(signed.vault)
    if args.json:
        output.emit_json([{"id": m.id, "name": m.name, "role": m.role} for m in members])
    else:
        output.table(["ID", "Name", "Role"], [(m.id, m.name, m.role) for m in members])
    return 0


def _show_clinic(details: clinic.Clinic, as_json: bool) -> None:
    values = {spec.name: getattr(details, spec.name) for spec in clinic.FIELDS}
    if as_json:
        output.emit_json(values)
        return
    for spec in clinic.FIELDS:
        lines = values[spec.name].split("\n") if values[spec.name] else ["(not set)"]
        label = spec.name.replace("_", " ").capitalize() + ":"
        for number, line in enumerate(lines):
            output.say(f"{label if number == 0 else '':<14} {line}")


def run_clinic_show(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        details = clinic.get_clinic(signed.vault)
        is_set = clinic.is_set(signed.vault)
    if not is_set and not args.json:
        output.say(
            "The clinic's details are not set yet (an administrator sets them with "
            "`genedesk clinic set`); letters print this name:"
        )
    _show_clinic(details, args.json)
    return 0


def run_clinic_set(args: argparse.Namespace) -> int:
    values = {
        spec.name: getattr(args, spec.name)
        for spec in clinic.FIELDS
        if getattr(args, spec.name) is not None
    }
    if not values:
        raise UsageError("Give at least one detail to change, e.g. --phone '0161 555 0100'.")
    if "address" in values:
        values["address"] = values["address"].replace("\\n", "\n")
    with signed_in(args) as signed:
        details = clinic.set_clinic(signed.vault, signed.staff, **values)
    if not args.json:
        output.say(
            "Saved the clinic's details; every letter and report made from now on prints them:"
        )
    _show_clinic(details, args.json)
    return 0


def run_patient_add(args: argparse.Namespace) -> int:
    details = PatientDetails(args.mrn, args.given, args.family, args.dob, args.sex, args.language)
    with signed_in(args) as signed:
        patient = patients.add_patient(signed.vault, signed.staff, details)
    if not args.json:
        output.say(f"Added patient {patient.mrn}.")
    output.created(patient.id, args.json, mrn=patient.mrn)
    return 0


def run_patient_edit(args: argparse.Namespace) -> int:
    changes = {
        name: value
        for name, value in (
            ("mrn", args.mrn),
            ("given_name", args.given),
            ("family_name", args.family),
            ("birth_date", args.dob),
            ("sex_at_birth", args.sex),
            ("language", args.language),
        )
        if value is not None
    }
    with signed_in(args) as signed:
        current = patients.get_patient(signed.vault, args.patient)
        patient = patients.edit_patient(signed.vault, signed.staff, current.id, **changes)
    if args.json:
        output.emit_json(patient.to_json())
    else:
        output.say(f"Saved patient {patient.mrn}.")
    return 0


def _patient_rows(found: list[patients.Patient]) -> list[tuple[object, ...]]:
    return [(p.id, p.mrn, p.family_name, p.given_name, p.birth_date, p.sex_at_birth) for p in found]


def run_patient_list(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        found = patients.search_patients(signed.vault, args.search or "", limit=args.limit)
    if args.json:
        output.emit_json([p.to_json() for p in found])
    elif found:
        output.table(
            ["ID", "Record", "Family name", "Given name", "Born", "Sex at birth"],
            _patient_rows(found),
        )
    else:
        output.say("No patients match." if args.search else "There are no patients yet.")
    return 0


def run_patient_show(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        history = audit.events(signed.vault, subject=f"patient:{patient.id}", limit=20)
    if args.json:
        output.emit_json({**patient.to_json(), "history": [e.__dict__ for e in history]})
        return 0
    for label, value in (
        ("Record number", patient.mrn),
        ("Name", patient.display_name),
        ("Born", patient.birth_date),
        ("Sex at birth", patient.sex_at_birth),
        ("Language", patient.language),
        ("Added", patient.created_at),
        ("Last changed", patient.updated_at),
        ("ID", patient.id),
    ):
        output.say(f"{label + ':':<15} {value}")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        check = audit.verify_chain(signed.vault)
    if args.json:
        output.emit_json(
            {
                "ok": check.ok,
                "events": check.events,
                "first_broken_event": check.first_broken,
                "problem": check.problem,
            }
        )
    elif check.ok:
        output.say(f"The audit trail is intact ({check.events} events).")
    else:
        output.say(f"The audit trail is broken: {check.problem}.")
        output.say("Events from that one on cannot be trusted; keep this vault for investigation.")
    return 0 if check.ok else 1


def run_audit_list(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        subject = None
        if args.patient:
            subject = f"patient:{patients.get_patient(signed.vault, args.patient).id}"
        found = audit.events(signed.vault, subject=subject, limit=args.limit)
    if args.json:
        output.emit_json([e.__dict__ for e in found])
    else:
        output.table(
            ["#", "When (UTC)", "Staff", "Action", "Subject"],
            [(e.id, e.at[:19].replace("T", " "), e.staff, e.action, e.subject) for e in found],
        )
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    user = commands.add_parser("user", help="staff accounts")
    sub = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "add",
        parents=[common],
        help="add a staff member (password from GENEDESK_NEW_PASSWORD or a prompt)",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=staff.ROLES)
    p.set_defaults(handler=run_user_add)
    p = sub.add_parser("list", parents=[common], help="list staff members")
    p.set_defaults(handler=run_user_list)

    clinic_parser = commands.add_parser(
        "clinic", help="the clinic's name, address and contact, printed on every letter"
    )
    sub = clinic_parser.add_subparsers(dest="clinic_command", required=True, metavar="COMMAND")
    p = sub.add_parser("show", parents=[common], help="the clinic's details")
    p.set_defaults(handler=run_clinic_show)
    p = sub.add_parser("set", parents=[common], help="change the clinic's details (administrators)")
    p.add_argument("--name", help="the clinic's name, heading every letter")
    p.add_argument(
        "--address", help=r"the postal address; separate lines with \n (at most 6 lines)"
    )
    p.add_argument("--phone", help="the phone number patients and clinicians call")
    p.add_argument("--email", help="the email address for questions about a letter")
    p.add_argument("--contact-name", dest="contact_name", help="the person to ask for")
    p.add_argument("--contact-role", dest="contact_role", help="that person's role")
    p.set_defaults(handler=run_clinic_set)

    patient = commands.add_parser("patient", help="add, edit, find and show patients")
    sub = patient.add_subparsers(dest="patient_command", required=True, metavar="COMMAND")
    p = sub.add_parser("add", parents=[common], help="add a patient")
    p.add_argument("--mrn", required=True, help="the clinic's record number")
    p.add_argument("--given", required=True, help="given name(s)")
    p.add_argument("--family", required=True, help="family name")
    p.add_argument("--dob", required=True, metavar="YYYY-MM-DD", help="date of birth")
    p.add_argument("--sex", required=True, choices=patients.SEXES, help="sex at birth")
    p.add_argument("--language", default="en", help="preferred language code (default en)")
    p.set_defaults(handler=run_patient_add)
    p = sub.add_parser("edit", parents=[common], help="change a patient's details")
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.add_argument("--mrn")
    p.add_argument("--given")
    p.add_argument("--family")
    p.add_argument("--dob", metavar="YYYY-MM-DD")
    p.add_argument("--sex", choices=patients.SEXES)
    p.add_argument("--language")
    p.set_defaults(handler=run_patient_edit)
    p = sub.add_parser("list", parents=[common], help="list or search patients")
    p.add_argument(
        "--search", metavar="TEXT", help="any part of a name, record number or birth date"
    )
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=run_patient_list)
    p = sub.add_parser("show", parents=[common], help="one patient's details")
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.set_defaults(handler=run_patient_show)

    audit_parser = commands.add_parser("audit", help="the audit trail")
    sub = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    p = sub.add_parser("verify", parents=[common], help="check that no audit event was changed")
    p.set_defaults(handler=run_audit_verify)
    p = sub.add_parser("list", parents=[common], help="recent audit events")
    p.add_argument("--patient", metavar="PATIENT", help="only events about this patient")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(handler=run_audit_list)
