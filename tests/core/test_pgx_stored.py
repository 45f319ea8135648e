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


def _gvcf(path, records: list[str]):  # type: ignore[no-untyped-def]
    from genedesk.core.genomics.reference import reference_build

    lengths = reference_build("GRCh38").chromosome_lengths
    header = ["##fileformat=VCFv4.2", '##ALT=<ID=NON_REF,Description="Any other allele">',
              '##INFO=<ID=END,Number=1,Type=Integer,Description="End of the block">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              *(f"##contig=<ID=chr{c},length={n}>" for c, n in lengths.items() if c != "MT"),
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1"]
    path.write_text("\n".join(header + records) + "\n")
    return path


def test_a_gvcf_reference_block_counts_as_reference_at_pgx_positions(vault: Vault, admin: Staff, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A position missing from the file is 'not tested'; inside a 0/0 gVCF block it is reference."""
    from genedesk.core.pgx.definitions import load_definitions

    cyp = load_definitions()["CYP2C19"]
    snvs = [p for p in cyp.positions if len(p.ref) == 1 and p.alts and len(p.alts[0]) == 1]
    covered = snvs[1]
    block = f"chr10\t{covered.position - 5}\t.\tA\t<NON_REF>\t.\tPASS\tEND={covered.position + 5}\tGT\t0/0"
    label = covered.rsid or str(covered.position)

    def not_tested(records: list[str], mrn: str) -> tuple[str, ...]:
        patient = patients.add_patient(vault, admin, PatientDetails(mrn, "G", "Vcf", "1970-01-01", "unknown"))
        imports.import_vcf(vault, admin, patient.id, _gvcf(tmp_path / f"{mrn}.g.vcf", records),
                           test_type="pharmacogenomic", build="GRCh38")
        report = pgx_for_patient(vault, patient.id)
        assert report is not None
        return next(row for row in report.genes if row.gene == "CYP2C19").positions_not_tested

    without = not_tested([], "G-1")
    assert any(label in text for text in without), "a position absent from the file is not tested"
    with_block = not_tested([block], "G-2")
    assert not any(label in text for text in with_block), "inside a 0/0 block it is tested (reference)"
    assert len(with_block) == len(without) - 1
    no_call = block.replace("GT\t0/0", "GT\t./.")
    assert any(label in text for text in not_tested([no_call], "G-3")), "a no-call block proves nothing"
