from __future__ import annotations

import pytest

from genedesk.core import patients
from genedesk.core.errors import NotFoundError, UsageError
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.textfold import fold
from genedesk.core.vault import Vault


def _details(**over: str) -> PatientDetails:
    base = {"mrn": "MRN-1", "given_name": "Zoë", "family_name": "Kowalczyk-Ñandú",
            "birth_date": "1985-03-02", "sex_at_birth": "female", "language": "en"}
    base.update(over)
    return PatientDetails(**base)


def test_add_show_and_edit(vault: Vault, admin: Staff) -> None:
    added = patients.add_patient(vault, admin, _details())
    assert patients.get_patient(vault, "MRN-1") == added
    assert patients.get_patient(vault, added.id) == added
    edited = patients.edit_patient(vault, admin, added.id, given_name="Zoe Anne")
    assert edited.given_name == "Zoe Anne"
    assert edited.updated_at >= added.updated_at


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "1985-02-30", "real date"),
        ("birth_date", "02/03/1985", "YYYY-MM-DD"),
        ("birth_date", "2999-01-01", "in the future"),
        ("birth_date", "1700-01-01", "before 1880"),
        ("given_name", "   ", "given name is required"),
        ("family_name", "", "family name is required"),
        ("family_name", "x" * 201, "too long"),
        ("family_name", "Lee\x00", "cannot be printed"),
        ("mrn", "", "record number is required"),
        ("sex_at_birth", "other", "Sex at birth must be one of"),
        ("language", "english!", "language code"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(
    vault: Vault, admin: Staff, field: str, value: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        patients.add_patient(vault, admin, _details(**{field: value}))
    assert patients.count_patients(vault) == 0


def test_record_numbers_are_unique(vault: Vault, admin: Staff) -> None:
    first = patients.add_patient(vault, admin, _details())
    with pytest.raises(UsageError, match="already has that record number"):
        patients.add_patient(vault, admin, _details(given_name="Other"))
    second = patients.add_patient(vault, admin, _details(mrn="MRN-2"))
    with pytest.raises(UsageError, match="already has that record number"):
        patients.edit_patient(vault, admin, second.id, mrn=first.mrn)


def test_search_ignores_case_and_accents(vault: Vault, admin: Staff) -> None:
    patients.add_patient(vault, admin, _details())
    patients.add_patient(vault, admin, _details(mrn="MRN-2", given_name="Łukasz", family_name="Żółć",
                                                birth_date="1990-12-24", sex_at_birth="male"))
    patients.add_patient(vault, admin, _details(mrn="X_3", given_name="Ólafur", family_name="Þórsson",
                                                birth_date="1979-07-01", sex_at_birth="male"))

    def found(text: str) -> list[str]:
        return [p.mrn for p in patients.search_patients(vault, text)]

    assert found("zoe") == ["MRN-1"]
    assert found("ZOË kowal") == ["MRN-1"]
    assert found("nandu") == ["MRN-1"]
    assert found("lukasz zolc") == ["MRN-2"]
    assert found("thorsson") == ["X_3"]
    assert found("1990-12") == ["MRN-2"]
    assert found("mrn-") == ["MRN-1", "MRN-2"]
    assert found("x_3") == ["X_3"]
    assert found("%") == []  # SQL wildcards are searched for literally
    assert found("_") == ["X_3"]
    assert found("zoe thorsson") == []
    assert len(found("")) == 3


def test_unknown_patient(vault: Vault) -> None:
    with pytest.raises(NotFoundError):
        patients.get_patient(vault, "nope")


def test_fold() -> None:
    assert fold("  Zoë   KOWALCZYK-Ñandú ") == "zoe kowalczyk-nandu"
    assert fold("Straße Øre Æsir") == "strasse ore aesir"
