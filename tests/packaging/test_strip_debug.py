"""Stripping debug information: only where it is safe, and the stripped library still loads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy
import pytest
import sqlcipher3

needs_binutils = pytest.mark.skipif(
    shutil.which("strip") is None or shutil.which("readelf") is None or sys.platform != "linux",
    reason="needs Linux with binutils (strip, readelf), as PyInstaller does",
)


def _extension(package: ModuleType, stem: str) -> Path:
    folder = Path(package.__file__).resolve().parent  # type: ignore[arg-type]
    found = sorted(folder.glob(f"{stem}*.so"))
    if not found:
        pytest.skip(f"no {stem} extension in {folder}")
    return found[0]


@needs_binutils
def test_a_library_repaired_by_auditwheel_is_left_as_it_is(strip_debug: ModuleType) -> None:
    libs = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    repaired = sorted(libs.glob("*.so*")) if libs.is_dir() else []
    if not repaired:
        pytest.skip("this numpy has no auditwheel-repaired libraries")
    assert not any(strip_debug.worth_stripping(path) for path in repaired)


@needs_binutils
def test_a_stripped_extension_still_imports_and_works(strip_debug: ModuleType,
                                                      tmp_path: Path) -> None:
    original = _extension(sqlcipher3, "_sqlite3")
    if not strip_debug.worth_stripping(original):
        pytest.skip(f"{original.name} carries no debug information in this install")
    name = f"sqlcipher3/{original.name}"
    entries, saved = strip_debug.strip_debug_info([(name, str(original), "EXTENSION")], tmp_path)
    stripped = Path(entries[0][1])
    assert stripped.parent == tmp_path / "sqlcipher3" and saved > 0
    assert stripped.stat().st_size < original.stat().st_size
    assert not strip_debug.worth_stripping(stripped)
    # Load the stripped copy in a fresh interpreter and open an encrypted database with it.
    probe = (
        "import importlib.machinery, importlib.util, sys\n"
        f"loader = importlib.machinery.ExtensionFileLoader('_sqlite3', {str(stripped)!r})\n"
        "spec = importlib.util.spec_from_loader('_sqlite3', loader)\n"
        "module = importlib.util.module_from_spec(spec); loader.exec_module(module)\n"
        "conn = module.connect(':memory:')\n"
        "conn.execute(\"PRAGMA key = 'x'\")\n"
        "print(conn.execute('PRAGMA cipher_version').fetchone()[0])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_other_entries_pass_through_unchanged(strip_debug: ModuleType, tmp_path: Path) -> None:
    entries = [("resources/fonts/x.ttf", "/nowhere/x.ttf", "DATA"),
               ("genedesk_main", "/nowhere/main.py", "PYSOURCE")]
    assert strip_debug.strip_debug_info(entries, tmp_path)[0] == entries
