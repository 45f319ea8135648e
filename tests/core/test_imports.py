"""Importing a lab's file into a patient's record: all or nothing, never twice, nothing guessed.

The VCFs here are written by the tests, at positions taken from the knowledge base's own gene
regions and the reference data's own contig lengths (no coordinates typed in).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from genedesk.core import imports, patients
from genedesk.core.errors import BadInputError, Cancelled, UsageError
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import gene_position, write_vcf


def vault_state(vault: Vault) -> tuple[int, int, int]:
    return tuple(
        vault.query_one(f"SELECT count(*) FROM {table}")[0]  # type: ignore[return-value]
        for table in ("genetic_test", "variant_call", "audit_event")
    )


@pytest.fixture
def patient(vault: Vault, admin: Staff) -> patients.Patient:
    return patients.add_patient(
        vault, admin, PatientDetails("IMP-1", "Ines", "Import", "1980-05-05", "female")
    )


def test_import_keeps_calls_in_knowledge_base_genes_and_counts_the_rest(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    brca1 = gene_position("BRCA1", "GRCh38")
    far = ("1", 1_000_000)
    vcf = write_vcf(
        tmp_path / "lab.vcf",
        "GRCh38",
        [
            (brca1[0], brca1[1], "A", "G", "0/1"),
            (far[0], far[1], "C", "T", "1/1"),
            (brca1[0], brca1[1] + 10, "G", "C", "0/0"),
        ],
    )
    before = vault_state(vault)
    outcome = imports.import_vcf(vault, admin, "IMP-1", vcf, lab="North Lab", test_type="exome")
    test = outcome.test
    assert test.build == "GRCh38" and test.lab == "North Lab" and test.calls == 1
    summary = outcome.result.summary
    assert summary.records_read == 3
    assert summary.kept == 1 and summary.outside_regions == 1 and summary.not_carried == 1
    assert summary.reconciles()
    (call,) = imports.calls_of(vault, test.id)
    assert (call.chrom, call.pos, call.zygosity, call.region_gene) == (
        brca1[0],
        brca1[1],
        "heterozygous",
        "BRCA1",
    )
    assert call.hgvs_g.startswith("NC_000017.11:g.")
    assert vault_state(vault) == (before[0] + 1, before[1] + 1, before[2] + 1)
    event = vault.query_one("SELECT action, subject FROM audit_event ORDER BY id DESC LIMIT 1")
    assert tuple(event) == ("test.imported", f"patient:{patient.id}")


def test_the_same_file_twice_is_refused_naming_the_first_import(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "T", "C", "0/1")]
    )
    first = imports.import_vcf(vault, admin, patient.id, vcf)
    before = vault_state(vault)
    with pytest.raises(
        BadInputError, match=r"already imported for this patient on \d{4}-\d\d-\d\d"
    ) as refused:
        imports.import_vcf(vault, admin, patient.id, vcf)
    assert f"(test {first.test.id})" in str(refused.value)
    assert refused.value.exit_code == 3
    assert vault_state(vault) == before


@pytest.mark.parametrize(
    "content", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", os.urandom(4096), b""]
)
def test_a_file_that_is_not_a_vcf_stores_nothing(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path, content: bytes
) -> None:
    bogus = tmp_path / "results.vcf"
    bogus.write_bytes(content)
    before = vault_state(vault)
    with pytest.raises(BadInputError) as refused:
        imports.import_vcf(vault, admin, patient.id, bogus)
    assert "results.vcf" in str(refused.value)
    assert vault_state(vault) == before


def test_truncated_gzip_stores_nothing(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("MLH1", "GRCh38"), "A", "G", "0/1")] * 1
    )
    data = gzip.compress(vcf.read_bytes())
    broken = tmp_path / "lab.vcf.gz"
    broken.write_bytes(data[: len(data) // 2])
    before = vault_state(vault)
    with pytest.raises(BadInputError, match=r"lab\.vcf\.gz"):
        imports.import_vcf(vault, admin, patient.id, broken)
    assert vault_state(vault) == before


def test_cancel_stores_nothing(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("TP53", "GRCh38"), "C", "T", "0/1")]
    )
    before = vault_state(vault)
    with pytest.raises(Cancelled):
        imports.import_vcf(vault, admin, patient.id, vcf, cancelled=lambda: True)
    assert vault_state(vault) == before


def test_a_build_that_cannot_be_told_is_asked_not_guessed(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    chrom, pos = gene_position("BRCA1", "GRCh38")
    vcf = write_vcf(
        tmp_path / "nobuild.vcf", "GRCh38", [(chrom, pos, "A", "G", "0/1")], with_contigs=False
    )
    before = vault_state(vault)
    with pytest.raises(BadInputError, match=r"GRCh37|GRCh38") as asked:
        imports.import_vcf(vault, admin, patient.id, vcf)
    assert asked.value.exit_code == 3
    assert vault_state(vault) == before
    outcome = imports.import_vcf(vault, admin, patient.id, vcf, build="GRCh38")
    assert outcome.test.build == "GRCh38" and outcome.test.calls == 1


def test_tests_on_different_builds_are_pointed_out(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    imports.import_vcf(
        vault,
        admin,
        patient.id,
        write_vcf(
            tmp_path / "a.vcf", "GRCh37", [(*gene_position("BRCA1", "GRCh37"), "A", "G", "0/1")]
        ),
    )
    second = imports.import_vcf(
        vault,
        admin,
        patient.id,
        write_vcf(
            tmp_path / "b.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")]
        ),
    )
    assert any("other tests are on GRCh37" in notice for notice in second.notices)
    assert [t.build for t in imports.tests_of(vault, patient.id)] == ["GRCh37", "GRCh38"]


def test_progress_is_reported(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")]
    )
    imports.import_vcf(
        vault, admin, patient.id, vcf, progress=lambda done, total: seen.append((done, total))
    )
    assert seen, "progress was never reported"
    assert all(done >= 0 for done, _ in seen)


def test_values_are_checked(
    vault: Vault, admin: Staff, patient: patients.Patient, tmp_path: Path
) -> None:
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")]
    )
    with pytest.raises(UsageError, match="test type"):
        imports.import_vcf(vault, admin, patient.id, vcf, test_type="blood")
    with pytest.raises(BadInputError, match="does not exist"):
        imports.import_vcf(vault, admin, patient.id, tmp_path / "missing.vcf")
