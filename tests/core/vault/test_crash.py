"""Crash safety: kill a process that is adding patients at random moments, many times.

Each round forks a child (a real process: its own connection, lock and keyring lookup) that opens
the vault and adds patients in a loop, reporting each one only after its transaction committed.
SIGKILL lands at a random moment. Then the vault must open, pass integrity_check, hold every
patient reported committed, and its audit chain must verify.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time

import pytest

from genedesk.core import audit, patients, staff
from genedesk.core.patients import PatientDetails
from genedesk.core.vault import open_vault, verify_vault
from support import ADMIN, ADMIN_PASSWORD, MadeVault

ROUNDS = int(os.environ.get("GENEDESK_CRASH_ROUNDS", "200"))


def _child(folder: str, round_no: int, report_fd: int) -> None:
    try:
        opened = open_vault(folder)  # type: ignore[arg-type]
        admin = staff.sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)
        n = 0
        while True:
            mrn = f"R{round_no}-{n}"
            patients.add_patient(opened.vault, admin, PatientDetails(mrn, "Crash", "Test", "1970-01-01", "unknown"))
            os.write(report_fd, f"{mrn}\n".encode())
            n += 1
    finally:
        os._exit(3)


def _read_reports(fd: int) -> list[str]:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            break
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    text = b"".join(chunks).decode()
    return [line for line in text.split("\n")[:-1] if line]  # a torn last line is not a report


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_committed(keyring_vault: MadeVault) -> None:
    rng = random.Random(20261121)
    committed: set[str] = set()
    kills_mid_write = 0
    for round_no in range(ROUNDS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(str(keyring_vault.folder), round_no, write_fd)
        os.close(write_fd)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 0.1))  # while the child is still opening the vault
        else:
            select.select([read_fd], [], [], 5.0)  # once it is writing: mid-transaction, mostly
            time.sleep(rng.uniform(0.0, 0.15))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        reports = _read_reports(read_fd)
        os.close(read_fd)
        if os.WIFSIGNALED(status) and reports:
            kills_mid_write += 1
        committed.update(reports)

        opened = open_vault(keyring_vault.folder)
        try:
            conn = opened.vault.connection
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"round {round_no}"
            present = {row[0] for row in conn.execute("SELECT mrn FROM patient")}
            missing = committed - present
            assert not missing, f"round {round_no}: committed patients lost: {sorted(missing)[:5]}"
            assert audit.verify_chain(opened.vault).ok, f"round {round_no}: audit chain broken"
        finally:
            opened.vault.close()
    assert kills_mid_write >= ROUNDS * 3 // 4, "most kills should land while patients are being written"
    opened = open_vault(keyring_vault.folder)
    try:
        assert verify_vault(opened.vault).ok
        assert patients.count_patients(opened.vault) >= len(committed)
    finally:
        opened.vault.close()
