"""The throw-away demo vault behind `genedesk --demo`: sample patients, no keyring, a temp folder.

Everything in it is invented. It uses passphrase mode with a random passphrase held only in memory,
so it never touches the PC's keyring and cannot be reopened after the program ends. The first
patient's record shows every feature: an imported panel with a pathogenic finding (in a final
letter), a variant of uncertain significance, a carrier result and a pharmacogenomic result, and
consents (one withdrawn) with a pending sharing request. Gene positions come from the knowledge
base and the PGx allele definitions that ship with GeneDesk, never typed in here.
"""

from __future__ import annotations

import secrets
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from genedesk.core import clinic, patients, staff
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, create_vault

DEMO_STAFF = "Demo Counsellor"
DEMO_ADMIN = "Demo Admin"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - deliberately public: shown on the demo sign-in screen

DEMO_PATIENTS = (
    PatientDetails("DEMO-0001", "Zoë", "Kowalczyk-Ñandú", "1985-03-02", "female"),
    PatientDetails("DEMO-0002", "Nguyễn Thị", "Ánh", "1991-11-30", "female", "vi"),
    PatientDetails("DEMO-0003", "Łukasz", "Żółć", "1978-06-14", "male", "pl"),
    PatientDetails("DEMO-0004", "Ólafur", "Þórsson", "1969-01-08", "male", "is"),
    PatientDetails("DEMO-0005", "Σοφία", "Παπαδοπούλου", "2001-09-21", "female", "el"),
    PatientDetails("DEMO-0006", "Юлия", "Смирнова", "1988-04-04", "female", "ru"),
    PatientDetails("DEMO-0007", "Grace", "O'Connor", "1957-12-25", "female"),
    PatientDetails("DEMO-0008", "Samuel", "Okafor", "2010-02-17", "male"),
)


# Invented: 0161 496 0xxx is a UK range set aside for drama, example.org is reserved for examples.
DEMO_CLINIC = {
    "name": "Demo Genetics Service (invented)",
    "address": "Floor 2, Example House\n1 Example Street\nExampletown EX1 1AA",
    "phone": "0161 496 0123",
    "email": "genetics@example.org",
    "contact_name": "Demo Counsellor",
    "contact_role": "Genetic counsellor",
}


@dataclass(frozen=True)
class DemoVault:
    folder: Path
    passphrase: str
    staff_name: str
    password: str


def create_demo_vault(folder: Path) -> DemoVault:
    passphrase = secrets.token_urlsafe(24)
    opened = create_vault(
        folder,
        admin_name=DEMO_ADMIN,
        admin_password=DEMO_PASSWORD,
        passphrase_mode=True,
        passphrase=passphrase,
    )
    vault = opened.vault
    try:
        admin = staff.sign_in(vault, DEMO_ADMIN, DEMO_PASSWORD)
        staff.add_staff(vault, admin, name=DEMO_STAFF, role="counsellor", password=DEMO_PASSWORD)
        clinic.set_clinic(vault, admin, **DEMO_CLINIC)
        counsellor = staff.sign_in(vault, DEMO_STAFF, DEMO_PASSWORD)
        for details in DEMO_PATIENTS:
            patients.add_patient(vault, counsellor, details)
        _demo_record(vault, counsellor, folder.parent / "demo-lab-file.vcf")
    finally:
        vault.close()
    return DemoVault(folder, passphrase, DEMO_STAFF, DEMO_PASSWORD)


def _signature_png() -> bytes:
    """A small real PNG with a drawn line, standing in for a signature made on screen."""
    width, height = 120, 40
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            on = abs(y - (20 + (x % 30) // 3 - 5)) <= 1 and 10 <= x <= 110
            row += b"\x00\x00\x00" if on else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _demo_vcf(path: Path) -> Path:
    """An invented exome for the first demo patient, written from GeneDesk's own reference data."""
    from genedesk.core.genomics.reference import reference_build
    from genedesk.core.knowledge.genes import shipped_genes
    from genedesk.core.pgx.definitions import load_definitions

    genes = shipped_genes()

    def middle(symbol: str) -> tuple[str, int]:
        region = genes.gene(symbol).region("GRCh38")
        assert region is not None
        return region.chrom, (region.start + region.end) // 2

    records: list[tuple[str, int, str, str, str, str]] = [
        (*middle("BRCA2"), "A", "G", "0/1", "CLNSIG=Pathogenic"),  # reported finding
        (*middle("MLH1"), "C", "T", "0/1", "."),  # uncertain significance
        (
            *middle("MUTYH"),
            "G",
            "A",
            "0/1",
            "CLNSIG=Pathogenic",
        ),  # carrier of a recessive condition
    ]
    # CYP2C19 *2 on one copy: every definition position written out (reference where *2 is).
    cyp2c19 = load_definitions()["CYP2C19"]
    star2 = next(a for a in cyp2c19.alleles if a.name == "*2")
    chrom = cyp2c19.chromosome.removeprefix("chr")
    for index, position in enumerate(cyp2c19.positions):
        if len(position.ref) != 1:
            continue
        wanted = star2.definition[index]
        if (
            wanted is not None
            and wanted != position.ref
            and len(wanted) == 1
            and wanted in position.alts
        ):
            records.append((chrom, position.position, position.ref, wanted, "0/1", "."))
        elif position.alts and len(position.alts[0]) == 1:
            records.append((chrom, position.position, position.ref, position.alts[0], "0/0", "."))
    order = {str(n): n for n in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25}
    records.sort(key=lambda r: (order[r[0]], r[1]))
    lengths = reference_build("GRCh38").chromosome_lengths
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38", "##source=GeneDesk demo (invented data)"]
    lines += [f"##contig=<ID={c},length={n}>" for c, n in lengths.items()]
    lines += [
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tDEMO-0001",
    ]
    lines += [
        f"{c}\t{p}\t.\t{ref}\t{alt}\t60\tPASS\t{info}\tGT:DP\t{gt}:42"
        for c, p, ref, alt, gt, info in records
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _demo_record(vault: Vault, counsellor: Staff, vcf_path: Path) -> None:
    from genedesk.core import imports
    from genedesk.core.consent.model import ConsentTerms, Purpose, Recipients, RequestDetails
    from genedesk.core.consent.service import (
        HowGiven,
        add_request,
        record_consent,
        withdraw_consent,
    )
    from genedesk.core.reports import store
    from genedesk.core.reports.from_vault import build_request
    from genedesk.core.reports.model import Signer

    zoe = patients.get_patient(vault, DEMO_PATIENTS[0].mrn)
    signed = HowGiven(method="signed", evidence=_signature_png())
    record_consent(
        vault, counsellor, zoe.id, kind="secondary-findings", terms=ConsentTerms(), how=signed
    )
    record_consent(vault, counsellor, zoe.id, kind="recontact", terms=ConsentTerms(), how=signed)
    record_consent(
        vault,
        counsellor,
        zoe.id,
        kind="research",
        terms=ConsentTerms(
            Purpose.parse("HMB"), (), ("findings", "summary"), Recipients(types=("academic",))
        ),
        how=signed,
    )
    registry = record_consent(
        vault,
        counsellor,
        zoe.id,
        kind="registry",
        terms=ConsentTerms(Purpose.parse("GRU"), (), ("summary",), Recipients(types=("registry",))),
        how=signed,
    )
    withdraw_consent(
        vault, counsellor, registry.id, reason="The patient changed her mind", how=signed
    )
    add_request(
        vault,
        counsellor,
        zoe.id,
        RequestDetails(
            "Northern Cancer Genetics Study",
            "academic",
            "GB",
            Purpose.parse("HMB"),
            ("findings",),
            deidentified=True,
        ),
    )
    imports.import_vcf(
        vault,
        counsellor,
        zoe.id,
        _demo_vcf(vcf_path),
        lab="Demo Genomics Laboratory",
        test_type="panel",
    )
    letter = build_request(
        vault,
        zoe.id,
        "patient",
        author=counsellor.name,
        signer=Signer(counsellor.name, "Genetic counsellor"),
    )
    store.finalize(vault, counsellor, letter)
