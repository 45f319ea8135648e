"""A full disk or a file-size limit in the middle of an import, a backup or a PDF export.

Each case runs the real `genedesk` command in a child process: on a tiny tmpfs that fills up
(support.on_small_disk, a private mount namespace), or under RLIMIT_FSIZE (as on a FAT32 drive or
an account with a file-size quota, where writing past the limit fails with EFBIG). Each must end
with exit code 1, a message that says what could not be written and where, in a counsellor's
words (no errno text alone, no SQLite wording, no traceback), no partial file left, and the vault
byte for byte as it was before.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from genedesk.core import patients, staff
from genedesk.core.knowledge.genes import shipped_genes
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store as reports
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.vault import open_vault
from genedesk.core.vault.store import DB_NAME, KEY_NAME
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, MadeVault, on_small_disk, snapshot, write_vcf

GENEDESK = [sys.executable, "-m", "genedesk.cli.main"]
RAW_WORDS = ("Traceback", "Errno", "OSError", "sqlcipher", "database or disk is full",
             "disk I/O error", "Something unexpected")


@pytest.fixture
def clinic(passphrase_vault: MadeVault) -> MadeVault:
    """A passphrase-mode vault (no keyring needed) with one patient and one final report."""
    with open_vault(passphrase_vault.folder, passphrase=PASSPHRASE).vault as vault:
        admin = staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
        patient = patients.add_patient(
            vault, admin, PatientDetails("FULL-1", "Dana", "Diskfull", "1975-05-05", "female"))
        request = build_request(vault, patient.id, "clinician", author=admin.name,
                                signer=Signer(admin.name, "Counsellor"))
        reports.finalize(vault, admin, request)
    assert sorted(snapshot(passphrase_vault.folder)) == [DB_NAME, KEY_NAME]
    return passphrase_vault


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "GENEDESK_VAULT": str(folder), "GENEDESK_USER": ADMIN,
            "GENEDESK_PASSWORD": ADMIN_PASSWORD, "GENEDESK_PASSPHRASE": PASSPHRASE,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _big_vcf(path: Path, records: int) -> Path:
    """Calls inside BRCA2 (from the shipped gene table), all kept: enough rows to fill pages."""
    region = shipped_genes().gene("BRCA2").region("GRCh38")
    assert region is not None
    step = max((region.end - region.start) // (records + 1), 1)
    rows = [(region.chrom, region.start + step * (n + 1), "A", "G", "0/1") for n in range(records)]
    return write_vcf(path, "GRCh38", rows)


def _assert_counsellor_message(stderr: str, *words: str) -> None:
    for word in words:
        assert word in stderr, stderr
    for raw in RAW_WORDS:
        assert raw not in stderr, stderr


def _left_on_disk(stdout: str) -> list[str]:
    line = next(x for x in stdout.splitlines() if x.startswith("LEFT-ON-DISK:"))
    return sorted(line.removeprefix("LEFT-ON-DISK:").split())


def _copy_in_and_out(source: Path, disk: Path, after: Path, argv: list[str]) -> list[str]:
    """A shell step for on_small_disk: put the vault on the small disk, run argv, copy the vault's
    files back out (so the test can compare them), and keep argv's exit code."""
    script = (
        'cp -p "$1/vault.db" "$1/vault.key" "$2/" || exit 98; shift 3; "$@"; rc=$?; '
        f'mkdir -p "{after}"; for f in "{disk}"/vault.*; do [ "${{f##*/}}" = vault.lock ] || '
        f'cp -p "$f" "{after}/"; done; exit $rc'
    )
    return ["sh", "-c", script, "sh", str(source), str(disk), "-", *argv]


# --- (1) importing a VCF -------------------------------------------------------------------------


def test_a_full_disk_during_an_import_saves_nothing_and_says_so(clinic: MadeVault, tmp_path: Path) -> None:
    vcf = _big_vcf(tmp_path / "exome.vcf", 2000)
    before = snapshot(clinic.folder)
    disk, after = tmp_path / "disk", tmp_path / "after"
    disk.mkdir()
    # Room for the vault, its key and the 32 KiB -shm, and a little for the -wal: the import's
    # transaction runs out of space part-way.
    size_kib = (sum(len(b) for b in before.values()) + 96 * 1024) // 1024
    command = on_small_disk(disk, size_kib, _copy_in_and_out(
        clinic.folder, disk, after, [*GENEDESK, "import", "FULL-1", str(vcf), "--test-type", "exome"]))
    child = subprocess.run(command, env=_env(disk), capture_output=True, text=True, timeout=300)
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "not enough space", str(disk), "Nothing was changed")
    assert snapshot(after) == before
    assert _left_on_disk(child.stdout) == [DB_NAME, KEY_NAME, "vault.lock"]


def test_a_file_size_limit_during_an_import_saves_nothing_and_says_so(
    clinic: MadeVault, tmp_path: Path
) -> None:
    vcf = _big_vcf(tmp_path / "exome.vcf", 2000)
    before = snapshot(clinic.folder)
    # The vault file is only read; the -wal may not grow past 64 KiB (16 pages).
    child = subprocess.run([*GENEDESK, "import", "FULL-1", str(vcf), "--test-type", "exome"],
                           env=_env(clinic.folder), capture_output=True, text=True, timeout=300,
                           preexec_fn=_file_size_limit(64 * 1024))
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "refused to save", str(clinic.folder), "Nothing was changed")
    assert snapshot(clinic.folder) == before
    with open_vault(clinic.folder, passphrase=PASSPHRASE).vault as vault:
        assert vault.query_one("SELECT count(*) FROM genetic_test")[0] == 0
    assert snapshot(clinic.folder) == before


def test_a_limit_too_small_to_open_the_vault_is_not_called_damage(
    clinic: MadeVault, tmp_path: Path
) -> None:
    """Opening writes the 32 KiB -shm file; a refusal there once read as "the vault is damaged,
    restore a backup", which would send a clinic to an older backup for nothing."""
    before = snapshot(clinic.folder)
    child = subprocess.run([*GENEDESK, "patient", "list"], env=_env(clinic.folder),
                           capture_output=True, text=True, timeout=120,
                           preexec_fn=_file_size_limit(8 * 1024))
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "refused to open the vault", str(clinic.folder))
    assert "damaged" not in child.stderr and "restore" not in child.stderr
    assert snapshot(clinic.folder) == before


# --- (2) backing up ----------------------------------------------------------------------------


def test_a_full_backup_drive_in_passphrase_mode(clinic: MadeVault, tmp_path: Path) -> None:
    """The keyring-free twin of tests/core/vault's full-disk backup test."""
    before = snapshot(clinic.folder)
    usb = tmp_path / "usb"
    usb.mkdir()
    command = on_small_disk(usb, 16, [*GENEDESK, "vault", "backup", str(usb / "clinic.gdbackup")])
    child = subprocess.run(command, env=_env(clinic.folder), capture_output=True, text=True, timeout=120)
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "not enough space", str(usb), "Nothing was changed")
    assert _left_on_disk(child.stdout) == []
    assert snapshot(clinic.folder) == before


@pytest.mark.parametrize("where", ["vault copy", "backup file"])
def test_a_file_size_limit_during_a_backup(clinic: MadeVault, tmp_path: Path, where: str) -> None:
    """A drive that takes files only up to a size (FAT32: 4 GB): the copy of the vault or the
    backup file itself (the copy, its key and manifest) goes past the limit."""
    before = snapshot(clinic.folder)
    usb = tmp_path / "usb"
    usb.mkdir()
    db_size = len(before[DB_NAME])
    limit = 64 * 1024 if where == "vault copy" else db_size + 512
    child = subprocess.run([*GENEDESK, "vault", "backup", str(usb / "clinic.gdbackup")],
                           env=_env(clinic.folder), capture_output=True, text=True, timeout=120,
                           preexec_fn=_file_size_limit(limit))
    assert child.returncode == 1, child.stderr
    words = ("not enough space",) if where == "vault copy" else ("The backup is too large",)
    _assert_counsellor_message(child.stderr, *words, str(usb), "Nothing was changed")
    assert list(usb.iterdir()) == []
    assert snapshot(clinic.folder) == before


# --- (3) exporting a PDF ------------------------------------------------------------------------

_EXPORT = """
import sys
from pathlib import Path
from genedesk.core import staff
from genedesk.core.errors import GeneDeskError
from genedesk.core.reports import store
from genedesk.core.vault import open_vault
with open_vault(Path(sys.argv[1]), passphrase=sys.argv[2]).vault as vault:
    me = staff.sign_in(vault, sys.argv[3], sys.argv[4])
    (kept,) = store.reports_of(vault, 1)
    try:
        store.export(vault, me, kept.report_id, kept.version, Path(sys.argv[5]))
    except GeneDeskError as error:
        print(error, file=sys.stderr)
        sys.exit(error.exit_code)
"""


def _export(clinic: MadeVault, out: Path) -> list[str]:
    """The window's export of a kept report version (reports_tab calls store.export)."""
    return [sys.executable, "-c", _EXPORT, str(clinic.folder), PASSPHRASE, ADMIN, ADMIN_PASSWORD,
            str(out)]


@pytest.mark.parametrize("limit", ["full disk", "file size limit"])
def test_exporting_a_kept_report_to_a_full_drive(clinic: MadeVault, tmp_path: Path, limit: str) -> None:
    before = snapshot(clinic.folder)
    usb = tmp_path / "usb"
    usb.mkdir()
    out = usb / "letter.pdf"
    if limit == "full disk":
        child = subprocess.run(on_small_disk(usb, 8, _export(clinic, out)), env=_env(clinic.folder),
                               capture_output=True, text=True, timeout=120)
        assert _left_on_disk(child.stdout) == []
        words: tuple[str, ...] = ("not enough space",)
    else:
        # Above the vault's 32 KiB -shm file, below the PDF's size.
        limit_bytes = 36 * 1024
        with open_vault(clinic.folder, passphrase=PASSPHRASE).vault as vault:
            assert reports.reports_of(vault, 1)[0].size > limit_bytes
        child = subprocess.run(_export(clinic, out), env=_env(clinic.folder), capture_output=True,
                               text=True, timeout=120, preexec_fn=_file_size_limit(limit_bytes))
        assert list(usb.iterdir()) == []
        words = ("too large",)
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, *words, "R-0", str(usb), "Nothing was changed")
    assert snapshot(clinic.folder) == before  # not even the audit event of the failed export


def test_the_report_command_on_a_full_drive(clinic: MadeVault, tmp_path: Path) -> None:
    """`genedesk report` to a full USB drive: exit 1, the reason in plain words, no partial PDF."""
    usb = tmp_path / "usb"
    usb.mkdir()
    command = on_small_disk(usb, 8, [*GENEDESK, "report", "FULL-1", "--kind", "clinician",
                                     "--out", str(usb / "letter.pdf")])
    child = subprocess.run(command, env=_env(clinic.folder), capture_output=True, text=True, timeout=120)
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "not enough space", "R-0", str(usb))
    assert _left_on_disk(child.stdout) == []


def test_a_report_command_that_could_not_write_its_pdf_keeps_no_new_version(
    clinic: MadeVault, tmp_path: Path
) -> None:
    before = snapshot(clinic.folder)
    usb = tmp_path / "usb"
    usb.mkdir()
    command = on_small_disk(usb, 8, [*GENEDESK, "report", "FULL-1", "--kind", "patient",
                                     "--out", str(usb / "letter.pdf")])
    child = subprocess.run(command, env=_env(clinic.folder), capture_output=True, text=True, timeout=120)
    assert child.returncode == 1, child.stderr
    _assert_counsellor_message(child.stderr, "not enough space", str(usb))
    assert snapshot(clinic.folder) == before
