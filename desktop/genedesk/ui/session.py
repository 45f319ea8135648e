"""What every tab needs to do work: the vault worker, who is signed in, and how to show a failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from genedesk.core.errors import GeneDeskError
from genedesk.core.staff import Staff
from genedesk.ui.worker import VaultWorker


@dataclass
class Session:
    worker: VaultWorker
    staff: Staff
    fail: Callable[[Exception], None]


def describe(error: Exception) -> str:
    """What to show a person for a failed operation (never a traceback)."""
    if isinstance(error, GeneDeskError):
        return str(error)
    return (
        f"Something unexpected went wrong ({type(error).__name__}). Details are in GeneDesk's log."
    )


def explained_to(failed: Callable[[str], None]) -> Callable[[Exception], None]:
    """An error handler for the worker that passes `describe(error)` to a dialog's `failed`."""
    return lambda error: failed(describe(error))
