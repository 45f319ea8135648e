"""Accessibility: names for screen readers, a keyboard-only path, and type that follows the
system's font size and the screen's scale.

The names are read the way a screen reader gets them, through Qt's accessibility interface (so a
field named by its form label counts, and an unnamed control does not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ui.test_window import EMPTY_DEMO_PATIENT, _signed_in_demo, controller_factory, sign_in  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_keyring")

SHOWCASE_PATIENT = 1  # the demo patient whose record fills every tab
CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
            QPlainTextEdit, QTextEdit)


def _accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def _unnamed_controls(top: QWidget) -> list[str]:
    """Every visible control a person can reach that a screen reader could not name."""
    unnamed = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if isinstance(widget, QTabBar):
            if any(not widget.tabText(i).replace("&", "").strip() for i in range(widget.count())):
                unnamed.append(f"a tab without a title in {type(widget.parent()).__name__}")
            continue
        if isinstance(widget, CONTROLS) or widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            if isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
                continue  # the line edit inside a spin or combo box: the box itself is named
            if not _accessible_name(widget):
                unnamed.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                               f"{type(widget.window()).__name__}")
    return unnamed


def _mnemonic(text: str) -> str | None:
    """The Alt+letter of a label like '&Findings' (a doubled && is a literal ampersand)."""
    text = text.replace("&&", "")
    at = text.find("&")
    return text[at + 1].lower() if 0 <= at < len(text) - 1 else None


def _visible_mnemonics(window: QWidget) -> Counter[str]:
    """Alt+letter keys on screen at once: menus, buttons, labels with a buddy, and tabs."""
    found: Counter[str] = Counter()
    for bar in window.findChildren(QMenuBar):
        if bar.isVisible():
            found.update(m for a in bar.actions() if (m := _mnemonic(a.text())))
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy()):
            if (m := _mnemonic(widget.text())) is not None:
                found[m] += 1
        elif isinstance(widget, QTabBar):
            found.update(m for i in range(widget.count()) if (m := _mnemonic(widget.tabText(i))))
    return found


def _each_tab(qtbot, window):  # type: ignore[no-untyped-def]
    tabs = window.page.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        qtbot.wait(150)  # each tab loads its rows from the worker
        yield tabs.tabText(index).replace("&", "")


def test_every_control_on_every_tab_has_a_name_a_screen_reader_can_read(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    problems = []
    for tab in _each_tab(qtbot, window):
        problems += [f"{tab}: {p}" for p in _unnamed_controls(window)]
    window.show_list()
    problems += [f"patient list: {p}" for p in _unnamed_controls(window)]
    dialog = window.open_vault_dialog()
    qtbot.waitUntil(dialog.isVisible)
    problems += [f"vault dialog: {p}" for p in _unnamed_controls(dialog)]
    dialog.reject()
    window.open_clinic_form()
    qtbot.waitUntil(lambda: window.clinic_form is not None and window.clinic_form.isVisible())
    problems += [f"clinic details: {p}" for p in _unnamed_controls(window.clinic_form)]
    window.clinic_form.reject()
    window.open_patient(SHOWCASE_PATIENT)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)
    window.enter_patient_mode()
    mode = window.patient_mode
    qtbot.waitUntil(lambda: bool(getattr(mode, "withdraw_buttons", {})))
    problems += [f"patient mode: {p}" for p in _unnamed_controls(mode)]
    assert not problems, "\n".join(problems)


def test_no_two_controls_on_screen_share_an_alt_key(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    clashes = {}
    for tab in _each_tab(qtbot, window):
        twice = sorted(k for k, n in _visible_mnemonics(window).items() if n > 1)
        if twice:
            clashes[tab] = twice
    window.show_list()
    qtbot.wait(50)
    twice = sorted(k for k, n in _visible_mnemonics(window).items() if n > 1)
    if twice:
        clashes["patient list"] = twice
    window.open_clinic_form()
    qtbot.waitUntil(lambda: window.clinic_form is not None and window.clinic_form.isVisible())
    twice = sorted(k for k, n in _visible_mnemonics(window.clinic_form).items() if n > 1)
    if twice:
        clashes["clinic details"] = twice
    window.clinic_form.reject()
    assert not clashes, f"Alt+letter used twice on one screen (Alt+key then does the wrong thing): {clashes}"


def _type(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    target = QApplication.focusWidget() or QApplication.activeWindow()
    qtbot.keyClick(target, key, modifier)


def test_a_counsellor_can_work_with_the_keyboard_alone(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from genedesk.core.demo import create_demo_vault
    from genedesk.ui.dialogs import SignInDialog

    demo = create_demo_vault(tmp_path / "demo")
    app = controller_factory(demo.folder, demo=demo)
    qtbot.waitUntil(lambda: isinstance(app.dialog, SignInDialog) and app.dialog.isVisible())
    dialog = app.dialog
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    # The sign-in starts in the name field; Tab goes to the password; Return signs in.
    assert QApplication.focusWidget() in (dialog.name, dialog.password)
    if QApplication.focusWidget() is dialog.name:
        dialog.name.selectAll()
        _type(qtbot, demo.staff_name)
        _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.password
    _type(qtbot, demo.password)
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible())
    window = app.window
    window.activateWindow()
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 8)

    # Ctrl+F finds a patient; Return opens the one found.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.list_view.search_box
    _type(qtbot, "kowal")
    qtbot.waitUntil(lambda: window.list_view.model.rowCount() == 1)
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.page)

    # Ctrl+Tab walks the patient's tabs; Tab reaches every control on each, and nothing traps it.
    tabs = window.page.tabs
    for index in range(1, tabs.count()):
        tabs.setFocus()
        qtbot.keyClick(tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert tabs.currentIndex() == index
        qtbot.wait(150)
        reachable = [w for w in tabs.currentWidget().findChildren(QWidget)
                     if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                     and not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))]
        seen = set()
        window.page.tabs.tabBar().setFocus()
        for _ in range(len(window.findChildren(QWidget))):
            _press(qtbot, Qt.Key.Key_Tab)
            seen.add(QApplication.focusWidget())
            if all(w in seen for w in reachable):
                break
        missing = [f"{type(w).__name__} {_accessible_name(w)!r}" for w in reachable if w not in seen]
        assert not missing, f"{tabs.tabText(index)}: Tab never reaches {missing}"

    # Ctrl+L locks; nothing of the patient stays on screen.
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.locked
    assert QKeySequence("Ctrl+L").toString() in " ".join(a.shortcut().toString() for a in window.actions())


def test_the_window_follows_the_system_font_size(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    normal = QApplication.font()
    window = _signed_in_demo(qtbot, controller_factory, tmp_path / "normal", patient_id=SHOWCASE_PATIENT)
    small_title = window.page.title.sizeHint().height()
    small_button = window.page.patient_mode_button.sizeHint().height()
    small_tab = window.page.tabs.tabBar().sizeHint().height()
    big = QFont(normal)
    big.setPointSizeF(normal.pointSizeF() * 2)
    QApplication.setFont(big)
    try:
        window = _signed_in_demo(qtbot, controller_factory, tmp_path / "big", patient_id=SHOWCASE_PATIENT)
        assert window.page.title.font().pointSizeF() == pytest.approx(big.pointSizeF() * 1.6)
        assert window.page.title.sizeHint().height() > 1.6 * small_title
        assert window.page.patient_mode_button.sizeHint().height() > 1.4 * small_button
        assert window.page.tabs.tabBar().sizeHint().height() > 1.4 * small_tab
        window.enter_patient_mode()
        mode = window.patient_mode
        assert mode.font().pointSize() >= round(big.pointSizeF() * 1.5) >= 18
    finally:
        QApplication.setFont(normal)


_HIGH_DPI_PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
from genedesk.ui.dialogs import FirstRunDialog
app = QApplication([sys.argv[0]])
dialog = FirstRunDialog(lambda values, done, failed: None, keyring_available=False)
dialog.show()
app.processEvents()
picture = dialog.grab()
print(json.dumps({"ratio": picture.devicePixelRatio(), "logical": [dialog.width(), dialog.height()],
                  "pixels": [picture.width(), picture.height()]}))
"""


def test_a_high_dpi_screen_draws_at_its_own_resolution(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    done = subprocess.run([sys.executable, "-c", _HIGH_DPI_PROBE], env=env, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["ratio"] == 2
    assert seen["pixels"] == [2 * seen["logical"][0], 2 * seen["logical"][1]], "drawn blurry (scaled up)"
