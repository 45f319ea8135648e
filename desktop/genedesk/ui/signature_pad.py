"""A signature drawn on screen with the mouse, a finger or a pen, kept as a PNG image."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Signature")
        self.setAccessibleDescription("Sign here with the mouse, a finger or a pen")
        self.setMinimumSize(420, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._strokes: list[QPainterPath] = []

    @property
    def is_empty(self) -> bool:
        return not any(path.length() > 2 for path in self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self.update()
        self.changed.emit()

    def add_stroke(self, points: list[QPointF]) -> None:
        """Draw a stroke through points (used by input events, and by tests that sign)."""
        if not points:
            return
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        self._strokes.append(path)
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._strokes.append(QPainterPath(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._strokes:
            self._strokes[-1].lineTo(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.changed.emit()

    def _draw(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(
                QColor("black"),
                3,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
        )
        for path in self._strokes:
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#888"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 30
        painter.drawLine(20, baseline, self.width() - 20, baseline)
        self._draw(painter)

    def png(self) -> bytes:
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        self._draw(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # The stubs ask for bytes; PySide6 refuses bytes here and takes the str.
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        return bytes(data.data())
