"""Small steps the UI tests take the way a person would, shared by the test modules."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    """Click a button, which must be enabled (a disabled one would swallow the click)."""
    assert button.isEnabled(), f"{button.accessibleName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def on_worker(qtbot, window, op):  # type: ignore[no-untyped-def]
    """Run op(vault) on the window's own vault worker and wait for its answer."""
    answers: list[object] = []
    window.worker.run(op, answers.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(answers), timeout=30000)
    return answers[0]
