"""The throw-away demo vault behind `genedesk --demo`: sample patients, no keyring, a temp folder.

Everything in it is invented. It uses passphrase mode with a random passphrase held only in memory,
so it never touches the PC's keyring and cannot be reopened after the program ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from genedesk.core import patients, staff
from genedesk.core.patients import PatientDetails
from genedesk.core.vault import create_vault

DEMO_STAFF = "Demo Counsellor"
DEMO_ADMIN = "Demo Admin"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - deliberately public: shown on the demo sign-in screen

DEMO_PATIENTS = (
    PatientDetails("DEMO-0001", "Zoë", "Kowalczyk-Ñandú", "1985-03-02", "female"),
    PatientDetails("DEMO-0002", "Nguyễn Thị", "Ánh", "1991-11-30", "female", "vi"),
    PatientDetails("DEMO-0003", "Łukasz", "Żółć", "1978-06-14", "male", "pl"),
    PatientDetails("DEMO-0004", "Ólafur", "Þórsson", "1969-01-08", "male", "is"),
    PatientDetails("DEMO-0005", "Σοφία", "Παπαδοπούλου", "2001-09-21", "female", "el"),
    PatientDetails("DEMO-0006", "Юлия", "Смирнова", "1988-04-04", "female", "ru"),
    PatientDetails("DEMO-0007", "Grace", "O'Connor", "1957-12-25", "female"),
    PatientDetails("DEMO-0008", "Samuel", "Okafor", "2010-02-17", "male"),
)


@dataclass(frozen=True)
class DemoVault:
    folder: Path
    passphrase: str
    staff_name: str
    password: str


def create_demo_vault(folder: Path) -> DemoVault:
    passphrase = secrets.token_urlsafe(24)
    opened = create_vault(
        folder,
        admin_name=DEMO_ADMIN,
        admin_password=DEMO_PASSWORD,
        passphrase_mode=True,
        passphrase=passphrase,
    )
    vault = opened.vault
    try:
        admin = staff.sign_in(vault, DEMO_ADMIN, DEMO_PASSWORD)
        staff.add_staff(vault, admin, name=DEMO_STAFF, role="counsellor", password=DEMO_PASSWORD)
        counsellor = staff.sign_in(vault, DEMO_STAFF, DEMO_PASSWORD)
        for details in DEMO_PATIENTS:
            patients.add_patient(vault, counsellor, details)
    finally:
        vault.close()
    return DemoVault(folder, passphrase, DEMO_STAFF, DEMO_PASSWORD)
