"""The project's own rules, checked on every run: Qt-free core, lint and types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import REPO

BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_core_never_imports_qt_or_the_faces() -> None:
    done = _run("lint-imports")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "core never imports Qt or the faces KEPT" in done.stdout


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "desktop", "tests", "packaging")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
