"""The ACMG/AMP criteria checklist: tick criteria, change strengths, see both classes live.

Classifying is pure and fast (no I/O), so the result updates on the UI thread as boxes are ticked.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from genedesk.core.errors import GeneDeskError
from genedesk.core.knowledge import acmg


class CriteriaChecklist(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.book = acmg.default_rulebook()
        self.boxes: dict[str, QCheckBox] = {}
        self.strengths: dict[str, QComboBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        for n, (code, criterion) in enumerate(self.book.criteria.items()):
            box = QCheckBox(code)
            box.setToolTip(criterion.summary)
            box.setAccessibleName(f"Criterion {code}")
            box.setAccessibleDescription(criterion.summary)
            strength = QComboBox()
            strength.setAccessibleName(f"Strength of {code}")
            for allowed in criterion.allowed_strengths:
                strength.addItem(allowed.label, allowed)
            strength.setCurrentIndex(max(0, strength.findData(criterion.default_strength)))
            strength.setEnabled(False)
            box.toggled.connect(strength.setEnabled)
            box.toggled.connect(lambda *_: self._update())
            strength.currentIndexChanged.connect(lambda *_: self._update())
            self.boxes[code], self.strengths[code] = box, strength
            row, column = n % 14, (n // 14) * 2
            grid.addWidget(box, row, column)
            grid.addWidget(strength, row, column + 1)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Classification from the criteria")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.result_label)
        self.result: acmg.AcmgResult | None = None
        self._update()

    def codes(self) -> list[str]:
        chosen = []
        for code, box in self.boxes.items():
            if box.isChecked():
                strength = acmg.Strength(self.strengths[code].currentData())
                criterion = self.book.criteria[code]
                chosen.append(
                    code if strength == criterion.default_strength else f"{code}_{strength.suffix}"
                )
        return chosen

    def set_codes(self, codes: tuple[str, ...]) -> None:
        for box in self.boxes.values():
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        for applied in acmg.criteria_from_codes(codes, self.book) if codes else ():
            code = applied.criterion.code
            self.boxes[code].blockSignals(True)
            self.boxes[code].setChecked(True)
            self.boxes[code].blockSignals(False)
            self.strengths[code].setCurrentIndex(
                max(0, self.strengths[code].findData(applied.strength))
            )
        for code, box in self.boxes.items():
            self.strengths[code].setEnabled(box.isChecked())
        self._update()

    def _update(self) -> None:
        codes = self.codes()
        if not codes:
            self.result = None
            self.result_label.setText(
                "Tick the criteria that apply; the class and points update as you go."
            )
        else:
            try:
                self.result = acmg.classify(",".join(codes))
            except GeneDeskError as error:
                self.result = None
                self.result_label.setText(str(error))
            else:
                r = self.result
                text = (
                    f"<b>Richards 2015: {r.richards_class.label}</b>"
                    + (f" ({'; '.join(r.richards_rules)})" if r.richards_rules else "")
                    + f"<br><b>Tavtigian 2020: {r.points} points — {r.points_class.label}</b> ({r.points_band})"
                )
                if r.systems_disagree:
                    text += "<br><span style='color:#a40000'>The two systems disagree: review the evidence.</span>"
                self.result_label.setText(text)
        self.changed.emit()
