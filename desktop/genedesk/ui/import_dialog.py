"""Import a lab's file: choose the details, watch the progress, cancel at any time.

The import runs in three steps: a quick check against the vault (worker), the long read of the file
(its own thread, in a child process; the vault stays free for the rest of the window), and one
transaction that stores it (worker). Cancel stops the read within a second; nothing is stored.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from genedesk import APP_NAME
from genedesk.core import imports
from genedesk.core.errors import Cancelled
from genedesk.core.genomics import BuildUnknownError, VcfReadResult
from genedesk.core.imports import ImportOutcome, ImportPlan
from genedesk.ui.forms import add_row, error_label, show_error
from genedesk.ui.session import Session, describe

_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genedesk-read")
_BUILD_FROM_FILE = "As the file says"


class _Relay(QObject):
    """Carries progress and results from the reading thread to the window's thread."""

    progress = Signal(int, int)
    read_done = Signal(object)
    read_failed = Signal(object)


class ImportDialog(QDialog):
    imported = Signal(object)  # ImportOutcome

    def __init__(
        self, session: Session, patient_id: int, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import a lab file — {APP_NAME}")
        self.session = session
        self.patient_id = patient_id
        self.path = path
        self._cancel = threading.Event()
        self._relay = _Relay()
        self._relay.progress.connect(self._on_progress)
        self._relay.read_done.connect(self._on_read)
        self._relay.read_failed.connect(self._on_failed)
        self._plan: ImportPlan | None = None
        self.outcome: ImportOutcome | None = None

        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{path.name}</b>")
        title.setAccessibleName("File to import")
        layout.addWidget(title)
        form = QFormLayout()
        self.lab = QLineEdit()
        self.test_type = QComboBox()
        for value in imports.TEST_TYPES:
            self.test_type.addItem(value.capitalize(), value)
        self.test_type.setCurrentIndex(imports.TEST_TYPES.index("genome"))
        self.sample = QComboBox()
        self.build = QComboBox()
        for text in (_BUILD_FROM_FILE, "GRCh37", "GRCh38"):
            self.build.addItem(text)
        add_row(form, "&Laboratory:", self.lab)
        add_row(form, "Test &type:", self.test_type)
        add_row(form, "&Sample:", self.sample, description="The patient's sample in the file")
        add_row(
            form, "Genome &build:", self.build, description="Only change this if the lab told you"
        )
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = error_label()
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("&Import")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.cancel)
        layout.addWidget(self.buttons)
        self.sample.setEnabled(False)
        self.session.worker.submit(
            lambda: imports.samples_in_file(path), self._show_samples, self._on_failed
        )

    def _show_samples(self, samples: tuple[str, ...]) -> None:
        self.sample.clear()
        if not samples:
            self.sample.addItem("(no samples: sites only)", None)
        for name in samples:
            self.sample.addItem(name, name)
        self.sample.setEnabled(len(samples) > 1)
        if len(samples) > 1:
            self.status.setText(f"This file holds {len(samples)} samples: choose the patient's.")
            self.sample.setCurrentIndex(-1)

    def _busy(self, busy: bool) -> None:
        for widget in (self.lab, self.test_type, self.sample, self.build, self.start_button):
            widget.setEnabled(not busy)
        if not busy:
            self.sample.setEnabled(self.sample.count() > 1)
        self.progress.setVisible(busy)

    def start(self) -> None:
        if self.sample.isEnabled() and self.sample.currentIndex() < 0:
            show_error(self.error, "Choose the patient's sample first.")
            return
        show_error(self.error, None)
        self._cancel.clear()
        self._busy(True)
        self.status.setText("Checking the file…")
        build = None if self.build.currentText() == _BUILD_FROM_FILE else self.build.currentText()
        sample = self.sample.currentData() if self.sample.count() > 1 else None
        lab, test_type = self.lab.text(), str(self.test_type.currentData())
        self.session.worker.run(
            lambda vault: imports.plan_import(
                vault,
                self.patient_id,
                self.path,
                sample=sample,
                lab=lab,
                test_type=test_type,
                build=build,
                cancelled=self._cancel.is_set,
            ),
            self._read,
            self._on_failed,
        )

    def _read(self, plan: ImportPlan) -> None:
        self._plan = plan
        self.status.setText("Reading the file…")
        relay = self._relay

        def work() -> None:
            try:
                result = imports.read_planned(
                    plan, progress=relay.progress.emit, cancelled=self._cancel.is_set
                )
            except Exception as error:  # noqa: BLE001 - handed to the window to explain
                relay.read_failed.emit(error)
            else:
                relay.read_done.emit(result)

        _READER.submit(work)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done / total, 1.0)))
        else:
            self.progress.setRange(0, 0)  # busy indicator when the size is not known

    @Slot(object)
    def _on_read(self, result: VcfReadResult) -> None:
        if self._cancel.is_set():
            self._on_failed(Cancelled("The import was cancelled; nothing was stored."))
            return
        assert self._plan is not None
        plan = self._plan
        self.status.setText("Saving…")
        self.session.worker.run(
            lambda vault: imports.store_import(vault, self.session.staff, plan, result),
            self._on_stored,
            self._on_failed,
        )

    def _on_stored(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self._busy(False)
        self.imported.emit(outcome)
        self.accept()

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        self._busy(False)
        self.status.clear()
        if isinstance(error, Cancelled):
            self.status.setText("The import was cancelled. Nothing was stored.")
            return
        if isinstance(error, BuildUnknownError):
            self.build.setFocus()
            show_error(self.error, f"{describe(error)}\nChoose the build below, then Import again.")
            return
        show_error(self.error, describe(error))

    def cancel(self) -> None:
        if self.progress.isVisible():
            self._cancel.set()
            self.status.setText("Cancelling…")
        else:
            self.reject()
