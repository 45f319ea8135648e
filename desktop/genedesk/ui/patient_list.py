"""The patient list: a table model over search results and the view with search-as-you-type.

Searching runs on the vault worker, debounced, and only the newest answer is shown, so typing
never waits for the database and a slow answer never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from genedesk.core.patients import Patient

SHOWN_AT_MOST = 500
_COLUMNS = (
    ("Family name", "family_name"),
    ("Given name", "given_name"),
    ("Born", "birth_date"),
    ("Record number", "mrn"),
    ("Sex at birth", "sex_at_birth"),
)
Index = QModelIndex | QPersistentModelIndex


class PatientTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._patients: list[Patient] = []

    def set_patients(self, found: list[Patient]) -> None:
        self.beginResetModel()
        self._patients = list(found)
        self.endResetModel()

    def clear(self) -> None:
        self.set_patients([])

    def patient_at(self, row: int) -> Patient:
        return self._patients[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return len(_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        patient = self._patients[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return getattr(patient, _COLUMNS[index.column()][1])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section][0]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        attribute = _COLUMNS[column][1]
        self.layoutAboutToBeChanged.emit()
        self._patients.sort(
            key=lambda p: str(getattr(p, attribute)).casefold(),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self.layoutChanged.emit()


class PatientListView(QWidget):
    """Search box, result table, and Add patient. Emits `open_patient(id)` on Enter or double-click."""

    open_patient = Signal(int)
    add_patient = Signal()

    def __init__(self, search: Callable[[str, Callable[[list[Patient], int], None]], None]) -> None:
        super().__init__()
        self._search = search
        self._asked = 0
        self.model = PatientTableModel()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search by name, record number or date of birth")
        self.search_box.setAccessibleName("Search patients")
        self.search_box.setClearButtonEnabled(True)
        self.add_button = QPushButton("&Add patient…")
        self.add_button.setAccessibleName("Add patient")
        self.add_button.clicked.connect(self.add_patient)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setAccessibleName("Patients")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.count = QLabel()
        self.count.setAccessibleName("Number of patients shown")
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(lambda _: self._debounce.start())
        self.search_box.returnPressed.connect(self._open_first)

    def refresh(self) -> None:
        self._asked += 1
        ticket = self._asked
        self._search(self.search_box.text(), lambda found, total: self._show(ticket, found, total))

    def _show(self, ticket: int, found: list[Patient], total: int) -> None:
        if ticket != self._asked:
            return  # a newer search is on its way
        self.model.set_patients(found)
        if not total:
            self.count.setText(
                "No patients yet. Add the first one with Add patient."
                if not self.search_box.text()
                else "No patients match."
            )
        elif len(found) < total and not self.search_box.text():
            self.count.setText(
                f"{total:,} patients; showing the first {len(found):,}. Type to search."
            )
        else:
            self.count.setText(
                f"{len(found):,} shown"
                + (" (type more to narrow the search)" if len(found) >= SHOWN_AT_MOST else "")
            )

    def clear(self) -> None:
        self._asked += 1
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.model.clear()
        self.count.clear()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_patient.emit(self.model.patient_at(index.row()).id)

    def _open_first(self) -> None:
        if self.model.rowCount() == 1:
            self.open_patient.emit(self.model.patient_at(0).id)
        elif self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)
