"""The Sharing tab: a patient's sharing requests, the decision with every reason, and the release.

A request is decided against the patient's consents (core.consent.service.evaluate_request) and
kept with its decision; only a permitted request can be released, and the release decides again
on the day, so a consent withdrawn meanwhile still refuses it. Adding, deciding and releasing all
run on the vault worker; the widgets only show what comes back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import findings, patient_mode
from genedesk.core.consent.duo import duo
from genedesk.core.consent.model import (
    DATA_CATEGORIES,
    DATA_WORDS,
    RECIPIENT_TYPES,
    Decision,
    Purpose,
    Reason,
    RequestDetails,
    SharingRequest,
)
from genedesk.core.consent.service import (
    ReleaseResult,
    add_request,
    evaluate_request,
    list_requests,
    release_request,
)
from genedesk.core.vault import Vault
from genedesk.ui.forms import add_row, choose_file
from genedesk.ui.patient_tab import PatientTab
from genedesk.ui.session import Session, describe

TYPE_WORDS = {
    "academic": "University or research group",
    "commercial": "Company",
    "clinical": "Hospital or clinic",
    "family": "Family member",
    "registry": "Registry",
}
STATUS_WORDS = {"pending": "Pending", "denied": "Denied", "released": "Released"}
# Status next to the requester: it is what the counsellor looks for first.
_COLUMNS = ("#", "Requester", "Status", "Type", "Country", "Use", "Data", "Identity")
TYPE_SHORT = {
    "academic": "Academic",
    "commercial": "Commercial",
    "clinical": "Clinical",
    "family": "Family",
    "registry": "Registry",
}


def stored_decision(request: SharingRequest) -> Decision | None:
    """The decision kept with a request, read back so it explains itself in the same words."""
    raw: dict[str, Any] | None = request.decision
    if raw is None:
        return None
    return Decision(
        permitted=bool(raw["permitted"]),
        consent_id=raw.get("consent_id"),
        reasons=tuple(Reason(**r) for r in raw.get("reasons", ())),
        decided_on=dt.date.fromisoformat(raw["decided_on"]),
    )


def status_text(request: SharingRequest) -> str:
    decision = stored_decision(request)
    words = STATUS_WORDS.get(request.status, request.status)
    if request.status == "released":
        return f"{words} (consent {request.governing_consent})"
    if decision is None:
        return f"{words}: not decided"
    if decision.permitted:
        return f"{words}: permitted (consent {decision.consent_id})"
    return f"{words}: not permitted"


class SharingTab(PatientTab):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._requests: list[SharingRequest] = []
        self.file_dialog: QFileDialog | None = None
        self.last_release: ReleaseResult | None = None

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setAccessibleName("Sharing requests")
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # wraps a long name
        self.table.itemSelectionChanged.connect(self._selected)

        self.evaluate_button = QPushButton("Eva&luate")
        self.evaluate_button.setAccessibleName("Evaluate the selected request against the consents")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.release_button = QPushButton("Release &data…")
        self.release_button.setAccessibleName("Release the selected request")
        self.release_button.clicked.connect(self.ask_release)
        self.decision = QLabel()
        self.decision.setWordWrap(True)
        self.decision.setAccessibleName("Decision")
        self.decision.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decision.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sharing message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        decision_box = QGroupBox("Decision for the selected request")
        decision_layout = QVBoxLayout(decision_box)
        decision_layout.addWidget(self.decision, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.evaluate_button)
        actions.addWidget(self.release_button)
        actions.addStretch(1)

        # A new request: who asks, from where, for what use, which data, identified or not.
        self.requester = QLineEdit()
        self.requester.setPlaceholderText("e.g. Northern Cancer Genetics Study")
        self.requester_type = QComboBox()
        for kind in RECIPIENT_TYPES:
            self.requester_type.addItem(TYPE_WORDS.get(kind, kind), kind)
        self.country = QLineEdit()
        self.country.setMaxLength(2)
        self.country.setPlaceholderText("GB")
        self.country.setMaximumWidth(60)
        self.permission = QComboBox()
        plain = patient_mode._duo_plain()
        for code in duo().permissions:
            self.permission.addItem(f"{code} — {plain.get(code, code)}", code)
        self.permission.setCurrentIndex(max(0, self.permission.findData("HMB")))
        self.permission.setMinimumContentsLength(16)  # the full words are in the tooltip
        self.permission.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.disease = QLineEdit()
        self.disease.setPlaceholderText("e.g. MONDO:0007254")
        self.permission.currentIndexChanged.connect(lambda *_: self._update_buttons())
        self.data_boxes = {c: QCheckBox(DATA_WORDS[c]) for c in DATA_CATEGORIES}
        for code, box in self.data_boxes.items():
            box.setAccessibleName(f"Data asked for: {DATA_WORDS[code]}")
        self.deidentified = QCheckBox("De-identified")
        self.deidentified.setToolTip("The package carries a pseudonym, no name or record number")
        self.deidentified.setAccessibleName("De-identified")
        self.deidentified.setChecked(True)
        self.ethics_ref = QLineEdit()
        self.ethics_ref.setPlaceholderText("optional")
        self.add_button = QPushButton("Add re&quest")
        self.add_button.setAccessibleName("Add the sharing request")
        self.add_button.clicked.connect(self.add)
        new = QGroupBox("New request")
        form = QFormLayout(new)
        add_row(
            form,
            "Or&ganisation:",
            self.requester,
            description="The organisation asking for the data",
        )
        add_row(form, "Ty&pe:", self.requester_type)
        add_row(form, "Co&untry:", self.country, description="Two-letter ISO 3166 code, e.g. GB")
        add_row(form, "Us&e:", self.permission, description="The DUO permission the use needs")
        add_row(
            form,
            "D&isease:",
            self.disease,
            description="Only for disease-specific use (DS): a MONDO or similar identifier",
        )
        data_row = QWidget()
        data_layout = QVBoxLayout(data_row)
        data_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.data_boxes.values():
            data_layout.addWidget(box)
        form.addRow(QLabel("Data:"), data_row)
        form.addRow(QLabel(""), self.deidentified)
        add_row(form, "Ethics reference:", self.ethics_ref)
        add_row_buttons = QHBoxLayout()
        add_row_buttons.addStretch(1)
        add_row_buttons.addWidget(self.add_button)
        form.addRow(add_row_buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 3)
        left_layout.addLayout(actions)
        left_layout.addWidget(decision_box, 2)
        left_layout.addWidget(self.message)
        # The requests list gets the rest of a wide window.
        self.place_beside(left, [new], side_at_most=360)
        self.table.setMinimumWidth(420)
        self._update_buttons()

    # --- showing ------------------------------------------------------------------------

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.last_release = None
        self.message.clear()
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        self.load(list_requests, lambda found: self._show(found, select))

    def _show(self, found: list[SharingRequest], select: int | None) -> None:
        chosen = self.selected()
        keep = select if select is not None else (chosen.id if chosen else None)
        self._requests = found
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(found))
        for row, request in enumerate(found):
            d = request.details
            values = (
                str(request.id),
                d.requester + (f" (ethics {d.ethics_ref})" if d.ethics_ref else ""),
                status_text(request),
                TYPE_SHORT.get(d.requester_type, d.requester_type),
                d.country,
                d.purpose.text(),
                ", ".join(d.data),  # the clinic's short words: findings, variants, summary
                "De-identified" if d.deidentified else "Identified",
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        rows = [n for n, r in enumerate(found) if r.id == keep]
        if rows:
            self.table.selectRow(rows[0])
        self.table.blockSignals(False)
        self._selected()

    def selected(self) -> SharingRequest | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._requests):
            return None
        return self._requests[rows[0].row()]

    def _selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.decision.setText(
                "Select a request to see its decision."
                if self._requests
                else "No sharing requests for this patient. Add one with the form on the right."
            )
        else:
            decision = stored_decision(chosen)
            if chosen.status == "released":
                self.decision.setText(
                    f"Request {chosen.id} was released under consent {chosen.governing_consent}."
                )
            elif decision is None:
                self.decision.setText(
                    f"Request {chosen.id} has not been decided yet: press Evaluate."
                )
            else:
                self.decision.setText(
                    f"Decided {decision.decided_on:%d %b %Y}. {decision.explain()}"
                )
        self._update_buttons()

    def _update_buttons(self) -> None:
        ds = self.permission.currentData() == "DS"
        self.permission.setToolTip(self.permission.currentText())
        self.disease.setEnabled(ds)
        self.add_button.setEnabled(self.patient_id is not None)
        chosen = self.selected()
        decision = stored_decision(chosen) if chosen is not None else None
        self.evaluate_button.setEnabled(chosen is not None and chosen.status != "released")
        self.release_button.setEnabled(
            chosen is not None
            and chosen.status == "pending"
            and decision is not None
            and decision.permitted
        )

    # --- acting -------------------------------------------------------------------------

    def _details(self) -> RequestDetails:
        code = str(self.permission.currentData())
        disease = self.disease.text().strip()
        purpose = Purpose.parse(f"DS:{disease}" if code == "DS" else code)
        return RequestDetails(
            requester=self.requester.text(),
            requester_type=str(self.requester_type.currentData()),
            country=self.country.text(),
            purpose=purpose,
            data=tuple(c for c, box in self.data_boxes.items() if box.isChecked()),
            deidentified=self.deidentified.isChecked(),
            ethics_ref=self.ethics_ref.text() or None,
        )

    def _failed(self, error: Exception) -> None:
        self.message.setText(describe(error))
        self._update_buttons()

    def add(self) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        try:
            details = self._details()
        except Exception as error:  # noqa: BLE001 - a bad choice is shown, never raised
            self.message.setText(describe(error))
            return
        actor = self.session.staff
        self.add_button.setEnabled(False)

        def done(request: SharingRequest) -> None:
            self.requester.clear()
            self.ethics_ref.clear()
            self.message.setText(f"Request {request.id} added. Evaluate it against the consents.")
            self.refresh(select=request.id)

        self.session.worker.run(
            lambda vault: add_request(vault, actor, patient_id, details), done, self._failed
        )

    def evaluate(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        actor, request_id = self.session.staff, chosen.id
        self.evaluate_button.setEnabled(False)
        self.release_button.setEnabled(False)

        def done(decision: Decision) -> None:
            self.message.setText(
                f"Request {request_id}: {decision.explain()}"
                if decision.permitted
                else f"Request {request_id} cannot be released."
            )
            self.refresh(select=request_id)

        self.session.worker.run(
            lambda vault: evaluate_request(vault, actor, request_id), done, self._failed
        )

    def ask_release(self) -> QFileDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        request_id = chosen.id
        self.file_dialog = choose_file(
            self,
            "Save the release package",
            ["Zip package (*.zip)"],
            lambda path: self.release_to(request_id, path),
            save_as=f"sharing request {chosen.id}.zip",
            suffix="zip",
        )
        return self.file_dialog

    def release_to(self, request_id: int, path: Path) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        actor = self.session.staff
        self.evaluate_button.setEnabled(False)
        self.release_button.setEnabled(False)

        def op(vault: Vault) -> ReleaseResult:
            data = findings.release_data_for(vault, patient_id)
            return release_request(vault, actor, request_id, data, out=path)

        def done(result: ReleaseResult) -> None:
            self.last_release = result
            self.message.setText(
                f"Request {request_id} released to {path}.\n"
                f"Package SHA-256: {result.package.sha256}"
            )
            self.refresh(select=request_id)

        def failed(error: Exception) -> None:
            self._failed(error)
            self.refresh(select=request_id)  # a refusal is kept with the request

        self.session.worker.run(op, done, failed)

    def clear(self) -> None:
        self.patient_id = None
        self._requests = []
        self.last_release = None
        if self.file_dialog is not None and self.file_dialog.isVisible():
            self.file_dialog.reject()
        self.table.setRowCount(0)
        self.decision.clear()
        self.message.clear()
        self.requester.clear()
        self.country.clear()
        self.disease.clear()
        self.ethics_ref.clear()
        self._update_buttons()
