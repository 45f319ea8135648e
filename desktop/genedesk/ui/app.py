"""Starting the window: first run or unlock, staff sign-in, the main window, and auto-lock.

`GeneDeskApp` holds the flow; every dialog is opened non-modally and answered through signals,
so the flow can be clicked through by tests exactly as a person would.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from genedesk import APP_NAME, __version__
from genedesk.core import clock, paths, settings, staff
from genedesk.core.atomic import atomic_write
from genedesk.core.demo import DemoVault, create_demo_vault
from genedesk.core.errors import VaultLockedError
from genedesk.core.genomics.reader import warm_up
from genedesk.core.logs import setup_logging
from genedesk.core.staff import Staff
from genedesk.core.vault import (
    Vault,
    create_vault,
    custody,
    open_vault,
    recover_vault,
    restore_vault,
)
from genedesk.core.vault.keyfile import KeyFile
from genedesk.core.vault.store import DB_NAME, KEY_NAME, VaultDamagedError
from genedesk.ui.dialogs import FirstRunDialog, RecoveryKeyDialog, SignInDialog, UnlockDialog
from genedesk.ui.idle import IdleLock
from genedesk.ui.main_window import MainWindow
from genedesk.ui.restore_dialog import RecoverDialog, RestoreDialog
from genedesk.ui.session import describe, explained_to
from genedesk.ui.worker import VaultWorker

Done = Callable[[], None]
Failed = Callable[[str], None]
AppDialog = (
    FirstRunDialog | UnlockDialog | SignInDialog | RecoveryKeyDialog | RestoreDialog | RecoverDialog
)


class GeneDeskApp(QObject):
    """The window's life: get the vault open, sign someone in, show the window, lock when idle."""

    def __init__(
        self,
        folder: Path,
        *,
        demo: DemoVault | None = None,
        idle_seconds: float | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.demo = demo
        self.worker = VaultWorker()
        self.window: MainWindow | None = None
        self.dialog: AppDialog | None = None
        self.damage_box: QMessageBox | None = None
        self.recovery_key: str | None = None
        minutes = settings.Settings().get(settings.AUTO_LOCK_MINUTES)
        self.idle = IdleLock(
            idle_seconds if idle_seconds is not None else minutes * 60.0, clock=idle_clock
        )
        self.idle.idle.connect(self.lock)

    # Opening ------------------------------------------------------------------------------------

    def start(self) -> None:
        if not (self.folder / DB_NAME).exists():
            self._first_run()
        else:
            self._open_existing()

    def _open_existing(self) -> None:
        quit_on_cancel = self.window is None
        if self.demo is not None:
            passphrase = self.demo.passphrase
            self.worker.open(
                lambda: open_vault(self.folder, passphrase=passphrase).vault,
                lambda _: self._sign_in(on_cancel_quit=quit_on_cancel),
                self._cannot_open,
            )
        elif KeyFile.read(self.folder / KEY_NAME).mode == "passphrase":
            self._unlock()
        else:
            self.worker.open(
                lambda: open_vault(self.folder).vault,
                lambda _: self._sign_in(on_cancel_quit=quit_on_cancel),
                self._cannot_open,
            )

    def _cannot_open(self, error: Exception) -> None:
        if isinstance(error, VaultDamagedError):
            self.offer_restore(error.message)
            return
        if isinstance(error, VaultLockedError):  # this computer cannot unlock it: recover
            self.recover(error.message)
            return
        QMessageBox.critical(None, APP_NAME, describe(error))
        QApplication.instance().quit()  # type: ignore[union-attr]

    # Restoring ----------------------------------------------------------------------------------

    def offer_restore(self, reason: str) -> QMessageBox:
        """The vault is damaged: nothing of it is shown or changed any more; offer the backup."""
        self._hide_records()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.reject()
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            f"{reason}\n\nNothing more is read from it or written to it. Restore the newest "
            "backup to go on working; the damaged file is kept beside it.",
            parent=self.window,
        )
        restore = box.addButton("Restore from a backup…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Quit GeneDesk", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.buttonClicked.connect(
            lambda button: self.restore("The vault file is damaged.", damaged=True)
            if button is restore
            else self._quit()
        )
        self.damage_box = box
        box.open()
        return box

    def restore(
        self, reason: str = "Choose the backup to put in place of this vault.", *, damaged: bool = False
    ) -> None:
        """Close the vault, then ask for the backup (and what opens it) and put it in place."""
        self._hide_records()
        passphrase_mode = (self.folder / KEY_NAME).exists() and (
            KeyFile.read(self.folder / KEY_NAME).mode == "passphrase"
        )

        def attempt(values: dict[str, str], done: Done, failed: Failed) -> None:
            passphrase = values["passphrase"] or None
            self.worker.open(
                lambda: restore_vault(
                    Path(values["backup"]),
                    self.folder,
                    recovery_key=values["recovery_key"] or None,
                    passphrase=passphrase,
                    new_passphrase=passphrase,
                    replace=True,
                ).vault,
                lambda _: done(),
                explained_to(failed),
            )

        def ask(_: object = None) -> None:
            dialog = RestoreDialog(attempt, reason=reason, passphrase_mode=passphrase_mode)
            dialog.accepted.connect(lambda: self._sign_in(on_cancel_quit=self.window is None))
            # Not restoring after all: a damaged vault leaves nothing to go back to (quit); a
            # restore asked for from the Vault dialog goes back to the vault as it was.
            dialog.rejected.connect(self._quit if damaged else self._open_existing)
            self._show_dialog(dialog)

        self.worker.close_vault(ask, lambda error: QMessageBox.critical(None, APP_NAME, describe(error)))

    def recover(self, reason: str = "The vault cannot be opened on this computer.") -> None:
        """Open the vault with the recovery key and keep its key on this computer again."""
        needs_passphrase = not custody.keyring_available()

        def attempt(values: dict[str, str], done: Done, failed: Failed) -> None:
            self.worker.open(
                lambda: recover_vault(
                    self.folder,
                    recovery_key=values["recovery_key"],
                    new_passphrase=values["new_passphrase"] or None,
                ).vault,
                lambda _: done(),
                explained_to(failed),
            )

        dialog = RecoverDialog(attempt, reason=reason, needs_passphrase=needs_passphrase)
        dialog.accepted.connect(lambda: self._sign_in(on_cancel_quit=self.window is None))
        dialog.rejected.connect(self._quit)
        self._show_dialog(dialog)

    def _quit(self) -> None:
        QApplication.instance().quit()  # type: ignore[union-attr]

    def _first_run(self) -> None:
        def attempt(values: dict[str, str], done: Done, failed: Failed) -> None:
            def make() -> Vault:
                opened = create_vault(
                    self.folder,
                    admin_name=values["admin"],
                    admin_password=values["password"],
                    passphrase_mode=values["mode"] == "passphrase",
                    passphrase=values["passphrase"] if values["mode"] == "passphrase" else None,
                )
                self.recovery_key = opened.recovery_key
                return opened.vault

            def signed_in(member: Staff) -> None:
                done()
                self._show_recovery_key(member)

            def opened(_: Vault) -> None:
                self.worker.run(
                    lambda vault: staff.sign_in(vault, values["admin"], values["password"]),
                    signed_in,
                    explained_to(failed),
                )

            self.worker.open(make, opened, explained_to(failed))

        dialog = FirstRunDialog(attempt, keyring_available=custody.keyring_available())
        dialog.rejected.connect(QApplication.instance().quit)  # type: ignore[union-attr]
        self._show_dialog(dialog)

    def _show_recovery_key(self, member: Staff) -> None:
        assert self.recovery_key is not None
        key = self.recovery_key

        def save_sheet(path: str) -> None:
            from genedesk.core.reports.recovery_sheet import build_recovery_sheet

            vault_id = KeyFile.read(self.folder / KEY_NAME).vault_id
            atomic_write(
                Path(path),
                build_recovery_sheet(
                    vault_id=vault_id, recovery_key=key, created_at=clock.utcnow()
                ),
                what="the recovery sheet",
            )

        dialog = RecoveryKeyDialog(key, save_sheet)
        dialog.accepted.connect(lambda: self._open_window(member))
        self.recovery_key = None
        self._show_dialog(dialog)

    def _unlock(self) -> None:
        def attempt(values: dict[str, str], done: Done, failed: Failed) -> None:
            self.worker.open(
                lambda: open_vault(self.folder, passphrase=values["passphrase"]).vault,
                lambda _: done(),
                explained_to(failed),
            )

        dialog = UnlockDialog(attempt)
        dialog.accepted.connect(self._sign_in)
        dialog.rejected.connect(self._quit)

        def use_recovery_key() -> None:
            dialog.rejected.disconnect(self._quit)
            dialog.reject()
            self.recover("Type the recovery key to open the records without the passphrase.")

        dialog.recover_button.clicked.connect(use_recovery_key)
        self._show_dialog(dialog)

    # Signing in ---------------------------------------------------------------------------------

    def _sign_in(self, *, on_cancel_quit: bool = True) -> None:
        signed: list[Staff] = []

        def attempt(values: dict[str, str], done: Done, failed: Failed) -> None:
            def signed_in(member: Staff) -> None:
                signed.append(member)
                done()

            self.worker.run(
                lambda vault: staff.sign_in(vault, values["name"], values["password"]),
                signed_in,
                explained_to(failed),
            )

        hint = None
        if self.demo is not None:
            hint = (
                f"This is a demo with invented patients. Sign in as “{self.demo.staff_name}” "
                f"with the password “{self.demo.password}”."
            )
        dialog = SignInDialog(attempt, hint=hint)
        if self.demo is not None:
            dialog.name.setText(self.demo.staff_name)
        dialog.accepted.connect(lambda: self._signed_in(signed[-1]))
        if on_cancel_quit:
            dialog.rejected.connect(QApplication.instance().quit)  # type: ignore[union-attr]
        self._show_dialog(dialog)

    def _signed_in(self, member: Staff) -> None:
        if self.window is None:
            self._open_window(member)
        else:
            self.window.unlock(member)
            self.idle.arm()

    def _open_window(self, member: Staff) -> None:
        label = "demo vault (invented patients)" if self.demo else str(self.folder)
        self.window = MainWindow(self.worker, staff_member=member, vault_label=label)
        self.window.lock_requested.connect(self.lock)
        self.window.damaged.connect(self.offer_restore)
        self.window.restore_requested.connect(self.restore)
        self.window.locked.sign_in_requested.connect(lambda: self._sign_in(on_cancel_quit=False))
        self.window.fit_to_screen()
        self.window.show()
        self.window.show_list()
        self.idle.arm()
        # Start the VCF reader processes now, off the UI thread, so an import never waits for
        # them (starting a process briefly holds up this one: better at sign-in than mid-import).
        threading.Thread(target=warm_up, daemon=True, name="genedesk-reader-warm-up").start()

    def lock(self) -> None:
        if self.window is None:
            return
        self._hide_records()
        self._sign_in(on_cancel_quit=False)

    def _hide_records(self) -> None:
        """Lock the window (nothing of any patient stays on screen) and stop the idle timer."""
        if self.window is None:
            return
        self.idle.disarm()
        if isinstance(self.window.form, QObject) and self.window.form.isVisible():
            self.window.form.reject()
        self.window.lock()

    def _show_dialog(
        self, dialog: AppDialog
    ) -> None:
        self.dialog = dialog
        dialog.open()

    def shutdown(self) -> None:
        self.idle.disarm()
        self.worker.close()


def run_window(*, demo: bool = False, vault: str | None = None) -> int:
    """`genedesk` / `genedesk --demo`: open the window; returns the exit code."""
    import os

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    demo_folder: Path | None = None
    demo_vault: DemoVault | None = None
    if demo:
        demo_folder = Path(tempfile.mkdtemp(prefix="genedesk-demo-"))
        demo_vault = create_demo_vault(demo_folder / "vault")
        folder = demo_vault.folder
    else:
        chosen = vault or os.environ.get("GENEDESK_VAULT")
        folder = Path(chosen).expanduser() if chosen else paths.default_vault_dir()
    controller = GeneDeskApp(folder, demo=demo_vault)
    controller.start()
    try:
        return int(app.exec())
    finally:
        controller.shutdown()
        if demo_folder is not None:
            shutil.rmtree(demo_folder, ignore_errors=True)
