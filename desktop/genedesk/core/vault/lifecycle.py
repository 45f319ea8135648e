"""Creating, opening, recovering, re-keying, backing up, restoring and verifying a vault.

A vault is a folder holding `vault.db` (SQLCipher 4, raw 256-bit key), `vault.key` (the key wrapped
under the recovery key, and under the passphrase in passphrase mode) and `vault.lock`. Every step
that replaces a file does so atomically, in an order that leaves a vault that still opens if the
program is killed between any two steps.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import os
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import sqlcipher3

from genedesk import __version__
from genedesk.core import audit, clock
from genedesk.core.atomic import atomic_write, explain_os_error, fsync_dir
from genedesk.core.errors import BadInputError, GeneDeskError, UsageError, VaultLockedError
from genedesk.core.vault import custody, schema
from genedesk.core.vault.crypto import (
    key_fingerprint,
    new_recovery_key,
    new_vault_key,
    normalise_recovery_key,
    unwrap_key,
    wrap_key,
)
from genedesk.core.vault.keyfile import KeyEntry, KeyFile, KeyMode
from genedesk.core.vault.lock import VaultLock
from genedesk.core.vault.store import (
    DB_NAME,
    KEY_NAME,
    LOCK_NAME,
    KeyRejected,
    Vault,
    apply_pragmas,
    connect,
    damaged,
    migrate,
)

log = logging.getLogger(__name__)

BACKUP_FORMAT = "genedesk-backup"
BACKUP_VERSION = 1
_CHUNK = 1 << 20  # backups and restores copy the database in blocks of this size, never whole
MIN_PASSPHRASE_LENGTH = 10


@dataclass
class OpenedVault:
    """A vault just created, recovered or re-keyed, with the recovery key to show once (if new)."""

    vault: Vault
    recovery_key: str | None = None
    notes: list[str] = field(default_factory=list)


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise UsageError(
            f"The passphrase is too short: use at least {MIN_PASSPHRASE_LENGTH} characters "
            "(a few unrelated words are easy to remember and hard to guess)."
        )


def _entry_for(key: bytes, recovery_key: str, *, vault_id: str, passphrase: str | None) -> KeyEntry:
    return KeyEntry(
        fingerprint=key_fingerprint(key),
        recovery=wrap_key(key, recovery_key, vault_id=vault_id, purpose="recovery"),
        passphrase=(
            wrap_key(key, passphrase, vault_id=vault_id, purpose="passphrase")
            if passphrase is not None
            else None
        ),
    )


def _has_vault(folder: Path) -> bool:
    return (folder / DB_NAME).exists()


def _remove_sidecars(db_path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{db_path}{suffix}")


def _finish_open(
    folder: Path, key: bytes, *, vault_id: str, lock: VaultLock, create: bool = False
) -> Vault:
    db_path = folder / DB_NAME
    conn = connect(db_path, key, create=create)
    try:
        apply_pragmas(conn, folder=folder)
        schema.check_version(int(conn.execute("PRAGMA user_version").fetchone()[0]))
        migrate(conn, folder=folder)
        row = conn.execute("SELECT value FROM vault_info WHERE key = 'vault_id'").fetchone()
        if row is not None and row[0] != vault_id:
            raise VaultLockedError(
                f"The key file in {folder} belongs to another vault.",
                hint="Restore this vault's own key file from a backup.",
            )
    except sqlcipher3.DatabaseError:
        conn.close()
        raise damaged(folder) from None
    except BaseException:
        conn.close()
        raise
    return Vault(
        folder, conn, vault_id=vault_id, key_fingerprint=key_fingerprint(key), lock=lock, key=key
    )


def create_vault(
    folder: Path,
    *,
    admin_name: str,
    admin_password: str,
    passphrase_mode: bool = False,
    passphrase: str | None = None,
) -> OpenedVault:
    """Make a new vault with its first admin; return it open, with the recovery key to show once."""
    from genedesk.core import staff  # staff needs the vault; the vault needs staff only here

    staff.check_new_password(admin_password)
    staff.check_name(admin_name)
    folder = Path(folder)
    if _has_vault(folder):
        raise UsageError(f"There is already a vault in {folder}.", hint="Choose an empty folder.")
    if not passphrase_mode and not custody.keyring_available():
        raise VaultLockedError(
            "This computer has no keyring to keep the vault key in.",
            hint="Create the vault in passphrase mode (`genedesk init --passphrase-mode`): "
            "a passphrase you choose will protect the key instead.",
        )
    if passphrase_mode:
        if passphrase is None:
            raise UsageError("Passphrase mode needs a passphrase.")
        _check_passphrase(passphrase)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise explain_os_error(error, "the new vault", folder) from None

    lock = VaultLock(folder / LOCK_NAME)
    lock.acquire()
    try:
        key = new_vault_key()
        recovery_key = new_recovery_key()
        vault_id = str(uuid.uuid4())
        mode: KeyMode = "passphrase" if passphrase_mode else "keyring"
        building = folder / (DB_NAME + ".creating")
        for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        conn = connect(building, key, create=True)
        try:
            if os.name == "posix":
                os.chmod(building, 0o600)
            apply_pragmas(conn, folder=folder)
            migrate(conn, folder=folder)
            created = clock.stamp()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO vault_info (key, value) VALUES (?, ?)",
                [
                    ("vault_id", vault_id),
                    ("created_at", created),
                    ("created_by_version", __version__),
                ],
            )
            conn.execute("COMMIT")
        finally:
            with contextlib.suppress(sqlcipher3.DatabaseError):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        keyfile = KeyFile(
            vault_id=vault_id,
            mode=mode,
            created_at=created,
            entries=(_entry_for(key, recovery_key, vault_id=vault_id, passphrase=passphrase),),
        )
        keyfile.write(folder / KEY_NAME)
        if mode == "keyring":
            custody.store_key(vault_id, key)
        os.replace(building, folder / DB_NAME)
        fsync_dir(folder)
        vault = _finish_open(folder, key, vault_id=vault_id, lock=lock)
    except BaseException:
        lock.release()
        raise
    staff.add_first_admin(vault, admin_name, admin_password)
    log.info("vault created (%s mode)", mode)
    return OpenedVault(vault, recovery_key=recovery_key)


def _keys_from_keyring(keyfile: KeyFile) -> list[bytes]:
    if not custody.keyring_available():
        raise VaultLockedError(
            "This vault keeps its key in the computer's keyring, and no keyring is available here.",
            hint="Run `genedesk vault recover` with the recovery key to open it with a passphrase.",
        )
    known = {entry.fingerprint for entry in keyfile.entries}
    found = [
        key
        for key in (
            custody.load_key(keyfile.vault_id),
            custody.load_key(keyfile.vault_id, previous=True),
        )
        if key is not None
    ]
    if not found:
        raise VaultLockedError(
            "The key for this vault is not in this computer's keyring.",
            hint="Run `genedesk vault recover` and type the recovery key from the recovery sheet.",
        )
    matching = [key for key in found if key_fingerprint(key) in known]
    if not matching:
        raise VaultLockedError(
            "The key in this computer's keyring does not open this vault.",
            hint="Run `genedesk vault recover` and type the recovery key from the recovery sheet.",
        )
    return matching


def _keys_from_passphrase(keyfile: KeyFile, passphrase: str | None) -> list[bytes]:
    if passphrase is None:
        raise VaultLockedError(
            "This vault is protected by a passphrase.",
            hint="Enter the passphrase (or set GENEDESK_PASSPHRASE).",
        )
    keys = [
        key
        for entry in keyfile.entries
        if entry.passphrase is not None
        and (
            key := unwrap_key(
                entry.passphrase, passphrase, vault_id=keyfile.vault_id, purpose="passphrase"
            )
        )
        is not None
    ]
    if not keys:
        raise VaultLockedError(
            "The passphrase is not right.",
            hint="Check Caps Lock and try again. If it is lost, `genedesk vault recover` sets a "
            "new one with the recovery key.",
        )
    return keys


def _settle_key_change(folder: Path, keyfile: KeyFile, used: bytes) -> list[str]:
    """After an interrupted key change, keep only the key the vault file really uses."""
    if len(keyfile.entries) == 1:
        return []
    used_fp = key_fingerprint(used)
    kept = tuple(entry for entry in keyfile.entries if entry.fingerprint == used_fp)
    KeyFile(keyfile.vault_id, keyfile.mode, keyfile.created_at, kept).write(folder / KEY_NAME)
    if keyfile.mode == "keyring":
        custody.store_key(keyfile.vault_id, used)
        custody.forget_key(keyfile.vault_id, previous=True)
    if used_fp == keyfile.entries[0].fingerprint:
        return ["A key change that was interrupted has been completed."]
    return [
        "A key change was interrupted before it finished; the vault still uses its previous key "
        "and its previous recovery key. Run `genedesk vault rekey` again if you still want a new one."
    ]


def _remove_stale_rekey_copy(folder: Path) -> None:
    """A re-key killed half-way leaves its re-encrypted copy (a whole second vault file) behind;
    with the lock held, no re-key is running, so it can go."""
    stale = folder / (DB_NAME + ".rekey")
    _remove_sidecars(stale)
    with contextlib.suppress(FileNotFoundError):
        stale.unlink()


# A backup interrupted (power cut, killed) leaves its temp file; one this old is no one's write.
STALE_PARTIAL_SECONDS = 3600


def _remove_stale_partials(destination: Path) -> None:
    now = time.time()
    for partial in destination.parent.glob(f".{glob.escape(destination.name)}.*.partial"):
        with contextlib.suppress(OSError):
            if now - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
                partial.unlink()


def open_vault(folder: Path, *, passphrase: str | None = None) -> OpenedVault:
    """Open an existing vault with the key from the keyring or the passphrase."""
    folder = Path(folder)
    if not _has_vault(folder):
        raise VaultLockedError(
            f"There is no GeneDesk vault in {folder}.",
            hint="Create one with `genedesk init`, or restore a backup with `genedesk vault restore`.",
        )
    keyfile = KeyFile.read(folder / KEY_NAME)
    if keyfile.mode == "keyring":
        candidates = _keys_from_keyring(keyfile)
    else:
        candidates = _keys_from_passphrase(keyfile, passphrase)
    if (folder / DB_NAME).stat().st_size % 4096:
        raise damaged(folder)
    lock = VaultLock(folder / LOCK_NAME)
    try:
        lock.acquire()
    except OSError as error:
        raise explain_os_error(error, "the vault lock", folder) from None
    try:
        for key in candidates:
            try:
                vault = _finish_open(folder, key, vault_id=keyfile.vault_id, lock=lock)
            except KeyRejected:
                continue
            notes = _settle_key_change(folder, keyfile, key)
            _remove_stale_rekey_copy(folder)
            log.info("vault opened (%s mode)", keyfile.mode)
            return OpenedVault(vault, notes=notes)
        # The key matched the key file, so the file itself no longer reads as it should.
        raise damaged(folder)
    except BaseException:
        lock.release()
        raise


def _unwrap_with_recovery(keyfile: KeyFile, recovery_key: str) -> bytes:
    normalised = normalise_recovery_key(recovery_key)
    for entry in keyfile.entries:
        key = unwrap_key(entry.recovery, normalised, vault_id=keyfile.vault_id, purpose="recovery")
        if key is not None:
            return key
    raise VaultLockedError(
        "This recovery key does not belong to this vault.",
        hint="Check that you have the recovery sheet of this vault (its vault ID is printed on it).",
    )


def _rewrap_for_this_pc(
    keyfile: KeyFile, key: bytes, recovery_entry: KeyEntry, *, new_passphrase: str | None
) -> KeyFile:
    """The key file to keep on this PC: keyring mode where a keyring works, else passphrase mode."""
    if custody.keyring_available() and not (keyfile.mode == "passphrase" and new_passphrase):
        custody.store_key(keyfile.vault_id, key)
        entry = KeyEntry(recovery_entry.fingerprint, recovery_entry.recovery)
        return KeyFile(keyfile.vault_id, "keyring", keyfile.created_at, (entry,))
    if new_passphrase is None:
        raise VaultLockedError(
            "There is no keyring on this computer, so the vault needs a passphrase.",
            hint="Choose a new passphrase (set GENEDESK_PASSPHRASE or answer the prompt).",
        )
    _check_passphrase(new_passphrase)
    entry = KeyEntry(
        recovery_entry.fingerprint,
        recovery_entry.recovery,
        wrap_key(key, new_passphrase, vault_id=keyfile.vault_id, purpose="passphrase"),
    )
    return KeyFile(keyfile.vault_id, "passphrase", keyfile.created_at, (entry,))


def recover_vault(
    folder: Path, *, recovery_key: str, new_passphrase: str | None = None
) -> OpenedVault:
    """On a new PC or after a lost passphrase: unlock with the recovery key and keep the key here."""
    folder = Path(folder)
    keyfile = KeyFile.read(folder / KEY_NAME)
    key = _unwrap_with_recovery(keyfile, recovery_key)
    entry = next(e for e in keyfile.entries if e.fingerprint == key_fingerprint(key))
    lock = VaultLock(folder / LOCK_NAME)
    lock.acquire()
    try:
        probe = connect(folder / DB_NAME, key)
        probe.close()
    except KeyRejected:
        lock.release()
        raise damaged(folder) from None
    except BaseException:
        lock.release()
        raise
    try:
        _rewrap_for_this_pc(keyfile, key, entry, new_passphrase=new_passphrase).write(
            folder / KEY_NAME
        )
        vault = _finish_open(folder, key, vault_id=keyfile.vault_id, lock=lock)
    except BaseException:
        lock.release()
        raise
    with vault.transaction() as tx:
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=audit.SYSTEM,
            action="vault.recovered",
            subject="vault",
            details={"mode": KeyFile.read(folder / KEY_NAME).mode},
        )
    return OpenedVault(vault)


def rekey_vault(opened: Vault, *, staff_name: str, passphrase: str | None = None) -> OpenedVault:
    """Give the vault a new key and a new recovery key; the old recovery key stops working."""
    folder = opened.folder
    keyfile = KeyFile.read(folder / KEY_NAME)
    if keyfile.mode == "passphrase":
        if passphrase is None:
            raise VaultLockedError("Changing the key of this vault needs its passphrase.")
        _keys_from_passphrase(keyfile, passphrase)  # proves the passphrase before any change
    old_key = opened._key
    new_key = new_vault_key()
    recovery_key = new_recovery_key()
    fresh = folder / (DB_NAME + ".rekey")
    _remove_sidecars(fresh)
    with contextlib.suppress(FileNotFoundError):
        fresh.unlink()
    conn = opened.connection
    version = opened.schema_version
    try:
        conn.execute(f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\"", (str(fresh),))
        try:
            conn.execute("SELECT sqlcipher_export('rekeyed')")
            conn.execute(f"PRAGMA rekeyed.user_version = {version}")
        finally:
            conn.execute("DETACH DATABASE rekeyed")
        check = connect(fresh, new_key)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise GeneDeskError(
                    "The re-encrypted copy did not check out; the vault was not changed."
                )
            # The event goes into the re-encrypted copy, so it is there exactly when the copy
            # becomes the vault: a kill after the swap can no longer leave a key change unaudited.
            check.execute("BEGIN IMMEDIATE")
            audit.record(
                check,
                vault_id=keyfile.vault_id,
                staff=staff_name,
                action="vault.rekeyed",
                subject="vault",
                details={"key_fingerprint": key_fingerprint(new_key)},
            )
            check.execute("COMMIT")
        finally:
            check.close()
    except sqlcipher3.DatabaseError as error:
        with contextlib.suppress(FileNotFoundError):
            fresh.unlink()
        raise GeneDeskError(
            "The vault could not be re-encrypted; it was not changed.",
            hint=f"The disk may be full ({type(error).__name__}).",
        ) from None
    new_entry = _entry_for(new_key, recovery_key, vault_id=keyfile.vault_id, passphrase=passphrase)
    KeyFile(
        keyfile.vault_id, keyfile.mode, keyfile.created_at, (new_entry, *keyfile.entries)
    ).write(folder / KEY_NAME)
    if keyfile.mode == "keyring":
        custody.store_key(keyfile.vault_id, old_key, previous=True)
        custody.store_key(keyfile.vault_id, new_key)
    lock = opened.detach_lock()
    assert lock is not None, "an open vault holds its lock"
    opened.close()
    _remove_sidecars(folder / DB_NAME)
    os.replace(fresh, folder / DB_NAME)
    fsync_dir(folder)
    KeyFile(keyfile.vault_id, keyfile.mode, keyfile.created_at, (new_entry,)).write(
        folder / KEY_NAME
    )
    if keyfile.mode == "keyring":
        custody.forget_key(keyfile.vault_id, previous=True)
    vault = _finish_open(folder, new_key, vault_id=keyfile.vault_id, lock=lock)
    log.info("vault re-keyed")
    return OpenedVault(vault, recovery_key=recovery_key)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    sha256: str
    vault_id: str
    schema_version: int
    created_at: str


def backup_vault(vault: Vault, destination: Path, *, staff_name: str) -> BackupInfo:
    """Write one file holding an encrypted copy of the vault and its wrapped key material."""
    destination = Path(destination).absolute()
    if destination.is_dir():
        raise UsageError(f"{destination} is a folder; give a file name for the backup.")
    if not destination.parent.is_dir():
        raise UsageError(f"The folder {destination.parent} does not exist.")
    keyfile_bytes = (vault.folder / KEY_NAME).read_bytes()
    _remove_stale_partials(destination)
    snapshot = destination.parent / f".{destination.name}.snapshot"
    _remove_snapshot(snapshot)
    try:
        try:
            target = connect(snapshot, vault._key, create=True)
            try:
                if os.name == "posix":
                    os.chmod(snapshot, 0o600)
                vault.connection.backup(target)
            finally:
                target.close()
        except sqlcipher3.DatabaseError:
            raise GeneDeskError(
                f"There is not enough space to write the backup in {destination.parent}.",
                hint="Free some space or choose another drive. Nothing was changed.",
            ) from None
        except OSError as error:
            raise explain_os_error(error, "the backup", destination.parent) from None
        return _pack_backup(vault, destination, snapshot, keyfile_bytes, staff_name)
    finally:
        _remove_snapshot(snapshot)


def _remove_snapshot(snapshot: Path) -> None:
    _remove_sidecars(snapshot)
    with contextlib.suppress(FileNotFoundError):
        snapshot.unlink()


def _copy_hashed(source: IO[bytes], sink: Callable[[bytes], object] | None = None) -> str:
    """Read `source` to its end in blocks (passing each to `sink`); its SHA-256, in hex."""
    digest = hashlib.sha256()
    while block := source.read(_CHUNK):
        digest.update(block)
        if sink is not None:
            sink(block)
    return digest.hexdigest()


class _HashingWriter:
    """Passes writes on to a file, hashing and counting them. It cannot seek, so zipfile writes
    every entry once, in order (sizes in data descriptors): the hash is the whole file's."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> None:
        """The file is atomic_write's to close."""


def _pack_backup(
    vault: Vault,
    destination: Path,
    snapshot: Path,
    keyfile_bytes: bytes,
    staff_name: str,
) -> BackupInfo:
    """The backup file from the encrypted snapshot, streamed: memory stays flat however large
    the vault (it holds ClinVar releases of ~425 MB each). The snapshot is read once: hashed
    while it is copied in, and the manifest that carries the hash follows it."""
    created = clock.stamp()
    manifest: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "vault_id": vault.vault_id,
        "schema_version": vault.schema_version,
        "created_at": created,
        "program_version": __version__,
        "db_size": snapshot.stat().st_size,
    }
    written: list[_HashingWriter] = []

    def pack(handle: BinaryIO) -> None:
        out = _HashingWriter(handle)
        written.append(out)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            entry = zipfile.ZipInfo(DB_NAME, date_time=time.localtime()[:6])
            entry.file_size = manifest["db_size"]  # tells zipfile whether ZIP64 is needed
            entry.external_attr = 0o600 << 16
            with archive.open(entry, "w") as inside, snapshot.open("rb") as copy:
                manifest["db_sha256"] = _copy_hashed(copy, inside.write)
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            archive.writestr(KEY_NAME, keyfile_bytes)

    def record_backup() -> None:
        # Committed once the complete file is on disk and before it replaces the older backup:
        # a failed write records nothing, and a crash can never leave a copy of every patient
        # that no event records (at worst an event whose sha256 matches no file).
        with vault.transaction() as tx:
            audit.record(
                tx,
                vault_id=vault.vault_id,
                staff=staff_name,
                action="vault.backed_up",
                subject="vault",
                details={"file": destination.name, "sha256": written[-1].sha256.hexdigest()},
            )

    atomic_write(destination, pack, what="the backup", before_publish=record_backup)
    log.info("backup written")
    return BackupInfo(
        destination,
        written[-1].size,
        written[-1].sha256.hexdigest(),
        vault.vault_id,
        int(manifest["schema_version"]),
        created,
    )


@dataclass(frozen=True)
class _Backup:
    path: Path
    manifest: dict[str, Any]
    keyfile: KeyFile

    def copy_database(self, handle: BinaryIO) -> None:
        """Stream the vault copy into `handle`, checking it again on the way (the backup may sit
        on a drive that changed since it was checked)."""
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(DB_NAME) as inside:
                digest = _copy_hashed(inside, handle.write)
        except (zipfile.BadZipFile, KeyError, EOFError):
            raise _damaged_backup(self.path.name) from None
        if digest != self.manifest.get("db_sha256"):
            raise _damaged_backup(self.path.name)


def _damaged_backup(name: str) -> BadInputError:
    return BadInputError(
        f"The backup file {name} is damaged (its contents do not match its check sum).",
        hint="Use an older backup, or copy the backup from its drive again.",
    )


def _read_backup(path: Path) -> _Backup:
    name = Path(path).name
    not_backup = BadInputError(
        f"{name} is not a GeneDesk backup.",
        hint="Choose the .gdbackup file that `genedesk vault backup` wrote.",
    )
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != BACKUP_FORMAT:
                raise not_backup
            if int(manifest.get("version", 0)) > BACKUP_VERSION:
                raise BadInputError(
                    f"{name} was written by a newer GeneDesk; install it to restore."
                )
            keyfile = KeyFile.from_bytes(archive.read(KEY_NAME), source=f"{name} ({KEY_NAME})")
            try:
                with archive.open(DB_NAME) as inside:
                    digest = _copy_hashed(inside)
            except zipfile.BadZipFile:  # zipfile's own CRC check of the entry
                raise _damaged_backup(name) from None
    except FileNotFoundError:
        raise BadInputError(f"The backup file {path} does not exist.") from None
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError):
        raise not_backup from None
    except VaultLockedError:
        raise not_backup from None
    if digest != manifest.get("db_sha256"):
        raise _damaged_backup(name)
    if keyfile.vault_id != manifest.get("vault_id"):
        raise not_backup
    return _Backup(Path(path), manifest, keyfile)


def restore_vault(
    backup: Path,
    folder: Path,
    *,
    recovery_key: str | None = None,
    passphrase: str | None = None,
    new_passphrase: str | None = None,
    replace: bool = False,
) -> OpenedVault:
    """Put a backup in place as the vault in `folder` (empty, or this same vault with replace)."""
    folder = Path(folder)
    content = _read_backup(backup)
    vault_id = content.keyfile.vault_id
    if _has_vault(folder):
        current = KeyFile.read(folder / KEY_NAME) if (folder / KEY_NAME).exists() else None
        if current is not None and current.vault_id != vault_id:
            raise UsageError(
                f"{Path(backup).name} is a backup of another vault, not of the one in {folder}.",
                hint="Restore it into an empty folder instead. Nothing was changed.",
            )
        if not replace:
            raise UsageError(
                f"There is already a vault in {folder}.",
                hint="Add --replace to put the backup in its place (the current file is kept "
                "beside it as vault.db.before-restore).",
            )
    schema.check_version(int(content.manifest.get("schema_version", 0)))

    key: bytes | None = None
    known = {entry.fingerprint: entry for entry in content.keyfile.entries}
    if custody.keyring_available():
        stored = custody.load_key(vault_id)
        if stored is not None and key_fingerprint(stored) in known:
            key = stored
    if key is None and passphrase is not None and content.keyfile.mode == "passphrase":
        with contextlib.suppress(VaultLockedError):
            key = _keys_from_passphrase(content.keyfile, passphrase)[0]
    if key is None:
        if recovery_key is None:
            raise VaultLockedError(
                "Restoring this backup needs its recovery key.",
                hint="Type the recovery key from the vault's recovery sheet.",
            )
        key = _unwrap_with_recovery(content.keyfile, recovery_key)
    entry = known[key_fingerprint(key)]

    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise explain_os_error(error, "the restored vault", folder) from None
    lock = VaultLock(folder / LOCK_NAME)
    lock.acquire()
    try:
        incoming = folder / (DB_NAME + ".restoring")
        atomic_write(incoming, content.copy_database, what="the restored vault")
        try:
            probe = connect(incoming, key)
            probe.close()
        except KeyRejected:
            incoming.unlink()
            raise BadInputError(f"The backup {Path(backup).name} is damaged.") from None
        keep = content.keyfile if content.keyfile.mode == "passphrase" and passphrase else None
        if keep is not None and new_passphrase is None:
            new_passphrase = passphrase
        new_keyfile = _rewrap_for_this_pc(
            keep or content.keyfile, key, entry, new_passphrase=new_passphrase
        )
        if _has_vault(folder):
            stamp = clock.utcnow().strftime("%Y%m%dT%H%M%S")
            os.replace(folder / DB_NAME, folder / f"{DB_NAME}.before-restore-{stamp}")
            for suffix in ("-wal", "-shm"):
                side = Path(f"{folder / DB_NAME}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{folder / DB_NAME}.before-restore-{stamp}{suffix}"))
        new_keyfile.write(folder / KEY_NAME)
        os.replace(incoming, folder / DB_NAME)
        fsync_dir(folder)
        vault = _finish_open(folder, key, vault_id=vault_id, lock=lock)
    except BaseException:
        lock.release()
        raise
    with vault.transaction() as tx:
        audit.record(
            tx,
            vault_id=vault_id,
            staff=audit.SYSTEM,
            action="vault.restored",
            subject="vault",
            details={
                "backup": Path(backup).name,
                "backup_made": content.manifest.get("created_at"),
            },
        )
    log.info("vault restored from backup")
    return OpenedVault(vault)


@dataclass(frozen=True)
class VerifyReport:
    integrity: list[str]
    cipher: list[str]
    chain: audit.ChainCheck

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.cipher and self.chain.ok

    def problems(self) -> list[str]:
        found = [f"Database check: {line}" for line in self.integrity if line != "ok"]
        found += [f"Encryption check: {line}" for line in self.cipher]
        if not self.chain.ok:
            found.append(f"Audit trail: {self.chain.problem}")
        return found


def verify_vault(vault: Vault) -> VerifyReport:
    """integrity_check, cipher_integrity_check and the audit chain, all read-only."""
    conn = vault.connection
    try:
        integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        cipher = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
    except sqlcipher3.DatabaseError as error:
        integrity, cipher = [f"the file cannot be read ({error})"], []
        return VerifyReport(
            integrity, cipher, audit.ChainCheck(0, 0, "not checked: file unreadable")
        )
    return VerifyReport(integrity, cipher, audit.verify_chain(vault))


def vault_status(vault: Vault) -> dict[str, Any]:
    keyfile = KeyFile.read(vault.folder / KEY_NAME)
    info = {row["key"]: row["value"] for row in vault.query("SELECT key, value FROM vault_info")}
    counts = {
        "patients": vault.query_one("SELECT count(*) FROM patient")[0],
        "staff": vault.query_one("SELECT count(*) FROM staff")[0],
        "audit_events": vault.query_one("SELECT count(*) FROM audit_event")[0],
    }
    return {
        "vault_id": vault.vault_id,
        "folder": str(vault.folder),
        "key_mode": keyfile.mode,
        "keyring_backend": custody.backend_name() if keyfile.mode == "keyring" else None,
        "schema_version": vault.schema_version,
        "program_schema_version": schema.LATEST,
        "created_at": info.get("created_at"),
        "file_size": (vault.folder / DB_NAME).stat().st_size,
        **counts,
    }
