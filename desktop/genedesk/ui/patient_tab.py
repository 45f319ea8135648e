"""What every tab of the patient page shares: whose record it shows, and loading it safely."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLayout, QSplitter, QVBoxLayout, QWidget

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

    def place_beside(
        self, main: QWidget, side_parts: Sequence[QWidget | QLayout], *, side_at_most: int
    ) -> None:
        """The tab's layout: its list (`main`) on the left, taking what a wide window gives, and
        its forms stacked on the right, at most `side_at_most` pixels wide; neither collapses."""
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        for part in side_parts:
            if isinstance(part, QLayout):
                side_layout.addLayout(part)
            else:
                side_layout.addWidget(part)
        side_layout.addStretch(1)
        side.setMaximumWidth(side_at_most)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(main)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(split, 1)
