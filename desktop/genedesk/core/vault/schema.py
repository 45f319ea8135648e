"""The schema ladder: `PRAGMA user_version` counts the steps; one SQL file per step.

Each step runs in its own transaction, so a vault is always at exactly one version. A vault whose
version is newer than this program knows is refused before anything is touched.
"""

from __future__ import annotations

import re
from importlib import resources

from genedesk.core.errors import GeneDeskError

_STEP_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def _steps() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("genedesk.core.vault.migrations").iterdir():
        match = _STEP_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _ in found]
    doubled = sorted({n for n in numbers if numbers.count(n) > 1})
    if doubled:
        raise RuntimeError(f"two schema steps share the number {doubled[0]}: give each step its own number")
    for expected, (number, _) in enumerate(found, start=1):
        if number != expected:
            raise RuntimeError(f"schema steps are not numbered 1..N (missing {expected})")
    return found


STEPS = _steps()
LATEST = len(STEPS)


class VaultTooNewError(GeneDeskError):
    exit_code = 1


def check_version(version: int) -> None:
    if version > LATEST:
        raise VaultTooNewError(
            f"This vault was written by a newer GeneDesk (vault schema {version}; "
            f"this program knows schema {LATEST} and older).",
            hint="Install the newest GeneDesk to open it. The vault was not changed.",
        )


def pending_steps(version: int) -> list[tuple[int, str]]:
    check_version(version)
    return [(number, sql) for number, sql in STEPS if number > version]
