"""Screenshots of what a user sees, taken while a UI test walks through the program.

Off by default. Set GENEDESK_SCREENSHOTS to a folder and run the tests on a real X server to
get one PNG per screen, e.g. under Xvfb (what the README's screenshots step does):

    GENEDESK_SCREENSHOTS=/tmp/screens QT_QPA_PLATFORM=xcb \\
        xvfb-run -a -s "-screen 0 1440x900x24" uv run pytest tests/ui/test_whole_visit.py

On xcb the whole screen is grabbed (every window and dialog as placed); offscreen, the active
top-level window draws itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget


def screenshot_folder() -> Path | None:
    folder = os.environ.get("GENEDESK_SCREENSHOTS")
    return Path(folder) if folder else None


def shoot(qtbot, name: str, widget: QWidget | None = None) -> Path | None:  # type: ignore[no-untyped-def]
    """Save `<n>-<name>.png` when screenshots are asked for; a no-op otherwise."""
    folder = screenshot_folder()
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    qtbot.wait(300)  # let layouts settle and the worker's answers paint
    if QGuiApplication.platformName() == "xcb":
        picture = QGuiApplication.primaryScreen().grabWindow(0)
    else:
        target = widget or QApplication.activeWindow() or QApplication.topLevelWidgets()[0]
        picture = target.grab()
    number = len(list(folder.glob("*.png"))) + 1
    path = folder / f"{number:02d}-{name}.png"
    assert picture.save(str(path)), f"could not save {path}"
    return path
