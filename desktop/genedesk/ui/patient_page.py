"""One patient's page: a header and one tab per kind of work (each tab its own module as it grows)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import audit
from genedesk.core.audit import AuditEvent
from genedesk.core.patients import Patient
from genedesk.ui.consents_tab import ConsentsTab
from genedesk.ui.findings_tab import FindingsTab
from genedesk.ui.forms import scale_font
from genedesk.ui.patient_tab import PatientTab
from genedesk.ui.reports_tab import ReportsTab
from genedesk.ui.session import Session
from genedesk.ui.sharing_tab import SharingTab
from genedesk.ui.tests_tab import TestsTab

_ACTION_WORDS = {
    "patient.added": "Patient added",
    "patient.edited": "Details changed",
    "test.imported": "Lab file imported",
    "finding.classified": "Finding classified",
    "finding.updated": "Finding changed",
    "report.draft_saved": "Report draft made",
    "report.finalized": "Report signed",
    "report.amended": "Report amended",
    "report.exported": "Report exported",
    "report.printed": "Report printed",
    "consent.given": "Consent given",
    "consent.declined": "Consent declined",
    "consent.withdrawn": "Consent withdrawn",
    "consent.expired": "Consent expired",
    "request.added": "Sharing request received",
    "request.permitted": "Sharing request permitted",
    "request.denied": "Sharing request denied",
    "request.released": "Data released",
}


class OverviewTab(QWidget):
    edit_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("mrn", "Record number"),
            ("name", "Name"),
            ("birth_date", "Date of birth"),
            ("sex_at_birth", "Sex at birth"),
            ("language", "Preferred language"),
            ("created_at", "Added"),
            ("updated_at", "Last changed"),
        ):
            value = QLabel()
            value.setAccessibleName(label)
            self.fields[key] = value
            self.form.addRow(QLabel(f"{label}:"), value)
        self.edit = QPushButton("&Edit details…")
        self.edit.clicked.connect(self.edit_requested)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        row = QHBoxLayout()
        row.addWidget(self.edit)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_patient(self, patient: Patient) -> None:
        values = {
            "mrn": patient.mrn,
            "name": patient.display_name,
            "birth_date": patient.birth_date,
            "sex_at_birth": patient.sex_at_birth,
            "language": patient.language,
            "created_at": patient.created_at[:16].replace("T", " ") + " UTC",
            "updated_at": patient.updated_at[:16].replace("T", " ") + " UTC",
        }
        for key, label in self.fields.items():
            label.setText(values[key])

    def clear(self) -> None:
        for label in self.fields.values():
            label.clear()


class HistoryTab(PatientTab):
    """This patient's audit events, newest first; read afresh each time the tab is shown."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.table = QTableWidget(0, 3)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setHorizontalHeaderLabels(["When (UTC)", "Staff", "What"])
        self.table.setAccessibleName("History of this patient's record")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def show_events(self, events: list[AuditEvent]) -> None:
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            what = _ACTION_WORDS.get(event.action, event.action)
            if event.details.get("fields"):
                what += ": " + ", ".join(str(f).replace("_", " ") for f in event.details["fields"])
            for column, text in enumerate((event.at[:19].replace("T", " "), event.staff, what)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def refresh(self) -> None:
        self.load(
            lambda vault, patient_id: audit.events(
                vault, subject=f"patient:{patient_id}", limit=200
            ),
            self.show_events,
        )

    def clear(self) -> None:
        self.patient_id = None
        self.table.setRowCount(0)


class PatientPage(QWidget):
    back = Signal()
    patient_mode_requested = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.patient: Patient | None = None
        self.back_button = QPushButton("← &All patients")
        self.back_button.setAccessibleName("Back to all patients")
        self.back_button.clicked.connect(self.back)
        self.title = QLabel()
        scale_font(self.title, 1.6, bold=True)
        self.title.setAccessibleName("Patient")
        self.subtitle = QLabel()
        self.patient_mode_button = QPushButton("Patient &mode")
        self.patient_mode_button.setAccessibleName("Patient mode")
        self.patient_mode_button.setToolTip(
            "Full screen, large type: the patient reviews their results and consents"
        )
        self.patient_mode_button.clicked.connect(self.patient_mode_requested)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Patient record")
        self.overview = OverviewTab()
        self.tests = TestsTab(session)
        self.findings = FindingsTab(session)
        self.tests.imported.connect(lambda: self.findings.refresh())
        self.reports = ReportsTab(session)
        self.consents = ConsentsTab(session)
        # A consent given or withdrawn can show or hide secondary findings.
        self.consents.changed.connect(lambda: self.findings.refresh())
        # The family letter's finding list follows imports and classification changes.
        self.tests.imported.connect(lambda: self.reports.refresh())
        self.findings.detail.saved.connect(lambda _: self.reports.refresh())
        self.sharing = SharingTab(session)
        # A withdrawn consent can deny the pending requests it covered.
        self.consents.changed.connect(lambda: self.sharing.refresh())
        self.history = HistoryTab(session)
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.tests, "&Tests")
        self.tabs.addTab(self.findings, "Fi&ndings")
        self.tabs.addTab(self.reports, "&Reports")
        self.tabs.addTab(self.consents, "&Consents")
        self.tabs.addTab(self.sharing, "&Sharing")
        self.tabs.addTab(self.history, "Histor&y")
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(12)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.subtitle)
        header.addSpacing(12)
        header.addWidget(self.patient_mode_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(self._tab_shown)

    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.history:
            self.history.refresh()

    def show_patient(self, patient: Patient, events: list[AuditEvent]) -> None:
        self.patient = patient
        self.title.setText(patient.display_name)
        self.subtitle.setText(f"Born {patient.birth_date} · Record {patient.mrn}")
        self.overview.show_patient(patient)
        if self.tests.patient_id != patient.id:
            self.tests.show_patient(patient.id)
            self.findings.show_patient(patient)
            self.reports.show_patient(patient.id)
            self.consents.show_patient(patient.id)
            self.sharing.show_patient(patient.id)
        self.history.patient_id = patient.id
        self.history.show_events(events)

    def clear(self) -> None:
        self.patient = None
        self.title.clear()
        self.subtitle.clear()
        self.overview.clear()
        self.tests.clear()
        self.findings.clear()
        self.reports.clear()
        self.consents.clear()
        self.sharing.clear()
        self.history.clear()
