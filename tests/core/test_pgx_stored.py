"""PGx from stored calls: importing PharmCAT's example VCF and calling from the vault must give
PharmCAT's own published diplotypes (so import keeps every PGx position, reference included)."""

from __future__ import annotations

import csv

import pytest

from genedesk.core import imports, patients
from genedesk.core.patients import PatientDetails
from genedesk.core.pgx.stored import pgx_for_patient
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import shared_data


@pytest.mark.parametrize(("vcf", "report"), [("pharmcat.example.vcf", "pharmcat.example.report.tsv"),
                                             ("pharmcat.example2.vcf", "pharmcat.example2.report.tsv")])
def test_imported_example_gives_pharmcats_diplotypes(vault: Vault, admin: Staff, vcf: str, report: str) -> None:
    path = shared_data("pharmcat", "examples", vcf)
    lines = shared_data("pharmcat", "examples", report).read_text(encoding="utf-8").splitlines()[1:]
    expected = {row["Gene"]: row for row in csv.DictReader(lines, delimiter="\t")}
    patient = patients.add_patient(vault, admin, PatientDetails("PGX-1", "Pat", "Pgx", "1960-06-06", "unknown"))
    imports.import_vcf(vault, admin, patient.id, path, test_type="pharmacogenomic")
    result = pgx_for_patient(vault, patient.id)
    assert result is not None
    compared = 0
    for row in result.genes:
        if row.gene in expected:
            assert row.diplotype == expected[row.gene]["Source Diplotype"], row.gene
            stated = expected[row.gene]["Phenotype"]
            # PharmCAT leaves a phenotype blank where CPIC assigns none; our row says "not assigned".
            assert row.phenotype == (stated or "not assigned"), row.gene
            compared += 1
    assert compared >= 8
    assert {g.gene for g in result.not_determined} >= {"CYP2D6"}


def test_no_grch38_test_means_no_pgx_result(vault: Vault, admin: Staff) -> None:
    patient = patients.add_patient(vault, admin, PatientDetails("PGX-2", "No", "Test", "1960-06-06", "female"))
    assert pgx_for_patient(vault, patient.id) is None
