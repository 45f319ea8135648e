"""Add or edit a patient. Checks run in core; the form shows the message next to the fields."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QWidget

from genedesk.core.patients import SEXES, Patient
from genedesk.ui.dialogs import Attempt, WorkingDialog
from genedesk.ui.forms import add_row

_SEX_LABELS = {"female": "Female", "male": "Male", "unknown": "Unknown / not recorded"}


class PatientForm(WorkingDialog):
    def __init__(
        self, attempt: Attempt, *, patient: Patient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit patient" if patient else "Add patient", attempt, parent)
        self.mrn = QLineEdit(patient.mrn if patient else "")
        self.given = QLineEdit(patient.given_name if patient else "")
        self.family = QLineEdit(patient.family_name if patient else "")
        self.birth = QDateEdit()
        self.birth.setDisplayFormat("yyyy-MM-dd")
        self.birth.setCalendarPopup(True)
        self.birth.setMinimumDate(QDate(1880, 1, 1))
        self.birth.setMaximumDate(QDate.currentDate())
        self.birth.setDate(
            QDate.fromString(patient.birth_date, "yyyy-MM-dd") if patient else QDate(1980, 1, 1)
        )
        self.sex = QComboBox()
        for value in SEXES:
            self.sex.addItem(_SEX_LABELS[value], value)
        if patient:
            self.sex.setCurrentIndex(SEXES.index(patient.sex_at_birth))
        self.language = QLineEdit(patient.language if patient else "en")
        add_row(
            self.form,
            "&Record number:",
            self.mrn,
            description="The clinic's record number for this patient",
        )
        add_row(self.form, "&Given name(s):", self.given)
        add_row(self.form, "&Family name:", self.family)
        add_row(self.form, "Date of &birth:", self.birth)
        add_row(self.form, "&Sex at birth:", self.sex)
        add_row(
            self.form,
            "Preferred &language:",
            self.language,
            description="A language code such as en or es",
        )
        self.finish_layout()
        self.buttons.button(self.buttons.StandardButton.Ok).setText("Save")

    def values(self) -> dict[str, str]:
        return {
            "mrn": self.mrn.text(),
            "given_name": self.given.text(),
            "family_name": self.family.text(),
            "birth_date": self.birth.date().toString("yyyy-MM-dd"),
            "sex_at_birth": str(self.sex.currentData()),
            "language": self.language.text(),
        }
