"""No patient text at rest: not in the vault file, its WAL, a backup, or the logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE

NAME_GIVEN = "Zoë"
NAME_FAMILY = "Kowalczyk-Ñandú"
NEEDLES = [NAME_FAMILY, f"{NAME_GIVEN} {NAME_FAMILY}", "Kowalczyk"]


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def test_patient_name_is_nowhere_in_plain_text(tmp_path: Path, no_keyring: None, genedesk_home: Path) -> None:
    folder = tmp_path / "vault"
    env = {**os.environ, "GENEDESK_VAULT": str(folder), "GENEDESK_USER": ADMIN,
           "GENEDESK_PASSWORD": ADMIN_PASSWORD, "GENEDESK_PASSPHRASE": PASSPHRASE,
           "GENEDESK_HOME": str(genedesk_home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def genedesk(*argv: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "genedesk.cli.main", "--verbose", *argv], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    genedesk("init", "--admin", ADMIN, "--passphrase-mode")
    genedesk("patient", "add", "--mrn", "NP-1", "--given", NAME_GIVEN, "--family", NAME_FAMILY,
             "--dob", "1985-03-02", "--sex", "female")
    genedesk("patient", "list", "--search", "zoe")
    genedesk("vault", "backup", str(tmp_path / "backup.gdbackup"))

    # Keep a WAL on disk with the name in it: write inside an open vault and read the files
    # while it is still open, before the checkpoint at close.
    from genedesk.core import patients, staff
    from genedesk.core.patients import PatientDetails
    from genedesk.core.vault import open_vault

    opened = open_vault(folder, passphrase=PASSPHRASE)
    try:
        admin = staff.sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)
        patients.add_patient(opened.vault, admin, PatientDetails("NP-2", NAME_GIVEN, NAME_FAMILY,
                                                                 "1985-03-02", "female"))
        wal = Path(f"{folder / 'vault.db'}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        files = [p for p in folder.iterdir() if p.is_file()]
        contents = {p.name: p.read_bytes() for p in files}
    finally:
        opened.vault.close()

    log_files = list((genedesk_home / "logs").glob("genedesk.log*"))
    assert log_files, "the commands wrote a log"
    for path in [*log_files, tmp_path / "backup.gdbackup"]:
        contents[str(path)] = path.read_bytes()
    assert any(name.endswith("-wal") for name in contents)
    for name, data in contents.items():
        for needle in NEEDLES:
            for encoded in _encodings(needle):
                assert encoded not in data, f"{needle!r} found in {name}"
        assert PASSPHRASE.encode() not in data
        assert ADMIN_PASSWORD.encode() not in data
