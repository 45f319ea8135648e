"""What a child process does in the crash tests: one operation in a loop, every call reported.

The child writes `started OP ...` just before it calls GeneDesk and `done OP ...` only after the
call returned (so its change was committed); the parent SIGKILLs it at a random moment and reads
what was reported. `step EVENT FILE` lines (from an audit hook: Python announces every rename
and removal of a file) let the parent aim some kills just after a file is swapped, the moments a
backup or a re-key is most fragile. `ready` says the child has opened the vault and signed in, so the parent's
random delay falls on the operation rather than on start-up. Anything that goes wrong in the
child is reported as `error ...`: a broken child can never pass for a crash.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from genedesk.core import imports, patients, staff
from genedesk.core.consent.model import ConsentTerms
from genedesk.core.consent.service import HowGiven, record_consent, withdraw_consent
from genedesk.core.genomics import reader
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, lifecycle, open_vault
from support import ADMIN, ADMIN_PASSWORD

WITNESS = HowGiven("verbal", witness="Nurse Bea Okafor")


class Reporter:
    """One line per event on the pipe to the parent (a single write, so lines never interleave)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __call__(self, *words: object) -> None:
        os.write(self.fd, (" ".join(str(w) for w in words) + "\n").encode())


Operation = Callable[[Reporter], None]


def run(operation: Operation, report_fd: int) -> NoReturn:
    """The forked child's whole life: the operation until it is killed; never returns to pytest."""
    report = Reporter(report_fd)
    sys.addaudithook(_file_steps(report))
    try:
        operation(report)
        report("error", "the operation loop ended on its own")
    except BaseException as error:  # reported, so the parent fails with the reason
        report("error", type(error).__name__, " ".join(str(error).split())[:300])
    finally:
        os._exit(3)


def _file_steps(report: Reporter) -> Callable[[str, tuple[object, ...]], None]:
    """An audit hook reporting renames and removals; it only watches, it changes nothing."""

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event in ("os.rename", "os.remove"):
            report("step", event, Path(str(args[0])).name)

    return hook


def _signed_in(folder: Path) -> tuple[Vault, Staff]:
    opened = open_vault(folder)  # the keyring, as on a clinic PC
    return opened.vault, staff.sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)


def _add_patient(vault: Vault, admin: Staff, mrn: str) -> int:
    details = PatientDetails(mrn, "Crash", "Test", "1970-01-01", "female")
    return patients.add_patient(vault, admin, details).id


def import_files(report: Reporter, *, folder: Path, vcf: Path, round_no: int) -> None:
    """Import the lab file for one new patient after another (the window's three steps)."""
    vault, admin = _signed_in(folder)
    reader.warm_up()
    n = 0
    while True:
        mrn = f"IMP-{round_no}-{n}"
        patient_id = _add_patient(vault, admin, mrn)
        report("started", "import", mrn)
        plan = imports.plan_import(vault, patient_id, vcf, lab="Crash Lab", test_type="panel")
        result = imports.read_planned(plan)  # in the reader process
        report("storing", "import", mrn)
        outcome = imports.store_import(vault, admin, plan, result)
        report("done", "import", mrn, outcome.test.id, outcome.test.calls)
        if n == 0:  # the reader process has started: from now on imports take their usual time
            report("ready")
        n += 1


def change_consents(report: Reporter, *, folder: Path, patient_id: int) -> None:
    """Record consents and withdraw every other one."""
    vault, admin = _signed_in(folder)
    report("ready")
    n = 0
    while True:
        report("started", "record")
        consent = record_consent(
            vault, admin, patient_id, kind="recontact", terms=ConsentTerms(), how=WITNESS
        )
        report("done", "record", consent.id)
        if n % 2 == 0:
            report("started", "withdraw", consent.id)
            withdraw_consent(vault, admin, consent.id, reason="Changed their mind", how=WITNESS)
            report("done", "withdraw", consent.id)
        n += 1


def keep_reports(report: Reporter, *, folder: Path, patient_id: int) -> None:
    """Save a draft, then finalize it; patient letters and clinician reports in turn."""
    vault, admin = _signed_in(folder)
    signer = Signer(admin.name, "Genetic counsellor")
    report("ready")
    n = 0
    while True:
        kind = ("patient", "clinician")[n % 2]
        report("started", "draft", kind)
        draft = store.save_draft(
            vault, admin, build_request(vault, patient_id, kind, author=admin.name)
        )
        report("done", "draft", draft.report_id, draft.version, draft.sha256)
        report("started", "finalize", draft.report_id)
        request = build_request(vault, patient_id, kind, author=admin.name, signer=signer)
        final = store.finalize(vault, admin, request, report_id=draft.report_id)
        report("done", "finalize", final.report_id, final.version, final.sha256)
        n += 1


def back_up(report: Reporter, *, folder: Path, destination: Path, round_no: int) -> None:
    """Add a patient, then back up over the same file (so every backup differs from the last)."""
    vault, admin = _signed_in(folder)
    report("ready")
    n = 0
    while True:
        mrn = f"BAK-{round_no}-{n}"
        _add_patient(vault, admin, mrn)
        report("done", "patient", mrn)
        report("started", "backup")
        info = lifecycle.backup_vault(vault, destination, staff_name=admin.name)
        report("done", "backup", info.sha256)
        n += 1


def change_keys(report: Reporter, *, folder: Path) -> None:
    """Re-key the vault again and again, carrying on with the vault each re-key returns."""
    vault, admin = _signed_in(folder)
    report("ready")
    while True:
        report("started", "rekey")
        vault = lifecycle.rekey_vault(vault, staff_name=admin.name).vault
        report("done", "rekey", vault.key_fingerprint)
