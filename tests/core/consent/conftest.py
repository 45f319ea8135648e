"""Consent test set-up: the helpers in consent_cases.py importable (tests are not a package),
and a patient, a signature image and synthetic findings for the vault tests."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from genedesk.core import patients  # noqa: E402
from genedesk.core.patients import Patient, PatientDetails  # noqa: E402
from genedesk.core.staff import Staff  # noqa: E402
from genedesk.core.vault.store import Vault  # noqa: E402

# A patient whose details are easy to search for in released bytes: none of them can occur by
# chance in JSON, VCF or zip structures.
GIVEN, FAMILY, MRN, BIRTH = "Zoë", "Quixwellington", "MRN-Q7731", "1968-11-29"


def png_signature(width: int = 40, height: int = 12) -> bytes:
    """A real PNG (a black stroke on white), as the signature pad would hand over."""
    rows = b"".join(
        b"\x00"
        + bytes(0 if (y == height // 2 and 4 < x < width - 4) else 255 for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def patient(vault: Vault, admin: Staff) -> Patient:
    return patients.add_patient(vault, admin, PatientDetails(MRN, GIVEN, FAMILY, BIRTH, "female"))


@pytest.fixture
def signature() -> bytes:
    return png_signature()
