"""The open vault: the single owner of one SQLCipher connection.

Opening checks the key at once (reading `sqlite_master` right after keying), so a wrong key fails
before anything is written and the file stays byte-identical. Every pragma the vault's safety rests
on is set and then read back; a connection that does not hold them is refused.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from genedesk.core.errors import GeneDeskError
from genedesk.core.vault import schema
from genedesk.core.vault.lock import VaultLock
from genedesk.core.vault.wal import WAL_CHECK_LIMIT, wal_loses_commits

DB_NAME = "vault.db"
KEY_NAME = "vault.key"
LOCK_NAME = "vault.lock"

log = logging.getLogger(__name__)

# (pragma, value set, value read back)
_PRAGMAS: tuple[tuple[str, str, str], ...] = (
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", "2"),
    ("foreign_keys", "ON", "1"),
    ("temp_store", "MEMORY", "2"),
    # 64 MiB of decrypted pages: a clinic's whole patient list stays in memory for searching.
    ("cache_size", "-65536", "-65536"),
)
# SQLCipher 4 defaults, read back to prove cipher_compatibility = 4 took effect.
_CIPHER_EXPECTED = (("cipher_page_size", "4096"), ("cipher_hmac_algorithm", "HMAC_SHA512"))

DatabaseError = sqlcipher3.DatabaseError
Row = sqlcipher3.Row


class KeyRejected(Exception):
    """The database did not open with the key given (wrong key, or a damaged first page)."""


class VaultDamagedError(GeneDeskError):
    exit_code = 1


def damaged(folder: Path) -> VaultDamagedError:
    return VaultDamagedError(
        f"The vault file in {folder} is damaged and cannot be read safely.",
        hint="Restore the latest backup with `genedesk vault restore BACKUP`. "
        "GeneDesk will not write to a damaged vault.",
    )


# SQLite primary result codes (the low byte of an extended code).
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


def _result_code(error: sqlcipher3.DatabaseError) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(error: sqlcipher3.DatabaseError) -> bool:
    """True when SQLite (or SQLCipher's page check) found the file's bytes are not what was written.

    A page whose HMAC does not match reads as SQLITE_NOTADB; a page that decrypts but does not
    make sense as SQLITE_CORRUPT. Rules refusing a change (IntegrityError) or a busy, full or
    failing disk are not damage.
    """
    return _result_code(error) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def _disk_refused(
    error: sqlcipher3.DatabaseError, folder: Path, *, doing: str = "save this change"
) -> GeneDeskError | None:
    """The counsellor's words for a disk that refused a write, or None for other errors."""
    code = _result_code(error)
    if code == _SQLITE_FULL:
        return GeneDeskError(
            f"There is not enough space on the disk holding the vault ({folder}) to {doing}.",
            hint="Free some space on that disk, then try again. Nothing was changed.",
        )
    if code == _SQLITE_IOERR:
        return GeneDeskError(
            f"The disk holding the vault ({folder}) refused to {doing} "
            "(it may be full, limited in file size, or failing).",
            hint="Free some space or check the disk, then try again. Nothing was changed.",
        )
    return None


def _key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _check_wal(db_path: Path) -> None:
    wal = Path(f"{db_path}-wal")
    try:
        if wal.stat().st_size > WAL_CHECK_LIMIT:
            # A -wal this big comes from a bulk load (a ClinVar release) cut short; checking it
            # in Python would hold up the open for minutes, and SQLite's own rule stands.
            log.warning("the vault's -wal file is too big to check before opening")
            return
        data = wal.read_bytes()
    except FileNotFoundError:
        return
    except OSError:
        return  # SQLite itself reports an unreadable -wal when it opens the file
    if wal_loses_commits(data):
        log.error("the vault's -wal file is damaged")
        raise damaged(db_path.parent)


def connect(db_path: Path, key: bytes, *, create: bool = False) -> sqlcipher3.Connection:
    """Open and key a connection; raise KeyRejected if the key does not open the file.

    Opening an existing file first checks a -wal left by a program that stopped without closing
    the vault (VaultDamagedError when replaying it would lose committed changes). Callers hold
    the vault's lock, so no other GeneDesk is writing that -wal.
    """
    mode = "rwc" if create else "rw"
    if not create:
        _check_wal(db_path)
    sidecars = [Path(f"{db_path}{suffix}") for suffix in ("-wal", "-shm")]
    new_sidecars = [side for side in sidecars if not side.exists()]
    try:
        conn = sqlcipher3.connect(
            f"file:{db_path.as_posix()}?mode={mode}", uri=True, isolation_level=None
        )
    except sqlcipher3.OperationalError as error:
        raise GeneDeskError(
            f"The vault file {db_path.name} in {db_path.parent} cannot be opened.",
            hint="Check that the folder exists and that you may read and write it.",
        ) from error
    try:
        # SQLCipher logs failed page checks to stderr, where a counsellor would read them.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        conn.close()
        # A disk that refuses the -shm file is not a wrong key, nor a damaged vault.
        refused = _disk_refused(error, db_path.parent, doing="open the vault")
        if refused is not None:
            # Leave the folder as it was: remove the -wal and -shm this attempt made (they hold
            # nothing; the caller holds the lock, so no other GeneDesk uses them).
            for side in new_sidecars:
                with contextlib.suppress(OSError):
                    side.unlink()
            raise refused from None
        raise KeyRejected from None
    conn.row_factory = sqlcipher3.Row
    return conn


def apply_pragmas(conn: sqlcipher3.Connection, *, folder: Path) -> None:
    try:
        for name, value, expected in _PRAGMAS:
            conn.execute(f"PRAGMA {name} = {value}")
            got = str(conn.execute(f"PRAGMA {name}").fetchone()[0]).lower()
            if got != expected:
                raise GeneDeskError(
                    f"The vault in {folder} could not be opened safely ({name} is {got}).",
                    hint="Check that the folder is on a local disk you may write to.",
                )
        for name, expected in _CIPHER_EXPECTED:
            got = str(conn.execute(f"PRAGMA {name}").fetchone()[0])
            if got != expected:
                raise GeneDeskError(f"The vault in {folder} does not use SQLCipher 4 settings.")
    except sqlcipher3.OperationalError as error:
        raise GeneDeskError(
            f"The vault in {folder} cannot be written ({error}).",
            hint="GeneDesk needs to write in the vault folder. Check that it is not read-only "
            "and that the disk is not full.",
        ) from None
    except sqlcipher3.DatabaseError:
        raise damaged(folder) from None


def migrate(conn: sqlcipher3.Connection, *, folder: Path) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, sql in schema.pending_steps(version):
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlcipher3.DatabaseError:
            with contextlib.suppress(sqlcipher3.DatabaseError):
                conn.execute("ROLLBACK")
            raise
        log.info("vault schema upgraded to %d", number)
        version = number
    return version


class Vault:
    """An open vault. Use `transaction()` for every change; `query()` to read."""

    def __init__(
        self,
        folder: Path,
        conn: sqlcipher3.Connection,
        *,
        vault_id: str,
        key_fingerprint: str,
        lock: VaultLock | None,
        key: bytes,
    ) -> None:
        self.folder = folder
        self.vault_id = vault_id
        self.key_fingerprint = key_fingerprint
        self._conn: sqlcipher3.Connection | None = conn
        self._lock = lock
        self._key = key  # SQLCipher holds it in memory anyway; needed for backups and re-keying
        self._in_transaction = False
        # Set once a read or write meets damaged bytes: from then on every write is refused, so
        # nothing is built on top of data that can no longer be trusted.
        self.is_damaged = False

    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    @property
    def connection(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise GeneDeskError("The vault is closed.")
        return self._conn

    @property
    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _translated(self, error: sqlcipher3.DatabaseError) -> GeneDeskError | None:
        """The GeneDesk error to raise instead of a raw SQLite one, or None to let it through."""
        if is_damage(error):
            self.is_damaged = True
            log.error("vault damage found: %s", _result_code(error))
            return damaged(self.folder)
        return _disk_refused(error, self.folder)

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except sqlcipher3.DatabaseError as error:
            translated = self._translated(error)
            if translated is None:
                raise
            raise translated from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlcipher3.Connection]:
        """One write transaction: everything inside is committed together or not at all."""
        if self._in_transaction:
            raise RuntimeError("transactions do not nest")
        if self.is_damaged:
            raise damaged(self.folder)
        conn = self.connection
        with self._guarded():
            conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            with self._guarded():  # rolled back first, then said in words
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlcipher3.DatabaseError):
                        conn.execute("ROLLBACK")
                    raise
        finally:
            self._in_transaction = False

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlcipher3.Row]:
        with self._guarded():
            return list(self.connection.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._guarded():
            return self.connection.execute(sql, params).fetchone()

    def detach_lock(self) -> VaultLock | None:
        """Take the lock away from this object so close() keeps the vault locked (re-keying)."""
        lock, self._lock = self._lock, None
        return lock

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlcipher3.DatabaseError):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
