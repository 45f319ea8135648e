"""Guards against Qt-binding bugs that would corrupt GeneDesk's memory rather than fail loudly.

PySide6 6.12.0's Signal.emit released one reference to each Python argument per emit: the
window's worker hands every result to the UI thread through a signal, so that release would free
live objects (and, on Python 3.11, True/False) and crash. The lock file excludes that version;
these tests fail if a binding with the same fault comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Carrier(QObject):
    flag = Signal(bool)
    pair = Signal(object, object)


def test_emitting_a_signal_keeps_its_arguments_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    carrier = _Carrier()
    received: list[object] = []
    carrier.pair.connect(lambda a, b: received.append(b))
    payload = object()
    before = sys.getrefcount(payload)
    for _ in range(50):
        carrier.pair.emit(payload, payload)
    received.clear()
    assert sys.getrefcount(payload) == before


def test_emitting_a_bool_signal_keeps_true_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    carrier = _Carrier()
    carrier.flag.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(500):
        carrier.flag.emit(True)
    # Other code may hold True for a moment, so allow a few; the faulty binding lost 500 here.
    assert abs(sys.getrefcount(True) - before) < 10
