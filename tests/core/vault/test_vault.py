"""Opening, refusing, recovering, re-keying, backing up and restoring real SQLCipher vaults."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlcipher3

from genedesk.core import patients, staff
from genedesk.core.atomic import atomic_write
from genedesk.core.errors import BadInputError, GeneDeskError, UsageError, VaultLockedError
from genedesk.core.patients import PatientDetails
from genedesk.core.vault import (
    backup_vault,
    custody,
    lifecycle,
    open_vault,
    recover_vault,
    rekey_vault,
    restore_vault,
    verify_vault,
)
from genedesk.core.vault.keyfile import KeyFile
from genedesk.core.vault.lock import VaultInUseError
from genedesk.core.vault.schema import LATEST, VaultTooNewError
from genedesk.core.vault.store import VaultDamagedError
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, MadeVault, on_small_disk, snapshot


def _add(folder: Path, mrn: str, passphrase: str | None = None) -> None:
    opened = open_vault(folder, passphrase=passphrase)
    try:
        admin = staff.sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)
        patients.add_patient(opened.vault, admin, PatientDetails(mrn, "Test", "Patient", "1980-01-01", "female"))
    finally:
        opened.vault.close()


def _mrns(folder: Path, passphrase: str | None = None) -> list[str]:
    opened = open_vault(folder, passphrase=passphrase)
    try:
        return [p.mrn for p in patients.search_patients(opened.vault)]
    finally:
        opened.vault.close()


def test_every_open_has_the_required_pragmas(keyring_vault: MadeVault) -> None:
    opened = open_vault(keyring_vault.folder)
    conn = opened.vault.connection
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert conn.execute("PRAGMA cipher_page_size").fetchone()[0] == "4096"
        assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert opened.vault.schema_version == LATEST
    finally:
        opened.vault.close()


def test_vault_files_are_private_and_hold_no_plain_sqlite(keyring_vault: MadeVault) -> None:
    db = keyring_vault.folder / "vault.db"
    assert not db.read_bytes().startswith(b"SQLite format 3")
    assert (db.stat().st_mode & 0o777) == 0o600
    assert ((keyring_vault.folder / "vault.key").stat().st_mode & 0o777) == 0o600
    with pytest.raises(sqlcipher3.DatabaseError):
        plain = sqlcipher3.connect(str(db))
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_wrong_key_in_keyring_is_refused_and_the_vault_is_untouched(keyring_vault: MadeVault) -> None:
    before = snapshot(keyring_vault.folder)
    custody.store_key(keyring_vault.vault_id, os.urandom(32))
    with pytest.raises(VaultLockedError, match="does not open this vault") as refused:
        open_vault(keyring_vault.folder)
    assert refused.value.exit_code == 4
    assert "recover" in str(refused.value)
    assert snapshot(keyring_vault.folder) == before


def test_missing_keyring_entry_points_to_recovery(keyring_vault: MadeVault) -> None:
    custody.forget_key(keyring_vault.vault_id)
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultLockedError, match="not in this computer's keyring"):
        open_vault(keyring_vault.folder)
    assert snapshot(keyring_vault.folder) == before


def test_recovery_after_the_keyring_entry_is_lost(keyring_vault: MadeVault) -> None:
    _add(keyring_vault.folder, "R-1")
    custody.forget_key(keyring_vault.vault_id)
    with pytest.raises(VaultLockedError):
        open_vault(keyring_vault.folder)
    recovered = recover_vault(keyring_vault.folder, recovery_key=keyring_vault.recovery_key)
    recovered.vault.close()
    assert custody.load_key(keyring_vault.vault_id) is not None
    assert _mrns(keyring_vault.folder) == ["R-1"]


def test_wrong_recovery_key_is_refused_and_nothing_changes(keyring_vault: MadeVault) -> None:
    from genedesk.core.vault.crypto import new_recovery_key

    custody.forget_key(keyring_vault.vault_id)
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultLockedError, match="does not belong to this vault"):
        recover_vault(keyring_vault.folder, recovery_key=new_recovery_key())
    assert snapshot(keyring_vault.folder) == before
    assert custody.load_key(keyring_vault.vault_id) is None


def test_missing_key_file_is_explained(keyring_vault: MadeVault) -> None:
    (keyring_vault.folder / "vault.key").unlink()
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultLockedError, match=r"key file vault\.key is missing") as refused:
        open_vault(keyring_vault.folder)
    assert "restore" in str(refused.value)
    assert snapshot(keyring_vault.folder) == before


def test_no_vault_in_folder(tmp_path: Path) -> None:
    with pytest.raises(VaultLockedError, match="There is no GeneDesk vault"):
        open_vault(tmp_path)


def test_passphrase_mode_on_a_pc_without_keyring(passphrase_vault: MadeVault) -> None:
    assert KeyFile.read(passphrase_vault.folder / "vault.key").mode == "passphrase"
    _add(passphrase_vault.folder, "P-1", PASSPHRASE)
    assert _mrns(passphrase_vault.folder, PASSPHRASE) == ["P-1"]


def test_wrong_or_missing_passphrase_is_refused(passphrase_vault: MadeVault) -> None:
    before = snapshot(passphrase_vault.folder)
    with pytest.raises(VaultLockedError, match="passphrase is not right") as refused:
        open_vault(passphrase_vault.folder, passphrase="not the passphrase")
    assert refused.value.exit_code == 4
    with pytest.raises(VaultLockedError, match="protected by a passphrase"):
        open_vault(passphrase_vault.folder)
    assert snapshot(passphrase_vault.folder) == before


def test_keyring_mode_needs_a_keyring(tmp_path: Path, no_keyring: None) -> None:
    from genedesk.core.vault import create_vault

    with pytest.raises(VaultLockedError, match="no keyring"):
        create_vault(tmp_path / "v", admin_name=ADMIN, admin_password=ADMIN_PASSWORD)
    assert not (tmp_path / "v" / "vault.db").exists()


def test_lost_passphrase_is_replaced_with_the_recovery_key(passphrase_vault: MadeVault) -> None:
    _add(passphrase_vault.folder, "P-2", PASSPHRASE)
    recover_vault(passphrase_vault.folder, recovery_key=passphrase_vault.recovery_key,
                  new_passphrase="a brand new passphrase").vault.close()
    assert _mrns(passphrase_vault.folder, "a brand new passphrase") == ["P-2"]
    with pytest.raises(VaultLockedError):
        open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)


def test_a_second_program_gets_in_use_not_corruption(keyring_vault: MadeVault) -> None:
    opened = open_vault(keyring_vault.folder)
    try:
        script = (
            "import sys\n"
            "from genedesk.core.vault import open_vault\n"
            "from genedesk.core.errors import GeneDeskError\n"
            "try:\n"
            f"    open_vault({str(keyring_vault.folder)!r})\n"
            "except GeneDeskError as e:\n"
            "    print(e.message); sys.exit(7)\n"
        )
        child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert child.returncode == 7, child.stderr
        assert "in use by GeneDesk (process" in child.stdout
        assert str(os.getpid()) in child.stdout
    finally:
        opened.vault.close()
    with pytest.raises(VaultInUseError):
        first = open_vault(keyring_vault.folder)
        try:
            open_vault(keyring_vault.folder)
        finally:
            first.vault.close()


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def test_flipped_byte_on_first_page_is_detected_at_open(keyring_vault: MadeVault) -> None:
    _flip(keyring_vault.folder / "vault.db", 100)
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultDamagedError, match="damaged") as refused:
        open_vault(keyring_vault.folder)
    assert "vault restore" in str(refused.value)
    assert snapshot(keyring_vault.folder) == before


def test_flipped_byte_deeper_in_the_file_is_found_by_verify(keyring_vault: MadeVault) -> None:
    for n in range(30):
        _add(keyring_vault.folder, f"F-{n}")
    db = keyring_vault.folder / "vault.db"
    size = db.stat().st_size
    assert size >= 3 * 4096
    _flip(db, size - 4096 + 700)  # inside the last page
    opened = open_vault(keyring_vault.folder)
    try:
        report = verify_vault(opened.vault)
    finally:
        opened.vault.close()
    assert not report.ok
    assert any("Encryption check" in p or "Database check" in p for p in report.problems())


def test_truncated_vault_is_refused(keyring_vault: MadeVault) -> None:
    db = keyring_vault.folder / "vault.db"
    db.write_bytes(db.read_bytes()[:5000])
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultDamagedError):
        open_vault(keyring_vault.folder)
    assert snapshot(keyring_vault.folder) == before


def test_vault_newer_than_the_program_is_refused_untouched(keyring_vault: MadeVault) -> None:
    opened = open_vault(keyring_vault.folder)
    opened.vault.connection.execute(f"PRAGMA user_version = {LATEST + 5}")
    opened.vault.close()
    before = snapshot(keyring_vault.folder)
    with pytest.raises(VaultTooNewError, match="newer GeneDesk"):
        open_vault(keyring_vault.folder)
    assert snapshot(keyring_vault.folder) == before


def _read_only_runner(folder: Path) -> list[str]:
    """A command prefix under which `folder` is read-only, even for root (CI runs as root)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        return []
    if shutil.which("unshare") is None:
        pytest.fail("running as root needs `unshare` (util-linux) to make a read-only folder")
    return ["unshare", "-m", "sh", "-c",
            f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"', "sh"]


def test_read_only_folder_gets_a_plain_message(passphrase_vault: MadeVault) -> None:
    folder = passphrase_vault.folder
    (folder / "vault.lock").unlink()
    before = snapshot(folder)
    prefix = _read_only_runner(folder)
    env = {**os.environ, "GENEDESK_VAULT": str(folder), "GENEDESK_USER": ADMIN,
           "GENEDESK_PASSWORD": ADMIN_PASSWORD, "GENEDESK_PASSPHRASE": PASSPHRASE}
    try:
        child = subprocess.run([*prefix, sys.executable, "-m", "genedesk.cli.main", "patient", "list"],
                               env=env, capture_output=True, text=True, timeout=120)
    finally:
        os.chmod(folder, 0o700)
    assert child.returncode == 1, child.stderr
    assert "not allowed to write" in child.stderr
    assert "Traceback" not in child.stderr
    assert snapshot(folder) == before


def test_backup_restores_into_an_empty_folder_with_only_the_recovery_key(
    keyring_vault: MadeVault, tmp_path: Path
) -> None:
    _add(keyring_vault.folder, "B-1")
    opened = open_vault(keyring_vault.folder)
    info = backup_vault(opened.vault, tmp_path / "clinic.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    assert (info.path.stat().st_mode & 0o777) == 0o600
    # A new PC: nothing in the keyring, an empty folder.
    custody.forget_key(keyring_vault.vault_id)
    target = tmp_path / "new-pc" / "vault"
    with pytest.raises(VaultLockedError, match="needs its recovery key"):
        restore_vault(info.path, target)
    restored = restore_vault(info.path, target, recovery_key=keyring_vault.recovery_key)
    try:
        assert [p.mrn for p in patients.search_patients(restored.vault)] == ["B-1"]
        assert verify_vault(restored.vault).ok
    finally:
        restored.vault.close()
    assert _mrns(target) == ["B-1"]


def test_passphrase_backup_restores_on_a_pc_without_keyring(passphrase_vault: MadeVault, tmp_path: Path) -> None:
    _add(passphrase_vault.folder, "B-2", PASSPHRASE)
    opened = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)
    info = backup_vault(opened.vault, tmp_path / "b.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    target = tmp_path / "elsewhere"
    restore_vault(info.path, target, recovery_key=passphrase_vault.recovery_key,
                  new_passphrase="another good passphrase").vault.close()
    assert _mrns(target, "another good passphrase") == ["B-2"]


def test_backup_of_another_vault_is_refused(keyring_vault: MadeVault, passphrase_vault: MadeVault,
                                            tmp_path: Path) -> None:
    opened = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)
    info = backup_vault(opened.vault, tmp_path / "other.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    before = snapshot(keyring_vault.folder)
    with pytest.raises(UsageError, match="backup of another vault"):
        restore_vault(info.path, keyring_vault.folder, recovery_key=passphrase_vault.recovery_key, replace=True)
    assert snapshot(keyring_vault.folder) == before


def test_restore_over_the_same_vault_needs_replace_and_keeps_the_old_file(
    keyring_vault: MadeVault, tmp_path: Path
) -> None:
    opened = open_vault(keyring_vault.folder)
    info = backup_vault(opened.vault, tmp_path / "b.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    _add(keyring_vault.folder, "AFTER-BACKUP")
    with pytest.raises(UsageError, match="--replace"):
        restore_vault(info.path, keyring_vault.folder)
    restore_vault(info.path, keyring_vault.folder, replace=True).vault.close()
    assert _mrns(keyring_vault.folder) == []
    assert list(keyring_vault.folder.glob("vault.db.before-restore-*"))


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 not a backup", os.urandom(3000)])
def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "bogus.gdbackup"
    bogus.write_bytes(content)
    with pytest.raises(BadInputError, match="not a GeneDesk backup") as refused:
        restore_vault(bogus, tmp_path / "target", recovery_key="x")
    assert refused.value.exit_code == 3
    assert not (tmp_path / "target").exists()


def test_a_damaged_backup_is_refused(keyring_vault: MadeVault, tmp_path: Path) -> None:
    opened = open_vault(keyring_vault.folder)
    info = backup_vault(opened.vault, tmp_path / "b.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    info.path.write_bytes(bytes(data))
    with pytest.raises(BadInputError):
        restore_vault(info.path, tmp_path / "t", recovery_key=keyring_vault.recovery_key)


def test_the_backup_is_written_in_blocks_and_its_check_sums_are_the_files(
    keyring_vault: MadeVault, tmp_path: Path
) -> None:
    """The backup is streamed from the vault copy into the zip (never whole in memory); the
    check sum returned and audited is the file's, and the manifest's is the vault copy's."""
    for n in range(30):
        _add(keyring_vault.folder, f"S-{n}")
    opened = open_vault(keyring_vault.folder)
    try:
        shelf = tmp_path / "usb"
        shelf.mkdir()
        info = backup_vault(opened.vault, shelf / "b.gdbackup", staff_name=ADMIN)
        event = opened.vault.query_one(
            "SELECT details FROM audit_event WHERE action = 'vault.backed_up'")
    finally:
        opened.vault.close()
    on_disk = info.path.read_bytes()
    assert info.sha256 == hashlib.sha256(on_disk).hexdigest() and info.size == len(on_disk)
    assert json.loads(event["details"])["sha256"] == info.sha256
    with zipfile.ZipFile(info.path) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        copy = archive.read("vault.db")
        assert archive.getinfo("vault.db").flag_bits & 0x08, "sizes written after the data"
    assert manifest["db_sha256"] == hashlib.sha256(copy).hexdigest()
    assert manifest["db_size"] == len(copy) > 0
    assert not copy.startswith(b"SQLite format 3"), "the copy inside is encrypted"
    assert sorted(p.name for p in shelf.iterdir()) == ["b.gdbackup"], "no snapshot left"


def test_a_backup_that_changes_after_it_was_checked_is_refused_while_copying(
    keyring_vault: MadeVault, tmp_path: Path
) -> None:
    """A restore checks the backup, then copies the vault out of it block by block, checking it
    again: a backup on a drive that changed in between must not become the vault."""
    opened = open_vault(keyring_vault.folder)
    info = backup_vault(opened.vault, tmp_path / "b.gdbackup", staff_name=ADMIN)
    opened.vault.close()
    checked = lifecycle._read_backup(info.path)
    with zipfile.ZipFile(info.path) as archive:
        entry = archive.getinfo("vault.db")
    data = bytearray(info.path.read_bytes())
    data[entry.header_offset + 30 + len(entry.filename) + entry.compress_size // 2] ^= 0xFF
    info.path.write_bytes(bytes(data))
    target = tmp_path / "restored"
    target.mkdir()
    with pytest.raises(BadInputError, match="damaged"):
        atomic_write(target / "vault.db.restoring", checked.copy_database)
    assert list(target.iterdir()) == [], "nothing of the copy is left"


def test_full_disk_during_backup_leaves_nothing_and_says_so(keyring_vault: MadeVault, tmp_path: Path) -> None:
    for n in range(40):
        _add(keyring_vault.folder, f"D-{n}")
    before = snapshot(keyring_vault.folder)
    usb = tmp_path / "usb"
    usb.mkdir()
    env = {**os.environ, "GENEDESK_VAULT": str(keyring_vault.folder), "GENEDESK_USER": ADMIN,
           "GENEDESK_PASSWORD": ADMIN_PASSWORD}
    command = on_small_disk(usb, 16, [sys.executable, "-m", "genedesk.cli.main", "vault", "backup",
                                      str(usb / "clinic.gdbackup")])
    child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == 1, child.stderr
    assert "not enough space" in child.stderr
    assert "Nothing was changed" in child.stderr
    assert "LEFT-ON-DISK: \n" in child.stdout or child.stdout.rstrip().endswith("LEFT-ON-DISK:")
    assert snapshot(keyring_vault.folder) == before


def test_rekey_gives_a_new_key_and_recovery_key(keyring_vault: MadeVault, tmp_path: Path) -> None:
    _add(keyring_vault.folder, "K-1")
    old_key = custody.load_key(keyring_vault.vault_id)
    opened = open_vault(keyring_vault.folder)
    rekeyed = rekey_vault(opened.vault, staff_name=ADMIN)
    try:
        assert rekeyed.recovery_key and rekeyed.recovery_key != keyring_vault.recovery_key
        assert verify_vault(rekeyed.vault).ok
    finally:
        rekeyed.vault.close()
    assert custody.load_key(keyring_vault.vault_id) != old_key
    assert custody.load_key(keyring_vault.vault_id, previous=True) is None
    assert len(KeyFile.read(keyring_vault.folder / "vault.key").entries) == 1
    assert _mrns(keyring_vault.folder) == ["K-1"]
    assert not list(keyring_vault.folder.glob("*.rekey"))
    custody.forget_key(keyring_vault.vault_id)
    with pytest.raises(VaultLockedError, match="does not belong"):
        recover_vault(keyring_vault.folder, recovery_key=keyring_vault.recovery_key)
    recover_vault(keyring_vault.folder, recovery_key=rekeyed.recovery_key).vault.close()
    assert _mrns(keyring_vault.folder) == ["K-1"]


def test_rekey_in_passphrase_mode(passphrase_vault: MadeVault) -> None:
    _add(passphrase_vault.folder, "K-2", PASSPHRASE)
    opened = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)
    rekeyed = rekey_vault(opened.vault, staff_name=ADMIN, passphrase=PASSPHRASE)
    rekeyed.vault.close()
    assert _mrns(passphrase_vault.folder, PASSPHRASE) == ["K-2"]


@pytest.mark.parametrize("stage", ["before_swap", "after_swap"])
def test_an_interrupted_rekey_leaves_a_vault_that_opens(keyring_vault: MadeVault, stage: str) -> None:
    """Kill a real child process in the middle of re-keying; the vault must still open."""
    _add(keyring_vault.folder, "I-1")
    # The child stops itself (SIGKILL) right before or right after the file swap.
    hook = "os.replace" if stage == "before_swap" else "fsync_dir"
    script = (
        "import os, signal\n"
        "import genedesk.core.vault.lifecycle as lc\n"
        "from genedesk.core.vault import open_vault, rekey_vault\n"
        "def die(*a, **k):\n"
        + ("    os.kill(os.getpid(), signal.SIGKILL)\n" if stage == "before_swap" else
           "    real_replace(*a, **k); os.kill(os.getpid(), signal.SIGKILL)\n")
        + "real_replace = os.replace\n"
        "class Boom:\n"
        "    pass\n"
        "def patched_replace(src, dst):\n"
        "    if str(src).endswith('.rekey'):\n"
        "        die(src, dst)\n"
        "    return real_replace(src, dst)\n"
        "lc.os.replace = patched_replace\n"
        f"opened = open_vault({str(keyring_vault.folder)!r})\n"
        f"rekey_vault(opened.vault, staff_name={ADMIN!r})\n"
    )
    assert hook
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert len(KeyFile.read(keyring_vault.folder / "vault.key").entries) == 2
    opened = open_vault(keyring_vault.folder)
    try:
        assert opened.notes, "an interrupted key change is reported"
        assert verify_vault(opened.vault).ok
        assert [p.mrn for p in patients.search_patients(opened.vault)] == ["I-1"]
    finally:
        opened.vault.close()
    assert len(KeyFile.read(keyring_vault.folder / "vault.key").entries) == 1
    assert custody.load_key(keyring_vault.vault_id, previous=True) is None


def test_damaged_key_file_is_explained(keyring_vault: MadeVault) -> None:
    (keyring_vault.folder / "vault.key").write_text("{ not json")
    with pytest.raises(VaultLockedError, match="damaged or is not a GeneDesk key file"):
        open_vault(keyring_vault.folder)


def test_init_refuses_an_existing_vault(keyring_vault: MadeVault) -> None:
    from genedesk.core.vault import create_vault

    before = snapshot(keyring_vault.folder)
    with pytest.raises(GeneDeskError, match="already a vault"):
        create_vault(keyring_vault.folder, admin_name="x", admin_password=ADMIN_PASSWORD)
    assert snapshot(keyring_vault.folder) == before


def test_leftovers_of_killed_rekeys_and_backups_are_cleared(passphrase_vault: MadeVault, tmp_path: Path) -> None:
    """A SIGKILL cannot clean up: a re-key's copy (a whole second vault file) goes at the next
    open, and a backup's temp file once it is clearly no one's write in progress."""
    from genedesk.core.vault import backup_vault, open_vault

    folder = passphrase_vault.folder
    (folder / "vault.db.rekey").write_bytes(b"\0" * 8192)
    (folder / "vault.db.rekey-wal").write_bytes(b"\0" * 32)
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    old = shelf / ".clinic.gdbackup.abc123.partial"
    fresh = shelf / ".clinic.gdbackup.def456.partial"
    other = shelf / ".another.gdbackup.abc123.partial"
    for leftover in (old, fresh, other):
        leftover.write_bytes(b"half a backup")
    two_hours_ago = os.stat(old).st_mtime - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))

    opened = open_vault(folder, passphrase=PASSPHRASE)
    try:
        assert not (folder / "vault.db.rekey").exists() and not (folder / "vault.db.rekey-wal").exists()
        backup_vault(opened.vault, shelf / "clinic.gdbackup", staff_name=ADMIN)
    finally:
        opened.vault.close()
    assert not old.exists(), "an hour-old temp file of this backup is removed"
    assert fresh.exists(), "a recent one may be another program's write in progress"
    assert other.exists(), "another backup's temp files are not ours to remove"
