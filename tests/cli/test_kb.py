"""`genedesk kb load-clinvar` and `genedesk kb recontact`, driven through `genedesk.cli.main`."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import pytest

from genedesk.cli import cmd_kb
from genedesk.cli import main as cli_main
from genedesk.core import findings, patients
from genedesk.core.reports import store
from genedesk.core.reports.from_vault import build_request
from genedesk.core.reports.model import Signer
from genedesk.core.staff import sign_in
from genedesk.core.vault import open_vault
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, gene_position, write_vcf


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> Path:
    folder = tmp_path / "vault"
    monkeypatch.setenv("GENEDESK_VAULT", str(folder))
    monkeypatch.setenv("GENEDESK_USER", ADMIN)
    monkeypatch.setenv("GENEDESK_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("GENEDESK_PASSPHRASE", PASSPHRASE)
    # Until main.py registers `kb` itself, add it to the real parser (the same one line).
    build = cli_main.build_parser

    def with_kb() -> argparse.ArgumentParser:
        parser = build()
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "kb" not in commands.choices:
            cmd_kb.register(commands, cli_main._common_options())
        return parser

    monkeypatch.setattr(cli_main, "build_parser", with_kb)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def release(path: Path, date: str, chrom: str, pos: int, clnsig: str) -> Path:
    lines = [
        "##fileformat=VCFv4.1",
        f"##fileDate={date}",
        "##source=ClinVar",
        "##reference=GRCh38",
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="classification">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="review status">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        f"{chrom}\t{pos}\t31\tA\tG\t.\t.\tCLNREVSTAT=criteria_provided,_single_submitter;"
        f"CLNSIG={clnsig}",
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_load_clinvar_then_recontact(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    chrom, pos = gene_position("BRCA2", "GRCh38")
    old = release(tmp_path / "clinvar-old.vcf.gz", "2025-01-05", chrom, pos, "Pathogenic")
    code, out, _ = run(capsys, "kb", "load-clinvar", str(old))
    assert code == 0, out
    lines = out.strip().splitlines()
    assert "Loaded ClinVar 2025-01-05 (GRCh38): 1 alleles from 1 records" in lines[0]
    assert "No reported finding changed class" in out and lines[-1].isdigit()
    code, out, _ = run(capsys, "kb", "load-clinvar", str(old))
    assert code == 0 and "already loaded" in out and "nothing was changed" in out
    code, _, err = run(capsys, "kb", "load-clinvar", str(tmp_path / "missing.vcf.gz"))
    assert code == 3 and "missing.vcf.gz" in err
    code, out, _ = run(capsys, "kb", "recontact")
    assert code == 0 and "No one to recontact" in out

    assert (
        run(
            capsys,
            "patient",
            "add",
            "--mrn",
            "K-1",
            "--given",
            "Kim",
            "--family",
            "Lee",
            "--dob",
            "1975-05-05",
            "--sex",
            "female",
        )[0]
        == 0
    )
    vcf = write_vcf(tmp_path / "lab.vcf", "GRCh38", [(chrom, pos, "A", "G", "0/1")])
    assert run(capsys, "import", "K-1", str(vcf), "--test-type", "panel")[0] == 0
    opened = open_vault(cli_env, passphrase=PASSPHRASE)
    try:
        admin = sign_in(opened.vault, ADMIN, ADMIN_PASSWORD)
        patient = patients.get_patient(opened.vault, "K-1")
        (finding,) = findings.list_findings(opened.vault, patient.id).shown
        request = build_request(
            opened.vault,
            patient.id,
            "patient",
            author=ADMIN,
            signer=Signer("Dr Sam Okafor", "Clinical geneticist"),
        )
        report = store.finalize(opened.vault, admin, request).report_id
    finally:
        opened.vault.close()

    new = release(tmp_path / "clinvar-new.vcf.gz", "2025-06-01", chrom, pos, "Benign")
    code, out, _ = run(capsys, "kb", "load-clinvar", str(new), "--json")
    loaded = json.loads(out)
    assert code == 0 and loaded["recontact_entries"] == 1 and not loaded["already_loaded"]
    assert loaded["release_date"] == "2025-06-01" and isinstance(loaded["id"], int)

    code, out, _ = run(capsys, "kb", "recontact")
    assert code == 0
    assert "K-1" in out and "BRCA2" in out and "pathogenic" in out and "benign (1★)" in out
    assert "2025-01-05 → 2025-06-01" in out and f"{report} v1" in out
    assert (
        "NO: no active recontact consent" in out and "1 without an active recontact consent" in out
    )
    assert "Kim" not in out and "Lee" not in out  # record numbers, never names
    code, out, _ = run(capsys, "kb", "recontact", "--json")
    (entry,) = json.loads(out)
    assert (entry["finding_id"], entry["record_number"], entry["has_recontact_consent"]) == (
        finding.id,
        "K-1",
        False,
    )
    assert (entry["reported_class"], entry["clinvar_now"]) == ("pathogenic", "benign")


def test_help_lists_the_kb_commands(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main.main(["kb", "--help"])
    out = capsys.readouterr().out
    assert "load-clinvar" in out and "recontact" in out
