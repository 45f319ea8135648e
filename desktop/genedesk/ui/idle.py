"""Auto-lock: after a set idle time the window locks back to sign-in.

Idle means no key press, click or wheel in any GeneDesk window. The clock is injectable so tests
can move time without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleLock(QObject):
    idle = Signal()

    def __init__(
        self,
        timeout_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_every_ms: int = 1000,
    ) -> None:
        super().__init__()
        self.timeout_seconds = timeout_seconds
        self._clock = clock
        self._last = clock()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def arm(self) -> None:
        self._last = self._clock()
        self._armed = True
        self._timer.start()

    def disarm(self) -> None:
        self._armed = False
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last = self._clock()
        return False

    def check(self) -> None:
        if self._armed and self._clock() - self._last >= self.timeout_seconds:
            self.disarm()
            self.idle.emit()
