"""`genedesk --self-test` run from the source checkout (the installed program runs the same code;
packaging/check_bundle.py runs it frozen)."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from genedesk import selftest
from genedesk.core.reports.recovery_sheet import build_recovery_sheet


def _run(steps: tuple[selftest.Step, ...] = selftest.STEPS) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = selftest.run_self_test(out, steps)
    return code, out.getvalue().splitlines()


def test_the_whole_self_test_passes_and_leaves_nothing_behind(
    genedesk_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the run makes its own home
    before = sorted(genedesk_home.rglob("*"))
    environment = {key: os.environ.get(key) for key in selftest._ENV_KEYS}
    code, lines = _run()
    assert code == 0, "\n".join(lines)
    assert lines[-1].startswith("Self-test passed")
    step_lines = lines[1:-1]
    assert len(step_lines) == len(selftest.STEPS)
    for line, (name, _) in zip(step_lines, selftest.STEPS, strict=True):
        mark = line.split()[0]
        assert mark in ("ok", "skip"), line
        assert name in line
    # The parts built today must really run, not be skipped.
    ran = {name for line, (name, _) in zip(step_lines, selftest.STEPS, strict=True)
           if line.split()[0] == "ok"}
    assert {"vault in passphrase mode", "recovery sheet PDF", "VCF reader", "import the sample VCF",
            "audit trail and vault checks", "keyring", "window toolkit (Qt, offscreen)"} <= ran
    # The user's GeneDesk home (here the test's) is untouched and the environment is put back.
    assert sorted(genedesk_home.rglob("*")) == before
    assert {key: os.environ.get(key) for key in selftest._ENV_KEYS} == environment
    assert list(tmp_path.iterdir()) == []  # its temporary home is gone


def test_a_failed_step_is_named_and_the_rest_still_run() -> None:
    # The recovery sheet needs the vault step, which is not in this list: it cannot run.
    steps = (("recovery sheet PDF", selftest.step_recovery_sheet),
             ("ACMG/AMP classification", selftest.step_classification))
    code, lines = _run(steps)
    assert code == 1
    assert lines[1].split()[0] == "FAIL" and "needs the vault step" in lines[1]
    assert lines[2].split()[0] == "ok"
    assert lines[-1].startswith("Self-test FAILED") and lines[-1].endswith("recovery sheet PDF")


def test_a_step_that_raises_is_reported_with_its_error_not_a_traceback() -> None:
    def unreadable_sample(run: selftest.SelfTestRun) -> str:
        return Path(run.home / "no-such-file.vcf").read_text()

    code, lines = _run((("read a file that is not there", unreadable_sample),))
    assert code == 1
    assert "FileNotFoundError" in lines[1] and "Traceback" not in "\n".join(lines)


def _sheet() -> bytes:
    return build_recovery_sheet(vault_id="0f0e0d0c-0000-4000-8000-000000000001",
                                recovery_key="ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789",
                                created_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
                                clinic_name="Clínica Łódź — Ærø")


def test_the_pdf_reader_agrees_with_pypdf() -> None:
    data = _sheet()
    facts = selftest.read_pdf_facts(data)
    independent = pypdf.PdfReader(io.BytesIO(data))
    assert facts.pages == len(independent.pages)
    assert independent.metadata is not None
    assert facts.title == independent.metadata.title
    assert facts.embedded_fonts >= 1


def test_the_pdf_reader_decodes_a_title_pypdf_reads_as_unicode() -> None:
    from genedesk.core.reports.document import DocumentInfo, PageMarks, render_pdf
    from genedesk.core.reports.styles import make_styles
    from genedesk.core.reports.text import paragraph

    styles = make_styles()
    title = "Brief für Zoë Łukasiewicz (Σοφία) (x) \\ y"
    data = render_pdf([paragraph("Hello", styles.body)],
                      info=DocumentInfo(title=title, author="A", subject="S", language="de",
                                        created_at=datetime(2025, 1, 1, tzinfo=UTC)),
                      marks=PageMarks(header=(), footer=(), page_counter="{page}/{pages}"),
                      styles=styles)
    meta = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert selftest.read_pdf_facts(data).title == meta.title == title


@pytest.mark.parametrize(("damage", "message"), [
    (lambda data: data[: len(data) // 2], "cut short"),
    (lambda data: b"GIF89a" + data[6:], "does not start like a PDF"),
    (lambda data: data.replace(b"startxref\n", b"startxref\n1"), "cross-reference"),
])
def test_a_damaged_pdf_is_refused_with_the_reason(damage, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selftest.StepFailed, match=message):
        selftest.read_pdf_facts(damage(_sheet()))


def test_the_installed_data_is_checked_against_the_build_manifest(plan, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from support import REPO

    assert plan.MANIFEST_NAME == selftest.MANIFEST_NAME
    shipped = plan.shipped_resources(REPO / "resources")[:5]
    datas = [(str(source), target) for source, target in shipped]
    for source, target in datas:  # lay the files out as the bundle does
        (tmp_path / target).mkdir(parents=True, exist_ok=True)
        (tmp_path / target / Path(source).name).write_bytes(Path(source).read_bytes())
    (tmp_path / plan.MANIFEST_NAME).write_text(plan.manifest(datas), encoding="utf-8")
    assert plan.manifest(datas) == plan.manifest(list(reversed(datas)))  # same build, same bytes
    assert selftest._check_manifest(tmp_path) == "all 5 data files present and unchanged"

    first = tmp_path / datas[0][1] / Path(datas[0][0]).name
    first.write_bytes(first.read_bytes() + b" ")
    with pytest.raises(selftest.StepFailed, match=r"0 data file\(s\) missing and 1 changed"):
        selftest._check_manifest(tmp_path)
    first.unlink()
    with pytest.raises(selftest.StepFailed, match=r"1 data file\(s\) missing"):
        selftest._check_manifest(tmp_path)
