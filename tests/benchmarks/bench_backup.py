"""Memory of a backup and a restore of a large vault (run by hand, not by CI).

    uv run python tests/benchmarks/bench_backup.py [--records 1000000] [--cache DIR]

A vault grows mostly with ClinVar releases (~425 MB each at full size), so this loads a synthetic
release (bench_clinvar.py's generator, cached) into a passphrase-mode vault, then backs it up and
restores it, each in a fresh process, and prints the peak RSS of each (Linux: /proc VmHWM)
beside the vault's size.
A backup or restore that held the vault in memory would peak above the vault's size.

`--code DIR` runs the backup and the restore with another checkout's desktop/ (to compare with
an older GeneDesk); the vault is made with this one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PASSPHRASE = "bench passphrase for timing"
ADMIN, PASSWORD = "Bench Admin", "bench-password-1"

# Run in a child: backup or restore, then print the child's own peak RSS (KiB). VmHWM, not
# ru_maxrss: Linux carries ru_maxrss over from the parent through fork and exec.
CHILD = """
import os, sys, time
from pathlib import Path
import keyring, keyring.backends.fail
keyring.set_keyring(keyring.backends.fail.Keyring())
from genedesk.core.vault import backup_vault, open_vault, restore_vault
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
what, vault, backup, target, passphrase = sys.argv[1:6]
start = time.perf_counter()
if what == "backup":
    opened = open_vault(Path(vault), passphrase=passphrase)
    before = peak()
    backup_vault(opened.vault, Path(backup), staff_name="Bench Admin")
    opened.vault.close()
else:
    before = peak()
    restore_vault(Path(backup), Path(target), passphrase=passphrase).vault.close()
seconds = time.perf_counter() - start
print(before, peak(), f"{seconds:.2f}")
"""


def make_vault(folder: Path, release: Path) -> None:
    os.environ["GENEDESK_HOME"] = str(folder.parent / "home")
    import keyring
    import keyring.backends.fail

    from genedesk.core import staff
    from genedesk.core.knowledge import clinvar
    from genedesk.core.vault import create_vault

    keyring.set_keyring(keyring.backends.fail.Keyring())
    vault = create_vault(folder, admin_name=ADMIN, admin_password=PASSWORD,
                         passphrase_mode=True, passphrase=PASSPHRASE).vault
    try:
        clinvar.load_clinvar(vault, staff.sign_in(vault, ADMIN, PASSWORD), release)
    finally:
        vault.close()


def run_child(what: str, code: Path, work: Path, vault: Path, backup: Path,
              target: Path) -> tuple[float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(code), "GENEDESK_HOME": str(work / "home")}
    out = subprocess.run([sys.executable, "-c", CHILD, what, str(vault), str(backup),
                          str(target), PASSPHRASE], env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024, out[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "genedesk-bench-clinvar")
    parser.add_argument("--code", type=Path, default=REPO / "desktop",
                        help="the desktop/ folder whose backup and restore to measure")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    release = args.cache / f"clinvar-synthetic-{args.records}.vcf.gz"
    if not release.exists():
        partial = release.with_suffix(".partial")
        subprocess.run([sys.executable, str(HERE / "bench_clinvar.py"), "--records",
                        str(args.records), "--synthesise-only", str(partial)], check=True)
        partial.replace(release)
    vault = args.cache / f"vault-{args.records}"
    if not (vault / "vault.db").exists():
        print(f"loading {release.name} into a new vault (cached in {vault})...")
        make_vault(vault, release)
    size = sum(p.stat().st_size for p in vault.iterdir() if p.is_file()) / 2**20
    print(f"vault: {size:.0f} MiB on disk ({args.records:,} synthetic ClinVar records)")
    print(f"code measured: {args.code}")
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        work = Path(scratch)
        backup = work / "clinic.gdbackup"
        target = work / "restored"
        for what in ("backup", "restore"):
            start = time.perf_counter()
            before, peak, seconds = run_child(what, args.code, work, vault, backup, target)
            print(f"{what}: peak RSS {peak:.0f} MiB (before it started {before:.0f} MiB, so "
                  f"+{peak - before:.0f} MiB for a {size:.0f} MiB vault); {seconds} s "
                  f"({time.perf_counter() - start:.1f} s with the process start)")
        print(f"backup file: {backup.stat().st_size / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
