"""Private, crash-safe file writes (the pattern of Electrum's storage.write()).

A temp file in the destination folder, readable only by this user before any byte is written,
fsync'd, then os.replace()d over the target and the folder fsync'd: a reader sees the old file or
the complete new one, never a torn one, and nothing is left behind when the write fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from genedesk.core.errors import GeneDeskError

_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_NO_ACCESS = {errno.EACCES, errno.EPERM, errno.EROFS}


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (no-op where the OS cannot open folders)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def explain_os_error(error: OSError, what: str, where: Path) -> GeneDeskError:
    """Turn an OS error into a message a counsellor can act on (no patient data in it)."""
    if error.errno == errno.EFBIG:
        # Not a full disk: a drive (FAT32 holds 4 GB per file) or the account limits file size.
        return GeneDeskError(
            f"{what[:1].upper()}{what[1:]} is too large for the drive at {where}.",
            hint="That drive, or this account, limits how large one file may be (drives "
            "formatted as FAT32 take at most 4 GB). Choose another drive. Nothing was changed.",
        )
    if error.errno in _NO_SPACE:
        return GeneDeskError(
            f"There is not enough space to write {what} in {where}.",
            hint="Free some space on that disk or choose another drive, then try again. "
            "Nothing was changed.",
        )
    if error.errno in _NO_ACCESS:
        return GeneDeskError(
            f"GeneDesk is not allowed to write {what} in {where}.",
            hint="Choose a folder you can write to, or ask whoever manages this PC. "
            "Nothing was changed.",
        )
    return GeneDeskError(
        f"Writing {what} in {where} failed ({error.strerror or 'input/output error'}).",
        hint="Nothing was changed.",
    )


def atomic_write(
    path: Path,
    content: bytes | Callable[[BinaryIO], None],
    *,
    what: str = "the file",
    before_publish: Callable[[], None] | None = None,
) -> None:
    """Write `content` (bytes, or a function that writes into the open file) to `path` atomically.

    `before_publish` runs once the complete file is on disk and before it takes `path`'s name
    (e.g. to commit the audit event that records it); if it raises, nothing is published."""
    path = Path(path)
    folder = path.parent
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes | bytearray):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if before_publish is not None:
            before_publish()
        os.replace(tmp_name, path)
        tmp_name = None
        fsync_dir(folder)
    except OSError as error:
        raise explain_os_error(error, what, folder) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
