"""What every tab of the patient page shares: whose record it shows, and loading it safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from genedesk.core.vault import Vault
from genedesk.ui.session import Session

T = TypeVar("T")


class PatientTab(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.patient_id: int | None = None

    def load(self, read: Callable[[Vault, int], T], show: Callable[[T], object]) -> None:
        """Run `read(vault, patient_id)` on the vault worker and `show` what it returns, unless
        the tab was cleared (locked, closed) or moved to another patient meanwhile: an answer
        that arrives late must never show one patient's record under another's name."""
        patient_id = self.patient_id
        if patient_id is None:
            return

        def arrived(found: T) -> None:
            if self.patient_id == patient_id:
                show(found)

        self.session.worker.run(lambda vault: read(vault, patient_id), arrived, self.session.fail)
