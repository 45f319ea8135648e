"""`genedesk --self-test`: prove that this installation of GeneDesk works, end to end, headless.

Made for the installed (PyInstaller) program: the build's check runs it, and a clinic can run it
after installing. It exercises what a frozen program most often loses — bundled data, native
libraries (SQLCipher, htslib, Argon2, OpenSSL), keyring backends, the VCF reader's child process,
Qt's platform plugins — through the same services the window uses.

Nothing of the user's is touched: for the run GENEDESK_HOME points at a new temporary folder
(vault, settings and logs go there, and it is deleted afterwards) and the keyring is only asked
which backend it would use, never written. The vault, patient and calls are invented.

Each step prints one line. Steps for parts of GeneDesk that are not in this build print
"not in this build" and do not fail, so the self-test grows with the program. The run returns 0
when every step passed, else 1, and its last line names the steps that failed.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from genedesk import APP_NAME, __version__

if TYPE_CHECKING:
    from genedesk.core.vault import Vault

ADMIN = "Self-test Admin"
PATIENT_MRN = "SELFTEST-0001"
SAMPLE_VCF = ("samples", "selftest.vcf")
MANIFEST_NAME = "genedesk-manifest.json"  # written by packaging/genedesk.spec
REQUIRED_RESOURCES = ("fonts", "knowledge/acmg", "knowledge/genes", "reports", "pgx", "genomics")
# Environment the run sets for itself (and puts back afterwards).
_ENV_KEYS = ("GENEDESK_HOME", "GENEDESK_VAULT", "GENEDESK_USER", "GENEDESK_PASSWORD",
             "GENEDESK_PASSPHRASE")


class StepFailed(Exception):
    """A step found something wrong; the message says what."""


class NotInThisBuild(Exception):
    """The part of GeneDesk a step checks is not in this build."""


class NotRun(Exception):
    """A step could not run because an earlier step it needs failed."""


@dataclass
class SelfTestRun:
    """What the steps share: the temporary home, the vault's secrets, what was made so far."""

    home: Path
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    vault_created: bool = False
    recovery_key: str | None = None
    patient_id: int | None = None
    imported: bool = False
    finding_ids: list[str] = field(default_factory=list)

    @property
    def vault_folder(self) -> Path:
        return self.home / "vault"

    @contextlib.contextmanager
    def open_vault(self) -> Iterator[Vault]:
        """The test vault, opened for one step and closed after it (the CLI steps open it too)."""
        from genedesk.core.vault import open_vault

        if not self.vault_created:
            raise NotRun("needs the vault step")
        opened = open_vault(self.vault_folder, passphrase=self.passphrase)
        try:
            yield opened.vault
        finally:
            opened.vault.close()


Step = tuple[str, Callable[[SelfTestRun], str]]


# --- Reading a PDF back without a PDF library -----------------------------------------------


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    title: str
    embedded_fonts: int


def _pdf_string(token: bytes) -> str:
    """A PDF string object, literal `(…)` or hex `<…>`, as text (UTF-16 with BOM, else Latin-1)."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode("ascii"))
    else:
        escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

        def unescape(match: re.Match[bytes]) -> bytes:
            code = match.group(1)
            if code[:1].isdigit():
                return bytes([int(code, 8) & 0xFF])
            return escapes.get(code, code)

        raw = re.sub(rb"\\([0-7]{1,3}|.)", unescape, token[1:-1], flags=re.DOTALL)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def read_pdf_facts(data: bytes) -> PdfFacts:
    """Check a PDF's frame (header, end marker, cross-reference table) and read its page count,
    title and embedded fonts. Raises StepFailed naming what is wrong."""
    if not data.startswith(b"%PDF-"):
        raise StepFailed("the file does not start like a PDF")
    if not data.rstrip().endswith(b"%%EOF"):
        raise StepFailed("the PDF has no end marker (it was cut short)")
    start = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if start is None or not data[int(start.group(1)):].startswith(b"xref"):
        raise StepFailed("the PDF's cross-reference table is not where the file says")
    title = re.search(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", data, re.DOTALL)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if pages == 0:
        raise StepFailed("the PDF has no pages")
    return PdfFacts(
        pages=pages,
        title=_pdf_string(title.group(1)) if title else "",
        embedded_fonts=len(re.findall(rb"/FontFile[23]?\b", data)),
    )


def _check_pdf(data: bytes, *, title: str) -> str:
    facts = read_pdf_facts(data)
    if facts.title != title:
        raise StepFailed(f"the PDF's title is {facts.title!r}, expected {title!r}")
    if facts.embedded_fonts == 0:
        raise StepFailed("the PDF embeds no font (the bundled fonts were not found)")
    return f"{len(data):,} bytes, {facts.pages} page(s), title {facts.title!r}, " \
           f"{facts.embedded_fonts} embedded font(s)"


# --- The steps --------------------------------------------------------------------------------


def _check_manifest(root: Path) -> str:
    """Every data file the build listed is present and unchanged (a partial copy, or a file a
    virus scanner took away, shows here rather than in the middle of a clinic's day)."""
    import hashlib
    import json

    listed = root / MANIFEST_NAME
    if not listed.is_file():
        raise StepFailed(f"the bundle's list of its data files ({MANIFEST_NAME}) is missing")
    files: dict[str, str] = json.loads(listed.read_text("utf-8"))["files"]
    missing = [name for name in files if not (root / name).is_file()]
    changed = [name for name in files if name not in missing
               and hashlib.sha256((root / name).read_bytes()).hexdigest() != files[name]]
    if missing or changed:
        shown = ", ".join((missing + changed)[:5])
        raise StepFailed(f"{len(missing)} data file(s) missing and {len(changed)} changed in "
                         f"this installation: {shown}")
    return f"all {len(files)} data files present and unchanged"


def step_bundled_data(run: SelfTestRun) -> str:
    from genedesk.core.paths import resources_dir
    from genedesk.core.vault import schema

    resources = resources_dir()
    missing = [name for name in (*REQUIRED_RESOURCES, "/".join(SAMPLE_VCF))
               if not (resources / name).exists()]
    if missing:
        raise StepFailed(f"missing from {resources}: {', '.join(missing)}")
    frozen_root = getattr(sys, "_MEIPASS", None)
    checked = _check_manifest(Path(frozen_root)) if frozen_root else \
        f"{sum(1 for path in resources.rglob('*') if path.is_file())} files in the source tree"
    return f"{checked} (resources in {resources}); schema steps 1–{schema.LATEST}"


def step_sqlcipher(run: SelfTestRun) -> str:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        version = conn.execute("PRAGMA cipher_version").fetchone()
        provider = conn.execute("PRAGMA cipher_provider").fetchone()  # None until keyed
    finally:
        conn.close()
    if not version or not version[0]:
        raise StepFailed("the SQLite library in this build is not SQLCipher")
    return f"SQLCipher {version[0]}" + (f" ({provider[0]} crypto)" if provider else "")


def step_crypto(run: SelfTestRun) -> str:
    import cryptography
    from argon2.low_level import Type, hash_secret_raw
    from cryptography.hazmat.backends.openssl.backend import backend
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, nonce, block = AESGCM.generate_key(256), os.urandom(12), os.urandom(64)
    cipher = AESGCM(key)
    if cipher.decrypt(nonce, cipher.encrypt(nonce, block, None), None) != block:
        raise StepFailed("AES-256-GCM did not give back what it encrypted")
    salt = os.urandom(16)
    derived = [hash_secret_raw(b"self-test", salt, time_cost=1, memory_cost=8192, parallelism=1,
                               hash_len=32, type=Type.ID) for _ in range(2)]
    if derived[0] != derived[1] or len(derived[0]) != 32:
        raise StepFailed("Argon2id is not repeatable")
    return f"AES-256-GCM and Argon2id ok; cryptography {cryptography.__version__} " \
           f"with {backend.openssl_version_text()}"


def _sample_vcf() -> Path:
    from genedesk.core.paths import resources_dir

    return resources_dir().joinpath(*SAMPLE_VCF)


def step_htslib(run: SelfTestRun) -> str:
    import cyvcf2

    path = _sample_vcf()
    expected = sum(1 for line in path.read_text("utf-8").splitlines()
                   if line and not line.startswith("#"))
    reader = cyvcf2.VCF(str(path))
    try:
        records = sum(1 for _ in reader)
        samples = list(reader.samples)
    finally:
        reader.close()
    if records != expected:
        raise StepFailed(f"htslib read {records} records of {path.name}; the file has {expected}")
    return f"cyvcf2 {cyvcf2.__version__} read {records} records, sample(s) {', '.join(samples)}"


def step_keyring(run: SelfTestRun) -> str:
    from importlib import metadata

    from genedesk.core.vault import custody

    entry_points = list(metadata.entry_points(group="keyring.backends"))
    if not entry_points:
        raise StepFailed("keyring's list of backends (its package metadata) is missing from "
                         "this build, so it would silently use no keyring at all")
    broken = []
    for entry in entry_points:
        try:
            entry.load()
        except Exception as error:  # noqa: BLE001 - each backend's own import problem is reported
            broken.append(f"{entry.name} ({type(error).__name__})")
    if broken:
        raise StepFailed(f"keyring backends missing from this build: {', '.join(broken)}")
    names = ", ".join(sorted(entry.name for entry in entry_points))
    seen = custody.backend_name()
    if custody.keyring_available():
        return f"backend seen: {seen} (a real keyring); backends in this build: {names}"
    return (f"backend seen: {seen} — no usable keyring on this computer now, so vaults here use "
            f"passphrase mode; backends in this build: {names}")


def step_vault(run: SelfTestRun) -> str:
    from genedesk.core import patients, staff
    from genedesk.core.errors import VaultLockedError
    from genedesk.core.patients import PatientDetails
    from genedesk.core.vault import create_vault, open_vault

    opened = create_vault(run.vault_folder, admin_name=ADMIN, admin_password=run.password,
                          passphrase_mode=True, passphrase=run.passphrase)
    run.recovery_key = opened.recovery_key
    try:
        admin = staff.sign_in(opened.vault, ADMIN, run.password)
        # Accented names: the search must fold them, the PDFs must print them.
        patient = patients.add_patient(opened.vault, admin, PatientDetails(
            PATIENT_MRN, "Zoë", "Łukasiewicz-Self-Test", "1980-01-01", "female"))
        run.patient_id = patient.id
    finally:
        opened.vault.close()
    run.vault_created = True
    try:
        open_vault(run.vault_folder, passphrase=run.passphrase + "-wrong").vault.close()
    except VaultLockedError:
        pass
    else:
        raise StepFailed("a wrong passphrase opened the vault")
    with run.open_vault() as vault:
        found = patients.search_patients(vault, "zoe lukasiewicz")
        if [p.id for p in found] != [patient.id]:
            raise StepFailed("the patient was not found again after reopening the vault")
        version = vault.schema_version
    return f"created in passphrase mode (schema {version}), reopened, wrong passphrase " \
           "refused, patient added and found"


def step_recovery_sheet(run: SelfTestRun) -> str:
    from genedesk.core.atomic import atomic_write
    from genedesk.core.reports.recovery_sheet import DOCUMENT, build_recovery_sheet
    from genedesk.core.reports.words import load_words

    if run.recovery_key is None:
        raise NotRun("needs the vault step")
    with run.open_vault() as vault:
        vault_id = vault.vault_id
    data = build_recovery_sheet(vault_id=vault_id, recovery_key=run.recovery_key,
                                created_at=datetime.now(UTC))
    path = run.home / "recovery-sheet.pdf"
    atomic_write(path, data, what="the recovery sheet")
    written = path.read_bytes()
    if written != data:
        raise StepFailed("the PDF read back from disk differs from what was written")
    return _check_pdf(written, title=load_words(DOCUMENT).text("pdf_title"))


def step_classification(run: SelfTestRun) -> str:
    from genedesk.core.knowledge import acmg

    # Richards 2015 rule Pathogenic (i)(a): 1 very strong and at least 1 strong criterion.
    result = acmg.classify("PVS1,PS3")
    if result.richards_class is not acmg.Classification.PATHOGENIC:
        raise StepFailed(f"PVS1 + PS3 classified as {result.richards_class.label}, "
                         "expected Pathogenic")
    return f"PVS1 + PS3 → {result.richards_class.label} ({'; '.join(result.richards_rules)}); " \
           f"{result.points} points → {result.points_class.label}"


def step_vcf_reader(run: SelfTestRun) -> str:
    try:
        from genedesk.core.genomics import GeneRegion, KeepRules, read_vcf
    except ImportError as error:
        raise NotInThisBuild(str(error)) from None
    from genedesk.core.knowledge.genes import shipped_genes

    table = shipped_genes()
    regions = {build: tuple(GeneRegion(region.chrom, region.start, region.end, gene.symbol)
                            for gene, region in table.regions(build))
               for build in ("GRCh37", "GRCh38")}
    result = read_vcf(_sample_vcf(), keep=KeepRules(regions=regions), sex_at_birth="female")
    summary = result.summary
    if not summary.reconciles():
        raise StepFailed("the reader's counts do not add up to the alleles in the file")
    if summary.kept == 0:
        raise StepFailed("no call of the sample was kept, though it has calls inside genes")
    genes = sorted({call.gene for call in result.calls})
    return f"reader process read {summary.records_read} records: {summary.kept} calls kept " \
           f"({', '.join(genes)}), {summary.outside_regions} outside the genes; " \
           f"build {result.facts.build.build}"


# Steps through the `genedesk` command: they run when this build has the command.


def _cli_commands() -> set[str]:
    import argparse

    from genedesk.cli.main import build_parser

    for action in build_parser()._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _genedesk(run: SelfTestRun, *args: str) -> str:
    """Run one `genedesk` command in this process on the test vault; its output, or StepFailed."""
    from genedesk.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["--vault", str(run.vault_folder), "--user", ADMIN, *args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if code != 0:
        said = " ".join(err.getvalue().split())[:300]
        raise StepFailed(f"`genedesk {args[0]}` ended with exit code {code}: {said}")
    return out.getvalue()


def step_import(run: SelfTestRun) -> str:
    import json

    commands = _cli_commands()
    if "import" not in commands:
        raise NotInThisBuild("no `genedesk import` command")
    if not run.vault_created:
        raise NotRun("needs the vault step")
    # A panel: its findings in ACMG SF genes are primary, so they show without a consent to
    # receive secondary findings (which the invented patient has not given).
    created = json.loads(_genedesk(run, "import", PATIENT_MRN, str(_sample_vcf()),
                                   "--test-type", "panel", "--json"))
    run.imported = True
    kept = created.get("calls_kept")
    if not kept:
        raise StepFailed("the import kept no call of the sample, though it has calls inside genes")
    detail = f"test {created.get('id')} on {created.get('build')}: {kept} calls kept"
    if "calls" in commands:
        stored = json.loads(_genedesk(run, "calls", PATIENT_MRN, "--json"))
        if len(stored) != kept:
            raise StepFailed(f"the import said {kept} calls were kept; the vault holds "
                             f"{len(stored)}")
        detail += ", all read back from the vault"
    return detail


def step_findings(run: SelfTestRun) -> str:
    import json

    if "findings" not in _cli_commands():
        raise NotInThisBuild("no `genedesk findings` command")
    if not run.imported:
        raise NotRun("needs the import step")
    listed = json.loads(_genedesk(run, "findings", PATIENT_MRN, "--all", "--json"))
    rows = listed if isinstance(listed, list) else listed.get("findings", [])
    run.finding_ids = [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]
    if not run.finding_ids:
        raise StepFailed("the imported sample gave no findings")
    hidden = listed.get("hidden_secondary", 0) if isinstance(listed, dict) else 0
    return f"{len(run.finding_ids)} finding(s) listed for the patient" + (
        f", {hidden} secondary held back" if hidden else "")


def step_classify_finding(run: SelfTestRun) -> str:
    import json

    if "classify" not in _cli_commands():
        raise NotInThisBuild("no `genedesk classify` command")
    if not run.finding_ids:
        raise NotRun("needs the findings step")
    finding = run.finding_ids[0]
    result = json.loads(_genedesk(run, "classify", finding, "--criteria", "PVS1,PS3", "--json"))
    # Richards 2015 rule Pathogenic (i)(a), as in the classification step above.
    if result.get("richards_class") != "pathogenic":
        raise StepFailed(f"finding {finding} with PVS1 + PS3 was classified "
                         f"{result.get('richards_class')!r}, expected 'pathogenic'")
    return f"finding {finding} classified {result['richards_class']} " \
           f"({'; '.join(result.get('richards_rules', []))})"


def step_patient_letter(run: SelfTestRun) -> str:
    if "report" not in _cli_commands():
        raise NotInThisBuild("no `genedesk report` command")
    if not run.imported:
        raise NotRun("needs the import step")
    path = run.home / "patient-letter.pdf"
    _genedesk(run, "report", PATIENT_MRN, "--kind", "patient", "--out", str(path))
    facts = read_pdf_facts(path.read_bytes())
    if facts.embedded_fonts == 0:
        raise StepFailed("the letter embeds no font (the bundled fonts were not found)")
    return f"{path.stat().st_size:,} bytes, {facts.pages} page(s), title {facts.title!r}"


def step_audit(run: SelfTestRun) -> str:
    from genedesk.core.vault import verify_vault

    with run.open_vault() as vault:
        report = verify_vault(vault)
    if not report.ok:
        raise StepFailed("; ".join(report.problems()))
    return f"{report.chain.events} events, hash chain intact; integrity and cipher checks ok"


def step_qt(run: SelfTestRun) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication, QLabel

    # The offscreen platform needs no display; it is a plugin, so it proves plugins load.
    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    label = QLabel("Zoë Łukasiewicz — Σοφία — Юлия")
    label.resize(320, 40)
    picture = label.grab()
    label.deleteLater()
    if picture.isNull():
        raise StepFailed("Qt could not draw a widget")
    formats = sorted(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
    platform_name = app.platformName() if isinstance(app, QApplication) else "?"
    return f"PySide6 {pyside_version} drew a widget on platform {platform_name!r}; " \
           f"image formats: {', '.join(formats)}"


def step_report_preview(run: SelfTestRun) -> str:
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication

    letter = run.home / "patient-letter.pdf"
    if not letter.exists():
        raise NotRun("needs the patient letter step")
    QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    document = QPdfDocument()
    document.load(str(letter))
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise StepFailed(f"QtPdf could not open the letter ({document.error().name})")
    page = document.render(0, QSize(300, 424))
    sample = [page.pixelColor(x, y) for x in range(0, 300, 4) for y in range(0, 424, 4)]
    ink = sum(1 for c in sample if c.alpha() > 0 and c.lightness() < 128)
    pages = document.pageCount()
    document.close()
    if ink == 0:
        raise StepFailed("QtPdf drew the letter's first page blank")
    return f"QtPdf drew page 1 of {pages} ({ink} dark samples)"


STEPS: tuple[Step, ...] = (
    ("bundled data", step_bundled_data),
    ("SQLCipher", step_sqlcipher),
    ("encryption (OpenSSL, Argon2)", step_crypto),
    ("htslib (cyvcf2)", step_htslib),
    ("keyring", step_keyring),
    ("vault in passphrase mode", step_vault),
    ("recovery sheet PDF", step_recovery_sheet),
    ("ACMG/AMP classification", step_classification),
    ("VCF reader", step_vcf_reader),
    ("import the sample VCF", step_import),
    ("findings", step_findings),
    ("classify a finding", step_classify_finding),
    ("patient letter", step_patient_letter),
    ("audit trail and vault checks", step_audit),
    ("window toolkit (Qt, offscreen)", step_qt),
    ("report preview (QtPdf)", step_report_preview),
)


# --- Running ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _private_environment(home: Path, run: SelfTestRun) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in _ENV_KEYS}
    os.environ.update({"GENEDESK_HOME": str(home), "GENEDESK_USER": ADMIN,
                       "GENEDESK_PASSWORD": run.password, "GENEDESK_PASSPHRASE": run.passphrase})
    os.environ.pop("GENEDESK_VAULT", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _describe(error: BaseException) -> str:
    from genedesk.core.errors import GeneDeskError

    if isinstance(error, GeneDeskError):
        return error.message
    if isinstance(error, StepFailed):
        return str(error)
    # Where it happened is what a release engineer needs; the inputs are all invented here.
    where = traceback.extract_tb(error.__traceback__)[-1:]
    place = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
    return f"{type(error).__name__}: {error}{place}"


def run_self_test(out: TextIO | None = None, steps: Sequence[Step] = STEPS) -> int:
    """Run every step, print one line each, return 0 when all passed, else 1."""
    out = out or sys.stdout
    frozen = "installed build" if getattr(sys, "frozen", False) else "source checkout"
    print(f"{APP_NAME} {__version__} self-test ({frozen}, {platform.system()} "
          f"{platform.machine()}, Python {platform.python_version()})", file=out, flush=True)
    failed: list[str] = []
    absent = 0
    started = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="genedesk-self-test-"))
    run = SelfTestRun(home)
    try:
        with _private_environment(home, run):
            for name, step in steps:
                began = time.monotonic()
                try:
                    detail = step(run)
                    mark = "ok"
                except NotInThisBuild:
                    mark, detail = "skip", "not in this build"
                    absent += 1
                except NotRun as reason:
                    mark, detail = "FAIL", f"not run: {reason}"
                    failed.append(name)
                except Exception as error:  # noqa: BLE001 - every failure is reported, then the next step runs
                    mark, detail = "FAIL", _describe(error)
                    failed.append(name)
                print(f"  {mark:<4}  {name} ({time.monotonic() - began:.1f} s): {detail}",
                      file=out, flush=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    took = f"{time.monotonic() - started:.1f} s"
    if failed:
        print(f"Self-test FAILED ({took}): {', '.join(failed)}", file=out, flush=True)
        return 1
    passed = len(steps) - absent
    print(f"Self-test passed ({took}): {passed} steps ok, {absent} not in this build",
          file=out, flush=True)
    return 0
