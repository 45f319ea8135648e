"""Reclassification: a newer ClinVar release against the findings printed in final reports.

Everything is real: ClinVar-format VCFs written here and loaded by `load_clinvar`, lab files
imported by `import_vcf`, reports made by `from_vault.build_request` and kept by `store`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from genedesk.core import findings, imports, patients
from genedesk.core.consent.model import ConsentTerms
from genedesk.core.consent.service import HowGiven, record_consent
from genedesk.core.knowledge.clinvar import load_clinvar
from genedesk.core.knowledge.reclassify import (
    change_matters,
    find_reclassified,
    recontact_worklist,
)
from genedesk.core.patients import PatientDetails
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import gene_position, write_vcf

ONE_STAR = "criteria_provided,_single_submitter"
TWO_STARS = "criteria_provided,_multiple_submitters,_no_conflicts"
CLINVAR_INFO = (
    '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status">',
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification">',
    '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant">',
)
SIGNER = Signer("Dr Sam Okafor", "Consultant clinical geneticist")


def clinvar_release(
    path: Path, date: str, alleles: list[tuple[str, int, str, str, int, str, str]]
) -> Path:
    """A ClinVar VCF in NCBI's layout, gzip'd: (chrom, pos, ref, alt, id, CLNSIG, CLNREVSTAT)."""
    lines = [
        "##fileformat=VCFv4.1",
        f"##fileDate={date}",
        "##source=ClinVar",
        "##reference=GRCh38",
        *CLINVAR_INFO,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    for chrom, pos, ref, alt, vid, clnsig, revstat in alleles:
        lines.append(
            f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\tALLELEID={vid + 1000};"
            f"CLNREVSTAT={revstat};CLNSIG={clnsig};GENEINFO=GENE:1;ORIGIN=1"
        )
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def site(gene: str) -> tuple[str, int]:
    return gene_position(gene, "GRCh38")


def patient_with_calls(
    vault: Vault, admin: Staff, tmp_path: Path, mrn: str, genes: list[str]
) -> patients.Patient:
    patient = patients.add_patient(
        vault, admin, PatientDetails(mrn, "Test", "Person", "1980-01-01", "female")
    )
    vcf = write_vcf(
        tmp_path / f"{mrn}.vcf", "GRCh38", [(*site(gene), "A", "G", "0/1") for gene in genes]
    )
    imports.import_vcf(vault, admin, patient.id, vcf, lab="North Lab", test_type="panel")
    return patient


def by_gene(vault: Vault, patient_id: int) -> dict[str, findings.Finding]:
    return {f.gene: f for f in findings.list_findings(vault, patient_id, include_all=True).shown}


def final_report(
    vault: Vault,
    admin: Staff,
    patient_id: int,
    kind: str = "clinician",
    finding_id: int | None = None,
) -> str:
    request = build_request(
        vault, patient_id, kind, author=admin.name, signer=SIGNER, finding_id=finding_id
    )
    return store.finalize(vault, admin, request).report_id


def worklist_events(vault: Vault) -> list[dict[str, object]]:
    rows = vault.query(
        "SELECT details FROM audit_event WHERE action = 'clinvar.recontact_worklist' ORDER BY id"
    )
    return [json.loads(r["details"]) for r in rows]


def test_which_changes_matter() -> None:
    disease, vus, benign = (
        ("pathogenic", "likely_pathogenic"),
        ("uncertain_significance",),
        ("benign", "likely_benign"),
    )
    for a in disease:
        for b in vus + benign + ("conflicting",):
            assert change_matters(a, b) and change_matters(b, a)
    for a in vus:
        assert all(change_matters(a, b) for b in disease)
        assert not any(change_matters(a, b) for b in benign)  # VUS -> B/LB: not on the list
    for a in benign:
        assert all(change_matters(a, b) for b in disease + vus)
        assert not change_matters(a, "conflicting")
    # Within a group, to ClinVar's "other", or to itself: nothing to tell the patient.
    for group in (disease, vus, benign):
        assert not any(change_matters(a, b) for a in group for b in group)
    assert not any(change_matters(a, "other") for a in disease + vus + benign)
    assert change_matters("conflicting", "pathogenic")
    assert not change_matters("conflicting", "uncertain_significance")


def test_a_newer_release_makes_the_recontact_worklist(
    vault: Vault, admin: Staff, tmp_path: Path
) -> None:
    brca2, mlh1, msh2, pms2 = site("BRCA2"), site("MLH1"), site("MSH2"), site("PMS2")
    load_clinvar(
        vault,
        admin,
        clinvar_release(
            tmp_path / "old.vcf.gz",
            "2025-01-05",
            [
                (*brca2, "A", "G", 11, "Pathogenic", ONE_STAR),
                (*mlh1, "A", "G", 12, "Uncertain_significance", ONE_STAR),
                (*msh2, "A", "G", 13, "Pathogenic", ONE_STAR),
                (*pms2, "A", "G", 14, "Pathogenic", ONE_STAR),
            ],
        ),
    )
    # Ann consents to recontact; Ben does not; Cy's report is only a draft.
    ann = patient_with_calls(vault, admin, tmp_path, "ANN-1", ["BRCA2", "MLH1", "MSH2", "PMS2"])
    ben = patient_with_calls(vault, admin, tmp_path, "BEN-2", ["BRCA2"])
    cy = patient_with_calls(vault, admin, tmp_path, "CY-3", ["BRCA2"])
    record_consent(
        vault,
        admin,
        ann.id,
        kind="recontact",
        terms=ConsentTerms(),
        how=HowGiven("signed", evidence=b"\x89PNG\r\n\x1a\nsig"),
    )
    ann_findings = by_gene(vault, ann.id)
    assert ann_findings["BRCA2"].classification == "pathogenic"
    assert ann_findings["MLH1"].classification == "uncertain_significance"
    # The counsellor chose to report the VUS; PMS2 was excluded before the report.
    findings.update_finding(vault, admin, ann_findings["MLH1"].id, in_report=True)
    findings.update_finding(vault, admin, ann_findings["PMS2"].id, status="excluded")
    ann_report = final_report(vault, admin, ann.id)
    ben_report = final_report(vault, admin, ben.id)
    store.save_draft(vault, admin, build_request(vault, cy.id, "clinician", author=admin.name))
    # After the report, the counsellor downgrades BRCA2: the patient was still told pathogenic.
    findings.classify_finding(
        vault,
        admin,
        ann_findings["BRCA2"].id,
        "PM2_Supporting",
        manual_class="uncertain_significance",
        reason="new family data",
    )

    # Before a newer release: nothing to do, and the run is still recorded.
    assert recontact_worklist(vault, admin) == []
    assert worklist_events(vault)[-1]["entries"] == 0

    load_clinvar(
        vault,
        admin,
        clinvar_release(
            tmp_path / "new.vcf.gz",
            "2025-06-01",
            [
                (*brca2, "A", "G", 11, "Uncertain_significance", TWO_STARS),  # P -> VUS
                (*mlh1, "A", "G", 12, "Likely_pathogenic", ONE_STAR),  # VUS -> LP
                (*msh2, "A", "G", 13, "Likely_pathogenic", ONE_STAR),  # P -> LP: same group
                (*pms2, "A", "G", 14, "Benign", ONE_STAR),  # not in any report
            ],
        ),
    )
    entries = recontact_worklist(vault, admin)

    assert [(e.record_number, e.gene) for e in entries] == [
        ("ANN-1", "BRCA2"),
        ("ANN-1", "MLH1"),
        ("BEN-2", "BRCA2"),
    ]
    ann_brca2, ann_mlh1, ben_brca2 = entries
    assert ann_brca2.reported_class == "pathogenic"  # from the history, not today's class
    assert (ann_brca2.clinvar_before, ann_brca2.clinvar_now, ann_brca2.clinvar_now_stars) == (
        "pathogenic",
        "uncertain_significance",
        2,
    )
    assert (ann_brca2.clinvar_before_release, ann_brca2.clinvar_now_release) == (
        "2025-01-05",
        "2025-06-01",
    )
    assert ann_brca2.reports == (f"{ann_report} v1",) and ann_brca2.variation_id == 11
    assert ann_brca2.variant == f"{brca2[0]}:{brca2[1]} A>G" and ann_brca2.build == "GRCh38"
    assert (ann_mlh1.reported_class, ann_mlh1.clinvar_now) == (
        "uncertain_significance",
        "likely_pathogenic",
    )
    assert ann_brca2.has_recontact_consent and ann_mlh1.has_recontact_consent
    # Ben has no recontact consent: listed, and marked as such.
    assert ben_brca2.patient_id == ben.id and not ben_brca2.has_recontact_consent
    assert ben_brca2.reports == (f"{ben_report} v1",)
    assert ben_brca2.to_json()["clinvar_url"].endswith("/variation/11/")

    event = worklist_events(vault)[-1]
    assert event == {
        "releases": {"GRCh38": "2025-06-01"},
        "reported_findings_checked": 4,
        "entries": 3,
        "patients": 2,
        "with_recontact_consent": 2,
        "without_recontact_consent": 1,
    }
    assert len(worklist_events(vault)) == 2  # one event per run
    # Reading alone records nothing.
    assert find_reclassified(vault)[0] == entries and len(worklist_events(vault)) == 2


def test_family_letters_and_conflicting_classifications(
    vault: Vault, admin: Staff, tmp_path: Path
) -> None:
    brca1 = site("BRCA1")
    load_clinvar(
        vault,
        admin,
        clinvar_release(
            tmp_path / "old.vcf.gz", "2025-01-05", [(*brca1, "A", "G", 21, "Pathogenic", ONE_STAR)]
        ),
    )
    dee = patient_with_calls(vault, admin, tmp_path, "DEE-4", ["BRCA1"])
    finding = by_gene(vault, dee.id)["BRCA1"]
    # Only a family letter about the finding was made final.
    report = final_report(vault, admin, dee.id, "family", finding.id)
    load_clinvar(
        vault,
        admin,
        clinvar_release(
            tmp_path / "new.vcf.gz",
            "2025-06-01",
            [
                (
                    *brca1,
                    "A",
                    "G",
                    21,
                    "Conflicting_classifications_of_pathogenicity",
                    "criteria_provided,_conflicting_classifications",
                )
            ],
        ),
    )
    (entry,) = recontact_worklist(vault, admin)
    assert (entry.finding_id, entry.reports) == (finding.id, (f"{report} v1",))
    assert (entry.reported_class, entry.clinvar_now, entry.clinvar_now_stars) == (
        "pathogenic",
        "conflicting",
        1,
    )
    assert not entry.has_recontact_consent
