"""`genedesk consent …` and `genedesk request …`: consents, withdrawals, sharing requests, releases."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import signed_in
from genedesk.core import clock, findings, patients
from genedesk.core.atomic import atomic_write
from genedesk.core.clinic import get_clinic
from genedesk.core.consent import fhir, receipts, service
from genedesk.core.consent.duo import duo
from genedesk.core.consent.model import (
    DATA_CATEGORIES,
    KINDS,
    METHODS,
    RECIPIENT_TYPES,
    Consent,
    ConsentTerms,
    Modifier,
    Purpose,
    Recipients,
    RequestDetails,
    parse_date,
)
from genedesk.core.errors import BadInputError, UsageError
from genedesk.core.vault.store import Vault


def _csv(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _read_evidence(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise BadInputError(
            f"The signature or scan {Path(path).name} cannot be read ({error.strerror})."
        ) from None


def _how(args: argparse.Namespace) -> service.HowGiven:
    return service.HowGiven(args.method, args.witness, _read_evidence(args.signature))


def _write_pdf(path: str, data: bytes, what: str) -> None:
    atomic_write(Path(path), data, what=what)


def _consent_row(consent: Consent, today: dt.date) -> tuple[object, ...]:
    terms = consent.terms
    purpose = terms.purpose.text() if terms.purpose else ""
    modifiers = " ".join(m.text() for m in terms.modifiers)
    return (
        consent.id,
        consent.kind,
        consent.status_on(today),
        consent.first_event.at[:10],
        " ".join(x for x in (purpose, modifiers) if x),
        ",".join(terms.data),
        terms.recipients.words() if terms.purpose else "",
        consent.form.version,
    )


def run_consent_add(args: argparse.Namespace) -> int:
    terms = ConsentTerms(
        purpose=Purpose.parse(args.permission) if args.permission else None,
        modifiers=tuple(Modifier.parse(m) for m in args.modifier or []),
        data=tuple(_csv(args.data)),
        recipients=Recipients(
            args.anyone, tuple(args.recipient or []), tuple(args.recipient_type or [])
        ),
        identified=args.identified,
    )
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        consent = service.record_consent(
            signed.vault,
            signed.staff,
            patient.id,
            kind=args.kind,
            terms=terms,
            how=_how(args),
            declined=args.decline,
            valid_from=parse_date(args.start, "--from") if args.start else None,
        )
        if args.receipt:
            _write_pdf(
                args.receipt,
                receipts.build_consent_receipt(
                    consent, patient, clinic_name=get_clinic(signed.vault).name
                ),
                "the receipt",
            )
    if not args.json:
        word = "declined" if args.decline else "given"
        output.say(
            f"Recorded {consent.kind} consent as {word} (form version {consent.form.version})."
        )
        if args.receipt:
            output.say(f"Receipt written to {args.receipt}.")
    output.created(consent.id, args.json, status=consent.status, kind=consent.kind)
    return 0


def run_consent_list(args: argparse.Namespace) -> int:
    today = clock.utcnow().date()
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        found = service.list_consents(signed.vault, patient.id)
    if args.json:
        output.emit_json([{**c.to_json(), "status_today": c.status_on(today)} for c in found])
    elif found:
        output.table(
            ["ID", "Kind", "Status", "Given", "Purpose", "Data", "Recipients", "Form"],
            [_consent_row(c, today) for c in found],
        )
    else:
        output.say("This patient has no recorded consent.")
    return 0


def run_consent_show(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        consent = service.get_consent(signed.vault, args.consent)
        releases = service.releases_under(signed.vault, consent.id)
    if args.json:
        output.emit_json({**consent.to_json(), "releases": [r.to_json() for r in releases]})
        return 0
    output.say(f"Consent {consent.id}: {consent.kind}, {consent.status}")
    output.say(
        f"Form: {consent.form.title}, version {consent.form.version} ({consent.form.sha256})"
    )
    if consent.terms.purpose:
        output.say(
            f"Purpose: {consent.terms.purpose.text()} {' '.join(m.text() for m in consent.terms.modifiers)}"
        )
        output.say(f"Data: {', '.join(consent.terms.data)}; to {consent.terms.recipients.words()}")
    for event in consent.events:
        how = (
            f" ({event.method}{', witness ' + event.witness if event.witness else ''})"
            if event.method
            else ""
        )
        output.say(
            f"  {event.at[:19].replace('T', ' ')}  {event.status}{how} recorded by {event.recorded_by}"
        )
    for release in releases:
        output.say(
            f"  released to {release.recipient} on {release.released_at[:10]}: {', '.join(release.contents['data'])}"
        )
    return 0


def run_consent_withdraw(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        result = service.withdraw_consent(
            signed.vault, signed.staff, args.consent, reason=args.reason, how=_how(args)
        )
        patient = patients.get_patient(signed.vault, result.consent.patient_id)
        if args.receipt:
            _write_pdf(
                args.receipt,
                receipts.build_withdrawal_receipt(
                    result.consent,
                    patient,
                    stopped_requests=len(result.denied_requests),
                    past_releases=result.past_releases,
                    clinic_name=get_clinic(signed.vault).name,
                ),
                "the withdrawal receipt",
            )
    if args.json:
        output.emit_json(
            {
                "consent": result.consent.id,
                "status": result.consent.status,
                "denied_requests": list(result.denied_requests),
                "past_releases": [r.to_json() for r in result.past_releases],
            }
        )
        return 0
    output.say(f"Consent {result.consent.id} is withdrawn from now on.")
    if result.denied_requests:
        output.say(f"Requests stopped: {', '.join(map(str, result.denied_requests))}.")
    if result.past_releases:
        output.say("Released before under this consent (tell each recipient):")
        output.table(
            ["Release", "Recipient", "Date", "What"],
            [
                (r.id, r.recipient, r.released_at[:10], ", ".join(r.contents["data"]))
                for r in result.past_releases
            ],
        )
    else:
        output.say("Nothing was released under this consent.")
    if args.receipt:
        output.say(f"Receipt written to {args.receipt}.")
    return 0


def run_consent_receipt(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        consent = service.get_consent(signed.vault, args.consent)
        patient = patients.get_patient(signed.vault, consent.patient_id)
        if args.withdrawal:
            data = receipts.build_withdrawal_receipt(
                consent,
                patient,
                stopped_requests=_stopped_by(signed.vault, consent),
                past_releases=service.releases_under(signed.vault, consent.id),
                clinic_name=get_clinic(signed.vault).name,
            )
        else:
            data = receipts.build_consent_receipt(
                consent, patient, clinic_name=get_clinic(signed.vault).name
            )
        _write_pdf(args.out, data, "the receipt")
    if not args.json:
        output.say(f"Receipt written to {args.out}.")
    return 0


def _stopped_by(vault: Vault, consent: Consent) -> int:
    withdrawn_at = consent.events[-1].at
    return sum(
        1
        for r in service.list_requests(vault, consent.patient_id)
        if r.status == "denied" and r.decided_at == withdrawn_at
    )


def run_consent_fhir(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        consent = service.get_consent(signed.vault, args.consent)
        patient = patients.get_patient(signed.vault, consent.patient_id)
    subject = fhir.FhirSubject(f"patient-{patient.id}", fhir.MRN_SYSTEM, patient.mrn)
    resource = fhir.consent_resource(consent, subject, on=clock.utcnow().date())
    if args.out:
        atomic_write(Path(args.out), fhir.to_json_bytes(resource), what="the FHIR Consent")
        if not args.json:
            output.say(f"FHIR Consent written to {args.out}.")
    else:
        output.emit_json(resource)
    return 0


def run_consent_terms(args: argparse.Namespace) -> int:
    release = duo()
    terms = list(release.terms.values())
    if args.json:
        output.emit_json({"source": dict(release.source), "terms": [t.__dict__ for t in terms]})
    else:
        output.table(
            ["Code", "DUO ID", "Kind", "Label"], [(t.code, t.id, t.kind, t.label) for t in terms]
        )
    return 0


# --- requests -----------------------------------------------------------------------------------

_REQUEST_MODIFIERS = "PUB, COL, RTN, MOR (agreements), NCU (not for money), IRB (with --ethics), TS:DATE, US:NAME, PS:NAME, RS:TYPE"


def _request_details(args: argparse.Namespace) -> RequestDetails:
    agreements: list[str] = []
    values: dict[str, Any] = {
        "researcher": args.researcher,
        "project": args.project,
        "research_type": args.research_type,
        "use_until": parse_date(args.until, "--until") if args.until else None,
    }
    commercial_use = args.commercial_use or args.requester_type == "commercial"
    for text in args.modifier or []:
        code, _, value = text.partition(":")
        code = code.strip().upper()
        if code in ("PUB", "COL", "RTN", "MOR"):
            agreements.append(code)
        elif code == "NCU" and not args.commercial_use:
            commercial_use = False
        elif code == "IRB":
            if not args.ethics:
                raise UsageError("IRB: give the ethics approval reference with --ethics REF.")
        elif code == "TS" and value:
            values["use_until"] = parse_date(value, "TS")
        elif code in ("US", "PS", "RS") and value:
            values[{"US": "researcher", "PS": "project", "RS": "research_type"}[code]] = value
        else:
            raise UsageError(
                f"A request cannot declare {text!r}; it can declare {_REQUEST_MODIFIERS}."
            )
    return RequestDetails(
        requester=args.requester,
        requester_type=args.requester_type,
        country=args.country,
        purpose=Purpose.parse(args.permission),
        data=tuple(_csv(args.data)),
        deidentified=args.deidentified,
        ethics_ref=args.ethics,
        clinical_care=args.clinical_care,
        commercial_use=commercial_use,
        methods_development=args.methods_development,
        phenotype_only=args.phenotype_only,
        agreements=tuple(agreements),
        **values,
    )


def run_request_add(args: argparse.Namespace) -> int:
    details = _request_details(args)
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        request = service.add_request(signed.vault, signed.staff, patient.id, details)
    if not args.json:
        output.say(f"Added the request from {request.details.requester}.")
    output.created(request.id, args.json, status=request.status)
    return 0


def run_request_list(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        patient = patients.get_patient(signed.vault, args.patient)
        found = service.list_requests(signed.vault, patient.id)
    if args.json:
        output.emit_json([r.to_json() for r in found])
    elif found:
        output.table(
            [
                "ID",
                "Requester",
                "Type",
                "Country",
                "Purpose",
                "Data",
                "Identified",
                "Status",
                "Consent",
            ],
            [
                (
                    r.id,
                    r.details.requester,
                    r.details.requester_type,
                    r.details.country,
                    r.details.purpose.text(),
                    ",".join(r.details.data),
                    "no" if r.details.deidentified else "yes",
                    r.status,
                    r.governing_consent or "",
                )
                for r in found
            ],
        )
    else:
        output.say("There are no sharing requests for this patient.")
    return 0


def run_request_evaluate(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        decision = service.evaluate_request(signed.vault, signed.staff, args.request)
    if args.json:
        output.emit_json(decision.to_json())
    else:
        output.say(decision.explain())
    return 0 if decision.permitted else 5


def run_request_release(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        request = service.get_request(signed.vault, args.request)
        data = findings.release_data_for(signed.vault, request.patient_id)
        result = service.release_request(
            signed.vault, signed.staff, args.request, data, out=Path(args.out)
        )
    if args.json:
        output.emit_json(
            {
                "id": result.release.id,
                "package_sha256": result.package.sha256,
                "consent": result.release.consent_id,
                "files": result.package.files,
            }
        )
    else:
        output.say(
            f"Released to {result.release.recipient} under consent {result.release.consent_id}: "
            f"{args.out} (SHA-256 {result.package.sha256})."
        )
        output.say(str(result.release.id))
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    consent = commands.add_parser("consent", help="record, list, withdraw and export consents")
    sub = consent.add_subparsers(dest="consent_command", required=True, metavar="COMMAND")

    def how_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--method",
            required=True,
            choices=METHODS,
            help="signed (on screen), paper (signed and scanned) or verbal (with a witness)",
        )
        p.add_argument("--witness", metavar="NAME", help="who witnessed it (needed for verbal)")
        p.add_argument(
            "--signature",
            metavar="FILE",
            help="the signature drawn on screen (PNG), or the scanned paper form (PNG, JPEG or PDF)",
        )
        p.add_argument("--receipt", metavar="FILE.pdf", help="also write the patient's receipt")

    p = sub.add_parser(
        "add", parents=[common], help="record a consent the patient gave or declined"
    )
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument(
        "--permission",
        metavar="DUO",
        help="GRU, HMB, DS:<disease id>, POA or NRES (needed for sharing kinds)",
    )
    p.add_argument(
        "--modifier",
        action="append",
        metavar="DUO",
        help="a DUO modifier, e.g. NPU, GS:GB,FR, TS:2030-12-31 (repeat for more)",
    )
    p.add_argument(
        "--data",
        action="append",
        metavar="LIST",
        help=f"data categories, any of {','.join(DATA_CATEGORIES)}",
    )
    p.add_argument(
        "--recipient",
        action="append",
        metavar="ORG",
        help="a named organisation or relative (repeat)",
    )
    p.add_argument(
        "--recipient-type",
        action="append",
        choices=RECIPIENT_TYPES,
        help="any organisation of this type (repeat)",
    )
    p.add_argument("--anyone", action="store_true", help="anyone may receive the data")
    p.add_argument(
        "--identified",
        action="store_true",
        help="data naming the patient may go (default: de-identified only)",
    )
    p.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="the day it applies from (default today)"
    )
    p.add_argument("--decline", action="store_true", help="the patient said no")
    how_options(p)
    p.set_defaults(handler=run_consent_add)

    p = sub.add_parser("list", parents=[common], help="a patient's consents")
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.set_defaults(handler=run_consent_list)

    p = sub.add_parser("show", parents=[common], help="one consent, its history and its releases")
    p.add_argument("consent", metavar="CONSENT", type=int)
    p.set_defaults(handler=run_consent_show)

    p = sub.add_parser("withdraw", parents=[common], help="withdraw a consent at once")
    p.add_argument("consent", metavar="CONSENT", type=int)
    p.add_argument("--reason", metavar="TEXT", help="the patient's reason, if they gave one")
    how_options(p)
    p.set_defaults(handler=run_consent_withdraw)

    p = sub.add_parser("receipt", parents=[common], help="print a consent's receipt again")
    p.add_argument("consent", metavar="CONSENT", type=int)
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--withdrawal", action="store_true", help="the withdrawal receipt")
    p.set_defaults(handler=run_consent_receipt)

    p = sub.add_parser("fhir", parents=[common], help="a consent as a FHIR R4 Consent (JSON)")
    p.add_argument("consent", metavar="CONSENT", type=int)
    p.add_argument("--out", metavar="FILE.json", help="write to a file instead of the screen")
    p.set_defaults(handler=run_consent_fhir)

    p = sub.add_parser("terms", parents=[common], help="the DUO terms GeneDesk knows")
    p.set_defaults(handler=run_consent_terms)

    request = commands.add_parser("request", help="requests to share a patient's data")
    sub = request.add_subparsers(dest="request_command", required=True, metavar="COMMAND")
    p = sub.add_parser("add", parents=[common], help="record a request to share a patient's data")
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.add_argument("--requester", required=True, metavar="ORG", help="the requesting organisation")
    p.add_argument("--requester-type", required=True, choices=RECIPIENT_TYPES)
    p.add_argument(
        "--country", required=True, metavar="CC", help="where the data will be used (ISO code)"
    )
    p.add_argument(
        "--permission",
        required=True,
        metavar="DUO",
        help="the purpose: GRU, HMB, DS:<disease id>, POA or NRES",
    )
    p.add_argument(
        "--modifier",
        action="append",
        metavar="DUO",
        help=f"what the requester agrees to or declares: {_REQUEST_MODIFIERS}",
    )
    p.add_argument(
        "--data",
        action="append",
        required=True,
        metavar="LIST",
        help=f"data asked for, any of {','.join(DATA_CATEGORIES)}",
    )
    p.add_argument("--deidentified", action="store_true", help="asks for de-identified data only")
    p.add_argument("--ethics", metavar="REF", help="the ethics approval reference")
    p.add_argument("--clinical-care", action="store_true", help="the data is for a patient's care")
    p.add_argument("--commercial-use", action="store_true", help="the use is meant to make money")
    p.add_argument(
        "--methods-development",
        action="store_true",
        help="the use develops methods, software or algorithms",
    )
    p.add_argument(
        "--phenotype-only", action="store_true", help="the study looks at phenotypes only"
    )
    p.add_argument("--researcher", metavar="NAME", help="the researcher who will use the data")
    p.add_argument("--project", metavar="NAME", help="the project the data is for")
    p.add_argument("--research-type", metavar="TYPE", help="the type of research")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="when the use ends")
    p.set_defaults(handler=run_request_add)

    p = sub.add_parser("list", parents=[common], help="a patient's sharing requests")
    p.add_argument("patient", metavar="PATIENT", help="record number or id")
    p.set_defaults(handler=run_request_list)

    p = sub.add_parser(
        "evaluate",
        parents=[common],
        help="decide a request against the patient's consents (exit 5 when not permitted)",
    )
    p.add_argument("request", metavar="REQUEST", type=int)
    p.set_defaults(handler=run_request_evaluate)

    p = sub.add_parser(
        "release",
        parents=[common],
        help="release a permitted request as one zip (exit 5 when refused)",
    )
    p.add_argument("request", metavar="REQUEST", type=int)
    p.add_argument("--out", required=True, metavar="FILE.zip")
    p.set_defaults(handler=run_request_release)
