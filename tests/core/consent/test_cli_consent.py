"""`genedesk consent …` and `genedesk request …` end to end, through the real entry point.

cli/main.py does not register these commands yet (the lead wires `cmd_consent.register`); the
test adds them to the real parser the same way and runs `main()` with its real error handling
and exit codes.
"""

from __future__ import annotations

import argparse
import json
import zipfile

import pytest
from pypdf import PdfReader

from conftest import png_signature
from genedesk.cli import cmd_consent
from genedesk.cli import main as cli_main
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE


@pytest.fixture
def genedesk(passphrase_vault, monkeypatch, capsys):
    """Run `genedesk ARGS…` in-process; return (exit code, stdout)."""
    real_build = cli_main.build_parser

    def build_with_consent() -> argparse.ArgumentParser:
        parser = real_build()
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "consent" not in commands.choices:
            cmd_consent.register(commands, cli_main._common_options())
        return parser

    monkeypatch.setattr(cli_main, "build_parser", build_with_consent)
    for name, value in (
        ("GENEDESK_VAULT", str(passphrase_vault.folder)),
        ("GENEDESK_USER", ADMIN),
        ("GENEDESK_PASSWORD", ADMIN_PASSWORD),
        ("GENEDESK_PASSPHRASE", PASSPHRASE),
    ):
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli_main.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_consent_request_withdraw_and_refused_release(genedesk, tmp_path) -> None:
    code, out, _ = genedesk(
        "patient",
        "add",
        "--mrn",
        "MRN-C1",
        "--given",
        "Ana",
        "--family",
        "Pérez",
        "--dob",
        "1979-04-02",
        "--sex",
        "female",
    )
    assert code == 0
    signature = tmp_path / "signature.png"
    signature.write_bytes(png_signature())
    receipt = tmp_path / "receipt.pdf"
    code, out, err = genedesk(
        "consent",
        "add",
        "MRN-C1",
        "--kind",
        "research",
        "--permission",
        "HMB",
        "--modifier",
        "GS:GB,FR",
        "--modifier",
        "NPU",
        "--data",
        "findings,summary",
        "--recipient-type",
        "academic",
        "--method",
        "signed",
        "--signature",
        str(signature),
        "--receipt",
        str(receipt),
    )
    assert code == 0, err
    consent_id = out.strip().splitlines()[-1]
    assert "Your consent receipt" in PdfReader(str(receipt)).pages[0].extract_text()

    code, out, _ = genedesk("consent", "list", "MRN-C1", "--json")
    listed = json.loads(out)
    assert [(c["id"], c["status"], c["terms"]["permission"]) for c in listed] == [
        (int(consent_id), "given", "HMB")
    ]

    code, out, _ = genedesk("consent", "fhir", consent_id)
    resource = json.loads(out)
    assert (resource["resourceType"], resource["status"]) == ("Consent", "active")

    code, out, err = genedesk(
        "request",
        "add",
        "MRN-C1",
        "--requester",
        "University of Leeds",
        "--requester-type",
        "academic",
        "--country",
        "GB",
        "--permission",
        "DS:MONDO:0007254",
        "--data",
        "findings",
        "--deidentified",
        "--json",
    )
    assert code == 0, err
    request_id = str(json.loads(out)["id"])
    code, out, _ = genedesk("request", "evaluate", request_id)
    assert code == 0 and f"Permitted by consent {consent_id}" in out

    company = (
        genedesk(
            "request",
            "add",
            "MRN-C1",
            "--requester",
            "GenCo Ltd",
            "--requester-type",
            "commercial",
            "--country",
            "US",
            "--permission",
            "HMB",
            "--data",
            "findings",
            "--deidentified",
        )[1]
        .strip()
        .splitlines()[-1]
    )
    code, out, _ = genedesk("request", "evaluate", company, "--json")
    assert code == 5
    assert {r["code"] for r in json.loads(out)["reasons"]} == {
        "recipient",
        "modifier:GS",
        "modifier:NPU",
    }

    withdrawal_receipt = tmp_path / "withdrawal.pdf"
    code, out, err = genedesk(
        "consent",
        "withdraw",
        consent_id,
        "--reason",
        "no longer",
        "--method",
        "verbal",
        "--witness",
        "Nurse Bea",
        "--receipt",
        str(withdrawal_receipt),
    )
    assert code == 0, err
    assert f"Requests stopped: {request_id}" in out and "Nothing was released" in out
    assert (
        "You have withdrawn your consent"
        in PdfReader(str(withdrawal_receipt)).pages[0].extract_text()
    )

    package = tmp_path / "package.zip"
    code, out, err = genedesk("request", "release", request_id, "--out", str(package))
    assert code == 5
    assert "not permitted" in err and "withdrawn" in err
    assert not package.exists()


def test_release_of_a_permitted_request_writes_the_package(genedesk, tmp_path) -> None:
    genedesk(
        "patient",
        "add",
        "--mrn",
        "MRN-C2",
        "--given",
        "Ben",
        "--family",
        "Okoro",
        "--dob",
        "1990-01-15",
        "--sex",
        "male",
    )
    code, out, err = genedesk(
        "consent",
        "add",
        "MRN-C2",
        "--kind",
        "registry",
        "--permission",
        "HMB",
        "--data",
        "summary",
        "--recipient",
        "ClinVar",
        "--method",
        "verbal",
        "--witness",
        "Nurse Bea",
    )
    assert code == 0, err
    request_id = (
        genedesk(
            "request",
            "add",
            "MRN-C2",
            "--requester",
            "clinvar",
            "--requester-type",
            "registry",
            "--country",
            "US",
            "--permission",
            "HMB",
            "--data",
            "summary",
            "--deidentified",
        )[1]
        .strip()
        .splitlines()[-1]
    )
    package = tmp_path / "package.zip"
    code, out, err = genedesk("request", "release", request_id, "--out", str(package), "--json")
    assert code == 0, err
    result = json.loads(out)
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["consent.fhir.json", "manifest.json", "summary.json"]
    assert set(result["files"]) == {"consent.fhir.json", "summary.json"}
    code, out, err = genedesk(
        "request",
        "add",
        "MRN-C2",
        "--requester",
        "x",
        "--requester-type",
        "registry",
        "--country",
        "US",
        "--permission",
        "HMB",
        "--data",
        "summary",
        "--modifier",
        "GSO",
    )
    assert code == 2 and "cannot declare" in err
    code, out, err = genedesk(
        "consent",
        "add",
        "MRN-C2",
        "--kind",
        "research",
        "--permission",
        "HMB",
        "--data",
        "findings",
        "--anyone",
        "--method",
        "verbal",
    )
    assert code == 2 and "witness" in err
