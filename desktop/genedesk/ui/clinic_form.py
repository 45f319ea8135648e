"""The clinic's details (Vault ▸ Clinic details…): the name, address and contact every letter prints.

Everyone can read them; only an administrator can change them (core.clinic checks that too).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from genedesk.core.clinic import FIELDS
from genedesk.core.reports.model import Clinic
from genedesk.ui.dialogs import Attempt, WorkingDialog
from genedesk.ui.forms import add_row

_CAPTIONS = {
    "name": ("Clinic &name:", "Heads every letter and report"),
    "address": ("&Address:", "The postal address, one line per line (at most 6)"),
    "phone": ("&Phone:", "The number patients and clinicians call about a letter"),
    "email": ("&Email:", "The address for questions about a letter"),
    "contact_name": ("C&ontact person:", "Whom to ask for"),
    "contact_role": ("Contact's &role:", "For example: Genetic counsellor"),
}


class ClinicForm(WorkingDialog):
    def __init__(
        self, attempt: Attempt, clinic: Clinic, *, can_change: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__("Clinic details", attempt, parent)
        self.setAccessibleName("Clinic details")
        intro = QLabel(
            "Every letter and report GeneDesk prints from now on carries these details."
            if can_change
            else "Only an administrator can change the clinic's details."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        for spec in FIELDS:
            value = getattr(clinic, spec.name)
            field: QLineEdit | QPlainTextEdit
            if spec.lines > 1:
                field = QPlainTextEdit(value)
                field.setTabChangesFocus(True)  # Tab moves on; Enter makes a new line
                field.setFixedHeight(field.fontMetrics().lineSpacing() * (spec.lines + 1))
                field.setReadOnly(not can_change)
            else:
                field = QLineEdit(value)
                field.setMaxLength(spec.limit)
                field.setReadOnly(not can_change)
            caption, description = _CAPTIONS[spec.name]
            add_row(self.form, caption, field, description=description)
            self.fields[spec.name] = field
        self.finish_layout()
        save = self.buttons.button(self.buttons.StandardButton.Ok)
        save.setText("Save")
        save.setEnabled(can_change)
        save.setVisible(can_change)

    def values(self) -> dict[str, str]:
        return {
            name: field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
            for name, field in self.fields.items()
        }
