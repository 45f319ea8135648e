"""Vault benchmarks (run by hand: `python3 packaging/dev.py bench tests/benchmarks/bench_vault.py`).

Targets (issue 2): open on the keyring path <= 100 ms; search over 100,000 patients <= 30 ms/query.
Patients are synthetic; they are inserted in one transaction with the service's own search text so
set-up takes seconds, not the minutes 100,000 audited single adds would.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from genedesk.core import clock, patients
from genedesk.core.patients import PatientDetails, _search_text
from genedesk.core.vault import create_vault, custody, open_vault

GIVEN = [
    "Zoë",
    "Anna",
    "Łukasz",
    "Ólafur",
    "Grace",
    "Samuel",
    "Maria",
    "José",
    "Nguyễn Thị",
    "Юлия",
    "Sofia",
    "Aiden",
    "Fatima",
    "Chen",
    "Priya",
    "Oluwaseun",
    "Björn",
    "Siobhán",
    "Mateo",
    "Hana",
]
FAMILY = [
    "Kowalczyk",
    "Smith",
    "Nguyen",
    "Þórsson",
    "García",
    "Okafor",
    "Müller",
    "Rossi",
    "Papadopoulou",
    "Smirnova",
    "O'Connor",
    "Dubois",
    "Khan",
    "Tanaka",
    "Silva",
    "Novak",
    "Jensen",
    "Ivanova",
    "Lee",
    "Martínez",
]


def populate(folder: Path, count: int) -> None:
    opened = open_vault(folder)
    rng = random.Random(7)
    now = clock.stamp()
    rows = []
    for n in range(count):
        details = PatientDetails(
            f"MRN-{n:07d}",
            rng.choice(GIVEN),
            f"{rng.choice(FAMILY)}-{n % 997}",
            f"{rng.randint(1930, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(["female", "male", "unknown"]),
        )
        rows.append(
            (
                details.mrn,
                details.given_name,
                details.family_name,
                details.birth_date,
                details.sex_at_birth,
                "en",
                _search_text(details),
                now,
                now,
            )
        )
    with opened.vault.transaction() as tx:
        tx.executemany(
            "INSERT INTO patient (mrn, given_name, family_name, birth_date, sex_at_birth, language,"
            " search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    opened.vault.close()


def main() -> int:
    if not custody.keyring_available():
        print(
            "needs the OS keyring: run it with `python3 packaging/dev.py bench tests/benchmarks/bench_vault.py`"
        )
        return 2
    folder = Path(tempfile.mkdtemp(prefix="genedesk-bench-")) / "vault"
    made = create_vault(folder, admin_name="Bench Admin", admin_password="bench-password-1")
    made.vault.close()
    vault_id = made.vault.vault_id
    try:
        started = time.perf_counter()
        populate(folder, 100_000)
        print(
            f"set-up: 100,000 patients in {time.perf_counter() - started:.1f} s; "
            f"file {(folder / 'vault.db').stat().st_size / 1e6:.1f} MB"
        )
        opens = []
        for _ in range(20):
            t = time.perf_counter()
            opened = open_vault(folder)
            opens.append((time.perf_counter() - t) * 1000)
            opened.vault.close()
        print(
            f"open (keyring path): median {statistics.median(opens):.1f} ms, max {max(opens):.1f} ms (target <= 100)"
        )
        opened = open_vault(folder)
        queries = [
            "zoe",
            "kowal",
            "smith-12",
            "1985-03",
            "MRN-0054321",
            "nguyen thi",
            "thorsson",
            "siobhan",
            "a",
            "xyz-not-there",
        ]
        patients.search_patients(opened.vault, "warm")  # first read pulls pages into the cache
        per_query = {}
        for query in queries:
            times = []
            for _ in range(10):
                t = time.perf_counter()
                found = patients.search_patients(opened.vault, query)
                times.append((time.perf_counter() - t) * 1000)
            per_query[query] = (statistics.median(times), max(times), len(found))
        opened.vault.close()
        for query, (median, worst, hits) in per_query.items():
            print(
                f"search {query!r:18} median {median:6.1f} ms  max {worst:6.1f} ms  ({hits} shown)"
            )
        overall = statistics.median(m for m, _, _ in per_query.values())
        print(
            f"search over 100,000 patients: median of medians {overall:.1f} ms, "
            f"worst median {max(m for m, _, _ in per_query.values()):.1f} ms (target <= 30)"
        )
    finally:
        custody.forget_key(vault_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
