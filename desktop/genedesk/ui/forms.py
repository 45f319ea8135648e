"""Small helpers so every form field has a visible label, an accessible name and a buddy, and
every list of records is the same read-only, row-selecting table."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QWidget,
)


def scale_font(widget: QWidget, factor: float, *, bold: bool = False) -> None:
    """Make a heading `factor` times the system's font size, so it grows with the user's setting
    (a fixed point size in a style sheet would not)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(QApplication.font().pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def add_row(
    form: QFormLayout, label: str, field: QWidget, *, description: str | None = None
) -> QLabel:
    caption = QLabel(label)
    caption.setBuddy(field)
    field.setAccessibleName(label.replace("&", "").rstrip(":"))
    if description:
        field.setAccessibleDescription(description)
        field.setToolTip(description)
    form.addRow(caption, field)
    return caption


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setObjectName("formError")
    label.setStyleSheet("color: #a40000; font-weight: 600;")
    label.setAccessibleName("Problem")
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


def read_only_table(columns: tuple[str, ...] | list[str], name: str) -> QTableWidget:
    """A table of records: one selectable row each, nothing editable in place, named for screen readers."""
    table = QTableWidget(0, len(columns))
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(name)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
