"""Small helpers so every form field has a visible label, an accessible name and a buddy, every
list of records is the same read-only, row-selecting table, and every file is chosen the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
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


def choose_file(
    parent: QWidget,
    title: str,
    filters: Sequence[str],
    chosen: Callable[[Path], object],
    *,
    save_as: str | None = None,
    suffix: str = "",
    qt_own: bool = False,
) -> QFileDialog:
    """A file dialog, opened rather than exec'd (the event loop keeps running, so auto-lock still
    fires); `chosen` gets the path. Without `save_as` it picks an existing file; with it, it asks
    where to save, proposing that name and adding `suffix` to a name typed without one."""
    dialog = QFileDialog(parent, title, save_as or "")
    if save_as is None:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix(suffix)
    dialog.setNameFilters(list(filters))
    if qt_own:
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.fileSelected.connect(lambda path: chosen(Path(path)))
    dialog.open()
    return dialog
