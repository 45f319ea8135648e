"""Restoring a backup from the window: offered when the vault is found damaged, and from the
Vault dialog.

The vault is closed first (restoring replaces its file); core.vault.restore_vault keeps the
current file beside the restored one (vault.db.before-restore-…). On the same computer the
keyring (or the passphrase) opens the backup; on a new one the recovery key does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from genedesk.ui.dialogs import Attempt, WorkingDialog
from genedesk.ui.forms import add_row, choose_file, password_field
from genedesk.ui.vault_dialog import BACKUP_SUFFIX


class RestoreDialog(WorkingDialog):
    def __init__(
        self,
        attempt: Attempt,
        *,
        reason: str,
        passphrase_mode: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Restore from a backup", attempt, parent)
        # Line breaks written in, no word wrap: a wrapping label makes a dialog too short for it.
        intro = QLabel(
            f"{reason}\n\n"
            "Restoring puts the records back as they were when the backup was made;\n"
            "anything recorded after it must be entered again. The current vault file\n"
            "is kept beside the restored one."
        )
        self.layout_.addWidget(intro)
        self.backup = QLineEdit()
        self.browse = QPushButton("C&hoose…")
        self.browse.setAccessibleName("Choose the backup file")
        self.browse.clicked.connect(self.choose_file)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.backup, 1)
        row_layout.addWidget(self.browse)
        caption = QLabel("&Backup file:")
        caption.setBuddy(self.backup)
        self.backup.setAccessibleName("Backup file")
        self.backup.setAccessibleDescription(
            f"The newest backup (a {BACKUP_SUFFIX} file) of this clinic's vault"
        )
        self.form.addRow(caption, row)
        self.passphrase: QLineEdit | None = None
        if passphrase_mode:
            self.passphrase = password_field()
            add_row(self.form, "Vault &passphrase:", self.passphrase)
        self.recovery_key = QLineEdit()
        add_row(
            self.form,
            "&Recovery key (if asked):",
            self.recovery_key,
            description="From the vault's recovery sheet; needed on a new computer or when this "
            "computer's keyring no longer holds the key",
        )
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        self.adjustSize()
        self.file_dialog: QFileDialog | None = None

    def choose_file(self) -> QFileDialog:
        self.file_dialog = choose_file(
            self,
            "Choose the backup",
            [f"GeneDesk backups (*{BACKUP_SUFFIX})", "All files (*)"],
            lambda path: self.backup.setText(str(path)),
        )
        return self.file_dialog

    def values(self) -> dict[str, str]:
        return {
            "backup": self.backup.text().strip(),
            "passphrase": self.passphrase.text() if self.passphrase is not None else "",
            "recovery_key": self.recovery_key.text().strip(),
        }

    def check(self, values: dict[str, str]) -> str | None:
        if not values["backup"]:
            return "Choose the backup file to restore."
        if not Path(values["backup"]).is_file():
            return f"There is no file {values['backup']}."
        if self.passphrase is not None and not values["passphrase"] and not values["recovery_key"]:
            return "Type the vault passphrase (or the recovery key)."
        return None


class RecoverDialog(WorkingDialog):
    """The recovery key opens the vault when this computer cannot: a new computer, a lost or
    reset keyring, or a forgotten passphrase. The key is then kept here again (in the keyring,
    or under the new passphrase when there is no keyring)."""

    def __init__(
        self, attempt: Attempt, *, reason: str, needs_passphrase: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__("Open with the recovery key", attempt, parent)
        self.intro = intro = QLabel(
            f"{reason}\n\n"
            "The recovery key is on the vault's recovery sheet, kept locked away when the\n"
            "vault was set up. It opens the records on this computer from now on."
        )
        self.layout_.addWidget(intro)
        self.recovery_key = QLineEdit()
        add_row(self.form, "&Recovery key:", self.recovery_key)
        self.new_passphrase: QLineEdit | None = None
        self.new_passphrase_again: QLineEdit | None = None
        if needs_passphrase:
            note = QLabel(
                "This computer has no keyring GeneDesk can use, so choose a passphrase to\n"
                "type at each start from now on."
            )
            self.layout_.addWidget(note)
            self.new_passphrase = password_field()
            self.new_passphrase_again = password_field()
            add_row(self.form, "New &passphrase:", self.new_passphrase)
            add_row(self.form, "Passphrase &again:", self.new_passphrase_again)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open")
        self.adjustSize()

    def values(self) -> dict[str, str]:
        return {
            "recovery_key": self.recovery_key.text().strip(),
            "new_passphrase": self.new_passphrase.text() if self.new_passphrase else "",
            "again": self.new_passphrase_again.text() if self.new_passphrase_again else "",
        }

    def check(self, values: dict[str, str]) -> str | None:
        if not values["recovery_key"]:
            return "Type the recovery key from the recovery sheet."
        if self.new_passphrase is not None:
            if not values["new_passphrase"]:
                return "Choose a passphrase for this computer."
            if values["new_passphrase"] != values["again"]:
                return "The two passphrases are not the same."
        return None
