"""The recontact worklist: reported findings the newest ClinVar release now classes differently.

The worklist is made on the vault worker (core.knowledge.reclassify.recontact_worklist, which also
records the run in the audit log). Patients are named by record number only; those without a
recontact consent are listed and marked NO, never left out: the clinic decides how to proceed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk import APP_NAME
from genedesk.core.knowledge import clinvar
from genedesk.core.knowledge.reclassify import RecontactEntry, recontact_worklist
from genedesk.core.vault import Vault
from genedesk.ui.session import Session, describe

_COLUMNS = (
    "Record number",
    "Gene / change",
    "Class in the report",
    "ClinVar now",
    "Reports",
    "ClinVar releases",
    "Recontact consent",
)


def class_words(value: str) -> str:
    return value.replace("_", " ").capitalize() if value else "none"


def stars(count: int | None) -> str:
    return "" if count is None else f"{count}★" if count else "0 stars"


Worklist = tuple[list[RecontactEntry], dict[str, str]]


class WorklistDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.entries: list[RecontactEntry] | None = None
        self.setWindowTitle(f"Recontact worklist — {APP_NAME}")
        self.setAccessibleName("Recontact worklist")
        self.resize(980, 480)
        self.summary = QLabel("Checking reported findings against the newest ClinVar release…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Worklist summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setAccessibleName("Patients to recontact")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)

    def start(self) -> None:
        """Make the worklist on the worker; the table fills in when it comes back."""
        actor = self.session.staff

        def op(vault: Vault) -> Worklist:
            entries = recontact_worklist(vault, actor)
            newest = {
                build: found[0].release_date
                for build in clinvar.BUILDS
                if (found := clinvar.releases(vault, build))
            }
            return entries, newest

        self.session.worker.run(op, lambda found: self._show(*found), self._failed)

    def _failed(self, error: Exception) -> None:
        self.summary.setText(describe(error))

    def _show(self, entries: list[RecontactEntry], newest: dict[str, str]) -> None:
        self.entries = entries
        against = (
            "; ".join(f"{build} {day}" for build, day in sorted(newest.items()))
            if newest
            else "no ClinVar release is loaded in this vault"
        )
        if not entries:
            self.summary.setText(
                "No reported finding has a different class in the newest ClinVar release, so "
                f"nobody needs recontacting (checked against: {against})."
            )
        else:
            missing = sum(1 for e in entries if not e.has_recontact_consent)
            patients = len({e.patient_id for e in entries})
            text = (
                f"{len(entries)} reported finding{'s' if len(entries) != 1 else ''} for "
                f"{patients} patient{'s' if patients != 1 else ''} now classed differently by "
                f"ClinVar (checked against: {against})."
            )
            if missing:
                text += f" {missing} without a recontact consent (marked NO)."
            self.summary.setText(text)
        self.table.setRowCount(len(entries))
        bold = QFont()
        bold.setBold(True)
        for row, e in enumerate(entries):
            values = (
                e.record_number,
                f"{e.gene} {e.change}",
                class_words(e.reported_class),
                f"{class_words(e.clinvar_now)} {stars(e.clinvar_now_stars)}",
                ", ".join(e.reports),
                f"{e.clinvar_before_release or 'none'} → {e.clinvar_now_release}",
                "yes" if e.has_recontact_consent else "NO",
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == len(values) - 1 and not e.has_recontact_consent:
                    item.setFont(bold)
                if column == 3:
                    item.setToolTip(e.clinvar_url)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
