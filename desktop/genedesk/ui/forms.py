"""Small helpers so every form field has a visible label, an accessible name and a buddy."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget


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
