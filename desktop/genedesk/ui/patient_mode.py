"""Patient mode: full screen, large type, high contrast, one patient, no way out but a staff password.

The window renders genedesk.core.patient_mode's flow. It has no menu and no shortcuts; closing it
(Alt+F4, Escape) is ignored until a staff member has signed out of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QScreen
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import paths, patient_mode
from genedesk.core.atomic import atomic_write
from genedesk.core.patient_mode import PatientModeFlow, PatientView, Step
from genedesk.core.staff import Staff
from genedesk.ui.printing import ask_to_print, print_pdf
from genedesk.ui.session import Session, describe
from genedesk.ui.signature_pad import SignaturePad

BODY_POINTS = 20  # read at arm's length by people who may not have their glasses: 18 pt or more


def _style(body: int) -> str:
    return f"""
QWidget#patientMode {{ background: #000000; }}
QWidget#patientMode QLabel {{ color: #ffffff; font-size: {body}pt; }}
QWidget#patientMode QLabel[role="heading"] {{ font-size: {body + 8}pt; font-weight: 700; color: #ffff66; }}
QWidget#patientMode QFrame[role="card"] {{ border: 2px solid #ffffff; border-radius: 8px; padding: 12px; }}
QWidget#patientMode QPushButton {{ font-size: {body}pt; padding: 10px 22px; background: #ffff66;
    color: #000000; border: 2px solid #ffffff; border-radius: 6px; }}
QWidget#patientMode QPushButton:focus {{ border: 4px solid #66ccff; }}
QWidget#patientMode QLineEdit {{ font-size: {body}pt; padding: 6px; }}
QWidget#patientMode QScrollBar:vertical {{ width: 28px; background: #000000; border: 2px solid #ffffff; }}
QWidget#patientMode QScrollBar::handle:vertical {{ background: #ffff66; min-height: 48px; }}
QWidget#patientMode QScrollBar::add-line, QWidget#patientMode QScrollBar::sub-line {{ height: 0px; }}
"""


def body_points() -> int:
    """At least BODY_POINTS, and more when the system's own font is set large (1.5 times it)."""
    return max(BODY_POINTS, round(QApplication.font().pointSizeF() * 1.5))


def _label(text: str, *, role: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # patient data is never read as markup
    if role:
        label.setProperty("role", role)
    label.setAccessibleName(text[:80])
    return label


class PatientModeWindow(QWidget):
    left = Signal(object)  # the Staff who signed out of patient mode

    def __init__(
        self, session: Session, flow: PatientModeFlow, *, clinic_name: str | None = None
    ) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("patientMode")
        self.body_points = body_points()
        self.setStyleSheet(_style(self.body_points))
        self.setWindowTitle("Your record")
        self.session = session
        self.flow = flow
        self.clinic_name = clinic_name
        self.words = patient_mode.words()
        self.view: PatientView | None = None
        font = QFont(self.font())
        font.setPointSize(self.body_points)
        self.setFont(font)
        self.stack = QStackedWidget()
        self.review_page = QWidget()
        self.review_layout = QVBoxLayout(self.review_page)
        scroll = QScrollArea()
        scroll.setAccessibleName(self.words["title"])
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.review_page)
        # The scroll area paints its own light background; let the window's black show through.
        scroll.viewport().setAutoFillBackground(False)
        self.review_page.setAutoFillBackground(False)
        self.confirm_page = self._build_confirm()
        self.done_page = self._build_done()
        self.leave_page = self._build_leave()
        for page in (scroll, self.confirm_page, self.done_page, self.leave_page):
            self.stack.addWidget(page)
        self.leave_button = QPushButton(self.words["leave_button"])
        self.leave_button.setAccessibleName(self.words["leave_button"])
        self.leave_button.clicked.connect(self._ask_leave)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.leave_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)
        self.refresh()

    def show_full_screen(self, on: QScreen | None) -> None:
        """Cover the whole screen the staff window was on. The geometry is set as well as the
        full-screen state: without a window manager (a kiosk session) the state alone is ignored."""
        if on is not None:
            self.setScreen(on)
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        # With self as the timer's context, the check is dropped if the window is gone by then.
        QTimer.singleShot(300, self, self._cover_screen)

    def _cover_screen(self) -> None:
        # Only when nothing made the window full screen (setting the geometry first would stop
        # Qt from setting the full-screen state at all).
        screen = self.screen()
        if self.isVisible() and screen is not None and self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())

    # Building the pages ----------------------------------------------------------------------------

    def _build_confirm(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.confirm_heading = _label("", role="heading")
        self.signature = SignaturePad()
        self.confirm_button = QPushButton(self.words["confirm_button"])
        self.confirm_button.clicked.connect(self._confirm)
        back = QPushButton(self.words["cancel_button"])
        back.clicked.connect(self._back)
        self.confirm_error = _label("")
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        for widget in (
            self.confirm_heading,
            _label(self.words["confirm_text"]),
            self.signature,
            self.confirm_error,
        ):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_text = _label("", role="heading")
        self.receipt_message = _label("")
        save = self.save_receipt_button = QPushButton(self.words["save_receipt"])
        save.setAccessibleName(self.words["save_receipt"])
        save.clicked.connect(self._save_receipt)
        self.print_receipt_button = QPushButton(self.words["print_receipt"])
        self.print_receipt_button.setAccessibleName(self.words["print_receipt"])
        self.print_receipt_button.clicked.connect(
            lambda: ask_to_print(self, self.words["print_receipt"], self.print_receipt_to)
        )
        back = QPushButton(self.words["cancel_button"])
        back.clicked.connect(self._back)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(save)
        buttons.addWidget(self.print_receipt_button)
        layout.addWidget(self.done_text)
        layout.addWidget(self.receipt_message)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_leave(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.staff_name = QLineEdit()
        self.staff_name.setAccessibleName("Staff name")
        self.staff_password = QLineEdit()
        self.staff_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.staff_password.setAccessibleName("Staff password")
        self.staff_password.returnPressed.connect(self._leave)
        self.leave_error = _label("")
        go = QPushButton("OK")
        go.clicked.connect(self._leave)
        back = QPushButton(self.words["cancel_button"])
        back.clicked.connect(self._back)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(go)
        for widget in (
            _label(self.words["leave_heading"], role="heading"),
            self.staff_name,
            self.staff_password,
            self.leave_error,
        ):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # Rendering the flow --------------------------------------------------------------------------

    def refresh(self) -> None:
        patient_id = self.flow.patient_id
        self.session.worker.run(
            lambda vault: patient_mode.patient_view(vault, patient_id),
            self._show_view,
            self._failed,
        )

    def _failed(self, error: Exception) -> None:
        self.confirm_error.setText(describe(error))

    def _show_view(self, view: PatientView) -> None:
        self.view = view
        while self.review_layout.count():
            item = self.review_layout.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        w = self.words
        self.review_layout.addWidget(_label(f"{w['title']}: {view.patient_name}", role="heading"))
        self.review_layout.addWidget(_label(w["results_heading"], role="heading"))
        if not view.results:
            self.review_layout.addWidget(_label(w["no_results"]))
        for card in view.results:
            self.review_layout.addWidget(self._card([card.title], list(card.paragraphs))[0])
        self.review_layout.addWidget(_label(w["consents_heading"], role="heading"))
        if not view.consents:
            self.review_layout.addWidget(_label(w["no_consents"]))
        self.withdraw_buttons: dict[int, QPushButton] = {}
        for consent in view.consents:
            frame, lines = self._card([consent.title], [*consent.lines, consent.status_line])
            if consent.can_withdraw:
                button = QPushButton(w["withdraw_button"])
                button.setAccessibleName(f"{w['withdraw_button']}: {consent.title}")
                button.clicked.connect(
                    lambda _=False, cid=consent.consent_id: self._ask_withdraw(cid)
                )
                lines.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
                self.withdraw_buttons[consent.consent_id] = button
            self.review_layout.addWidget(frame)
        self.review_layout.addStretch(1)
        self._render()

    def _card(self, headings: list[str], lines: list[str]) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setProperty("role", "card")
        layout = QVBoxLayout(frame)
        for heading in headings:
            layout.addWidget(_label(heading, role="heading"))
        for line in lines:
            layout.addWidget(_label(line))
        return frame, layout

    def _render(self) -> None:
        step = self.flow.step
        page = {Step.REVIEWING: 0, Step.CONFIRMING: 1, Step.WITHDRAWN: 2, Step.LEAVING: 3}.get(
            step, 0
        )
        self.stack.setCurrentIndex(page)
        self.leave_button.setVisible(step is Step.REVIEWING)

    def _do(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as error:  # noqa: BLE001 - shown to the person, never a traceback
            self.confirm_error.setText(describe(error))
        self._render()

    # Actions ---------------------------------------------------------------------------------------

    def _ask_withdraw(self, consent_id: int) -> None:
        def done(_: object) -> None:
            title = next(
                (
                    c.title
                    for c in (self.view.consents if self.view else ())
                    if c.consent_id == consent_id
                ),
                "",
            )
            self.confirm_heading.setText(self.words["confirm_heading"].format(title=title))
            self.signature.clear()
            self.confirm_error.clear()
            self._render()

        self.session.worker.run(
            lambda vault: self.flow.ask_withdraw(vault, consent_id), done, self._failed
        )

    def _confirm(self) -> None:
        if self.signature.is_empty:
            self.confirm_error.setText("Please sign in the white box first.")
            return
        signature = self.signature.png()
        title = self.confirm_heading.text()

        def done(_: bytes) -> None:
            self.done_text.setText(self.words["done_text"].format(title=title.split(": ", 1)[-1]))
            self.receipt_message.clear()
            self._render()
            self.refresh()

        def failed(error: Exception) -> None:
            self.confirm_button.setEnabled(True)
            self._failed(error)

        def withdrawn(receipt: bytes) -> None:
            self.confirm_button.setEnabled(True)
            done(receipt)

        self.confirm_button.setEnabled(False)
        self.session.worker.run(
            lambda vault: self.flow.confirm_withdraw(
                vault, signature, clinic_name=self.clinic_name
            ),
            withdrawn,
            failed,
        )

    def _save_receipt(self) -> None:
        # Into the clinic's receipts folder, named by receipt number (never the patient's name):
        # a save dialog here would let anyone at the screen browse the computer's files.
        if self.flow.receipt is None or not self.flow.withdrawn:
            return
        number = f"W-{self.flow.withdrawn[-1]}"
        folder = paths.receipts_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.save_receipt_to(folder / f"withdrawal receipt {number}.pdf")
        self.receipt_message.setText(self.words["receipt_saved"].format(number=number))

    def print_receipt_to(self, printer: QPrinter) -> None:
        receipt = self.flow.receipt
        if receipt is None:
            return
        self.session.worker.run(
            lambda _vault: print_pdf(receipt, printer),
            lambda _pages: self.receipt_message.setText(self.words["receipt_printed"]),
            self._failed,
        )

    def save_receipt_to(self, path: Path) -> None:
        assert self.flow.receipt is not None
        atomic_write(path, self.flow.receipt, what="the receipt")
        self.receipt_message.setText(f"Saved to {path}.")

    def _back(self) -> None:
        self.flow.go_back()
        self._render()

    def _ask_leave(self) -> None:
        self.flow.ask_leave()
        self.staff_name.clear()
        self.staff_password.clear()
        self.leave_error.clear()
        self._render()
        self.staff_name.setFocus()

    def _leave(self) -> None:
        name, password = self.staff_name.text(), self.staff_password.text()
        self.staff_password.clear()

        def done(member: Staff) -> None:
            self.left.emit(member)
            self.close()

        self.session.worker.run(
            lambda vault: self.flow.leave(vault, name, password),
            done,
            lambda error: self.leave_error.setText(self.words["wrong_password"]),
        )

    # Refusing the ways out -------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # Escape does not leave patient mode
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.flow.step is Step.LEFT or getattr(self, "_force_close", False):
            event.accept()
        else:
            event.ignore()

    def force_close(self) -> None:
        """The window locking itself (idle) closes patient mode without a password."""
        self._force_close = True
        self.close()
