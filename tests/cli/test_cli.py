"""The `genedesk` command as a clinic's script would use it: exit codes, --json, last-line ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genedesk.cli.main import main
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, gene_position, write_vcf


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> Path:
    folder = tmp_path / "vault"
    monkeypatch.setenv("GENEDESK_VAULT", str(folder))
    monkeypatch.setenv("GENEDESK_USER", ADMIN)
    monkeypatch.setenv("GENEDESK_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("GENEDESK_PASSPHRASE", PASSPHRASE)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_prints_the_recovery_key_once_and_the_id_last(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "recovery.pdf"
    code, out, _ = run(
        capsys, "init", "--admin", ADMIN, "--passphrase-mode", "--recovery-sheet", str(sheet)
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert "RECOVERY KEY" in out
    vault_id = lines[-1]
    assert len(vault_id) == 36 and vault_id.count("-") == 4
    assert sheet.read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, "vault", "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["vault_id"] == vault_id
    assert status["key_mode"] == "passphrase"
    assert status["staff"] == 1


def test_patient_commands_and_exit_codes(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    code, out, _ = run(
        capsys,
        "patient",
        "add",
        "--mrn",
        "C-1",
        "--given",
        "Zoë",
        "--family",
        "Kowalczyk",
        "--dob",
        "1985-03-02",
        "--sex",
        "female",
    )
    assert code == 0
    patient_id = out.strip().splitlines()[-1]
    code, out, _ = run(
        capsys,
        "patient",
        "add",
        "--mrn",
        "C-2",
        "--given",
        "Ana",
        "--family",
        "Díaz",
        "--dob",
        "1990-01-01",
        "--sex",
        "female",
        "--json",
    )
    assert code == 0 and json.loads(out)["id"] == int(patient_id) + 1
    code, out, _ = run(capsys, "patient", "list", "--search", "zoe", "--json")
    assert [p["mrn"] for p in json.loads(out)] == ["C-1"]
    code, out, _ = run(capsys, "patient", "show", "C-1", "--json")
    shown = json.loads(out)
    assert shown["given_name"] == "Zoë" and shown["history"][0]["action"] == "patient.added"
    code, out, _ = run(capsys, "patient", "edit", "C-1", "--family", "Kowalczyk-Ñandú")
    assert code == 0
    # Bad value: exit 2 and a message naming the field.
    code, _, err = run(
        capsys,
        "patient",
        "add",
        "--mrn",
        "C-3",
        "--given",
        "X",
        "--family",
        "Y",
        "--dob",
        "1985-02-30",
        "--sex",
        "female",
    )
    assert code == 2 and "date of birth" in err
    # Unknown patient: exit 1.
    assert run(capsys, "patient", "show", "nobody")[0] == 1
    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_wrong_password_exits_5_and_wrong_passphrase_exits_4(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    monkeypatch.setenv("GENEDESK_PASSWORD", "wrong-password")
    code, _, err = run(capsys, "patient", "list")
    assert code == 5 and "password is not right" in err
    monkeypatch.setenv("GENEDESK_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("GENEDESK_PASSPHRASE", "wrong passphrase!")
    code, _, err = run(capsys, "patient", "list")
    assert code == 4 and "passphrase is not right" in err
    assert "wrong passphrase!" not in err


def test_user_add_by_admin_only(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    monkeypatch.setenv("GENEDESK_NEW_PASSWORD", "counsellor-pw-1")
    code, out, _ = run(capsys, "user", "add", "Cora", "--role", "counsellor")
    assert code == 0 and out.strip().splitlines()[-1] == "2"
    monkeypatch.setenv("GENEDESK_USER", "Cora")
    monkeypatch.setenv("GENEDESK_PASSWORD", "counsellor-pw-1")
    code, _, err = run(capsys, "user", "add", "Dan", "--role", "admin")
    assert code == 5 and "administrator" in err


def test_missing_secret_without_a_terminal_is_a_usage_error(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    monkeypatch.delenv("GENEDESK_PASSWORD")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run(capsys, "patient", "list")
    assert code == 2 and "GENEDESK_PASSWORD" in err


def test_help_lists_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "genedesk.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    for command in ("init", "vault", "user", "clinic", "patient", "audit"):
        assert command in out
    vault_help = subprocess.run(
        [sys.executable, "-m", "genedesk.cli.main", "vault", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("status", "verify", "backup", "restore", "recover", "rekey"):
        assert command in vault_help


def test_usage_error_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["patient", "add", "--mrn"])
    assert stopped.value.code == 2


def test_import_prints_the_summary_and_the_test_id(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    assert (
        run(
            capsys,
            "patient",
            "add",
            "--mrn",
            "I-1",
            "--given",
            "Ivo",
            "--family",
            "Lab",
            "--dob",
            "1970-01-01",
            "--sex",
            "male",
        )[0]
        == 0
    )
    vcf = write_vcf(
        tmp_path / "lab.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1")]
    )
    code, out, _ = run(
        capsys, "import", "I-1", str(vcf), "--lab", "North Lab", "--test-type", "panel"
    )
    assert code == 0, out
    assert "Calls kept: 1" in out and "on GRCh38" in out
    test_id = out.strip().splitlines()[-1]
    code, out, _ = run(capsys, "tests", "I-1", "--json")
    assert [t["id"] for t in json.loads(out)] == [int(test_id)]
    code, out, _ = run(capsys, "calls", "I-1", "--json")
    (call,) = json.loads(out)
    assert call["region_gene"] == "BRCA2" and call["zygosity"] == "heterozygous"
    # The same file again: refused as a duplicate, exit 3.
    code, _, err = run(capsys, "import", "I-1", str(vcf))
    assert code == 3 and "already imported" in err
    # A PDF: exit 3, the file named, nothing stored.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    code, _, err = run(capsys, "import", "I-1", str(pdf))
    assert code == 3 and "report.pdf" in err
    code, out, _ = run(capsys, "tests", "I-1", "--json")
    assert len(json.loads(out)) == 1


def test_report_prints_versions_and_lists_them(cli_env: Path, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    assert run(capsys, "patient", "add", "--mrn", "R-1", "--given", "Ruth", "--family", "Report", "--dob",
               "1966-06-06", "--sex", "female")[0] == 0
    vcf = write_vcf(tmp_path / "panel.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "A", "G", "0/1")],
                    extra_info="CLNSIG=Pathogenic")
    assert run(capsys, "import", "R-1", str(vcf), "--test-type", "panel")[0] == 0
    letter = tmp_path / "letter.pdf"
    code, out, err = run(capsys, "report", "R-1", "--kind", "patient", "--out", str(letter))
    assert code == 0, err
    report_id = out.strip().splitlines()[-1]
    text = " ".join(page.extract_text() for page in PdfReader(letter).pages)
    assert "BRCA2" in text and "Draft" in text and "Ruth" in text
    clinician = tmp_path / "clinician.pdf"
    code, out, _ = run(capsys, "report", "R-1", "--kind", "clinician", "--out", str(clinician), "--final")
    assert code == 0
    final_id = out.strip().splitlines()[-1]
    code, out, _ = run(capsys, "report", "R-1", "--kind", "clinician", "--out", str(tmp_path / "v2.pdf"),
                       "--amend", final_id, "--reason", "Corrected the referrer")
    assert code == 0
    amended = " ".join(page.extract_text() for page in PdfReader(tmp_path / "v2.pdf").pages)
    assert "Amended" in amended and "Corrected the referrer" in " ".join(amended.split())
    code, out, _ = run(capsys, "reports", "R-1", "--json")
    listed = json.loads(out)
    assert {(v["report_id"], v["version"], v["status"]) for v in listed} == {
        (report_id, 1, "draft"), (final_id, 1, "final"), (final_id, 2, "amended")}
    code, _, err = run(capsys, "report", "R-1", "--kind", "clinician", "--out", str(tmp_path / "x.pdf"),
                       "--amend", final_id)
    assert code == 2 and "reason" in err


def test_clinic_details_are_set_by_an_admin_and_shown(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init", "--admin", ADMIN, "--passphrase-mode")[0] == 0
    code, out, _ = run(capsys, "clinic", "show")
    assert code == 0 and "not set yet" in out and "Genetic counselling clinic" in out
    code, out, _ = run(capsys, "clinic", "set", "--name", "North West Genetics", "--address",
                       r"Floor 3\nSt Mary's Hospital\nManchester M13 9WL", "--phone",
                       "0161 555 0100", "--contact-name", "Dr Ada Byrne")
    assert code == 0 and "Saved" in out
    code, out, _ = run(capsys, "clinic", "show", "--json")
    shown = json.loads(out)
    assert shown["address"].splitlines() == ["Floor 3", "St Mary's Hospital", "Manchester M13 9WL"]
    assert (shown["name"], shown["phone"], shown["email"]) == (
        "North West Genetics", "0161 555 0100", "")
    code, _, err = run(capsys, "clinic", "set")
    assert code == 2 and "at least one detail" in err
    code, _, err = run(capsys, "clinic", "set", "--email", "no address")
    assert code == 2 and "email" in err
    monkeypatch.setenv("GENEDESK_NEW_PASSWORD", "counsellor-pw-1")
    assert run(capsys, "user", "add", "Cora", "--role", "counsellor")[0] == 0
    monkeypatch.setenv("GENEDESK_USER", "Cora")
    monkeypatch.setenv("GENEDESK_PASSWORD", "counsellor-pw-1")
    code, _, err = run(capsys, "clinic", "set", "--phone", "0161 555 0199")
    assert code == 5 and "administrator" in err
    code, out, _ = run(capsys, "clinic", "show")
    assert code == 0 and "0161 555 0100" in out and "Manchester M13 9WL" in out
