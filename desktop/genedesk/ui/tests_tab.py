"""The Tests tab: a patient's imported lab files, the calls kept from each, and Import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import imports
from genedesk.core.genomics import VariantCall
from genedesk.core.imports import GeneticTest, ImportOutcome
from genedesk.core.vault import Vault
from genedesk.ui.forms import choose_file, read_only_table
from genedesk.ui.import_dialog import ImportDialog
from genedesk.ui.patient_tab import PatientTab
from genedesk.ui.session import Session

_CALL_COLUMNS = (
    "Gene",
    "Position",
    "Change",
    "HGVS",
    "Zygosity",
    "Depth",
    "GQ",
    "Allele fraction",
    "Filter",
    "ClinVar",
)
_ZYGOSITY_WORDS = {
    "heterozygous": "Heterozygous",
    "homozygous": "Homozygous",
    "hemizygous": "Hemizygous",
    "unknown": "Unknown (no genotype)",
    "not_carried": "Not carried",
}


class CallTableModel(QAbstractTableModel):
    """The calls of one test for a QTableView: rows are formatted only when Qt draws them, so a
    genome's ten thousand kept calls appear at once instead of freezing the window."""

    def __init__(self) -> None:
        super().__init__()
        self._calls: list[VariantCall] = []

    def set_calls(self, calls: list[VariantCall]) -> None:
        self.beginResetModel()
        self._calls = calls
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._calls)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(_CALL_COLUMNS)

    def cell(self, row: int, column: int) -> str:
        call = self._calls[row]
        if column == 0:
            return call.gene or call.region_gene
        if column == 1:
            return f"{call.chrom}:{call.pos:,}"
        if column == 2:
            return f"{call.ref}>{call.alt}"
        if column == 3:
            return call.hgvs_p or call.hgvs_c or call.hgvs_g
        if column == 4:
            return _ZYGOSITY_WORDS.get(call.zygosity, call.zygosity)
        if column == 5:
            return "" if call.depth is None else str(call.depth)
        if column == 6:
            return "" if call.genotype_quality is None else str(call.genotype_quality)
        if column == 7:
            return "" if call.allele_fraction is None else f"{call.allele_fraction:.2f}"
        if column == 8:
            return call.filter or "PASS"
        return call.clinvar_significance.replace("_", " ")

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if index.isValid() and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return self.cell(index.row(), index.column())
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _CALL_COLUMNS[section]
        return None


def summary_sentence(test: GeneticTest) -> str:
    s = test.summary
    return (
        f"{s.get('records_read', 0):,} records read; {s.get('kept', 0):,} calls kept "
        f"({s.get('kept_in_regions', 0):,} in knowledge-base genes, "
        f"{s.get('kept_pathogenic_outside_regions', 0):,} annotated pathogenic elsewhere, "
        f"{s.get('kept_pharmacogenomic', 0):,} pharmacogenomic). Not kept: "
        f"{s.get('outside_regions', 0):,} outside the genes, {s.get('not_carried', 0):,} not carried, "
        f"{s.get('no_call', 0):,} without a call, {s.get('not_a_variant', 0):,} gVCF placeholders."
    )


class TestsTab(PatientTab):
    imported = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.dialog: ImportDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self._tests: list[tuple[GeneticTest, list[VariantCall]]] = []
        self.import_button = QPushButton("&Import a lab file…")
        self.import_button.setAccessibleName("Import a lab file")
        self.import_button.clicked.connect(self.choose_file)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Import result")
        self.tests = read_only_table(
            ("Imported (UTC)", "Lab", "Type", "Build", "File", "Sample", "Calls kept"), "Tests"
        )
        self.tests.itemSelectionChanged.connect(self._show_calls)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.gene_filter = QLineEdit()
        self.gene_filter.setPlaceholderText("Filter by gene")
        self.gene_filter.setAccessibleName("Filter calls by gene")
        self.zygosity_filter = QComboBox()
        self.zygosity_filter.setAccessibleName("Filter calls by zygosity")
        self.zygosity_filter.addItem("Any zygosity", None)
        for value, words in _ZYGOSITY_WORDS.items():
            self.zygosity_filter.addItem(words, value)
        self.pass_only = QCheckBox("Only calls that passed the lab's filters")
        for signal in (
            self.gene_filter.textChanged,
            self.zygosity_filter.currentIndexChanged,
            self.pass_only.toggled,
        ):
            signal.connect(lambda *_: self._show_calls())
        self.call_model = CallTableModel()
        self.calls = QTableView()
        self.calls.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.calls.setModel(self.call_model)
        self.calls.setAccessibleName("Variant calls")
        self.calls.verticalHeader().hide()
        self.calls.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.calls.horizontalHeader()
        header.setResizeContentsPrecision(
            100
        )  # size columns from a sample of rows, not all of them
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.message, 1)
        filters = QHBoxLayout()
        filters.addWidget(self.gene_filter)
        filters.addWidget(self.zygosity_filter)
        filters.addWidget(self.pass_only)
        filters.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.summary)
        lower_layout.addLayout(filters)
        lower_layout.addWidget(self.calls)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tests)
        split.addWidget(lower)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.message.clear()
        self.refresh()

    def refresh(self, select_test: int | None = None) -> None:
        def read(vault: Vault, patient_id: int) -> list[tuple[GeneticTest, list[VariantCall]]]:
            return [
                (test, imports.calls_of(vault, test.id))
                for test in imports.tests_of(vault, patient_id)
            ]

        self.load(read, lambda found: self._show_tests(found, select_test))

    def _show_tests(
        self, found: list[tuple[GeneticTest, list[VariantCall]]], select_test: int | None
    ) -> None:
        self._tests = found
        self.tests.setRowCount(len(found))
        for row, (test, _) in enumerate(found):
            values = (
                test.imported_at[:16].replace("T", " "),
                test.lab,
                test.test_type,
                test.build,
                test.source_name,
                test.sample_name or "",
                f"{test.calls:,}",
            )
            for column, text in enumerate(values):
                self.tests.setItem(row, column, QTableWidgetItem(text))
        if found:
            rows = [n for n, (t, _) in enumerate(found) if t.id == select_test]
            self.tests.selectRow(rows[0] if rows else len(found) - 1)
        else:
            self.summary.setText("No lab files imported yet. Use Import a lab file to add one.")
            self.call_model.set_calls([])

    def _show_calls(self) -> None:
        selected = self.tests.selectionModel().selectedRows()
        if not selected or selected[0].row() >= len(self._tests):
            self.call_model.set_calls([])
            return
        test, calls = self._tests[selected[0].row()]
        self.summary.setText(
            summary_sentence(test) + "".join(f"\nNote: {w}" for w in test.warnings)
        )
        gene = self.gene_filter.text().strip().upper()
        zygosity = self.zygosity_filter.currentData()
        shown = [
            c
            for c in calls
            if (not gene or gene in (c.gene or c.region_gene).upper())
            and (zygosity is None or c.zygosity == zygosity)
            and (not self.pass_only.isChecked() or c.filter in ("", "PASS", "."))
        ]
        self.call_model.set_calls(shown)

    def choose_file(self) -> QFileDialog:
        self.file_dialog = choose_file(
            self,
            "Choose the lab's file",
            ["Variant files (*.vcf *.vcf.gz *.bcf)", "All files (*)"],
            self.start_import,
        )
        return self.file_dialog

    def start_import(self, path: Path) -> ImportDialog | None:
        if self.patient_id is None:
            return None
        self.dialog = ImportDialog(self.session, self.patient_id, path, parent=self)
        self.dialog.imported.connect(self._imported)
        self.dialog.open()
        return self.dialog

    def _imported(self, outcome: ImportOutcome) -> None:
        self.message.setText(
            f"Imported {outcome.test.source_name}: {outcome.test.calls:,} calls kept."
            + "".join(f" {n}" for n in outcome.notices)
        )
        self.refresh(select_test=outcome.test.id)
        self.imported.emit()

    def clear(self) -> None:
        self.patient_id = None
        self._tests = []
        if self.file_dialog is not None and self.file_dialog.isVisible():
            self.file_dialog.reject()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.cancel()
            self.dialog.reject()
        self.tests.setRowCount(0)
        self.call_model.set_calls([])
        self.summary.clear()
        self.message.clear()
