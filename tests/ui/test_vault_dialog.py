"""The Vault menu and About box, clicked as a person would, on a real demo vault."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from genedesk.core.demo import create_demo_vault
from genedesk.core.knowledge import clinvar
from genedesk.core.knowledge.genes import shipped_genes
from genedesk.core.pgx.definitions import load_definitions
from genedesk.ui.main_window import MainWindow
from genedesk.ui.vault_dialog import VaultDialog
from ui.test_window import controller_factory, sign_in  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.usefixtures("no_keyring")


def _window(qtbot, controller_factory, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]  # noqa: F811
    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    sign_in(qtbot, app, demo.staff_name, demo.password)
    qtbot.waitUntil(lambda: app.window is not None and app.window.list_view.model.rowCount() == 8)
    assert app.window is not None
    return app.window


def _menu_action(window: MainWindow, menu_title: str, action_text: str):  # type: ignore[no-untyped-def]
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    menu = menus[menu_title]
    assert isinstance(menu, QMenu)
    return next(a for a in menu.actions() if a.text() == action_text)


def test_back_up_and_verify_from_the_vault_menu(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _window(qtbot, controller_factory, tmp_path)
    _menu_action(window, "&Vault", "Vault &status…").trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, VaultDialog)
    qtbot.waitUntil(lambda: dialog.isVisible() and "patients" in dialog.status_values["counts"].text())
    assert dialog.status_values["counts"].text().startswith("8 patients")
    assert "passphrase" in dialog.status_values["key_mode"].text()
    assert dialog.restore_button.isEnabled() and "Restoring a backup" in dialog.restore_text.text()
    assert "genedesk vault recover" in dialog.restore_text.text()

    target = tmp_path / "backups" / "clinic"
    target.parent.mkdir()
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    chooser = dialog.file_chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    chooser.selectFile(str(target))
    chooser.accept()
    qtbot.waitUntil(lambda: dialog.last_backup is not None, timeout=30000)
    written = target.with_suffix(".gdbackup")  # the chooser adds the backup suffix
    assert written.is_file()
    assert dialog.checksum.isVisible()
    assert dialog.checksum.text() == hashlib.sha256(written.read_bytes()).hexdigest()
    assert f"{written.stat().st_size:,} bytes" in dialog.message.text()
    assert not dialog.error.isVisible()

    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_check is not None, timeout=30000)
    assert dialog.last_check is not None and dialog.last_check.ok
    assert dialog.message.text().startswith("The vault is in order")
    assert not dialog.error.isVisible()

    window.lock()
    assert not dialog.isVisible(), "the Vault dialog does not stay open behind the lock screen"


def test_a_backup_into_a_missing_folder_is_explained(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _window(qtbot, controller_factory, tmp_path)
    dialog = window.open_vault_dialog()
    dialog.back_up_to(tmp_path / "no-such-folder" / "clinic.gdbackup")
    qtbot.waitUntil(dialog.error.isVisible, timeout=30000)
    assert "does not exist" in dialog.error.text()
    assert dialog.backup_button.isEnabled() and not dialog.checksum.isVisible()


def _clinvar_release(path: Path, date: str, build: str) -> Path:
    path.write_bytes(gzip.compress(
        f"##fileformat=VCFv4.1\n##fileDate={date}\n##reference={build}\n".encode()
        + b'##INFO=<ID=CLNSIG,Number=.,Type=String,Description="x">\n'
        b'##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="x">\n'
        b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        b"1\t1000\t1\tA\tG\t.\t.\tCLNSIG=Benign;CLNREVSTAT=criteria_provided,_single_submitter\n"))
    return path


def test_about_lists_the_versions(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _window(qtbot, controller_factory, tmp_path)
    loaded: list[str] = []
    for date in ("2026-01-01", "2026-02-01"):
        release = _clinvar_release(tmp_path / f"clinvar-{date}.vcf.gz", date, "GRCh37")
        window.worker.run(lambda vault, r=release: clinvar.load_clinvar(vault, window.staff, r),
                          lambda summary: loaded.append(summary.release.release_date), pytest.fail)
    qtbot.waitUntil(lambda: len(loaded) == 2, timeout=30000)
    _menu_action(window, "&Help", "&About GeneDesk").trigger()
    qtbot.waitUntil(lambda: window.about_box is not None and window.about_box.isVisible())
    assert window.about_box is not None
    text = window.about_box.text()
    assert shipped_genes().sf_list in text
    for definition in load_definitions().values():
        assert definition.version in text
    assert "GRCh37: release of 2026-02-01" in text and "2026-01-01" not in text
    assert "GRCh38" not in text, "no GRCh38 release was loaded"
    window.about_box.close()
