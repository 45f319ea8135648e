"""Drop debugging information from the Linux libraries that carry it, safely.

A self-built Python (pyenv) and the sqlcipher3 wheel keep their debug information: libpython and
SQLCipher alone are ~45 MB, of which ~30 MB is debug data. PyInstaller's own `strip=True` strips
every library, and that breaks libraries that auditwheel repaired with patchelf (numpy's OpenBLAS
fails to load: "ELF load command address/offset not page-aligned"). So only a library that has
debug sections and was not repaired (no $ORIGIN run path, not in a wheel's `.libs` folder) is
copied with `strip --strip-debug`; everything else goes in as it came.

Standard library and binutils (which PyInstaller needs on Linux anyway) only.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TocEntry = tuple[str, str, str]  # (name inside the bundle, source file, kind)


def _readelf(path: Path, option: str) -> str:
    done = subprocess.run(["readelf", "-W", option, str(path)], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


def worth_stripping(path: Path) -> bool:
    """Has debug sections, and was not rewritten by patchelf (auditwheel, delocate)."""
    if any(part.endswith(".libs") for part in path.parts):
        return False
    if ".debug_info" not in _readelf(path, "-S"):
        return False
    dynamic = _readelf(path, "-d")
    return "$ORIGIN" not in dynamic


def strip_debug_info(binaries: list[TocEntry], scratch: Path) -> tuple[list[TocEntry], int]:
    """The binaries list with stripped copies (under `scratch`) in place of the libraries worth
    stripping, and the bytes saved. Does nothing where `strip` is missing."""
    if shutil.which("strip") is None or shutil.which("readelf") is None:
        return binaries, 0
    saved = 0
    result: list[TocEntry] = []
    for name, source, kind in binaries:
        path = Path(source)
        if kind in ("BINARY", "EXTENSION") and path.is_file() and worth_stripping(path):
            copy = scratch / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", str(copy), str(path)], check=True)
            saved += path.stat().st_size - copy.stat().st_size
            result.append((name, str(copy), kind))
        else:
            result.append((name, source, kind))
    return result, saved
