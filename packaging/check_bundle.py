#!/usr/bin/env python3
"""Build the GeneDesk bundle and prove it works as a clinic would get it (Linux; for CI).

    python3 packaging/check_bundle.py [--twice] [--skip-build] [--window-seconds N]

1. builds dist/GeneDesk with packaging/bundle.py (pinned build venv) and reports the build time;
2. measures the folder and fails above the size limit (bundle_data.SIZE_LIMIT_MB);
3. runs `dist/GeneDesk/genedesk --self-test` with no display (QT_QPA_PLATFORM=offscreen) and
   no D-Bus session, as a headless server would;
4. inside a throw-away D-Bus session with an unlocked GNOME keyring, creates a vault in keyring
   mode with the frozen program and checks it sees the real Secret Service backend (a frozen
   program that falls back to keyring's fail backend is a defect);
5. starts the frozen window (`genedesk --demo`) under Xvfb, checks that its sign-in window
   appears and that it has not crashed after N seconds;
6. with --twice, builds a second time into another folder and compares the two file lists
   (reproducibility); the build is ~1 minute on 2 cores, so this is a flag.

Standard library only. Prints one line per check and a summary; exits 0 when all passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
sys.path.insert(0, str(PACKAGING))

import bundle  # noqa: E402
import bundle_data  # noqa: E402
import dev  # noqa: E402

# Debian packages the checks use beyond the build's: the virtual screen and a tool to list its
# windows, a throw-away Secret Service keyring, and binutils (PyInstaller reads libraries with it).
CHECK_PACKAGES = ["xvfb", "xauth", "x11-utils", "dbus", "gnome-keyring", "binutils",
                  *dev.QT_RUNTIME]
SELF_TEST_TIMEOUT = 300
PRIVATE_ENV = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GENEDESK_VAULT",
               "GENEDESK_HOME", "GENEDESK_USER", "GENEDESK_PASSWORD", "GENEDESK_PASSPHRASE",
               "QT_QPA_PLATFORM", "PYTHONPATH", "PYTHONHOME")


def say(text: str) -> None:
    print(f"[genedesk check_bundle] {text}", flush=True)


def program(folder: Path) -> Path:
    return folder / ("genedesk.exe" if os.name == "nt" else "genedesk")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without a display, a session bus or GeneDesk settings."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    return {**env, "GENEDESK_HOME": str(home), **extra}


# --- the checks -----------------------------------------------------------------------------------


def file_list(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def check_size(folder: Path) -> tuple[bool, str]:
    total = bundle.folder_size(folder)
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    parts: dict[str, int] = {}
    internal = folder / "_internal"
    for path in internal.rglob("*") if internal.is_dir() else ():
        if path.is_file() and not path.is_symlink():
            top = path.relative_to(internal).parts[0]
            top = top if (internal / top).is_dir() else "(libraries in _internal/)"
            parts[top] = parts.get(top, 0) + path.stat().st_size
    biggest = sorted(parts.items(), key=lambda item: -item[1])[:8]
    say("largest parts: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in biggest))
    limit = bundle_data.SIZE_LIMIT_MB
    ok = total <= limit * 1e6
    return ok, f"{total / 1e6:.1f} MB in {files} files (limit {limit} MB)"


def check_self_test(folder: Path) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="genedesk-check-") as home:
        env = clean_env(Path(home), QT_QPA_PLATFORM="offscreen")
        try:
            done = subprocess.run([str(program(folder)), "--self-test"], env=env, cwd=home,
                                  capture_output=True, text=True, timeout=SELF_TEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f"did not finish within {SELF_TEST_TIMEOUT} s"
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        print(done.stderr[-3000:], end="", file=sys.stderr, flush=True)
        if "unrecognized arguments: --self-test" in done.stderr:
            return False, "this build's `genedesk` has no --self-test option yet (cli/main.py)"
        last = (done.stdout.strip().splitlines() or ["no output"])[-1]
        return False, f"exit code {done.returncode}: {last}"
    return True, done.stdout.strip().splitlines()[-1]


def check_keyring(folder: Path) -> tuple[bool, str]:
    """Run the keyring part inside a private D-Bus session (this script, re-entered)."""
    if shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None:
        return False, "dbus-run-session or gnome-keyring-daemon is missing"
    with tempfile.TemporaryDirectory(prefix="genedesk-check-") as home:
        env = clean_env(Path(home))
        done = subprocess.run(
            ["dbus-run-session", "--", sys.executable, str(Path(__file__).resolve()),
             "_keyring", str(folder), home],
            env=env, capture_output=True, text=True, timeout=SELF_TEST_TIMEOUT,
        )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        print(done.stdout + done.stderr[-2000:], file=sys.stderr, flush=True)
    return done.returncode == 0, lines[-1] if lines else "no output"


def inside_keyring_session(folder: Path, home: Path) -> int:
    """In the private D-Bus session: an unlocked throw-away keyring, then a keyring-mode vault."""
    keyring_data = home / "keyring"
    keyring_data.mkdir()
    env = {**os.environ, "XDG_DATA_HOME": str(keyring_data)}
    daemon = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
        input=b"throwaway-check-keyring", env=env, capture_output=True,
    )
    if daemon.returncode != 0:
        print("the throw-away keyring did not start: " + daemon.stderr.decode(errors="replace"))
        return 1
    for line in daemon.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name.startswith("GNOME_KEYRING"):
            env[name] = value
    env.update({"GENEDESK_VAULT": str(home / "vault"), "GENEDESK_USER": "Check Admin",
                "GENEDESK_PASSWORD": "check-password-long-enough"})
    genedesk = str(program(folder))
    init = subprocess.run([genedesk, "init", "--admin", "Check Admin"], env=env,
                          capture_output=True, text=True)
    if init.returncode != 0:
        print(init.stderr.strip())
        print(f"`genedesk init` in keyring mode failed (exit {init.returncode})")
        return 1
    status = subprocess.run([genedesk, "vault", "status", "--json"], env=env,
                            capture_output=True, text=True)
    import json

    try:
        facts = json.loads(status.stdout)
    except json.JSONDecodeError:
        print(status.stderr.strip())
        print(f"`genedesk vault status` failed (exit {status.returncode})")
        return 1
    backend = facts.get("keyring_backend") or ""
    if facts.get("key_mode") != "keyring" or "SecretService" not in backend:
        print(f"the vault key is not in the Secret Service keyring: mode {facts.get('key_mode')}, "
              f"backend {backend or 'none'}")
        return 1
    print(f"keyring-mode vault created and reopened through {backend}")
    return 0


def check_window(folder: Path, seconds: float) -> tuple[bool, str]:
    if shutil.which("xvfb-run") is None:
        return False, "xvfb-run is missing"
    with tempfile.TemporaryDirectory(prefix="genedesk-check-") as home:
        env = clean_env(Path(home))
        done = subprocess.run(
            ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable,
             str(Path(__file__).resolve()), "_window", str(folder), str(seconds)],
            env=env, capture_output=True, text=True, timeout=seconds + 120,
        )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        print(done.stdout + done.stderr[-2000:], file=sys.stderr, flush=True)
    return done.returncode == 0, lines[-1] if lines else "no output"


def _window_titles() -> list[str]:
    if shutil.which("xwininfo") is None:
        return []
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    return [line.split('"')[1] for line in tree.splitlines() if line.count('"') >= 2]


def inside_virtual_screen(folder: Path, seconds: float) -> int:
    """Under xvfb-run: start the demo window, watch it for `seconds`, then close it."""
    log = Path(os.environ["GENEDESK_HOME"]) / "window-output.txt"
    with open(log, "wb") as output:
        # A session of its own, so the window and anything it starts are stopped together.
        window = subprocess.Popen([str(program(folder)), "--demo"], stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        seen: list[str] = []
        while time.monotonic() - started < seconds and window.poll() is None:
            time.sleep(0.5)
            seen = seen or [t for t in _window_titles() if "GeneDesk" in t and "Qt " not in t]
        crashed = window.poll()
        if crashed is None:
            os.killpg(window.pid, signal.SIGTERM)
            try:
                window.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(window.pid, signal.SIGKILL)
                window.wait()
    said = log.read_text(errors="replace").strip()
    if said:
        print("the window printed:\n" + said[-2000:])
    if crashed is not None:
        print(f"the window ended by itself after {time.monotonic() - started:.1f} s "
              f"(exit code {crashed})")
        return 1
    if shutil.which("xwininfo") is not None and not seen:
        print(f"no GeneDesk window appeared within {seconds:.0f} s")
        return 1
    shown = f"showed {', '.join(repr(t) for t in seen)}, " if seen else ""
    print(f"the demo window {shown}ran {seconds:.0f} s without crashing")
    return 0


def check_reproducible(first: Path, seconds_per_build: list[float]) -> tuple[bool, str]:
    second_dist = REPO / "build" / "repro-dist"
    if second_dist.exists():
        shutil.rmtree(second_dist)
    second, took = bundle.build(dist=second_dist, work=REPO / "build" / "repro-work")
    seconds_per_build.append(took)
    one, two = file_list(first), file_list(second)
    if one != two:
        only_one = sorted(set(one) - set(two))[:10]
        only_two = sorted(set(two) - set(one))[:10]
        return False, f"file lists differ: only in the first {only_one}, only in the second {only_two}"
    differing = [name for name in one if (first / name).is_file() and not (first / name).is_symlink()
                 and (first / name).read_bytes() != (second / name).read_bytes()]
    detail = f"same {len(one)} entries (files, folders, links) in both builds"
    if differing:
        detail += f"; {len(differing)} differ in content (e.g. {', '.join(differing[:3])})"
    else:
        detail += ", byte for byte"
    return True, detail


# --- running ----------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["_keyring"]:
        return inside_keyring_session(Path(argv[1]), Path(argv[2]))
    if argv[:1] == ["_window"]:
        return inside_virtual_screen(Path(argv[1]), float(argv[2]))
    parser = argparse.ArgumentParser(prog="check_bundle.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--twice", action="store_true",
                        help="build a second time and compare the file lists")
    parser.add_argument("--skip-build", action="store_true", help="check dist/GeneDesk as it is")
    parser.add_argument("--window-seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    if sys.platform != "linux":
        say("these checks run on Linux; on Windows and macOS follow packaging/README.md")
        return 2
    dev.ensure_system_packages(CHECK_PACKAGES)
    folder = bundle.DIST / bundle.APP_FOLDER
    build_seconds: list[float] = []
    results: list[tuple[str, bool, str]] = []
    if not args.skip_build:
        try:
            folder, took = bundle.build()
        except subprocess.CalledProcessError as error:
            say(f"the build failed (exit code {error.returncode})")
            return 1
        build_seconds.append(took)
        say(f"built {folder.relative_to(REPO)} in {took:.0f} s")
    if not program(folder).exists():
        say(f"there is no bundle at {folder}; build it first")
        return 1
    checks = [("size", lambda: check_size(folder)),
              ("self-test (no display, no keyring)", lambda: check_self_test(folder)),
              ("keyring (throw-away Secret Service)", lambda: check_keyring(folder)),
              ("window under Xvfb", lambda: check_window(folder, args.window_seconds))]
    if args.twice:
        checks.append(("reproducible file list", lambda: check_reproducible(folder, build_seconds)))
    for name, check in checks:
        started = time.monotonic()
        try:
            ok, detail = check()
        except (OSError, subprocess.SubprocessError) as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        results.append((name, ok, detail))
        say(f"{'ok  ' if ok else 'FAIL'} {name} ({time.monotonic() - started:.0f} s): {detail}")
    if build_seconds:
        say("build time: " + ", ".join(f"{s:.0f} s" for s in build_seconds))
    failed = [name for name, ok, _ in results if not ok]
    # Worded unlike a test runner's "N passed, N failed", so that in CI the test suite's own
    # closing line stays the one that counts tests.
    if failed:
        say(f"bundle checks FAILED: {', '.join(failed)}")
        return 1
    say(f"bundle checks all ok ({len(results)} of {len(results)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
