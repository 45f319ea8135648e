"""Damaged bytes in a vault: GeneDesk says so and stops writing, or shows exactly the right data.

A vault holding real work (patients, an imported test with its findings, consents with their
signature, a final report) is built once. Each trial copies it, flips 1-3 bytes at random offsets
(the first page with its salt, a middle page, the last page, anywhere; or the -wal file while the
last changes still sit there) and then does what the program does: open the vault, sign in, read
everything a counsellor can see, and add a patient.

Each trial must end one of two ways:
- the damage is found (VaultDamagedError, whose message offers the backup) at open, on a read or on
  the write, and afterwards no write gets through: the damaged file is left byte for byte as it was;
- or everything read equals what the undamaged vault shows (the flip hit bytes nobody reads).
Wrong data shown, a raw sqlcipher3 error or any other exception fails the trial.

GENEDESK_CORRUPTION_TRIALS sets the number of trials (100 by default, 1000 by hand) and
GENEDESK_CORRUPTION_SEED repeats a run; the counts per outcome are printed (pytest -s).
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from genedesk.core import audit, findings, imports, patients, staff
from genedesk.core.consent import service as consent
from genedesk.core.consent.model import ConsentTerms
from genedesk.core.errors import GeneDeskError
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store as reports
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.vault import create_vault, open_vault, verify_vault
from genedesk.core.vault.store import DB_NAME, KEY_NAME, Vault, VaultDamagedError
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, gene_position, snapshot, write_vcf

TRIALS = int(os.environ.get("GENEDESK_CORRUPTION_TRIALS", "100"))
SEED = int(os.environ.get("GENEDESK_CORRUPTION_SEED", str(random.SystemRandom().randrange(2**32))))
PAGE = 4096


def _png() -> bytes:
    """A real PNG signature (a black stroke on white), so consent evidence is kept as a blob."""
    width, height = 40, 12
    rows = b"".join(
        b"\x00" + bytes(0 if y == height // 2 and 4 < x < width - 4 else 255 for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _fill(vault: Vault, work: Path) -> None:
    """A clinic's morning: patients, a small import with findings, consents, a final report."""
    admin = staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
    staff.add_staff(vault, admin, name="Cora Counsellor", role="counsellor", password="counsellor-password-1")
    first = patients.add_patient(vault, admin, PatientDetails("DMG-1", "Ines", "Integrity", "1971-02-03", "female"))
    for n in range(2, 30):
        patients.add_patient(vault, admin, PatientDetails(f"DMG-{n}", "Paul", f"Page{n}", "1980-01-01", "male"))
    records = [(*gene_position(gene, "GRCh38"), "A", "G", "0/1") for gene in ("BRCA2", "MLH1", "TP53")]
    vcf = write_vcf(work / "lab.vcf", "GRCh38", records, extra_info="CLNSIG=Pathogenic")
    imports.import_vcf(vault, admin, first.id, vcf, lab="Lab North", test_type="panel")
    shown = findings.list_findings(vault, first.id).shown
    findings.update_finding(vault, admin, shown[0].id, explanation=["A change we explain at the visit."])
    signed = consent.record_consent(vault, admin, first.id, kind="recontact", terms=ConsentTerms(),
                                    how=consent.HowGiven("signed", evidence=_png()))
    consent.record_consent(vault, admin, first.id, kind="secondary-findings", terms=ConsentTerms(),
                           how=consent.HowGiven("verbal", witness="Wendy Witness"))
    consent.withdraw_consent(vault, admin, signed.id, reason="Changed her mind",
                             how=consent.HowGiven("verbal", witness="Wendy Witness"))
    request = build_request(vault, first.id, "clinician", author=admin.name,
                            signer=Signer(admin.name, "Counsellor"))
    reports.finalize(vault, admin, request)
    reports.save_draft(vault, admin, build_request(vault, first.id, "patient", author=admin.name))


def read_everything(vault: Vault) -> dict[str, Any]:
    """What a counsellor can see, read through the same services the window and CLI use."""
    admin = staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
    shown: dict[str, Any] = {"me": admin, "staff": staff.list_staff(vault)}
    everyone = patients.search_patients(vault, "", limit=10_000)
    shown["patients"] = everyone
    for patient in everyone:
        found = findings.list_findings(vault, patient.id, include_all=True)
        tests = imports.tests_of(vault, patient.id)
        consents = consent.list_consents(vault, patient.id)
        versions = reports.reports_of(vault, patient.id)
        shown[f"patient:{patient.id}"] = {
            "record": patients.get_patient(vault, patient.id),
            "findings": found,
            "history": [findings.history(vault, f.id) for f in found.shown],
            "tests": tests,
            "calls": [imports.calls_of(vault, t.id) for t in tests],
            "consents": consents,
            "evidence": [consent.consent_evidence(vault, c.id) for c in consents],
            "requests": consent.list_requests(vault, patient.id),
            "reports": versions,
            "pdfs": [reports.pdf_bytes(vault, v.report_id, v.version) for v in versions],
        }
    shown["audit"] = audit.events(vault, limit=100_000)
    shown["chain"] = audit.verify_chain(vault)
    return shown


def _add_a_patient(vault: Vault) -> None:
    admin = staff.Staff(1, ADMIN, "admin")  # signed in above; signing in again would read more pages
    patients.add_patient(vault, admin, PatientDetails("NEW-1", "Nora", "Newcomer", "1990-09-09", "female"))


@dataclasses.dataclass
class Pristine:
    folder: Path  # the vault, closed and checkpointed: vault.db and vault.key only
    shown: dict[str, Any]
    wal_folder: Path  # the same vault with its last two changes still in vault.db-wal
    wal_shown: dict[str, Any]
    last_change_at: int  # where the frames of the -wal's last transaction begin
    before_last_change: dict[str, Any]  # what the vault shows without that transaction


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pristine]:
    work = tmp_path_factory.mktemp("corruption")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENEDESK_HOME", str(work / "home"))
        folder = work / "vault"
        made = create_vault(folder, admin_name=ADMIN, admin_password=ADMIN_PASSWORD,
                            passphrase_mode=True, passphrase=PASSPHRASE)
        try:
            _fill(made.vault, work)
        finally:
            made.vault.close()
        with open_vault(folder, passphrase=PASSPHRASE).vault as vault:
            shown = read_everything(vault)
        assert sorted(snapshot(folder)) == [DB_NAME, KEY_NAME]
        wal_folder = _with_changes_in_the_wal(folder, work / "wal-vault")
        wal_reference = work / "wal-reference"
        _copy_vault(wal_folder, wal_reference)
        with open_vault(wal_reference, passphrase=PASSPHRASE).vault as vault:
            wal_shown = read_everything(vault)
        assert len(wal_shown["patients"]) == len(shown["patients"]) + 2
        # The same -wal cut just before its last transaction, as a power cut during that commit
        # leaves it: what SQLite shows when that transaction's commit frame does not check out.
        last_change_at = _last_transaction_start((wal_folder / f"{DB_NAME}-wal").read_bytes())
        _copy_vault(wal_folder, wal_reference)
        with open(wal_reference / f"{DB_NAME}-wal", "r+b") as handle:
            handle.truncate(last_change_at)
        with open_vault(wal_reference, passphrase=PASSPHRASE).vault as vault:
            before_last_change = read_everything(vault)
        assert len(before_last_change["patients"]) == len(shown["patients"]) + 1
        yield Pristine(folder, shown, wal_folder, wal_shown, last_change_at, before_last_change)
    keyring.set_keyring(previous)


def _with_changes_in_the_wal(source: Path, target: Path) -> Path:
    """A copy taken while the program still had the vault open: two committed changes are only
    in vault.db-wal (as after a power cut), not yet copied into vault.db."""
    live = target.parent / "live"
    _copy_vault(source, live)
    opened = open_vault(live, passphrase=PASSPHRASE)
    admin = staff.sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)
    for mrn in ("WAL-1", "WAL-2"):
        patients.add_patient(opened.vault, admin, PatientDetails(mrn, "Wanda", "Wal", "1966-06-06", "female"))
    target.mkdir()
    for name in (DB_NAME, KEY_NAME, f"{DB_NAME}-wal"):
        shutil.copy2(live / name, target / name)
    opened.vault.close()
    assert (target / f"{DB_NAME}-wal").stat().st_size > 0
    return target


def _last_transaction_start(wal: bytes) -> int:
    """The offset of the first frame after the -wal's second-to-last commit frame (wal.c format:
    a 32-byte header, then frames of a 24-byte header and one page; commit frames give the
    database size in the frame header's second word)."""
    frame = 24 + PAGE
    commits = [32 + n * frame for n in range((len(wal) - 32) // frame)
               if struct.unpack(">I", wal[36 + n * frame : 40 + n * frame])[0]]
    assert len(commits) >= 2, "the -wal should hold two transactions"
    return commits[-2] + frame


def _copy_vault(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(mode=0o700)
    for name, data in snapshot(source).items():
        (target / name).write_bytes(data)


def _flip(path: Path, offsets: list[int], rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    for offset in offsets:
        data[offset] ^= rng.randrange(1, 256)
    path.write_bytes(bytes(data))


def _offsets(size: int, region: str, rng: random.Random) -> list[int]:
    pages = size // PAGE
    if region == "first page":
        start, end = 0, PAGE
    elif region == "salt":
        start, end = 0, 16
    elif region == "last page":
        start, end = size - PAGE, size
    elif region == "middle":
        start, end = (pages // 3) * PAGE, (2 * pages // 3 + 1) * PAGE
    else:  # anywhere, or the whole -wal file
        start, end = 0, size
    first = rng.randrange(start, end)
    return [first] + [rng.randrange(0, size) for _ in range(rng.randrange(0, 3))]


def _assert_says_restore(error: GeneDeskError) -> None:
    words = str(error)
    assert "damaged" in words and "backup" in words and "restore" in words, words
    for raw in ("sqlcipher", "Traceback", "malformed", "not a database", "DatabaseError"):
        assert raw not in words, words


def _trial(folder: Path, expected: dict[str, Any], earlier: dict[str, Any] | None = None) -> str:
    """Run the program's steps on a damaged copy; return where the damage was found.

    `earlier`: what the vault showed before its last transaction, accepted when every flip lies
    in that transaction's -wal frames, where a flip looks exactly like a power cut during the
    commit (SQLite then keeps the vault as it was before it, by design).
    """
    damaged_bytes = snapshot(folder)
    try:
        opened = open_vault(folder, passphrase=PASSPHRASE)
    except VaultDamagedError as error:
        _assert_says_restore(error)
        assert snapshot(folder) == damaged_bytes, "opening a damaged vault changed it"
        return "at open"
    vault = opened.vault
    try:
        try:
            shown = read_everything(vault)
        except VaultDamagedError as error:
            _assert_says_restore(error)
            with pytest.raises(VaultDamagedError, match="will not write"):
                _add_a_patient(vault)
            outcome = "on read"
        else:
            dropped = earlier is not None and shown != expected and shown == earlier
            if not dropped:
                assert shown == expected, "a damaged vault showed data that differs from the original"
            try:
                _add_a_patient(vault)
            except VaultDamagedError as error:
                _assert_says_restore(error)
                with pytest.raises(VaultDamagedError, match="will not write"):
                    _add_a_patient(vault)
                outcome = "on write"
            else:
                if dropped:
                    return "last change dropped, as after a power cut"
                # Nothing read was wrong and the change was kept: the flip hit bytes nobody reads.
                # Record whether `genedesk vault verify` would still have found it.
                return "harmless (verify finds it)" if not verify_vault(vault).ok else "harmless"
    finally:
        vault.close()
    after = snapshot(folder)
    assert after[DB_NAME] == damaged_bytes[DB_NAME], "a write reached a damaged vault"
    assert after[KEY_NAME] == damaged_bytes[KEY_NAME]
    return outcome


def _run_trials(source: Path, expected: dict[str, Any], target: Path, file_name: str,
                regions: list[str], trials: int, seed: int,
                last_change: tuple[int, dict[str, Any]] | None = None) -> Counter[str]:
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    for n in range(trials):
        _copy_vault(source, target)
        region = regions[n % len(regions)]
        offsets = _offsets((target / file_name).stat().st_size, region, rng)
        _flip(target / file_name, offsets, rng)
        try:
            in_last_change = last_change is not None and min(offsets) >= last_change[0]
            outcome = _trial(target, expected, last_change[1] if last_change and in_last_change else None)
        except (AssertionError, Exception) as failure:
            raise AssertionError(
                f"trial {n} (seed {seed}, {file_name} {region}, offsets {offsets}): {failure!r}"
            ) from failure
        counts[f"{region}: {outcome}"] += 1
        counts[outcome] += 1
    return counts


def _report(title: str, counts: Counter[str]) -> None:
    print(f"\n{title} (seed {SEED}):")
    for outcome, count in sorted(counts.items()):
        print(f"  {outcome:45} {count}")


def test_flipped_bytes_in_the_vault_file_are_found_or_harmless(
    pristine: Pristine, tmp_path: Path, no_keyring: None
) -> None:
    regions = ["salt", "first page", "middle", "last page", "anywhere"]
    counts = _run_trials(pristine.folder, pristine.shown, tmp_path / "trial", DB_NAME,
                         regions, TRIALS, SEED)
    _report(f"{TRIALS} trials on {DB_NAME}", counts)
    assert sum(counts[o] for o in ("at open", "on read", "on write")) > 0
    # The salt keys every page's check: a flip there can never go unnoticed.
    assert counts["salt: at open"] == sum(v for k, v in counts.items() if k.startswith("salt:"))


def test_flipped_bytes_in_the_wal_are_found_or_harmless(
    pristine: Pristine, tmp_path: Path, no_keyring: None
) -> None:
    trials = max(TRIALS // 4, 10)
    counts = _run_trials(pristine.wal_folder, pristine.wal_shown, tmp_path / "trial",
                         f"{DB_NAME}-wal", ["wal"], trials, SEED + 1,
                         (pristine.last_change_at, pristine.before_last_change))
    _report(f"{trials} trials on {DB_NAME}-wal", counts)
    assert counts["at open"] > 0


def test_the_command_tells_the_counsellor_to_restore(pristine: Pristine, tmp_path: Path) -> None:
    """The real `genedesk` command on a vault whose data pages are damaged: exit 1, the restore
    hint, no traceback, and the file unchanged."""
    folder = tmp_path / "vault"
    _copy_vault(pristine.folder, folder)
    db = folder / DB_NAME
    size = db.stat().st_size
    data = bytearray(db.read_bytes())
    for page in range(1, size // PAGE):  # every page but the first: the schema still reads
        data[page * PAGE + 100] ^= 0x40
    db.write_bytes(bytes(data))
    damaged_bytes = snapshot(folder)
    env = {**os.environ, "GENEDESK_VAULT": str(folder), "GENEDESK_USER": ADMIN,
           "GENEDESK_PASSWORD": ADMIN_PASSWORD, "GENEDESK_PASSPHRASE": PASSPHRASE,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    for argv in (["patient", "list"],
                 ["patient", "add", "--mrn", "X-1", "--given", "Al", "--family", "Ex",
                  "--dob", "1970-01-01", "--sex", "male"]):
        child = subprocess.run([sys.executable, "-m", "genedesk.cli.main", *argv], env=env,
                               capture_output=True, text=True, timeout=120)
        assert child.returncode == 1, child.stderr
        assert "damaged" in child.stderr and "genedesk vault restore" in child.stderr, child.stderr
        assert "Traceback" not in child.stderr and "sqlcipher" not in child.stderr
        assert snapshot(folder) == damaged_bytes


def test_a_vault_found_damaged_refuses_every_later_write(
    pristine: Pristine, tmp_path: Path, no_keyring: None
) -> None:
    """Once a read meets damage, even a write that touches only sound pages is refused."""
    folder = tmp_path / "vault"
    _copy_vault(pristine.folder, folder)
    opened = open_vault(folder, passphrase=PASSPHRASE)
    try:
        # Damage the file under the open vault, as a failing disk would between two reads.
        with open(folder / DB_NAME, "r+b") as handle:
            handle.seek(PAGE * ((folder / DB_NAME).stat().st_size // PAGE - 1) + 200)
            handle.write(b"\x00" * 8)
        opened.vault.connection.execute("PRAGMA cache_size = 0")  # forget the pages read so far
        with pytest.raises(VaultDamagedError):
            read_everything(opened.vault)
        assert opened.vault.is_damaged
        with pytest.raises(VaultDamagedError, match="will not write"):
            _add_a_patient(opened.vault)
    finally:
        opened.vault.close()
