#!/usr/bin/env python3
"""Build the installed form of GeneDesk: one folder, dist/GeneDesk/, with PyInstaller.

    python3 packaging/bundle.py [--one-file] [--dist DIR] [--work DIR]

Standard library only, like dev.py (whose set-up helpers it reuses). It builds in a venv of its
own, build/bundle-venv, never the project's .venv, holding exactly:
- the runtime dependencies locked in uv.lock (no dev tools: they would only add weight), and
- PyInstaller, pinned by hash in packaging/requirements-build.txt,
both installed with --require-hashes, so every build of a commit uses the same bytes. The venv is
re-made whenever either list changes. PYTHONHASHSEED is fixed so the bytecode is built the same
way each time.

Prints the build time and the bundle's size; exits non-zero when PyInstaller fails.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
sys.path.insert(0, str(PACKAGING))

import dev  # noqa: E402 - the lead's set-up helpers: uv, Debian packages

BUILD_REQUIREMENTS = PACKAGING / "requirements-build.txt"
SPEC = PACKAGING / "genedesk.spec"
VENV = REPO / "build" / "bundle-venv"
DIST = REPO / "dist"
WORK = REPO / "build" / "pyinstaller"
APP_FOLDER = "GeneDesk"


def say(text: str) -> None:
    print(f"[genedesk bundle] {text}", file=sys.stderr, flush=True)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def runtime_requirements(uv: list[str]) -> str:
    """The locked runtime set (no dev group, no GeneDesk itself: the spec reads it from source)."""
    done = subprocess.run(
        [*uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--format", "requirements.txt",
         "--quiet"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    return done.stdout


def ensure_build_venv(uv: list[str]) -> Path:
    """build/bundle-venv with exactly the locked runtime set and the pinned PyInstaller."""
    runtime = runtime_requirements(uv)
    build = BUILD_REQUIREMENTS.read_text(encoding="utf-8")
    stamp = hashlib.sha256((runtime + "\0" + build + "\0" + sys.platform).encode()).hexdigest()
    stamp_file = VENV / "genedesk-bundle.stamp"
    python = venv_python(VENV)
    if python.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return python
    say(f"making the build venv {VENV.relative_to(REPO)} (locked runtime + pinned PyInstaller)")
    if VENV.exists():
        shutil.rmtree(VENV)
    # The same interpreter as the project venv, so the bundle carries the Python the tests ran on.
    project_python = venv_python(REPO / ".venv")
    interpreter = ["--python", str(project_python)] if project_python.exists() else []
    subprocess.run([*uv, "venv", "--quiet", *interpreter, str(VENV)], cwd=REPO, check=True)
    runtime_file = VENV / "runtime-requirements.txt"
    runtime_file.write_text(runtime, encoding="utf-8")
    subprocess.run(
        [*uv, "pip", "sync", "--quiet", "--require-hashes", "--python", str(python),
         str(runtime_file), str(BUILD_REQUIREMENTS)],
        cwd=REPO, check=True,
    )
    stamp_file.write_text(stamp)
    return python


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()
               and not path.is_symlink())


def build(*, one_file: bool = False, dist: Path = DIST, work: Path = WORK) -> tuple[Path, float]:
    """Build the bundle; return the folder (or the one file) and the seconds the build took."""
    if sys.platform == "linux":
        dev.ensure_system_packages(dev.QT_RUNTIME)  # PyInstaller loads Qt to find its plugins
    uv = dev.uv_command()
    python = ensure_build_venv(uv)
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "GENEDESK_ONE_FILE": "1" if one_file else "0"}
    env.pop("PYTHONPATH", None)
    started = time.monotonic()
    subprocess.run(
        [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
        cwd=REPO, env=env, check=True,
    )
    took = time.monotonic() - started
    built = dist / ("genedesk" + (".exe" if os.name == "nt" else "") if one_file else APP_FOLDER)
    return built, took


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bundle.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--one-file", action="store_true", help="build the single-file variant")
    parser.add_argument("--dist", type=Path, default=DIST, help="where the bundle goes")
    parser.add_argument("--work", type=Path, default=WORK, help="PyInstaller's scratch folder")
    args = parser.parse_args(argv)
    try:
        built, took = build(one_file=args.one_file, dist=args.dist.resolve(),
                            work=args.work.resolve())
    except subprocess.CalledProcessError as error:
        say(f"the build failed (exit code {error.returncode}): {' '.join(map(str, error.cmd[:3]))} …")
        return 1
    size = built.stat().st_size if built.is_file() else folder_size(built)
    say(f"built {built} in {took:.0f} s; size {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
