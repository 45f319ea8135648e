"""Make the PharmCAT case helpers importable as `pharmcat_cases` (tests are not a package)."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
