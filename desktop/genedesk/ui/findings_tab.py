"""The Findings tab: what was found, filters, and one finding's classification and explanation."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from genedesk.core import findings
from genedesk.core.errors import GeneDeskError
from genedesk.core.findings import Finding, FindingList
from genedesk.core.knowledge import explain
from genedesk.core.patients import Patient
from genedesk.core.vault import Vault
from genedesk.ui.acmg_checklist import CriteriaChecklist
from genedesk.ui.forms import read_only_table
from genedesk.ui.session import Session, describe

READING_GRADE_LIMIT = 8.0
_CLASS_WORDS = {c: c.replace("_", " ").capitalize() for c in findings.CLASSES}


def reading_grade(text: str) -> float | None:
    import textstat

    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else None


def standard_explanation(finding: Finding, sex_at_birth: str) -> list[str]:
    """The knowledge base's text for this finding, or nothing when it has none for the gene."""
    try:
        text = explain.patient_explanation(
            finding.gene,
            finding.condition or None,
            finding.classification,
            finding.call.zygosity,
            finding.inheritance or None,
            sex_at_birth,
        )
    except (GeneDeskError, KeyError, ValueError):
        return []
    return list(text.paragraphs)


class FindingDetail(QWidget):
    saved = Signal(object)  # the Finding as stored after a change

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.finding: Finding | None = None
        self.sex_at_birth = "unknown"
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAccessibleName("Variant details")
        self.checklist = CriteriaChecklist()
        self.manual = QComboBox()
        self.manual.setAccessibleName("Set the class by hand")
        self.manual.addItem("Use the class the criteria give", None)
        for value, words in _CLASS_WORDS.items():
            self.manual.addItem(f"Set by hand: {words}", value)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (needed when the class is set by hand)")
        self.reason.setAccessibleName("Reason for the classification")
        self.save_class = QPushButton("Save class&ification")
        self.save_class.clicked.connect(self._save_classification)
        self.class_message = QLabel()
        self.class_message.setWordWrap(True)
        classification = QGroupBox("ACMG/AMP classification")
        class_layout = QVBoxLayout(classification)
        class_layout.addWidget(self.checklist)
        row = QHBoxLayout()
        row.addWidget(self.manual)
        row.addWidget(self.reason, 1)
        row.addWidget(self.save_class)
        class_layout.addLayout(row)
        class_layout.addWidget(self.class_message)

        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)  # Tab moves on (a patient letter has no tab characters)
        self.editor.setAccessibleName("Explanation for the patient")
        self.grade = QLabel()
        self.grade.setAccessibleName("Reading grade")
        self.in_letter = QCheckBox("Include in the patient &letter")
        self.save_text = QPushButton("Save &explanation")
        self.reset_text = QPushButton("Use the stan&dard text")
        self.exclude = QPushButton("E&xclude this finding")
        self._grade_timer = QTimer(self)
        self._grade_timer.setSingleShot(True)
        self._grade_timer.setInterval(250)
        self._grade_timer.timeout.connect(self._update_grade)
        self.editor.textChanged.connect(self._grade_timer.start)
        self.save_text.clicked.connect(self._save_explanation)
        self.reset_text.clicked.connect(self._reset_explanation)
        self.in_letter.toggled.connect(self._toggle_letter)
        self.exclude.clicked.connect(self._exclude)
        explanation = QGroupBox("Explanation for the patient")
        text_layout = QVBoxLayout(explanation)
        text_layout.addWidget(self.editor)
        buttons = QHBoxLayout()
        buttons.addWidget(self.grade)
        buttons.addStretch(1)
        for widget in (self.in_letter, self.reset_text, self.save_text, self.exclude):
            buttons.addWidget(widget)
        text_layout.addLayout(buttons)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.facts)
        layout.addWidget(classification)
        layout.addWidget(explanation, 1)
        scroll = QScrollArea()
        scroll.setAccessibleName("Finding detail")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setEnabled(False)

    def show_finding(self, finding: Finding | None, sex_at_birth: str) -> None:
        self.finding, self.sex_at_birth = finding, sex_at_birth
        self.setEnabled(finding is not None)
        self.class_message.clear()
        if finding is None:
            self.facts.clear()
            self.editor.clear()
            return
        c = finding.call
        stars = "" if finding.clinvar_stars is None else f", {finding.clinvar_stars}★"
        self.facts.setText(
            f"<b>{finding.gene}</b> {c.transcript} {c.hgvs_c} {c.hgvs_p}<br>{c.hgvs_g} ({c.build})<br>"
            f"{c.zygosity.replace('_', ' ')}; depth {c.depth if c.depth is not None else '—'}; "
            f"GQ {c.genotype_quality if c.genotype_quality is not None else '—'}; allele fraction "
            f"{f'{c.allele_fraction:.2f}' if c.allele_fraction is not None else '—'}; filter {c.filter or 'PASS'}<br>"
            f"Now: <b>{finding.label}</b> — {finding.classification_source}"
            + (
                f"<br>ClinVar {finding.clinvar_release}: {finding.clinvar_significance.replace('_', ' ')}{stars}"
                if finding.clinvar_release
                else ""
            )
        )
        self.checklist.set_codes(finding.criteria)
        self.manual.setCurrentIndex(0)
        self.reason.clear()
        paragraphs = (
            list(finding.explanation)
            if finding.explanation
            else standard_explanation(finding, sex_at_birth)
        )
        self.editor.setPlainText("\n\n".join(paragraphs))
        self.in_letter.blockSignals(True)
        self.in_letter.setChecked(finding.in_report)
        self.in_letter.blockSignals(False)
        self._update_grade()

    def _update_grade(self) -> None:
        grade = reading_grade(self.editor.toPlainText())
        if grade is None:
            self.grade.setText("No text yet")
            self.grade.setStyleSheet("")
        elif grade <= READING_GRADE_LIMIT:
            self.grade.setText(f"Reading grade {grade:.1f} — easy enough")
            self.grade.setStyleSheet("color: #1b6e20; font-weight: 600;")
        else:
            self.grade.setText(
                f"Reading grade {grade:.1f} — too hard (aim for {READING_GRADE_LIMIT:.0f} or lower)"
            )
            self.grade.setStyleSheet("color: #a40000; font-weight: 600;")

    def _run(self, op: Callable[[Vault], object], message: str) -> None:
        def done(result: object) -> None:
            finding = result[0] if isinstance(result, tuple) else result
            self.class_message.setText(message)
            self.saved.emit(finding)

        self.session.worker.run(op, done, lambda error: self.class_message.setText(describe(error)))

    def _save_classification(self) -> None:
        finding = self.finding
        if finding is None:
            return
        codes = ",".join(self.checklist.codes())
        if not codes:
            self.class_message.setText("Tick at least one criterion.")
            return
        manual, reason = self.manual.currentData(), self.reason.text()
        self._run(
            lambda vault: findings.classify_finding(
                vault, self.session.staff, finding.id, codes, manual_class=manual, reason=reason
            ),
            "Classification saved.",
        )

    def _save_explanation(self) -> None:
        finding = self.finding
        if finding is not None:
            paragraphs = [p for p in self.editor.toPlainText().split("\n\n")]
            self._run(
                lambda vault: findings.update_finding(
                    vault, self.session.staff, finding.id, explanation=paragraphs
                ),
                "Explanation saved.",
            )

    def _reset_explanation(self) -> None:
        finding = self.finding
        if finding is not None:
            self._run(
                lambda vault: findings.update_finding(
                    vault, self.session.staff, finding.id, reset_explanation=True
                ),
                "Back to the standard text.",
            )

    def _toggle_letter(self, include: bool) -> None:
        finding = self.finding
        if finding is not None:
            self._run(
                lambda vault: findings.update_finding(
                    vault, self.session.staff, finding.id, in_report=include
                ),
                "Saved.",
            )

    def _exclude(self) -> None:
        finding = self.finding
        if finding is not None:
            self._run(
                lambda vault: findings.update_finding(
                    vault, self.session.staff, finding.id, status="excluded"
                ),
                "Excluded.",
            )


class FindingsTab(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.patient: Patient | None = None
        self._list: FindingList | None = None
        self._shown: list[Finding] = []
        self.class_filter = QComboBox()
        self.class_filter.setAccessibleName("Filter by classification")
        self.class_filter.addItem("Any classification", None)
        for value, words in _CLASS_WORDS.items():
            self.class_filter.addItem(words, value)
        self.gene_filter = QLineEdit()
        self.gene_filter.setPlaceholderText("Gene")
        self.gene_filter.setAccessibleName("Filter by gene")
        self.zygosity_filter = QComboBox()
        self.zygosity_filter.setAccessibleName("Filter by zygosity")
        self.zygosity_filter.addItem("Any zygosity", None)
        for value in ("heterozygous", "homozygous", "hemizygous", "unknown"):
            self.zygosity_filter.addItem(value.capitalize(), value)
        self.min_depth = QSpinBox()
        self.min_depth.setRange(0, 10_000)
        self.min_depth.setPrefix("Depth ≥ ")
        self.min_depth.setAccessibleName("Minimum read depth")
        self.show_all = QCheckBox("Show excluded")
        for signal in (
            self.class_filter.currentIndexChanged,
            self.gene_filter.textChanged,
            self.zygosity_filter.currentIndexChanged,
            self.min_depth.valueChanged,
        ):
            signal.connect(lambda *_: self._fill())
        self.show_all.toggled.connect(lambda *_: self.refresh())
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.table = read_only_table(
            ["Gene", "Change", "Zygosity", "Class", "Category", "Status", "In letter", "Source"],
            "Findings",
        )
        self.table.itemSelectionChanged.connect(self._select)
        self.detail = FindingDetail(session)
        self.detail.saved.connect(self._after_change)
        filters = QHBoxLayout()
        for widget in (
            self.class_filter,
            self.gene_filter,
            self.zygosity_filter,
            self.min_depth,
            self.show_all,
        ):
            filters.addWidget(widget)
        filters.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.notice)
        top_layout.addWidget(self.table)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.detail)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def show_patient(self, patient: Patient) -> None:
        self.patient = patient
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        patient = self.patient
        if patient is None:
            return
        include_all = self.show_all.isChecked()
        self.session.worker.run(
            lambda vault: findings.list_findings(vault, patient.id, include_all=include_all),
            lambda found: self._show(found, select),
            self.session.fail,
        )

    def _show(self, found: FindingList, select: int | None) -> None:
        if self.patient is None:
            return
        self._list = found
        notes = []
        if found.hidden_secondary:
            notes.append(
                f"{found.hidden_secondary} secondary finding(s) are held back: the patient has not "
                "consented to receive secondary findings."
            )
        if found.excluded and not self.show_all.isChecked():
            notes.append(f"{found.excluded} excluded finding(s) hidden.")
        self.notice.setText(" ".join(notes))
        self._fill(select)

    def _fill(self, select: int | None = None) -> None:
        found = self._list.shown if self._list else ()
        wanted_class, wanted_zygosity = (
            self.class_filter.currentData(),
            self.zygosity_filter.currentData(),
        )
        gene, depth = self.gene_filter.text().strip().upper(), self.min_depth.value()
        self._shown = [
            f
            for f in found
            if (wanted_class is None or f.classification == wanted_class)
            and (wanted_zygosity is None or f.call.zygosity == wanted_zygosity)
            and (not gene or gene in f.gene.upper())
            and (not depth or (f.call.depth is not None and f.call.depth >= depth))
        ]
        current = (
            select
            if select is not None
            else (self.detail.finding.id if self.detail.finding else None)
        )
        self.table.setRowCount(len(self._shown))
        for row, f in enumerate(self._shown):
            values = (
                f.gene,
                f.call.hgvs_p or f.call.hgvs_c or f.call.hgvs_g,
                f.call.zygosity,
                f.label,
                f.category,
                f.status,
                "yes" if f.in_report else "no",
                f.classification_source,
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        rows = [n for n, f in enumerate(self._shown) if f.id == current]
        if rows:
            self.table.selectRow(rows[0])
        elif self._shown:
            self.table.selectRow(0)
        else:
            self.detail.show_finding(None, "unknown")

    def _select(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self._shown) and self.patient is not None:
            chosen = self._shown[rows[0].row()]
            if (
                self.detail.finding is None
                or self.detail.finding.id != chosen.id
                or self.detail.finding != chosen
            ):
                self.detail.show_finding(chosen, self.patient.sex_at_birth)

    def _after_change(self, finding: Finding) -> None:
        self.refresh(select=finding.id)

    def clear(self) -> None:
        self.patient = None
        self._list = None
        self._shown = []
        self.table.setRowCount(0)
        self.notice.clear()
        self.detail.show_finding(None, "unknown")
