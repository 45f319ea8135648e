"""The Reports tab: a patient's reports and every version; generate, finalize, amend and export.

Finalizing and amending sign the report, so they ask the staff member's password again and check
it on the worker before the final version is rendered. Every render, signing and export runs on
the vault worker; the widgets only show what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import findings, staff
from genedesk.core.findings import Finding
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import ReportKind, ReportStatus, Signer
from genedesk.core.reports.store import ReportVersion
from genedesk.core.vault import Vault
from genedesk.ui.dialogs import Attempt, WorkingDialog
from genedesk.ui.forms import add_row, choose_file, password_field, read_only_table
from genedesk.ui.patient_tab import PatientTab
from genedesk.ui.printing import ask_to_print, pdf_in_memory, print_pdf
from genedesk.ui.session import Session, describe, explained_to

KIND_WORDS = {
    ReportKind.PATIENT: "Patient letter",
    ReportKind.CLINICIAN: "Clinician report",
    ReportKind.FAMILY: "Family letter",
}
STATUS_WORDS = {
    ReportStatus.DRAFT: "Draft",
    ReportStatus.FINAL: "Final",
    ReportStatus.AMENDED: "Amended",
}
ROLE_WORDS = {"counsellor": "Genetic counsellor", "admin": "Clinic administrator"}
_COLUMNS = ("Report", "Kind", "Version", "Status", "Date", "Author", "Signed by", "SHA-256")


def page_count(pdf: bytes) -> int:
    """Pages in a GeneDesk PDF (ReportLab writes each page object uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@dataclass(frozen=True)
class Preview:
    version: ReportVersion
    pdf: bytes


class SignDialog(WorkingDialog):
    """The staff member's password again (and, to amend, the reason) before a report is signed."""

    def __init__(
        self, title: str, who: str, attempt: Attempt, *, reason: bool, parent: QWidget | None
    ) -> None:
        super().__init__(title, attempt, parent)
        intro = QLabel(
            f"Signing as {who}. A signed version can never change; corrections are made as "
            "amendments that name the version they replace."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.reason: QLineEdit | None = None
        if reason:
            self.reason = QLineEdit()
            add_row(
                self.form,
                "&Reason for the amendment:",
                self.reason,
                description="Printed on the amended report: what changed and why",
            )
        self.password = password_field()
        add_row(self.form, "Your &password:", self.password)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Sign")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")

    def values(self) -> dict[str, str]:
        reason = self.reason.text().strip() if self.reason is not None else ""
        return {"password": self.password.text(), "reason": reason}

    def check(self, values: dict[str, str]) -> str | None:
        if self.reason is not None and not values["reason"]:
            return "Say what changed and why: the reason is printed on the amended report."
        return None if values["password"] else "Type your password to sign."

    def _failed(self, message: str) -> None:
        self.password.clear()
        super()._failed(message)


class ReportsTab(PatientTab):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._versions: list[ReportVersion] = []
        self._findings: list[Finding] = []
        self.sign_dialog: SignDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.preview: Preview | None = None
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of report")
        for kind, words in KIND_WORDS.items():
            self.kind.addItem(words, kind.value)
        self.finding = QComboBox()
        self.finding.setAccessibleName("Finding the family letter is about")
        self.finding.setMinimumContentsLength(24)
        self.large_print = QCheckBox("&Large print")
        self.large_print.setAccessibleName("Large print")
        self.generate_button = QPushButton("&Generate draft")
        self.generate_button.setAccessibleName("Generate a draft report")
        self.kind.currentIndexChanged.connect(lambda *_: self._update_buttons())
        self.generate_button.clicked.connect(self.generate)
        self.table = read_only_table(_COLUMNS, "Reports and their versions")
        self.table.itemSelectionChanged.connect(self._selected)
        self.finalize_button = QPushButton("Finali&ze and sign…")
        self.finalize_button.setAccessibleName("Finalize and sign the draft")
        self.finalize_button.clicked.connect(self.ask_finalize)
        self.amend_button = QPushButton("Am&end…")
        self.amend_button.setAccessibleName("Amend the final report")
        self.amend_button.clicked.connect(self.ask_amend)
        self.export_button = QPushButton("E&xport PDF…")
        self.export_button.setAccessibleName("Export the PDF")
        self.export_button.clicked.connect(self.ask_export)
        self.print_button = QPushButton("&Print…")
        self.print_button.setAccessibleName("Print the report")
        self.print_button.clicked.connect(self.ask_print)
        self.print_dialog: QPrintDialog | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Report message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_area = QWidget()
        preview_layout = QVBoxLayout(self.preview_area)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setAccessibleName("Preview")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        preview_layout.addWidget(self.preview_label)
        # The PDF itself, exactly the bytes that are stored, signed and exported: what the
        # counsellor reads here is what the patient gets.
        self.pdf_document = QPdfDocument(self)
        self._pdf_buffer: QBuffer | None = None
        self.pdf_view = QPdfView(self)
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setAccessibleName("Report preview")
        self.pdf_view.setAccessibleDescription(
            "The chosen report version as it prints; scroll to read every page"
        )
        self.pdf_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        preview_layout.addWidget(self.pdf_view, 1)

        top = QHBoxLayout()
        top.addWidget(QLabel("New:"))
        top.addWidget(self.kind)
        top.addWidget(self.finding, 1)
        top.addWidget(self.large_print)
        top.addWidget(self.generate_button)
        actions = QHBoxLayout()
        for button in (self.finalize_button, self.amend_button, self.export_button,
                       self.print_button):
            actions.addWidget(button)
        actions.addWidget(self.message, 1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.table)
        upper_layout.addLayout(actions)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.preview_area)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._update_buttons()

    # --- showing ------------------------------------------------------------------------

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.message.clear()
        self.refresh()

    def refresh(self, select: tuple[str, int] | None = None) -> None:
        def read(vault: Vault, patient_id: int) -> tuple[list[ReportVersion], list[Finding]]:
            return store.reports_of(vault, patient_id), list(
                findings.list_findings(vault, patient_id).shown
            )

        self.load(read, lambda found: self._show(*found, select))

    def _show(
        self, versions: list[ReportVersion], found: list[Finding], select: tuple[str, int] | None
    ) -> None:
        self._findings = found
        chosen = self.finding.currentData()
        self.finding.clear()
        for f in found:
            change = f.call.hgvs_p or f.call.hgvs_c or f.call.hgvs_g
            self.finding.addItem(f"{f.gene} {change} — {f.label}", f.id)
        if chosen is not None and self.finding.findData(chosen) >= 0:
            self.finding.setCurrentIndex(self.finding.findData(chosen))
        # Newest first: the version a counsellor acts on is the latest one.
        self._versions = sorted(versions, key=lambda v: (v.report_id, v.version), reverse=True)
        self.table.setRowCount(len(self._versions))
        for row, v in enumerate(self._versions):
            values = (
                v.report_id,
                KIND_WORDS[v.kind] + (" (large print)" if v.large_print else ""),
                str(v.version),
                STATUS_WORDS[v.status]
                + (f", replaced by version {v.replaced_by}" if v.replaced_by else ""),
                v.report_date.strftime("%Y-%m-%d %H:%M"),
                v.saved_by,
                v.signed_by or "",
                v.sha256[:12],
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == len(values) - 1:
                    item.setToolTip(v.sha256)
                self.table.setItem(row, column, item)
        rows = [
            n for n, v in enumerate(self._versions) if select and (v.report_id, v.version) == select
        ]
        if rows or self._versions:
            # The same row index may already be selected (a new version moves to the top),
            # so no selection signal would come: show the chosen version's preview here.
            self.table.blockSignals(True)
            self.table.selectRow(rows[0] if rows else 0)
            self.table.blockSignals(False)
            self._selected()
        else:
            self._show_preview(None)
            self.preview_label.setText("No reports yet. Choose a kind and Generate a draft.")
        self._update_buttons()

    def selected(self) -> ReportVersion | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._versions):
            return None
        return self._versions[rows[0].row()]

    def _latest_of(self, version: ReportVersion) -> ReportVersion:
        return max(
            (v for v in self._versions if v.report_id == version.report_id),
            key=lambda v: v.version,
        )

    def _update_buttons(self) -> None:
        family = self.kind.currentData() == ReportKind.FAMILY.value
        self.finding.setEnabled(family and self.finding.count() > 0)
        self.generate_button.setEnabled(
            self.patient_id is not None and (not family or self.finding.count() > 0)
        )
        chosen = self.selected()
        latest = chosen is not None and self._latest_of(chosen) == chosen
        self.finalize_button.setEnabled(bool(latest and chosen and not chosen.is_final))
        self.amend_button.setEnabled(bool(latest and chosen and chosen.is_final))
        self.export_button.setEnabled(chosen is not None)
        self.print_button.setEnabled(chosen is not None)

    def _selected(self) -> None:
        self._update_buttons()
        chosen = self.selected()
        if chosen is None:
            return
        self.session.worker.run(
            lambda vault: store.pdf_bytes(vault, chosen.report_id, chosen.version),
            lambda pdf: self._show_preview(Preview(chosen, pdf)),
            self._failed,
        )

    def _show_preview(self, preview: Preview | None) -> None:
        if preview is not None and self.selected() != preview.version:
            return  # another row was chosen meanwhile
        self.preview = preview
        if preview is None:
            self.preview_label.clear()
            self._clear_pdf()
            return
        v = preview.version
        pages = page_count(preview.pdf)
        summary = (
            f"{v.report_id} version {v.version} — {STATUS_WORDS[v.status]}, "
            f"{pages} page{'s' if pages != 1 else ''}, {v.size / 1024:.0f} KB. "
            f"SHA-256 {v.sha256}."
        )
        if v.amendment_reason:
            summary += f"\nAmended because: {v.amendment_reason}"
        self._load_pdf(preview.pdf)
        self.preview_label.setText(summary)

    def _load_pdf(self, pdf: bytes) -> None:
        # The document reads from the buffer, so the buffer lives until the next one.
        old = self._pdf_buffer
        buffer = pdf_in_memory(pdf, self)
        self.pdf_document.load(buffer)
        self._pdf_buffer = buffer
        if old is not None:
            old.close()
            old.deleteLater()

    def _clear_pdf(self) -> None:
        self.pdf_document.close()
        if self._pdf_buffer is not None:
            self._pdf_buffer.close()
            self._pdf_buffer.deleteLater()
            self._pdf_buffer = None

    # --- acting -------------------------------------------------------------------------

    def _failed(self, error: Exception) -> None:
        self.message.setText(describe(error))
        self.generate_button.setEnabled(True)

    def generate(self) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        kind = ReportKind(self.kind.currentData())
        finding_id = self.finding.currentData() if kind is ReportKind.FAMILY else None
        large_print, actor = self.large_print.isChecked(), self.session.staff
        self.generate_button.setEnabled(False)
        self.message.setText(f"Making the {KIND_WORDS[kind].lower()}…")

        def op(vault: Vault) -> ReportVersion:
            request = build_request(
                vault,
                patient_id,
                kind,
                finding_id=finding_id,
                large_print=large_print,
                author=actor.name,
            )
            return store.save_draft(vault, actor, request)

        self.session.worker.run(op, self._generated, self._failed)

    def _generated(self, version: ReportVersion) -> None:
        self.message.setText(f"Draft {version.report_id} version {version.version} saved.")
        self.refresh(select=(version.report_id, version.version))

    def _sign(self, amend: bool) -> SignDialog | None:
        chosen = self.selected()
        patient_id = self.patient_id
        if chosen is None or patient_id is None:
            return None
        actor = self.session.staff

        def attempt(
            values: dict[str, str], done: Callable[[], None], failed: Callable[[str], None]
        ) -> None:
            def op(vault: Vault) -> ReportVersion:
                signer_staff = staff.sign_in(vault, actor.name, values["password"])
                request = build_request(
                    vault,
                    patient_id,
                    chosen.kind,
                    finding_id=chosen.finding_id,
                    large_print=chosen.large_print,
                    language=chosen.language,
                    author=actor.name,
                    signer=Signer(
                        signer_staff.name, ROLE_WORDS.get(signer_staff.role, signer_staff.role)
                    ),
                )
                if amend:
                    return store.amend(
                        vault,
                        signer_staff,
                        request,
                        report_id=chosen.report_id,
                        reason=values["reason"],
                    )
                return store.finalize(vault, signer_staff, request, report_id=chosen.report_id)

            def signed(version: ReportVersion) -> None:
                done()
                self.message.setText(
                    f"{version.report_id} version {version.version} is {STATUS_WORDS[version.status].lower()}"
                    f" and signed by {version.signed_by}."
                )
                self.refresh(select=(version.report_id, version.version))

            self.session.worker.run(op, signed, explained_to(failed))

        title = "Amend the report" if amend else "Finalize and sign"
        self.sign_dialog = SignDialog(title, actor.name, attempt, reason=amend, parent=self)
        self.sign_dialog.open()
        return self.sign_dialog

    def ask_finalize(self) -> SignDialog | None:
        return self._sign(amend=False)

    def ask_amend(self) -> SignDialog | None:
        return self._sign(amend=True)

    def ask_export(self) -> QFileDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        status = STATUS_WORDS[chosen.status].lower()
        self.file_dialog = choose_file(
            self,
            "Export the report",
            ["PDF (*.pdf)"],
            self.export_to,
            save_as=f"{chosen.report_id} v{chosen.version} {status}.pdf",
            suffix="pdf",
        )
        return self.file_dialog

    def export_to(self, path: Path) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        actor = self.session.staff
        self.session.worker.run(
            lambda vault: store.export(vault, actor, chosen.report_id, chosen.version, path),
            lambda written: self.message.setText(
                f"Exported {chosen.report_id} version {chosen.version} to {written}."
            ),
            self._failed,
        )

    def ask_print(self) -> QPrintDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        title = f"{chosen.report_id} version {chosen.version}"
        self.print_dialog = ask_to_print(self, title, self.print_to)
        return self.print_dialog

    def print_to(self, printer: QPrinter) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.message.setText(f"Printing {chosen.report_id} version {chosen.version}…")
        actor = self.session.staff

        def op(vault: Vault) -> int:
            pages = print_pdf(store.pdf_bytes(vault, chosen.report_id, chosen.version), printer)
            store.record_printed(vault, actor, chosen.report_id, chosen.version, pages)
            return pages

        self.session.worker.run(
            op,
            lambda pages: self.message.setText(
                f"Sent {chosen.report_id} version {chosen.version} to the printer "
                f"({pages} page{'s' if pages != 1 else ''})."
            ),
            self._failed,
        )

    def clear(self) -> None:
        self.patient_id = None
        self._versions = []
        self._findings = []
        for dialog in (self.sign_dialog, self.file_dialog, self.print_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.reject()
        self.table.setRowCount(0)
        self.finding.clear()
        self.message.clear()
        self.preview = None
        self.preview_label.clear()
        self._clear_pdf()
