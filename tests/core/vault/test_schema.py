"""Every released schema's encrypted fixture vault opens and upgrades to the current schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from genedesk.core import patients, staff
from genedesk.core.vault import open_vault, recover_vault, verify_vault
from genedesk.core.vault.schema import LATEST, STEPS, pending_steps
from support import REPO

FIXTURES = sorted((REPO / "tests" / "fixtures" / "vaults").glob("schema-*"))


def test_there_is_a_fixture_for_every_schema() -> None:
    assert [int(f.name.split("-")[1]) for f in FIXTURES] == list(range(1, LATEST + 1))


def test_steps_are_numbered_one_to_latest() -> None:
    assert [n for n, _ in STEPS] == list(range(1, LATEST + 1))
    assert pending_steps(LATEST) == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_old_vault_opens_and_upgrades(fixture: Path, tmp_path: Path, no_keyring: None) -> None:
    facts = json.loads((fixture / "FIXTURE.json").read_text())
    folder = tmp_path / "vault"
    shutil.copytree(fixture, folder)
    opened = open_vault(folder, passphrase=facts["passphrase"])
    try:
        vault = opened.vault
        assert vault.vault_id == facts["vault_id"]
        assert vault.schema_version == LATEST
        assert [p.mrn for p in patients.search_patients(vault)] == sorted(facts["patients"])
        assert patients.search_patients(vault, "zoe")[0].family_name == "Kowalczyk-Ñandú"
        staff.sign_in(vault, facts["admin"], facts["password"])
        assert verify_vault(vault).ok
    finally:
        opened.vault.close()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_old_vault_recovers_with_its_recovery_key(fixture: Path, tmp_path: Path, no_keyring: None) -> None:
    facts = json.loads((fixture / "FIXTURE.json").read_text())
    folder = tmp_path / "vault"
    shutil.copytree(fixture, folder)
    recover_vault(folder, recovery_key=facts["recovery_key"], new_passphrase="a new passphrase!").vault.close()
    opened = open_vault(folder, passphrase="a new passphrase!")
    opened.vault.close()
