"""The Vault dialog: how the vault stands, a backup now, a check of the file, and how to restore.

Status, backup and verify run on the vault worker like every other operation. Restore and recovery
are explained, not offered: both replace the vault file this window holds open, so they are done
with the window closed, from the `genedesk vault restore` / `genedesk vault recover` commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from genedesk import APP_NAME
from genedesk.core.vault import backup_vault, vault_status, verify_vault
from genedesk.core.vault.lifecycle import BackupInfo, VerifyReport
from genedesk.ui.forms import choose_file, error_label, show_error
from genedesk.ui.session import Session, describe

BACKUP_SUFFIX = ".gdbackup"

# Line breaks are written in (the label does not wrap) so the dialog sizes itself to the text.
RESTORE_EXPLAINED = (
    "<b>Restoring a backup</b> puts the vault back as it was when the backup was made;<br>"
    "everything recorded since then is lost. Everyone is signed out while it runs, and the<br>"
    "current vault is kept beside it (vault.db.before-restore-…), in case it is wanted.<br>"
    "<br>"
    "<b>Recovery</b> is for when the vault will not open on this computer: a new computer,<br>"
    "a lost keyring or a forgotten passphrase. GeneDesk then asks for the recovery key from<br>"
    "the vault's recovery sheet when it starts (or choose “Use the recovery key” when it asks<br>"
    "for the passphrase). On the command line: <code>genedesk vault recover</code>"
)


def describe_size(size: int) -> str:
    """A file size as a person reads it, with the exact bytes for comparing copies."""
    shown = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if shown < 1024 or unit == "GB":
            amount = f"{int(shown)} bytes" if unit == "bytes" else f"{shown:.1f} {unit}"
            return amount if unit == "bytes" else f"{amount} ({size:,} bytes)"
        shown /= 1024
    raise AssertionError("unreachable")


def _key_kept(status: dict[str, Any]) -> str:
    if status["key_mode"] == "keyring":
        return f"in this computer's keyring ({status['keyring_backend']})"
    return "behind the vault passphrase"


class VaultDialog(QDialog):
    restore_requested = Signal()
    """Non-modal; every answer from the worker lands in a label the person (or a test) can read."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(f"Vault — {APP_NAME}")
        self.setAccessibleName("Vault")
        self.status_values: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        # Grow with what the worker fills in later, so no line is cut off.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

        status_box = QGroupBox("This vault")
        self.status_form = QFormLayout(status_box)
        for key, caption in (
            ("folder", "Folder:"),
            ("vault_id", "Vault ID:"),
            ("key_mode", "Key kept:"),
            ("schema", "Layout version:"),
            ("created_at", "Created:"),
            ("file_size", "File size:"),
            ("counts", "Holds:"),
        ):
            value = QLabel("…")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption.rstrip(":"))
            self.status_values[key] = value
            self.status_form.addRow(caption, value)
        layout.addWidget(status_box)

        backup_box = QGroupBox("Backup and check")
        backup_layout = QVBoxLayout(backup_box)
        row = QHBoxLayout()
        self.backup_button = QPushButton("&Back up now…")
        self.backup_button.setAccessibleDescription(
            "Write an encrypted copy of the vault to a file"
        )
        self.verify_button = QPushButton("&Verify the vault")
        self.verify_button.setAccessibleDescription(
            "Check the database, its encryption and the audit trail"
        )
        row.addWidget(self.backup_button)
        row.addWidget(self.verify_button)
        row.addStretch(1)
        backup_layout.addLayout(row)
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Result")
        backup_layout.addWidget(self.message)
        # A read-only field, so the check sum can be copied and compared with the file's later.
        self.checksum = QLineEdit()
        self.checksum.setReadOnly(True)
        self.checksum.setAccessibleName("Backup SHA-256 check sum")
        self.checksum.setFont(QFont("monospace"))
        self.checksum.setMinimumWidth(self.checksum.fontMetrics().horizontalAdvance("0" * 66))
        self.checksum.hide()
        backup_layout.addWidget(self.checksum)
        self.error = error_label()
        backup_layout.addWidget(self.error)
        layout.addWidget(backup_box)

        restore_box = QGroupBox("Restore and recovery")
        restore_layout = QVBoxLayout(restore_box)
        self.restore_text = QLabel(RESTORE_EXPLAINED)
        self.restore_text.setTextFormat(Qt.TextFormat.RichText)
        self.restore_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restore_text.setAccessibleName("How to restore or recover the vault")
        restore_layout.addWidget(self.restore_text)
        self.restore_button = QPushButton("&Restore from a backup…")
        self.restore_button.setAccessibleName("Restore from a backup")
        self.restore_button.clicked.connect(self._ask_restore)
        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_button)
        restore_row.addStretch(1)
        restore_layout.addLayout(restore_row)
        layout.addWidget(restore_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.file_chooser: QFileDialog | None = None
        self.backup_button.clicked.connect(self.choose_backup_file)
        self.verify_button.clicked.connect(self.verify)
        self.last_backup: BackupInfo | None = None
        self.last_check: VerifyReport | None = None

    def _ask_restore(self) -> None:
        self.reject()
        self.restore_requested.emit()

    # Status -------------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        self.session.worker.run(vault_status, self._show_status, self._failed)

    def _show_status(self, status: dict[str, Any]) -> None:
        shown = {
            "folder": status["folder"],
            "vault_id": status["vault_id"],
            "key_mode": _key_kept(status),
            "schema": (
                f"{status['schema_version']} (this GeneDesk writes "
                f"{status['program_schema_version']})"
            ),
            "created_at": (
                f"{status['created_at'][:16].replace('T', ' ')} UTC"
                if status["created_at"]
                else "not recorded"
            ),
            "file_size": describe_size(int(status["file_size"])),
            "counts": (
                f"{status['patients']:,} patients, {status['staff']:,} staff, "
                f"{status['audit_events']:,} audit events"
            ),
        }
        for key, text in shown.items():
            self.status_values[key].setText(str(text))

    # Backup -------------------------------------------------------------------------------------

    def choose_backup_file(self) -> None:
        """Ask where to write the backup (Qt's own dialog, opened non-modally like the rest)."""
        self.file_chooser = choose_file(
            self,
            "Back up the vault to",
            [f"GeneDesk backups (*{BACKUP_SUFFIX})"],
            self.back_up_to,
            save_as="",
            suffix=BACKUP_SUFFIX.lstrip("."),
            qt_own=True,
        )

    def back_up_to(self, path: Path) -> None:
        self._working(f"Writing the backup to {path.name}…")
        staff_name = self.session.staff.name
        self.session.worker.run(
            lambda vault: backup_vault(vault, path, staff_name=staff_name),
            self._backed_up,
            self._failed,
        )

    def _backed_up(self, info: BackupInfo) -> None:
        self.last_backup = info
        self._idle()
        self.message.setText(
            f"Backup written: {info.path}\nSize: {describe_size(info.size)}\n"
            "SHA-256 check sum (to compare a copy of the file with):"
        )
        self.checksum.setText(info.sha256)
        self.checksum.show()
        self.refresh_status()  # the backup added an audit event

    # Verify -------------------------------------------------------------------------------------

    def verify(self) -> None:
        self._working("Checking the vault…")
        self.session.worker.run(verify_vault, self._verified, self._failed)

    def _verified(self, report: VerifyReport) -> None:
        self.last_check = report
        self._idle()
        if report.ok:
            self.message.setText(
                "The vault is in order: the database, its encryption and the audit trail "
                f"({report.chain.events:,} events) all checked out."
            )
        else:
            show_error(
                self.error,
                "The vault check found problems:\n• "
                + "\n• ".join(report.problems())
                + "\nKeep working copies safe and restore from the newest good backup.",
            )

    # Shared -------------------------------------------------------------------------------------

    def _working(self, message: str) -> None:
        show_error(self.error, None)
        self.checksum.hide()
        self.message.setText(message)
        self.backup_button.setEnabled(False)
        self.verify_button.setEnabled(False)

    def _idle(self) -> None:
        self.backup_button.setEnabled(True)
        self.verify_button.setEnabled(True)

    def _failed(self, error: Exception) -> None:
        self._idle()
        self.message.clear()
        show_error(self.error, describe(error))
