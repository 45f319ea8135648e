"""Crash safety of the long operations: SIGKILL a real process at random moments, many times.

Each round forks a child (its own connection, lock, keyring lookup and VCF reader process) that
opens the vault, signs in and repeats one operation (crash_children.py), reporting each call only
after it returned. The parent kills it at a random moment, mostly in the middle of a call, then
proves nothing was lost or torn: the vault opens with the keyring, passes integrity_check and
cipher_integrity_check, its audit chain verifies, every change reported committed is there, and
every change that is there is whole (an import has all its calls, a report version its PDF, a
backup file is the old one or a complete new one that restores).

GENEDESK_RELIABILITY_RUNS sets the total number of rounds over the five operations (default 100,
20 each); see tests/reliability/README.md for the long run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import select
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from genedesk.core import imports, patients, staff
from genedesk.core.consent.model import ConsentTerms
from genedesk.core.consent.service import record_consent
from genedesk.core.genomics import reader
from genedesk.core.patients import PatientDetails
from genedesk.core.reports.from_vault import build_request
from genedesk.core.vault import Vault, custody, lifecycle, open_vault, restore_vault, verify_vault
from genedesk.core.vault.crypto import key_fingerprint
from genedesk.core.vault.keyfile import KeyFile
from reliability import crash_children
from support import ADMIN, ADMIN_PASSWORD, MadeVault, gene_position, write_vcf

RUNS = int(os.environ.get("GENEDESK_RELIABILITY_RUNS", "100"))
ROUNDS = max(1, RUNS // 5)  # per operation
SEED = int(os.environ.get("GENEDESK_RELIABILITY_SEED", "20261209"))
EARLY_SHARE = 0.1  # rounds killed while the child is still opening the vault
MID_OPERATION_SHARE = 0.6  # at least this share of kills must land inside a call
RESTORE_EVERY = 4  # backup rounds that also restore the backup file into a new folder

pytestmark = [pytest.mark.slow, pytest.mark.keyring]


# --- one round: fork, wait, kill, read what was reported ----------------------------------------


@dataclass
class Round:
    number: int
    lines: list[list[str]]
    early: bool
    aimed: bool = False

    def done(self, operation: str) -> list[list[str]]:
        """The `done OPERATION ...` lines, words after the operation's name."""
        return [w[2:] for w in self.lines if w[:2] == ["done", operation]]

    @property
    def in_flight(self) -> list[str] | None:
        """The call the kill interrupted (`started`/`storing` with no `done` after it), if any."""
        for words in reversed(self.lines):
            if words[0] in ("started", "storing"):
                return words
            if words[0] == "done":
                return None
        return None

    def interrupted(self, operation: str) -> list[str] | None:
        flight = self.in_flight
        return flight[2:] if flight is not None and flight[1] == operation else None


@dataclass
class Tally:
    operation: str
    rounds: int = 0
    early: int = 0
    aimed: int = 0
    mid_operation: int = 0
    seconds: float = 0.0
    notes: Counter[str] = field(default_factory=Counter)

    def count(self, crash: Round) -> None:
        self.rounds += 1
        self.early += crash.early
        self.aimed += crash.aimed
        self.mid_operation += crash.in_flight is not None

    def finish(self, started: float) -> None:
        self.seconds = time.monotonic() - started
        extra = "".join(f", {k}={v}" for k, v in sorted(self.notes.items()))
        print(
            f"\n[reliability] {self.operation}: rounds={self.rounds} mid_operation={self.mid_operation}"
            f" early={self.early} aimed={self.aimed} failures=0{extra} time={self.seconds:.1f}s"
        )
        assert self.mid_operation >= self.rounds * MID_OPERATION_SHARE, (
            f"{self.operation}: only {self.mid_operation} of {self.rounds} kills landed inside a call"
        )


def _read_available(fd: int, into: bytearray, until: float) -> bool:
    """Read what the child wrote until `until` (monotonic); False once the pipe is closed."""
    while True:
        left = until - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0.0))
        if not ready:
            return True
        data = os.read(fd, 65536)
        if not data:
            return False
        into.extend(data)
        if left <= 0:
            return True


def _lines(data: bytes) -> list[list[str]]:
    text = data.decode()
    return [line.split() for line in text.split("\n")[:-1] if line]  # a torn last line is no report


def _steps_after_ready(data: bytearray) -> int:
    at = data.find(b"ready\n")
    return 0 if at < 0 else data.count(b"\nstep ", at)


def crash(
    number: int,
    rng: random.Random,
    operation: crash_children.Operation,
    span: float,
    *,
    aim_at_steps: int = 0,
) -> Round:
    """Run `operation` in a forked child and SIGKILL it `0..span` seconds after it is ready.

    With `aim_at_steps`, half the rounds instead kill 0-10 ms after the child's k-th file rename
    or removal (k random up to `aim_at_steps`): the few milliseconds in which a backup or re-key
    swaps files would seldom be hit by a uniform delay.
    """
    reader.shutdown_readers()  # the child must start its own VCF reader, not share ours
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        crash_children.run(operation, write_fd)
    os.close(write_fd)
    received = bytearray()
    early = rng.random() < EARLY_SHARE
    aimed = not early and aim_at_steps > 0 and rng.random() < 0.5
    try:
        if early:
            _read_available(read_fd, received, time.monotonic() + rng.uniform(0.0, 0.15))
        else:
            deadline = time.monotonic() + 120
            while b"ready\n" not in received and b"error" not in received:
                if not _read_available(read_fd, received, time.monotonic() + 0.05):
                    break
                assert time.monotonic() < deadline, f"round {number}: the child never got ready"
            if aimed:
                target, until = rng.randint(1, aim_at_steps), time.monotonic() + 4 * span
                while _steps_after_ready(received) < target and time.monotonic() < until:
                    if not _read_available(read_fd, received, time.monotonic() + 0.002):
                        break
                delay = rng.uniform(0.0, 0.01)
            else:
                delay = rng.uniform(0.0, span)
            # Keep reading while waiting, so a full pipe never holds the child still.
            _read_available(read_fd, received, time.monotonic() + delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        while _read_available(read_fd, received, time.monotonic() + 5):
            pass
    finally:
        os.close(read_fd)
    lines = _lines(bytes(received))
    errors = [" ".join(w) for w in lines if w[0] == "error"]
    assert not errors, f"round {number}: the child failed: {errors[0]}"
    assert os.WIFSIGNALED(status), f"round {number}: the child ended on its own ({status})"
    return Round(number, lines, early, aimed)


@contextmanager
def reopened(folder: Path, number: int) -> Iterator[Vault]:
    """The vault after a kill, opened as the program would (keyring), and fully verified."""
    opened = open_vault(folder)
    try:
        report = verify_vault(opened.vault)
        assert report.integrity == ["ok"], f"round {number}: {report.integrity[:3]}"
        assert report.cipher == [], f"round {number}: {report.cipher[:3]}"
        assert report.chain.ok, f"round {number}: audit chain: {report.chain.problem}"
        yield opened.vault
    finally:
        opened.vault.close()


def audit_details(vault: Vault, action: str) -> list[dict[str, object]]:
    rows = vault.query("SELECT details FROM audit_event WHERE action = ? ORDER BY id", (action,))
    return [json.loads(row["details"]) for row in rows]


def sign_in(folder: Path) -> tuple[Vault, staff.Staff]:
    vault = open_vault(folder).vault
    return vault, staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)


def add_patient(vault: Vault, admin: staff.Staff, mrn: str) -> int:
    details = PatientDetails(mrn, "Crash", "Setup", "1970-01-01", "female")
    return patients.add_patient(vault, admin, details).id


def lab_file(path: Path, genes: tuple[str, ...], per_gene: int) -> Path:
    """A GRCh38 panel file the lab annotated pathogenic: every call kept and proposed."""
    records = []
    for gene in genes:
        chrom, middle = gene_position(gene, "GRCh38")
        records += [(chrom, middle + 10 * i, "A", "G", "0/1") for i in range(per_gene)]
    order = {str(n): n for n in range(1, 23)}
    records.sort(key=lambda r: (order.get(r[0], 99), r[0], r[1]))
    return write_vcf(path, "GRCh38", records, extra_info="CLNSIG=Pathogenic")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 1. VCF import -------------------------------------------------------------------------------


def test_killed_imports_leave_whole_tests_or_nothing(keyring_vault: MadeVault, tmp_path: Path) -> None:
    folder = keyring_vault.folder
    vcf = lab_file(tmp_path / "crash-lab.vcf", ("BRCA1", "BRCA2", "MLH1", "MSH2"), 20)
    vault, admin = sign_in(folder)
    try:  # what a whole import of this file holds, from a real import
        reference = imports.import_vcf(vault, admin, add_patient(vault, admin, "REF"), vcf, test_type="panel")
        expected_calls = reference.test.calls
        expected_findings = vault.query_one("SELECT count(*) FROM finding")[0]
    finally:
        vault.close()
        reader.shutdown_readers()
    assert expected_calls == len(reference.result.calls) > 50 and expected_findings > 0

    rng = random.Random(f"import-{SEED}")
    tally, started = Tally("import"), time.monotonic()
    reported: dict[str, int] = {}  # patient MRN -> test id, for every import reported committed
    may_be_unreported: set[str] = set()  # MRNs whose import was cut off before `done`
    for number in range(ROUNDS):
        operation = functools.partial(crash_children.import_files, folder=folder, vcf=vcf, round_no=number)
        round_ = crash(number, rng, operation, span=0.35)
        tally.count(round_)
        tally.notes["kills_while_storing"] += (round_.in_flight or [""])[0] == "storing"
        for mrn, test_id, calls in round_.done("import"):
            assert int(calls) == expected_calls, f"round {number}: {mrn} reported {calls} calls"
            reported[mrn] = int(test_id)
        if (flight := round_.interrupted("import")) is not None:
            may_be_unreported.add(flight[0])

        with reopened(folder, number) as vault:
            rows = vault.query(
                "SELECT t.id, p.mrn,"
                " (SELECT count(*) FROM variant_call c WHERE c.test_id = t.id) AS calls,"
                " (SELECT count(*) FROM finding f JOIN variant_call c ON c.id = f.call_id"
                "  WHERE c.test_id = t.id) AS findings"
                " FROM genetic_test t JOIN patient p ON p.id = t.patient_id"
            )
            audited = {int(d["test"]): d for d in audit_details(vault, "test.imported")}
            present = {row["mrn"]: row["id"] for row in rows}
            for row in rows:
                where = f"round {number}: test {row['id']} ({row['mrn']})"
                assert row["calls"] == expected_calls, f"{where} holds {row['calls']} of {expected_calls} calls"
                assert row["findings"] == expected_findings, f"{where} holds {row['findings']} findings"
                assert audited.get(row["id"], {}).get("calls_kept") == expected_calls, f"{where}: no audit event"
            assert set(audited) == set(present.values()), f"round {number}: audit events without their test"
            lost = {mrn for mrn, test_id in reported.items() if present.get(mrn) != test_id}
            assert not lost, f"round {number}: imports reported committed are gone: {sorted(lost)[:5]}"
            unreported = set(present) - set(reported) - {"REF"}
            assert unreported <= may_be_unreported, f"round {number}: imports nobody made: {sorted(unreported)}"
            tally.notes["committed_before_report"] = len(unreported)
    tally.notes["imports_reported"] = len(reported)
    tally.finish(started)
    assert reported, "no import ever completed: the kills all came too early"


# --- 2. consent changes --------------------------------------------------------------------------


def test_killed_consent_changes_are_whole_or_absent(keyring_vault: MadeVault) -> None:
    folder = keyring_vault.folder
    vault, admin = sign_in(folder)
    try:  # the first consent publishes the standard form text
        patient_id = add_patient(vault, admin, "CONSENT-1")
        first = record_consent(vault, admin, patient_id, kind="recontact", terms=ConsentTerms(),
                               how=crash_children.WITNESS).id
    finally:
        vault.close()

    rng = random.Random(f"consent-{SEED}")
    tally, started = Tally("consent"), time.monotonic()
    recorded: set[int] = {first}
    withdrawn: set[int] = set()
    cut_records = 0  # records cut off before `done`: each may or may not have committed
    cut_withdrawals: set[int] = set()
    for number in range(ROUNDS):
        operation = functools.partial(crash_children.change_consents, folder=folder, patient_id=patient_id)
        round_ = crash(number, rng, operation, span=0.25)
        tally.count(round_)
        recorded |= {int(w[0]) for w in round_.done("record")}
        withdrawn |= {int(w[0]) for w in round_.done("withdraw")}
        if round_.interrupted("record") is not None:
            cut_records += 1
        if (flight := round_.interrupted("withdraw")) is not None:
            cut_withdrawals.add(int(flight[0]))

        with reopened(folder, number) as vault:
            rows = vault.query(
                "SELECT c.id,"
                " (SELECT count(*) FROM consent_event e WHERE e.consent_id = c.id AND e.status = 'given') AS given,"
                " (SELECT count(*) FROM consent_event e WHERE e.consent_id = c.id AND e.status = 'withdrawn') AS withdrawn"
                " FROM consent c"
            )
            given_events = [int(d["consent"]) for d in audit_details(vault, "consent.given")]
            withdrawn_events = [int(d["consent"]) for d in audit_details(vault, "consent.withdrawn")]
            present = {row["id"] for row in rows}
            now_withdrawn = {row["id"] for row in rows if row["withdrawn"]}
            assert all(row["given"] == 1 and row["withdrawn"] <= 1 for row in rows), f"round {number}: a consent is half recorded"
            assert sorted(given_events) == sorted(present), f"round {number}: consents and their audit events differ"
            assert sorted(withdrawn_events) == sorted(now_withdrawn), f"round {number}: withdrawals and their audit events differ"
            assert recorded <= present, f"round {number}: consents lost: {sorted(recorded - present)[:5]}"
            assert withdrawn <= now_withdrawn, f"round {number}: withdrawals lost: {sorted(withdrawn - now_withdrawn)[:5]}"
            assert len(present - recorded) <= cut_records, f"round {number}: consents nobody recorded"
            assert now_withdrawn - withdrawn <= cut_withdrawals, f"round {number}: withdrawals nobody made"
            tally.notes["committed_before_report"] = len(present - recorded) + len(now_withdrawn - withdrawn)
    tally.notes["consents_reported"] = len(recorded)
    tally.notes["withdrawals_reported"] = len(withdrawn)
    tally.finish(started)


# --- 3. report drafts and finalization ------------------------------------------------------------


def test_killed_report_finalization_keeps_every_version_whole(keyring_vault: MadeVault, tmp_path: Path) -> None:
    folder = keyring_vault.folder
    vault, admin = sign_in(folder)
    try:  # a patient with a few findings to print
        patient_id = add_patient(vault, admin, "REPORT-1")
        vcf = lab_file(tmp_path / "report-lab.vcf", ("BRCA2", "MLH1"), 2)
        imports.import_vcf(vault, admin, patient_id, vcf, test_type="panel")
        printed = len(build_request(vault, patient_id, "clinician", author=admin.name).findings)
    finally:
        vault.close()
        reader.shutdown_readers()
    assert printed == 4

    rng = random.Random(f"report-{SEED}")
    tally, started = Tally("report"), time.monotonic()
    drafts: dict[tuple[str, int], str] = {}  # (report, version) -> sha256 reported saved as draft
    finals: dict[tuple[str, int], str] = {}
    cut_drafts = 0
    for number in range(ROUNDS):
        operation = functools.partial(crash_children.keep_reports, folder=folder, patient_id=patient_id)
        round_ = crash(number, rng, operation, span=0.5)
        tally.count(round_)
        drafts |= {(w[0], int(w[1])): w[2] for w in round_.done("draft")}
        finals |= {(w[0], int(w[1])): w[2] for w in round_.done("finalize")}
        cut_drafts += round_.interrupted("draft") is not None

        with reopened(folder, number) as vault:
            rows = vault.query(
                "SELECT r.number, v.version, v.status, v.sha256, v.size, v.pdf,"
                " (SELECT count(*) FROM report_version_finding f WHERE f.report_id = r.id"
                "  AND f.version = v.version) AS printed"
                " FROM report r LEFT JOIN report_version v ON v.report_id = r.id"
            )
            audited = {
                (str(d["report"]), int(d["version"]), str(d["status"]), str(d["sha256"]))
                for action in ("report.draft_saved", "report.finalized")
                for d in audit_details(vault, action)
            }
            kept = {}
            for row in rows:
                where = f"round {number}: report {row['number']}"
                assert row["version"] is not None, f"{where} has no version"
                pdf = bytes(row["pdf"])
                assert hashlib.sha256(pdf).hexdigest() == row["sha256"] and len(pdf) == row["size"], f"{where}: PDF torn"
                assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF"), f"{where}: PDF incomplete"
                assert row["printed"] == printed, f"{where}: {row['printed']} printed findings kept"
                assert (row["number"], row["version"], row["status"], row["sha256"]) in audited, f"{where}: no audit event"
                kept[(row["number"], row["version"])] = (row["status"], row["sha256"])
            for key, digest in finals.items():
                assert kept.get(key) == ("final", digest), f"round {number}: final {key} lost or changed"
            for key, digest in drafts.items():
                assert key in kept, f"round {number}: draft {key} lost"
                assert kept[key] == ("draft", digest) or kept[key][0] == "final", f"round {number}: draft {key} changed"
            unreported = {number_ for number_, _ in kept} - {number_ for number_, _ in drafts}
            assert len(unreported) <= cut_drafts, f"round {number}: reports nobody saved"
            tally.notes["committed_before_report"] = len(unreported)
    tally.notes["finals_reported"] = len(finals)
    tally.finish(started)
    assert finals, "no report was ever finalized: the kills all came too early"


# --- 4. backup over an older backup ---------------------------------------------------------------


def _patients_in(vault: Vault) -> set[str]:
    return {row["mrn"] for row in vault.query("SELECT mrn FROM patient")}


def test_killed_backup_leaves_the_old_file_or_a_whole_new_one(keyring_vault: MadeVault, tmp_path: Path) -> None:
    folder = keyring_vault.folder
    shelf = tmp_path / "backups"
    shelf.mkdir()
    destination = shelf / "clinic.gdbackup"
    vault, admin = sign_in(folder)
    try:
        for n in range(10):
            add_patient(vault, admin, f"BAK-SETUP-{n}")
        lifecycle.backup_vault(vault, destination, staff_name=admin.name)  # the older backup
        required = _patients_in(vault)  # what the file at the destination must restore
    finally:
        vault.close()

    rng = random.Random(f"backup-{SEED}")
    tally, started = Tally("backup"), time.monotonic()
    committed: set[str] = set(required)
    for number in range(ROUNDS):
        before = sha256_of(destination)
        operation = functools.partial(crash_children.back_up, folder=folder, destination=destination, round_no=number)
        round_ = crash(number, rng, operation, span=0.4, aim_at_steps=8)
        tally.count(round_)
        # Which patients each reported backup must hold: those committed before it started.
        expected = {before: required}
        so_far = set(committed)
        pending = set(so_far)
        for words in round_.lines:
            if words[:2] == ["done", "patient"]:
                so_far.add(words[2])
            elif words[:2] == ["started", "backup"]:
                pending = set(so_far)
            elif words[:2] == ["done", "backup"]:
                expected[words[2]] = pending
        committed = so_far
        reported = round_.done("backup")
        latest = reported[-1][0] if reported else before
        after = sha256_of(destination)
        if round_.interrupted("backup") is None:
            assert after == latest, f"round {number}: the backup file is not the last one reported"
        elif after not in (before, latest):
            expected[after] = pending  # the interrupted backup's new file: must be whole
            tally.notes["new_file_from_cut_backup"] += 1
        lifecycle._read_backup(destination)  # zip, manifest and check sum of the database copy
        required = expected[after]
        leftovers = sorted(p.name for p in shelf.iterdir() if p != destination)
        tally.notes["temp_files_left"] = len(leftovers)

        with reopened(folder, number) as vault:
            lost = committed - _patients_in(vault)
            assert not lost, f"round {number}: patients lost: {sorted(lost)[:5]}"
            audited = {str(d["sha256"]) for d in audit_details(vault, "vault.backed_up")}
            assert {w[0] for w in reported} <= audited, f"round {number}: a reported backup is not audited"
            # A backup file in place is a copy of every patient: its event must exist with it.
            assert after == before or after in audited, f"round {number}: a backup file nobody audited"
        if number % RESTORE_EVERY == 0 or number == ROUNDS - 1:
            target = tmp_path / f"restored-{number}"
            restored = restore_vault(destination, target).vault
            try:
                check = verify_vault(restored)
                assert check.ok, f"round {number}: restored backup: {check.problems()}"
                missing = required - _patients_in(restored)
                assert not missing, f"round {number}: the backup lacks patients: {sorted(missing)[:5]}"
            finally:
                restored.close()
                shutil.rmtree(target)
            tally.notes["restored"] += 1
    tally.finish(started)


# --- 5. re-key -------------------------------------------------------------------------------------


def test_killed_rekey_leaves_a_vault_the_keyring_opens(keyring_vault: MadeVault) -> None:
    folder = keyring_vault.folder
    vault, admin = sign_in(folder)
    try:
        for n in range(5):
            add_patient(vault, admin, f"KEY-{n}")
        everyone = _patients_in(vault)
        current = vault.key_fingerprint
    finally:
        vault.close()

    rng = random.Random(f"rekey-{SEED}")
    tally, started = Tally("rekey"), time.monotonic()
    seen = {current}
    reported: list[str] = []
    operation = functools.partial(crash_children.change_keys, folder=folder)
    for number in range(ROUNDS):
        round_ = crash(number, rng, operation, span=3.0, aim_at_steps=16)
        tally.count(round_)
        done = [w[0] for w in round_.done("rekey")]
        reported += done
        latest = done[-1] if done else current

        with reopened(folder, number) as vault:  # with the keyring: whichever key won
            won = vault.key_fingerprint
            if round_.interrupted("rekey") is None:
                assert won == latest, f"round {number}: the vault does not use the last key reported"
            else:
                assert won == latest or won not in seen, f"round {number}: an older key came back"
                tally.notes["new_key_won"] += won != latest
            keyfile = KeyFile.read(folder / "vault.key")
            assert [e.fingerprint for e in keyfile.entries] == [won], f"round {number}: key file not settled"
            in_keyring = custody.load_key(keyfile.vault_id)
            assert in_keyring is not None and key_fingerprint(in_keyring) == won, f"round {number}: keyring"
            assert _patients_in(vault) == everyone, f"round {number}: patients changed"
            audited = {str(d["key_fingerprint"]) for d in audit_details(vault, "vault.rekeyed")}
            assert set(done) <= audited, f"round {number}: a reported re-key is not audited"
            assert won == current or won in audited, f"round {number}: the new key is not audited"
        tally.notes["rekey_copy_left_after_open"] += (folder / "vault.db.rekey").exists()
        current = won
        seen.add(won)
    tally.notes["rekeys_reported"] = len(reported)
    tally.finish(started)
    assert reported, "no re-key ever completed: the kills all came too early"
