"""The main window: patient list, patient page, and the lock screen that hides both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from genedesk import APP_NAME, __version__
from genedesk.core import audit, clinic, patients
from genedesk.core.knowledge import clinvar
from genedesk.core.knowledge.genes import shipped_genes
from genedesk.core.patient_mode import PatientModeFlow
from genedesk.core.patients import Patient, PatientDetails
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from genedesk.core.vault.store import VaultDamagedError
from genedesk.ui.clinic_form import ClinicForm
from genedesk.ui.forms import scale_font
from genedesk.ui.patient_form import PatientForm
from genedesk.ui.patient_list import SHOWN_AT_MOST, PatientListView
from genedesk.ui.patient_mode import PatientModeWindow
from genedesk.ui.patient_page import PatientPage
from genedesk.ui.session import Session, describe, explained_to
from genedesk.ui.vault_dialog import VaultDialog
from genedesk.ui.worker import VaultWorker
from genedesk.ui.worklist_dialog import WorklistDialog


class LockedScreen(QWidget):
    sign_in_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        label = QLabel("GeneDesk is locked.\nSign in to continue.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scale_font(label, 1.8)
        label.setAccessibleName("GeneDesk is locked")
        self.sign_in = QPushButton("&Sign in…")
        self.sign_in.setAccessibleName("Sign in")
        self.sign_in.clicked.connect(self.sign_in_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addWidget(self.sign_in, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    damaged = Signal(str)  # what was wrong: the vault file is damaged
    restore_requested = Signal()  # Vault ▸ Restore from a backup…

    def __init__(self, worker: VaultWorker, *, staff_member: Staff, vault_label: str) -> None:
        super().__init__()
        self.worker = worker
        self.staff = staff_member
        self.form: PatientForm | None = None
        self.setWindowTitle(f"{APP_NAME} — {vault_label}")
        self.setAccessibleName(APP_NAME)
        self.resize(1100, 720)
        self.session = Session(worker, staff_member, self.fail)
        self.list_view = PatientListView(self._search)
        self.page = PatientPage(self.session)
        self.locked = LockedScreen()
        self.stack = QStackedWidget()
        for widget in (self.list_view, self.page, self.locked):
            self.stack.addWidget(widget)
        self.setCentralWidget(self.stack)
        self.list_view.open_patient.connect(self.open_patient)
        self.list_view.add_patient.connect(self.add_patient)
        self.page.back.connect(self.show_list)
        self.page.overview.edit_requested.connect(self.edit_patient)
        self.page.patient_mode_requested.connect(self.enter_patient_mode)
        self.patient_mode: PatientModeWindow | None = None
        self.vault_dialog: VaultDialog | None = None
        self.clinic_form: ClinicForm | None = None
        self.about_box: QMessageBox | None = None
        self.worklist: WorklistDialog | None = None
        self._build_menus()
        self.statusBar().showMessage(f"Signed in as {staff_member.name} ({staff_member.role})")
        self.worker.busy_changed.connect(self._busy)

    def fit_to_screen(self) -> None:
        """Open large enough for a findings table and a report preview side by side: most of the
        screen, but never more than it (a small laptop) and never tiny (a big monitor)."""
        screen = self.screen().availableGeometry()
        width = min(screen.width(), max(1000, int(screen.width() * 0.85)))
        height = min(screen.height(), max(700, int(screen.height() * 0.85)))
        self.resize(width, height)
        self.move(screen.x() + (screen.width() - width) // 2, screen.y() + (screen.height() - height) // 2)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Add patient…", self.add_patient, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Find patient", self.focus_search, QKeySequence.StandardKey.Find)
        file_menu.addSeparator()
        self._action(file_menu, "&Lock now", self.lock_requested.emit, QKeySequence("Ctrl+L"))
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        vault_menu = self.menuBar().addMenu("&Vault")
        self._action(vault_menu, "Vault &status…", self.open_vault_dialog)
        self._action(
            vault_menu, "&Back up now…", lambda: self.open_vault_dialog().choose_backup_file()
        )
        self._action(vault_menu, "&Verify the vault", lambda: self.open_vault_dialog().verify())
        self._action(vault_menu, "&Restore or recover…", self.open_vault_dialog)
        vault_menu.addSeparator()
        self._action(vault_menu, "&Clinic details…", self.open_clinic_form)
        knowledge_menu = self.menuBar().addMenu("&Knowledge")
        self.worklist_action = self._action(
            knowledge_menu, "&Recontact worklist…", self.open_worklist
        )
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, f"&About {APP_NAME}", self.about)

    def _action(
        self, menu: Any, text: str, slot: Callable[[], object], shortcut: Any = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.addAction(action)
        return action

    def _busy(self, busy: bool) -> None:
        if busy:
            self.statusBar().showMessage("Working…")
        else:
            self.statusBar().showMessage(f"Signed in as {self.staff.name} ({self.staff.role})")

    def fail(self, error: Exception) -> None:
        if isinstance(error, VaultDamagedError):
            self.damaged.emit(error.message)  # the app locks and offers to restore
            return
        QMessageBox.warning(self, APP_NAME, describe(error))

    # Patient list -------------------------------------------------------------------------------

    def _search(self, text: str, show: Callable[[list[Patient], int], None]) -> None:
        def op(vault: Vault) -> tuple[list[Patient], int]:
            return patients.search_patients(
                vault, text, limit=SHOWN_AT_MOST
            ), patients.count_patients(vault)

        self.worker.run(op, lambda result: show(*result), self.fail)

    def show_list(self) -> None:
        self.page.clear()
        self.stack.setCurrentWidget(self.list_view)
        self.list_view.refresh()
        self.list_view.search_box.setFocus()

    def focus_search(self) -> None:
        if self.stack.currentWidget() is not self.locked:
            self.show_list()

    # Patient page ------------------------------------------------------------------------------

    def open_patient(self, patient_id: int) -> None:
        def op(vault: Vault) -> tuple[Patient, list[audit.AuditEvent]]:
            patient = patients.get_patient(vault, patient_id)
            return patient, audit.events(vault, subject=f"patient:{patient.id}", limit=200)

        def show(result: tuple[Patient, list[audit.AuditEvent]]) -> None:
            if self.stack.currentWidget() is self.locked:
                return
            self.page.show_patient(*result)
            self.stack.setCurrentWidget(self.page)
            self.page.tabs.setFocus()

        self.worker.run(op, show, self.fail)

    def add_patient(self) -> None:
        def attempt(
            values: dict[str, str], done: Callable[[], None], failed: Callable[[str], None]
        ) -> None:
            details = PatientDetails(**values)
            self.worker.run(
                lambda vault: patients.add_patient(vault, self.staff, details),
                self._saved_then_opened(done),
                explained_to(failed),
            )

        self.form = PatientForm(attempt, parent=self)
        self.form.open()

    def _saved_then_opened(self, done: Callable[[], None]) -> Callable[[Patient], None]:
        """Close the patient form, then show the patient just added or edited."""

        def saved(patient: Patient) -> None:
            done()
            self.open_patient(patient.id)

        return saved

    def edit_patient(self) -> None:
        current = self.page.patient
        if current is None:
            return

        def attempt(
            values: dict[str, str], done: Callable[[], None], failed: Callable[[str], None]
        ) -> None:
            self.worker.run(
                lambda vault: patients.edit_patient(vault, self.staff, current.id, **values),
                self._saved_then_opened(done),
                explained_to(failed),
            )

        self.form = PatientForm(attempt, patient=current, parent=self)
        self.form.open()

    # Patient mode ------------------------------------------------------------------------------

    def enter_patient_mode(self) -> None:
        patient = self.page.patient
        if patient is None:
            return
        flow = PatientModeFlow(patient.id, opened_by=self.staff)
        self.patient_mode = PatientModeWindow(self.session, flow)
        self.patient_mode.left.connect(self._left_patient_mode)
        self.patient_mode.show_full_screen(self.screen())
        self.hide()

    def _left_patient_mode(self, member: Staff) -> None:
        patient_id = self.patient_mode.flow.patient_id if self.patient_mode else None
        self.patient_mode = None
        self.staff = self.session.staff = member
        self.show()
        if patient_id is not None:
            self.open_patient(patient_id)

    # Locking -----------------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide every patient's data behind the lock screen and drop what the widgets held."""
        if self.patient_mode is not None:
            self.patient_mode.force_close()
            self.patient_mode.deleteLater()
            self.patient_mode = None
            self.show()
        if self.vault_dialog is not None:
            self.vault_dialog.reject()  # no backups from behind the lock screen
        if self.worklist is not None:
            self.worklist.reject()  # it lists record numbers
        if self.clinic_form is not None:
            self.clinic_form.reject()
        self.page.clear()
        self.list_view.clear()
        self.stack.setCurrentWidget(self.locked)
        self.menuBar().setEnabled(False)
        self.statusBar().clearMessage()

    def unlock(self, staff_member: Staff) -> None:
        self.staff = staff_member
        self.session.staff = staff_member
        self.menuBar().setEnabled(True)
        self.statusBar().showMessage(f"Signed in as {staff_member.name} ({staff_member.role})")
        self.show_list()

    # Vault and About --------------------------------------------------------------------------

    def open_vault_dialog(self) -> VaultDialog:
        if self.vault_dialog is None:
            self.vault_dialog = VaultDialog(self.session, parent=self)
            self.vault_dialog.restore_requested.connect(self.restore_requested)
        self.vault_dialog.open()
        self.vault_dialog.raise_()
        self.vault_dialog.refresh_status()
        return self.vault_dialog

    def open_clinic_form(self) -> None:
        """The clinic's details, read on the worker; saved there too (administrators only)."""

        def attempt(
            values: dict[str, str], done: Callable[[], None], failed: Callable[[str], None]
        ) -> None:
            def saved(_: clinic.Clinic) -> None:
                done()
                self.statusBar().showMessage("Clinic details saved.", 5000)

            self.worker.run(
                lambda vault: clinic.set_clinic(vault, self.staff, **values),
                saved,
                explained_to(failed),
            )

        def show(details: clinic.Clinic) -> None:
            self.clinic_form = ClinicForm(
                attempt, details, can_change=self.staff.is_admin, parent=self
            )
            self.clinic_form.open()

        self.worker.run(clinic.get_clinic, show, self.session.fail)

    def open_worklist(self) -> None:
        self.worklist = WorklistDialog(self.session, parent=self)
        self.worklist.open()
        self.worklist.start()

    def about(self) -> None:
        """Versions of the program and of what it knows; the ClinVar releases live in the vault."""

        def op(vault: Vault) -> str:
            newest: dict[str, clinvar.ClinvarRelease] = {}
            for release in clinvar.releases(vault):  # newest first
                newest.setdefault(release.build, release)
            pgx_versions = sorted({d.version for d in load_definitions().values()})
            genes = shipped_genes()
            return about_text(f"{genes.sf_list} ({len(genes)} genes)", pgx_versions, newest)

        def show(text: str) -> None:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                f"About {APP_NAME}",
                text,
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setTextFormat(Qt.TextFormat.RichText)
            self.about_box = box
            box.open()

        self.worker.run(op, show, self.fail)


def about_text(
    sf_list: str, pgx_versions: list[str], newest_clinvar: dict[str, clinvar.ClinvarRelease]
) -> str:
    if newest_clinvar:
        clinvar_lines = "".join(
            f"<br>&nbsp;&nbsp;{build}: release of {release.release_date} "
            f"(loaded {release.loaded_at[:10]})"
            for build, release in sorted(newest_clinvar.items())
        )
    else:
        clinvar_lines = "<br>&nbsp;&nbsp;none loaded yet (genedesk clinvar load)"
    return (
        f"<b>{APP_NAME} {__version__}</b><br>Genetic test results, plain-language reports and "
        "patient consent, kept in one encrypted file on this computer.<br><br>"
        f"<b>Program version:</b> {__version__}<br>"
        f"<b>Knowledge base:</b> secondary findings list {sf_list}<br>"
        f"<b>Pharmacogenomic allele definitions:</b> CPIC/PharmVar {', '.join(pgx_versions)}<br>"
        f"<b>Newest ClinVar release in this vault:</b>{clinvar_lines}"
    )
