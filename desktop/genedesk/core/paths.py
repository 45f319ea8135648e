"""Every folder GeneDesk reads or writes, in one place.

`GENEDESK_HOME` moves all per-user folders under one directory (tests, portable installs);
otherwise platformdirs gives each OS its usual places. Nothing is ever written next to the program.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

from genedesk import APP_NAME

_DIRS = PlatformDirs(APP_NAME, appauthor=False, roaming=False)


def _home_override() -> Path | None:
    value = os.environ.get("GENEDESK_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else Path(_DIRS.user_data_dir)


def log_dir() -> Path:
    home = _home_override()
    return home / "logs" if home else Path(_DIRS.user_log_dir)


def config_dir() -> Path:
    home = _home_override()
    return home / "config" if home else Path(_DIRS.user_config_dir)


def receipts_dir() -> Path:
    """Where patient mode saves a receipt the patient asked for: a fixed folder, so the patient
    is never shown a file dialog that could browse the computer's other files."""
    home = _home_override()
    return home / "receipts" if home else Path(_DIRS.user_documents_dir) / "GeneDesk receipts"


def default_vault_dir() -> Path:
    """The vault used when neither --vault nor GENEDESK_VAULT names one."""
    return data_dir() / "vault"


def resources_dir() -> Path:
    """The read-only data shipped with the program (knowledge base, fonts, demo data).

    In a source checkout this is the repository's `resources/`; in an installed wheel it is
    `genedesk/_resources`; in a PyInstaller bundle it is `resources/` inside the bundle.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "_resources"
    if installed.is_dir():
        return installed
    return package_dir.parent.parent / "resources"
