"""Rotating log files that never hold patient text, keys or passphrases.

The rule is kept at the call sites: log record ids, counts, durations and event names — never
values typed by a person or read from a patient's file. Log files are private to the user.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from genedesk.core import paths

LOG_FILE_NAME = "genedesk.log"


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        if os.name == "posix":
            os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(level: int = logging.INFO, folder: Path | None = None) -> Path:
    """Send GeneDesk's log to a rotating file in the per-user log folder; return its path."""
    folder = folder or paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / LOG_FILE_NAME
    root = logging.getLogger("genedesk")
    for handler in list(root.handlers):
        if isinstance(handler, _PrivateRotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _PrivateRotatingFileHandler(
        log_path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    return log_path
