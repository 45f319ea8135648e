"""The Sharing tab and the recontact worklist, driven as a counsellor would: real demo vault, clicks."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableWidget

from genedesk.core.consent.service import list_consents, list_requests
from genedesk.ui.sharing_tab import stored_decision
from ui.drive import click, on_worker
from ui.test_window import _signed_in_demo, controller_factory  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("no_keyring")

SHOWCASE_PATIENT = 1  # the demo's showcase record: consents and one pending sharing request




def _sharing_tab(qtbot, window):  # type: ignore[no-untyped-def]
    tab = window.page.sharing
    window.page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() >= 1, timeout=15000)
    return tab


def test_every_sharing_control_has_an_accessible_name(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    tab = _sharing_tab(qtbot, window)
    assert window.page.tabs.tabText(window.page.tabs.indexOf(tab)) == "&Sharing"
    assert window.page.tabs.indexOf(tab) == window.page.tabs.indexOf(window.page.consents) + 1
    controls = [w for kind in (QAbstractButton, QComboBox, QLineEdit, QTableWidget)
                for w in tab.findChildren(kind)
                if not isinstance(w.parent(), QTableWidget)]  # the table's own corner button
    assert len(controls) >= 15
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
    assert not unnamed, unnamed
    assert tab.decision.accessibleName() and tab.message.accessibleName()


def test_evaluate_the_pending_request_then_release_it(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    tab = _sharing_tab(qtbot, window)
    consents = on_worker(qtbot, window, lambda vault: list_consents(vault, SHOWCASE_PATIENT))
    research = next(c for c in consents if c.kind == "research")  # type: ignore[attr-defined]
    assert tab.table.rowCount() == 1
    row = [tab.table.item(0, c).text() for c in range(tab.table.columnCount())]
    assert row[1:8] == ["Northern Cancer Genetics Study", "Pending: not decided", "Academic", "GB",
                        "HMB", "findings", "De-identified"]
    tab.table.selectRow(0)
    assert "not been decided" in tab.decision.text()
    assert not tab.release_button.isEnabled(), "nothing is released before a decision"

    click(qtbot, tab.evaluate_button)
    qtbot.waitUntil(lambda: "permitted" in tab.table.item(0, 2).text(), timeout=15000)
    assert tab.table.item(0, 2).text() == f"Pending: permitted (consent {research.id})"
    assert f"Permitted by consent {research.id}." in tab.decision.text()
    assert tab.release_button.isEnabled()

    click(qtbot, tab.release_button)
    chooser = tab.file_dialog
    assert chooser is not None and chooser.isVisible()
    target = tmp_path / "out" / "release.zip"
    target.parent.mkdir()
    chooser.selectFile(str(target))
    chooser.accept()
    qtbot.waitUntil(lambda: tab.last_release is not None, timeout=30000)
    assert target.exists()
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert tab.last_release.package.sha256 == digest
    assert digest in tab.message.text()
    with zipfile.ZipFile(target) as package:
        assert "manifest.json" in package.namelist()
        manifest = json.loads(package.read("manifest.json"))
    assert "Zoe" not in json.dumps(manifest), "a de-identified package does not name the patient"
    qtbot.waitUntil(lambda: tab.table.item(0, 2).text().startswith("Released"), timeout=15000)
    assert not tab.release_button.isEnabled() and not tab.evaluate_button.isEnabled()
    stored = on_worker(qtbot, window, lambda vault: list_requests(vault, SHOWCASE_PATIENT))
    assert stored[0].status == "released"  # type: ignore[index]


def test_a_request_no_consent_covers_shows_every_reason(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    tab = _sharing_tab(qtbot, window)
    qtbot.keyClicks(tab.requester, "Acme Genomics Ltd")
    tab.requester_type.setCurrentIndex(tab.requester_type.findData("commercial"))
    qtbot.keyClicks(tab.country, "us")
    tab.permission.setCurrentIndex(tab.permission.findData("GRU"))
    assert not tab.disease.isEnabled()
    for code in ("variants", "findings"):
        tab.data_boxes[code].setChecked(True)
    tab.deidentified.setChecked(False)
    qtbot.keyClicks(tab.ethics_ref, "IRB-2026-17")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=15000)
    assert tab.selected() is not None and tab.selected().details.requester == "Acme Genomics Ltd"
    assert tab.table.item(1, 4).text() == "US" and tab.table.item(1, 7).text() == "Identified"

    click(qtbot, tab.evaluate_button)
    qtbot.waitUntil(lambda: tab.table.item(1, 2).text() == "Denied: not permitted", timeout=15000)
    chosen = tab.selected()
    decision = stored_decision(chosen) if chosen is not None else None
    assert decision is not None and not decision.permitted and len(decision.reasons) >= 2
    text = tab.decision.text()
    assert "Not permitted:" in text
    for reason in decision.reasons:
        assert reason.message in text, "every reason is shown"
    assert "cannot be released" in tab.message.text()
    assert not tab.release_button.isEnabled()


def test_a_bad_request_is_refused_in_the_form(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path, patient_id=SHOWCASE_PATIENT)
    tab = _sharing_tab(qtbot, window)
    tab.permission.setCurrentIndex(tab.permission.findData("DS"))
    assert tab.disease.isEnabled()
    click(qtbot, tab.add_button)
    assert "disease identifier" in tab.message.text()
    qtbot.keyClicks(tab.disease, "MONDO:0007254")
    qtbot.keyClicks(tab.requester, "Breast Study")
    qtbot.keyClicks(tab.country, "GBR")
    assert tab.country.text() == "GB"  # two letters at most
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: "data" in tab.message.text().lower(), timeout=15000)
    assert tab.table.rowCount() == 1, "nothing was added"


def test_worklist_opens_from_the_knowledge_menu_and_shows_its_empty_state(qtbot, controller_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = _signed_in_demo(qtbot, controller_factory, tmp_path)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert "&Knowledge" in menus
    assert [a.text() for a in menus["&Knowledge"].actions()] == ["&Recontact worklist…"]
    window.worklist_action.trigger()
    dialog = window.worklist
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.entries is not None, timeout=30000)
    assert dialog.entries == [] and dialog.table.rowCount() == 0
    assert "nobody needs recontacting" in dialog.summary.text()
    assert dialog.table.accessibleName() and dialog.summary.accessibleName()
    dialog.reject()
