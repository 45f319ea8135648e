"""The dialogs before the main window: first run, unlock (passphrase) and staff sign-in.

Each dialog only collects what a person types and shows what went wrong; the work itself runs on
the vault worker through the `attempt` callable, which reports back `done()` or `failed(message)`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from genedesk import APP_NAME
from genedesk.ui.forms import add_row, error_label, password_field, scale_font, show_error

# attempt(values, done, failed): run the work; call done() on success or failed(message).
Attempt = Callable[[dict[str, str], Callable[[], None], Callable[[str], None]], None]


class WorkingDialog(QDialog):
    """A dialog whose OK button runs an attempt and stays open, showing the problem, on failure."""

    def __init__(self, title: str, attempt: Attempt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — {APP_NAME}")
        self._attempt = attempt
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def values(self) -> dict[str, str]:
        """What the person typed; each dialog returns its own fields."""
        return {}

    def check(self, values: dict[str, str]) -> str | None:
        return None

    def _submit(self) -> None:
        values = self.values()
        problem = self.check(values)
        if problem:
            show_error(self.error, problem)
            return
        self.buttons.setEnabled(False)
        show_error(self.error, None)
        self._attempt(values, self._done, self._failed)

    def _done(self) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        show_error(self.error, message)


class SignInDialog(WorkingDialog):
    def __init__(
        self, attempt: Attempt, *, hint: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Sign in", attempt, parent)
        heading = QLabel(f"Sign in to {APP_NAME}")
        scale_font(heading, 1.6, bold=True)
        self.layout_.addWidget(heading)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            self.layout_.addWidget(note)
        self.name = QLineEdit()
        self.password = password_field()
        add_row(self.form, "Staff &name:", self.name)
        add_row(self.form, "&Password:", self.password)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")

    def values(self) -> dict[str, str]:
        return {"name": self.name.text().strip(), "password": self.password.text()}

    def check(self, values: dict[str, str]) -> str | None:
        if not values["name"] or not values["password"]:
            return "Type your staff name and password."
        return None

    def _failed(self, message: str) -> None:
        self.password.clear()
        self.password.setFocus()
        super()._failed(message)


class UnlockDialog(WorkingDialog):
    """Asks for the vault passphrase (passphrase mode only)."""

    def __init__(self, attempt: Attempt, parent: QWidget | None = None) -> None:
        super().__init__("Unlock the vault", attempt, parent)
        intro = QLabel("This clinic's records are protected by a passphrase. Type it to open them.")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.passphrase = password_field()
        add_row(self.form, "&Vault passphrase:", self.passphrase)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock")
        self.recover_button = self.buttons.addButton(
            "Forgotten? Use the &recovery key…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.recover_button.setAccessibleName("Use the recovery key instead")

    def values(self) -> dict[str, str]:
        return {"passphrase": self.passphrase.text()}

    def check(self, values: dict[str, str]) -> str | None:
        return None if values["passphrase"] else "Type the vault passphrase."


class FirstRunDialog(WorkingDialog):
    """Create the clinic's vault and its first administrator, in plain words."""

    def __init__(
        self, attempt: Attempt, *, keyring_available: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__("Set up GeneDesk", attempt, parent)
        intro = QLabel(
            "<b>Welcome to GeneDesk.</b><br>GeneDesk keeps your clinic's genetic test results in one "
            "encrypted file on this computer. Set up the first administrator account, and choose how "
            "the file's key is protected."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.admin = QLineEdit()
        self.password = password_field()
        self.password_again = password_field()
        add_row(self.form, "Administrator &name:", self.admin)
        add_row(self.form, "&Password (10+ characters):", self.password)
        add_row(self.form, "Password &again:", self.password_again)

        self.use_keyring = QRadioButton("Keep the key in this computer's keyring (recommended)")
        self.use_passphrase = QRadioButton(
            "Protect the key with a passphrase I will type at each start"
        )
        keyring_note = QLabel(
            "The keyring is the computer's own safe for passwords: GeneDesk opens without a passphrase "
            "when you are signed in to this computer."
            if keyring_available
            else "This computer has no keyring GeneDesk can use, so a passphrase protects the key."
        )
        keyring_note.setWordWrap(True)
        group = QButtonGroup(self)
        group.addButton(self.use_keyring)
        group.addButton(self.use_passphrase)
        self.use_keyring.setEnabled(keyring_available)
        (self.use_keyring if keyring_available else self.use_passphrase).setChecked(True)
        self.passphrase = password_field()
        self.passphrase_again = password_field()
        self.layout_.addLayout(self.form)
        for widget in (self.use_keyring, self.use_passphrase, keyring_note):
            self.layout_.addWidget(widget)
        self.passphrase_form = QFormLayout()
        add_row(self.passphrase_form, "Vault pass&phrase:", self.passphrase)
        add_row(self.passphrase_form, "Passphrase a&gain:", self.passphrase_again)
        self.layout_.addLayout(self.passphrase_form)
        self.use_passphrase.toggled.connect(self._mode_changed)
        self._mode_changed(self.use_passphrase.isChecked())
        recovery_note = QLabel(
            "Next you will get a <b>recovery key</b>: print it and keep it locked away. With it, the "
            "records can be opened on a new computer if this one is lost."
        )
        recovery_note.setWordWrap(True)
        self.layout_.addWidget(recovery_note)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")

    def _mode_changed(self, passphrase: bool) -> None:
        self.passphrase.setEnabled(passphrase)
        self.passphrase_again.setEnabled(passphrase)

    def values(self) -> dict[str, str]:
        return {
            "admin": self.admin.text().strip(),
            "password": self.password.text(),
            "password_again": self.password_again.text(),
            "mode": "passphrase" if self.use_passphrase.isChecked() else "keyring",
            "passphrase": self.passphrase.text(),
            "passphrase_again": self.passphrase_again.text(),
        }

    def check(self, values: dict[str, str]) -> str | None:
        if not values["admin"]:
            return "Type the administrator's name."
        if values["password"] != values["password_again"]:
            return "The two passwords are not the same."
        if values["mode"] == "passphrase" and values["passphrase"] != values["passphrase_again"]:
            return "The two passphrases are not the same."
        return None


class RecoveryKeyDialog(QDialog):
    """Shows the new recovery key once, with a button to save the recovery sheet to print."""

    def __init__(
        self, recovery_key: str, save_sheet: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Your recovery key — {APP_NAME}")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "This is the vault's <b>recovery key</b>. It is shown only this once. Save the recovery "
            "sheet, print it and keep it locked away, apart from your backups."
        )
        intro.setWordWrap(True)
        key = QLabel(recovery_key)
        key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.6)
        key.setFont(mono)
        key.setAccessibleName("Recovery key")
        self._save_sheet = save_sheet
        save = QPushButton("&Save recovery sheet (PDF)…")
        save.clicked.connect(self._save)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        done.button(QDialogButtonBox.StandardButton.Ok).setText("I have kept the key safe")
        done.accepted.connect(self.accept)
        for widget in (intro, key, save, self.saved, done):
            layout.addWidget(widget)

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save recovery sheet", "GeneDesk recovery sheet.pdf", "PDF (*.pdf)"
        )
        if path:
            self._save_sheet(path)
            self.saved.setText(f"Saved to {path}. Print it now.")
