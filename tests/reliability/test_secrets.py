"""Secrets and patient names never leak through logs, error messages, temp files or the clipboard.

A passphrase-mode vault is made with distinctive marker strings as its passphrase, staff
password and patient names; its recovery key and raw key are read back. Then every error path
that can be reached is driven — wrong passphrase, wrong or mistyped recovery key, wrong staff
password, a bad VCF, a duplicate import, a refused release, a damaged vault, CLI commands with bad
arguments (the real `genedesk` command in a subprocess) — and the places a secret could escape to
are searched, in UTF-8 and UTF-16: every log file under GENEDESK_HOME, each exception's str(),
repr(), hint and full traceback text, the CLI's stdout and stderr, every file left in the
processes' private temp folder (TMPDIR for the subprocesses, tempfile.gettempdir() in-process),
and the Qt clipboard after the password dialogs. The recovery key is searched with and without
its dashes; the raw vault key as bytes and as hex.

Deliberate outputs are not scanned for what they are meant to show: `init` prints the recovery
key once, and commands that show a patient print the patient's name. The vault folder's own files
are checked by tests/core/test_no_plaintext.py.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from genedesk.core import imports, patients, staff
from genedesk.core.consent import service as consent_service
from genedesk.core.consent.model import Purpose, RequestDetails
from genedesk.core.consent.release import ReleaseData
from genedesk.core.errors import GeneDeskError
from genedesk.core.genomics import KeepRules, shutdown_readers
from genedesk.core.logs import setup_logging
from genedesk.core.patients import PatientDetails
from genedesk.core.vault import open_vault
from genedesk.core.vault.keyfile import KeyFile
from genedesk.core.vault.lifecycle import _unwrap_with_recovery, recover_vault
from support import SHARED_DATA, gene_position, write_vcf

PASSPHRASE = "Quokka-passphrase-Marker-71fz"
WRONG_PASSPHRASE = "Wombat-wrong-Marker-22qp"
ADMIN = "Ada Admin"
ADMIN_PASSWORD = "Staff-password-Marker-93kd"
WRONG_PASSWORD = "Staff-wrong-Marker-55vb"
GIVEN = "Xanthippe"
FAMILY = "Quillfeather-Zyxmarker"
MRN = "SEC-0001"


def patient_add(mrn: str = MRN, given: str = GIVEN, dob: str = "1971-04-05") -> list[str]:
    """`genedesk patient add` for the secret patient (or a variant of it), as argv."""
    return ["patient", "add", "--mrn", mrn, "--given", given, "--family", FAMILY, "--dob", dob,
            "--sex", "female"]


@dataclass
class Secrets:
    recovery_key: str
    raw_key: bytes
    markers: dict[str, bytes] = field(default_factory=dict)

    def build(self) -> None:
        texts = {
            "passphrase": PASSPHRASE,
            "wrong passphrase": WRONG_PASSPHRASE,
            "staff password": ADMIN_PASSWORD,
            "wrong staff password": WRONG_PASSWORD,
            "recovery key": self.recovery_key,
            "recovery key without dashes": self.recovery_key.replace("-", ""),
            "given name": GIVEN,
            "family name": FAMILY,
            "raw key (hex)": self.raw_key.hex(),
            "raw key (HEX)": self.raw_key.hex().upper(),
        }
        for label, text in texts.items():
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                self.markers[f"{label} ({encoding})"] = text.encode(encoding)
        self.markers["raw key (bytes)"] = self.raw_key

    def found_in(self, data: bytes, *, allowed: tuple[str, ...] = ()) -> list[str]:
        return [
            label
            for label, marker in self.markers.items()
            if marker in data and not label.startswith(allowed)
        ]


def genedesk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[bytes]:
    """The real command, as a clinic's script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "genedesk.cli.main", *argv],
        env=env,
        capture_output=True,
        timeout=300,
    )


def files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


@pytest.fixture
def world(tmp_path: Path, genedesk_home: Path) -> dict[str, object]:
    """A vault made by the CLI with the markers, a patient, and private temp folders."""
    if not SHARED_DATA.is_dir():
        pytest.skip("needs ../shared/data (the shared test data is not beside this clone)")
    private_tmp = tmp_path / "tmp-for-subprocesses"
    private_tmp.mkdir()
    vault = tmp_path / "vault"
    env = {
        **os.environ,
        "GENEDESK_HOME": str(genedesk_home),
        "GENEDESK_VAULT": str(vault),
        "GENEDESK_USER": ADMIN,
        "GENEDESK_PASSWORD": ADMIN_PASSWORD,
        "GENEDESK_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TMPDIR": str(private_tmp),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("GENEDESK_RECOVERY_KEY", None)
    made = genedesk(env, "init", "--admin", ADMIN, "--passphrase-mode")
    assert made.returncode == 0, made.stderr
    out = made.stdout.decode()
    recovery_key = next(
        word for line in out.splitlines() for word in line.split() if word.count("-") == 7
    )
    keyfile = KeyFile.read(next(p for p in vault.iterdir() if p.name.endswith(".key")))
    secrets = Secrets(recovery_key, _unwrap_with_recovery(keyfile, recovery_key))
    secrets.build()
    added = genedesk(env, *patient_add())
    assert added.returncode == 0, added.stderr
    return {
        "env": env,
        "vault": vault,
        "tmp": private_tmp,
        "secrets": secrets,
        "home": genedesk_home,
    }


def test_cli_error_paths_leak_no_secret_or_name(world: dict[str, object], tmp_path: Path) -> None:
    env: dict[str, str] = world["env"]  # type: ignore[assignment]
    secrets: Secrets = world["secrets"]  # type: ignore[assignment]
    vault: Path = world["vault"]  # type: ignore[assignment]
    private_tmp: Path = world["tmp"]  # type: ignore[assignment]
    home: Path = world["home"]  # type: ignore[assignment]

    bad_vcf = tmp_path / "lab-results.vcf"  # messages name the file: the lab chose its name
    bad_vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\n1\tX\n")
    good_vcf = write_vcf(
        tmp_path / "good.vcf", "GRCh38", [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")]
    )
    damaged = tmp_path / "damaged-vault"
    shutil.copytree(vault, damaged)
    database = max((p for p in damaged.iterdir() if p.is_file()), key=lambda p: p.stat().st_size)
    raw = bytearray(database.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 4096] = bytes(4096)
    database.write_bytes(bytes(raw))
    mistyped = secrets.recovery_key[:-1] + ("0" if secrets.recovery_key[-1] != "0" else "1")

    runs: list[tuple[str, dict[str, str], list[str], int | None]] = [
        ("wrong passphrase", {"GENEDESK_PASSPHRASE": WRONG_PASSPHRASE}, ["patient", "list"], 4),
        ("wrong staff password", {"GENEDESK_PASSWORD": WRONG_PASSWORD}, ["patient", "list"], 5),
        (
            "mistyped recovery key",
            {"GENEDESK_RECOVERY_KEY": mistyped, "GENEDESK_NEW_PASSPHRASE": WRONG_PASSPHRASE},
            ["vault", "recover"],
            None,
        ),
        (
            "wrong recovery key",
            {"GENEDESK_RECOVERY_KEY": "0000-0000-0000-0000-0000-0000-0000-0000"},
            ["vault", "recover"],
            None,
        ),
        ("bad VCF", {}, ["import", MRN, str(bad_vcf)], 3),
        ("first import", {}, ["import", MRN, str(good_vcf)], 0),
        ("duplicate import", {}, ["import", MRN, str(good_vcf)], 3),
        ("damaged vault", {"GENEDESK_VAULT": str(damaged)}, ["patient", "list"], None),
        (
            "bad date of birth",
            {},
            patient_add(mrn="SEC-2", dob="1971-02-30"),
            2,
        ),
        (
            "duplicate record number",
            {},
            patient_add(),
            2,
        ),
        (
            "name too long",
            {},
            patient_add(mrn="SEC-3", given=GIVEN * 30),
            2,
        ),
        ("unknown patient by name", {}, ["patient", "show", f"{GIVEN} {FAMILY}"], 1),
        ("unknown option", {}, ["patient", "add", f"--{FAMILY}", GIVEN], 2),
        ("release of an unknown request", {}, ["request", "release", "999"], None),
        (
            "patient letter",
            {},
            ["report", MRN, "--kind", "patient", "--out", str(tmp_path / "letter.pdf")],
            0,
        ),
    ]
    for label, extra, argv, expected in runs:
        result = genedesk({**env, **extra}, *argv)
        if expected is not None:
            assert result.returncode == expected, (label, result.stderr.decode(errors="replace"))
        assert result.returncode != 0 or label in ("first import", "patient letter"), label
        for stream, data in (("stdout", result.stdout), ("stderr", result.stderr)):
            # The import's summary may name the file it imported, never the sample's text.
            leaks = secrets.found_in(data)
            assert leaks == [], f"{label}: {stream} holds {leaks}: {data[:400]!r}"
    logs = list(files_under(home / "logs"))
    assert logs, "the CLI wrote no log file"
    for path in [*logs, *files_under(private_tmp)]:
        leaks = secrets.found_in(path.read_bytes())
        assert leaks == [], f"{path.name} holds {leaks}"


def test_a_search_with_non_utf8_bytes_is_answered_not_an_unexpected_error(
    world: dict[str, object],
) -> None:
    env: dict[str, str] = world["env"]  # type: ignore[assignment]
    secrets: Secrets = world["secrets"]  # type: ignore[assignment]
    result = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"genedesk.cli.main",
            b"patient",
            b"list",
            b"--search",
            b"Xanth\xff",
        ],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert secrets.found_in(result.stderr + result.stdout) == []
    assert result.returncode == 0, result.stderr


def test_a_missing_sample_refusal_lists_the_samples_on_screen_but_never_logs_them(
    world: dict[str, object], tmp_path: Path
) -> None:
    """Issue 3 asks the refusal to list the file's sample names so the counsellor can choose one;
    labs sometimes name a sample after the patient, so the names go to the screen only."""
    env: dict[str, str] = world["env"]  # type: ignore[assignment]
    secrets: Secrets = world["secrets"]  # type: ignore[assignment]
    home = Path(env["GENEDESK_HOME"])
    vcf = write_vcf(
        tmp_path / "named-sample.vcf",
        "GRCh38",
        [(*gene_position("BRCA1", "GRCh38"), "A", "G", "0/1")],
        sample=f"{GIVEN}_{FAMILY}",
    )
    result = genedesk(env, "import", MRN, str(vcf), "--sample", "S1")
    assert result.returncode == 3
    assert f"{GIVEN}_{FAMILY}".encode() in result.stderr, "the counsellor is shown the samples"
    logs = list(files_under(home / "logs"))
    assert logs, "the CLI wrote no log file"
    for path in logs:
        assert secrets.found_in(path.read_bytes()) == [], f"{path.name} holds a patient's name"


# --- in-process: exceptions, logs and temp files ------------------------------------------


def error_texts(error: BaseException) -> bytes:
    hint = error.hint if isinstance(error, GeneDeskError) else ""
    parts = [str(error), repr(error), hint or "", "".join(traceback.format_exception(error))]
    return "\n".join(parts).encode("utf-8", "surrogatepass")


def test_core_error_paths_leak_no_secret_or_name_in_exceptions_logs_or_temp(
    world: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets: Secrets = world["secrets"]  # type: ignore[assignment]
    vault_folder: Path = world["vault"]  # type: ignore[assignment]
    private_tmp = tmp_path / "tmp-in-process"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # recomputed from TMPDIR
    assert tempfile.gettempdir() == str(private_tmp)
    shutdown_readers()  # reader processes started from now on see the private TMPDIR
    log_folder = tmp_path / "in-process-logs"
    setup_logging(logging.DEBUG, folder=log_folder)
    errors: list[tuple[str, BaseException]] = []

    def expect_error(label: str, action: Callable[[], object]) -> None:
        try:
            action()
        except GeneDeskError as error:
            errors.append((label, error))
        else:
            pytest.fail(f"{label}: no error")

    expect_error("wrong passphrase", lambda: open_vault(vault_folder, passphrase=WRONG_PASSPHRASE))
    expect_error("no passphrase", lambda: open_vault(vault_folder, passphrase=None))
    expect_error(
        "wrong recovery key",
        lambda: recover_vault(
            vault_folder,
            recovery_key="0000-0000-0000-0000-0000-0000-0000-0000",
            new_passphrase=WRONG_PASSPHRASE,
        ),
    )
    mistyped = secrets.recovery_key.replace("-", "")[::-1]
    expect_error(
        "mistyped recovery key",
        lambda: recover_vault(vault_folder, recovery_key=mistyped, new_passphrase=WRONG_PASSPHRASE),
    )
    opened = open_vault(vault_folder, passphrase=PASSPHRASE).vault
    try:
        expect_error("wrong staff password", lambda: staff.sign_in(opened, ADMIN, WRONG_PASSWORD))
        admin = staff.sign_in(opened, ADMIN, ADMIN_PASSWORD)
        patient = patients.get_patient(opened, MRN)
        bad = tmp_path / "bad.vcf"
        bad.write_bytes(
            b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
            b"\tFORMAT\t" + FAMILY.encode() + b"\n1\t.\t.\tA\tG\t.\t.\t.\tGT\t0/1\n"
        )
        expect_error("bad VCF", lambda: imports.import_vcf(opened, admin, patient.id, bad))
        crash = SHARED_DATA / "hts-specs-vcf/4.2/failed/failed_body_format_000.vcf"
        expect_error(
            "VCF that crashes htslib",
            lambda: imports.import_vcf(
                opened,
                admin,
                patient.id,
                crash,
                sample="HG00096",
                build="GRCh37",
                keep=KeepRules.keep_everything(),
            ),
        )
        good = write_vcf(
            tmp_path / "good.vcf", "GRCh38", [(*gene_position("BRCA2", "GRCh38"), "T", "C", "0/1")]
        )
        imports.import_vcf(opened, admin, patient.id, good)
        expect_error(
            "duplicate import", lambda: imports.import_vcf(opened, admin, patient.id, good)
        )
        expect_error(
            "duplicate record number",
            lambda: patients.add_patient(
                opened, admin, PatientDetails(MRN, GIVEN, FAMILY, "1971-04-05", "female")
            ),
        )
        expect_error(
            "name with a control character",
            lambda: patients.add_patient(
                opened,
                admin,
                PatientDetails("SEC-9", GIVEN + "\x07", FAMILY, "1971-04-05", "female"),
            ),
        )
        expect_error("unknown patient", lambda: patients.get_patient(opened, f"{GIVEN} {FAMILY}"))
        request = consent_service.add_request(
            opened,
            admin,
            patient.id,
            RequestDetails(
                requester="University of Leeds",
                requester_type="academic",
                country="GB",
                purpose=Purpose("HMB"),
                data=("findings",),
            ),
        )
        expect_error(
            "release without consent",
            lambda: consent_service.release_request(
                opened, admin, request.id, ReleaseData(), out=tmp_path / "release.zip"
            ),
        )
    finally:
        opened.close()
        shutdown_readers()
        logging.getLogger("genedesk").handlers.clear()
    assert {label for label, _ in errors} >= {"wrong passphrase", "release without consent"}
    for label, error in errors:
        leaks = secrets.found_in(error_texts(error))
        assert leaks == [], f"{label}: {type(error).__name__} holds {leaks}: {error!s}"
    for path in [*files_under(log_folder), *files_under(private_tmp)]:
        leaks = secrets.found_in(path.read_bytes())
        assert leaks == [], f"{path.name} holds {leaks}"


# --- the clipboard --------------------------------------------------------------------------


def test_the_password_dialogs_never_put_a_secret_on_the_clipboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    """GeneDesk copies nothing itself (no clipboard call under ui/); the password fields must
    also refuse the person's own select-all and copy or cut, and a failed attempt copies nothing."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QLineEdit

    from genedesk.ui.dialogs import RecoveryKeyDialog, SignInDialog, UnlockDialog

    clipboard = QGuiApplication.clipboard()
    clipboard.setText("before")
    unlock = UnlockDialog(lambda values, done, failed: failed("The passphrase is not right."))
    sign_in = SignInDialog(lambda values, done, failed: failed("The password is not right."))
    recovery = RecoveryKeyDialog("7K2Q-9XWD-AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", lambda path: None)
    for dialog in (unlock, sign_in, recovery):
        qtbot.addWidget(dialog)
        dialog.show()
    fields: list[tuple[QLineEdit, str]] = [
        (unlock.passphrase, PASSPHRASE),
        (sign_in.password, ADMIN_PASSWORD),
    ]
    sign_in.name.setText(ADMIN)
    for line_edit, secret in fields:
        line_edit.setFocus()
        qtbot.keyClicks(line_edit, secret)
        assert line_edit.text() == secret
        line_edit.selectAll()
        qtbot.keyClick(line_edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(line_edit, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
        line_edit.copy()
        line_edit.cut()
        qtbot.keyClick(line_edit, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
        assert clipboard.text() == "before"
    unlock._submit()
    sign_in._submit()
    recovery.accept()
    texts = [clipboard.text(), clipboard.text(mode=clipboard.Mode.Selection) or ""]
    for text in texts:
        for secret in (PASSPHRASE, ADMIN_PASSWORD, "7K2Q-9XWD", ADMIN):
            assert secret not in text
