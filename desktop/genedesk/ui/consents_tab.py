"""The Consents tab: each consent in plain words; give, decline or withdraw one with a signature
drawn on screen, and keep the receipt.

The plain words are patient mode's own (core.patient_mode.consent_card), so the counsellor reads
exactly what the patient is shown. Recording, withdrawing, making the receipt and saving it all run
on the vault worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
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
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import clock, patient_mode, patients
from genedesk.core.atomic import atomic_write
from genedesk.core.clinic import get_clinic
from genedesk.core.consent.duo import duo
from genedesk.core.consent.model import (
    DATA_CATEGORIES,
    DATA_WORDS,
    KINDS,
    RECIPIENT_TYPES,
    SHARING_KINDS,
    Consent,
    ConsentTerms,
    Purpose,
    Recipients,
)
from genedesk.core.consent.receipts import build_consent_receipt, build_withdrawal_receipt
from genedesk.core.consent.service import HowGiven, list_consents, record_consent, withdraw_consent
from genedesk.core.vault import Vault
from genedesk.ui.forms import add_row, choose_file, read_only_table
from genedesk.ui.patient_tab import PatientTab
from genedesk.ui.session import Session, describe
from genedesk.ui.signature_pad import SignaturePad

KIND_WORDS = {
    "secondary-findings": "Be told about secondary findings",
    "recontact": "Be contacted again if the results change",
    "relatives": "Share results with relatives",
    "research": "Share data for research",
    "registry": "Share data with a registry",
    "clinical-care": "Share data for clinical care",
}
STATUS_WORDS = {
    "given": "Given",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
}
RECIPIENT_WORDS = {
    "academic": "universities",
    "commercial": "companies",
    "clinical": "hospitals",
    "family": "family",
    "registry": "registries",
}


@dataclass(frozen=True)
class Receipt:
    consent_id: int
    kind: str  # "consent" or "withdrawal"
    pdf: bytes


def _day(stamp: str) -> str:
    return dt.date.fromisoformat(stamp[:10]).strftime("%d %b %Y")


class ConsentsTab(PatientTab):
    changed = Signal()  # a consent was recorded or withdrawn

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._consents: list[Consent] = []
        self.receipt: Receipt | None = None
        self.file_dialog: QFileDialog | None = None
        self.table = read_only_table(
            ("Consent", "What it allows", "Status", "Recorded by"), "Consents"
        )
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        # Giving or declining: the kind, and for kinds that share data, what, for what, to whom.
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(KIND_WORDS.get(kind, kind), kind)
        self.permission = QComboBox()
        plain = patient_mode._duo_plain()
        for code in duo().permissions:
            if code != "DS":  # disease-specific needs a disease identifier: the CLI takes it
                self.permission.addItem(f"{code} — {plain.get(code, code)}", code)
        self.permission.setCurrentIndex(max(0, self.permission.findData("GRU")))
        self.data_boxes = {c: QCheckBox(DATA_WORDS[c]) for c in DATA_CATEGORIES}
        self.recipient_boxes = {t: QCheckBox(RECIPIENT_WORDS.get(t, t)) for t in RECIPIENT_TYPES}
        for code, box in self.data_boxes.items():
            box.setAccessibleName(f"Data: {DATA_WORDS[code]}")
        for code, box in self.recipient_boxes.items():
            box.setAccessibleName(f"Recipients: {RECIPIENT_WORDS.get(code, code)}")
        self.sharing = QWidget()
        sharing_form = QFormLayout(self.sharing)
        sharing_form.setContentsMargins(0, 0, 0, 0)
        add_row(sharing_form, "&Use:", self.permission)
        sharing_form.addRow(QLabel("Data:"), self._row(self.data_boxes.values()))
        sharing_form.addRow(QLabel("To:"), self._row(self.recipient_boxes.values()))
        self.kind.currentIndexChanged.connect(lambda *_: self._update_buttons())
        self.give_button = QPushButton("&Give consent")
        self.give_button.setAccessibleName("Record the consent as given")
        self.decline_button = QPushButton("&Decline")
        self.decline_button.setAccessibleName("Record the consent as declined")
        self.give_button.clicked.connect(lambda: self.record(declined=False))
        self.decline_button.clicked.connect(lambda: self.record(declined=True))
        give = QGroupBox("New consent")
        give_form = QFormLayout(give)
        add_row(give_form, "K&ind:", self.kind)
        give_form.addRow(self.sharing)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.give_button)
        give_form.addRow(buttons)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (optional), in the patient's words")
        self.withdraw_button = QPushButton("&Withdraw selected")
        self.withdraw_button.setAccessibleName("Withdraw the selected consent")
        self.withdraw_button.clicked.connect(self.withdraw)
        withdraw = QGroupBox("Withdraw the selected consent")
        withdraw_form = QFormLayout(withdraw)
        add_row(withdraw_form, "R&eason:", self.reason)
        withdraw_row = QHBoxLayout()
        withdraw_row.addStretch(1)
        withdraw_row.addWidget(self.withdraw_button)
        withdraw_form.addRow(withdraw_row)

        self.signature = SignaturePad()
        self.signature.setAccessibleName("Patient's signature")
        self.signature.changed.connect(self._update_buttons)
        self.clear_signature = QPushButton("C&lear signature")
        self.clear_signature.setAccessibleName("Clear the signature")
        self.clear_signature.clicked.connect(self.signature.clear)
        signature = QGroupBox("The patient signs here to give, decline or withdraw")
        signature_layout = QVBoxLayout(signature)
        signature_layout.addWidget(self.signature)
        clear_row = QHBoxLayout()
        clear_row.addStretch(1)
        clear_row.addWidget(self.clear_signature)
        signature_layout.addLayout(clear_row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Consent message")
        self.save_receipt_button = QPushButton("Save recei&pt…")
        self.save_receipt_button.setAccessibleName("Save the receipt PDF")
        self.save_receipt_button.clicked.connect(self.ask_save_receipt)
        result_row = QHBoxLayout()
        result_row.addWidget(self.message, 1)
        result_row.addWidget(self.save_receipt_button)

        # The consents list gets the rest of a wide window.
        self.place_beside(self.table, [give, withdraw, signature, result_row], side_at_most=640)
        self.table.setMinimumWidth(420)
        self._update_buttons()

    @staticmethod
    def _row(boxes: object) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for box in boxes:  # type: ignore[attr-defined]
            row.addWidget(box)
        row.addStretch(1)
        return holder

    # --- showing ------------------------------------------------------------------------

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.receipt = None
        self.message.clear()
        self.signature.clear()
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        self.load(list_consents, lambda found: self._show(found, select))

    def _show(self, found: list[Consent], select: int | None) -> None:
        self._consents = found
        words, today = patient_mode.words(), clock.utcnow().date()
        self.table.setRowCount(len(found))
        for row, consent in enumerate(found):
            card = patient_mode.consent_card(consent, words, today)
            status = consent.status_on(today)
            last = consent.events[-1]
            when = _day(last.at) if status != "expired" else str(consent.valid_until)
            status_text = f"{STATUS_WORDS.get(status, status)} {when}"
            if status == "withdrawn" and last.reason:
                status_text += f" — {last.reason}"
            values = (
                KIND_WORDS.get(consent.kind, card.title),
                " ".join(card.lines) or "A yes or no; nothing is shared.",
                status_text,
                last.recorded_by,
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        rows = [n for n, c in enumerate(found) if c.id == select]
        if rows:
            self.table.selectRow(rows[0])
        self._update_buttons()

    def selected(self) -> Consent | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._consents):
            return None
        return self._consents[rows[0].row()]

    def _update_buttons(self) -> None:
        self.sharing.setVisible(self.kind.currentData() in SHARING_KINDS)
        ready = self.patient_id is not None
        self.give_button.setEnabled(ready)
        self.decline_button.setEnabled(ready)
        chosen = self.selected()
        self.withdraw_button.setEnabled(
            ready and chosen is not None and chosen.status_on(clock.utcnow().date()) == "given"
        )
        self.save_receipt_button.setEnabled(self.receipt is not None)

    # --- acting -------------------------------------------------------------------------

    def _terms(self, kind: str) -> ConsentTerms:
        if kind not in SHARING_KINDS:
            return ConsentTerms()
        return ConsentTerms(
            purpose=Purpose.parse(str(self.permission.currentData())),
            data=tuple(c for c, box in self.data_boxes.items() if box.isChecked()),
            recipients=Recipients(
                types=tuple(t for t, box in self.recipient_boxes.items() if box.isChecked())
            ),
        )

    def _signature_or_say(self) -> bytes | None:
        if self.signature.is_empty:
            self.message.setText("The patient needs to sign in the box first.")
            return None
        return self.signature.png()

    def record(self, *, declined: bool) -> None:
        patient_id = self.patient_id
        png = self._signature_or_say()
        if patient_id is None or png is None:
            return
        kind = str(self.kind.currentData())
        try:
            terms = self._terms(kind)
        except Exception as error:  # noqa: BLE001 - a bad choice is shown, never raised
            self.message.setText(describe(error))
            return
        actor = self.session.staff

        def op(vault: Vault) -> Receipt:
            consent = record_consent(
                vault,
                actor,
                patient_id,
                kind=kind,
                terms=terms,
                how=HowGiven(method="signed", evidence=png),
                declined=declined,
            )
            patient = patients.get_patient(vault, patient_id)
            clinic_name = get_clinic(vault).name
            return Receipt(
                consent.id,
                "consent",
                build_consent_receipt(consent, patient, clinic_name=clinic_name),
            )

        self._run(op, "declined" if declined else "given")

    def withdraw(self) -> None:
        chosen = self.selected()
        png = self._signature_or_say()
        if chosen is None or png is None or self.patient_id is None:
            return
        actor, reason, patient_id = self.session.staff, self.reason.text(), self.patient_id

        def op(vault: Vault) -> Receipt:
            done = withdraw_consent(
                vault,
                actor,
                chosen.id,
                reason=reason or None,
                how=HowGiven(method="signed", evidence=png),
            )
            patient = patients.get_patient(vault, patient_id)
            pdf = build_withdrawal_receipt(
                done.consent,
                patient,
                stopped_requests=len(done.denied_requests),
                past_releases=done.past_releases,
                clinic_name=get_clinic(vault).name,
            )
            return Receipt(chosen.id, "withdrawal", pdf)

        self._run(op, "withdrawn")

    def _run(self, op: Callable[[Vault], Receipt], what: str) -> None:
        for button in (self.give_button, self.decline_button, self.withdraw_button):
            button.setEnabled(False)

        def done(receipt: Receipt) -> None:
            self.receipt = receipt
            self.signature.clear()
            self.reason.clear()
            self.message.setText(f"Consent {what}. Save the receipt for the patient.")
            self.refresh(select=receipt.consent_id)
            self.changed.emit()

        def failed(error: Exception) -> None:
            self.message.setText(describe(error))
            self._update_buttons()

        self.session.worker.run(op, done, failed)

    def ask_save_receipt(self) -> QFileDialog | None:
        if self.receipt is None:
            return None
        name = f"{self.receipt.kind} receipt {self.receipt.consent_id}.pdf"
        self.file_dialog = choose_file(
            self, "Save the receipt", ["PDF (*.pdf)"], self.save_receipt_to, save_as=name, suffix="pdf"
        )
        return self.file_dialog

    def save_receipt_to(self, path: Path) -> None:
        receipt = self.receipt
        if receipt is None:
            return

        def op(_: Vault) -> Path:
            atomic_write(path, receipt.pdf, what="the receipt")
            return path

        self.session.worker.run(
            op,
            lambda written: self.message.setText(f"Receipt saved to {written}."),
            lambda error: self.message.setText(describe(error)),
        )

    def clear(self) -> None:
        self.patient_id = None
        self._consents = []
        self.receipt = None
        if self.file_dialog is not None and self.file_dialog.isVisible():
            self.file_dialog.reject()
        self.table.setRowCount(0)
        self.message.clear()
        self.reason.clear()
        self.signature.clear()
        self._update_buttons()
