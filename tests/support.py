"""Helpers and constants shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"

ADMIN = "Ada Admin"
ADMIN_PASSWORD = "admin-password-1"
PASSPHRASE = "correct horse battery staple"


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{'/'.join(parts)} (the shared test data is not beside this clone)")
    return path


@dataclass
class MadeVault:
    folder: Path
    recovery_key: str
    vault_id: str
    mode: str


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a vault folder with its bytes, to prove a refused operation changed nothing."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "vault.lock"}


def on_small_disk(folder: Path, size_kib: int, argv: list[str]) -> list[str]:
    """A command that runs `argv` with `folder` replaced by a tiny, nearly full disk (tmpfs).

    The mount lives in a private mount namespace (root in CI; a user namespace otherwise), so it
    vanishes with the command. After `argv` ends, the files left on that disk are printed as
    `LEFT-ON-DISK:` so a test can check that a failed write left nothing behind.
    """
    import os
    import shlex
    import shutil

    if shutil.which("unshare") is None:
        pytest.fail("the disk-full tests need `unshare` (util-linux)")
    ns = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    quoted = shlex.quote(str(folder))
    script = (
        f"mount -t tmpfs -o size={size_kib}k tmpfs {quoted} || exit 99; "
        f'"$@"; rc=$?; echo "LEFT-ON-DISK:$(ls -A {quoted} | tr "\\n" " ")"; exit $rc'
    )
    return [*ns, "sh", "-c", script, "sh", *argv]
