"""The reader runs in a child process: progress, cancel, a crashed child, no files left behind."""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.spawn
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from genedesk.core.errors import BadInputError, Cancelled, GeneDeskError
from genedesk.core.genomics import KeepRules, read_vcf
from genedesk.core.genomics.reader import shutdown_readers, warm_up

EVERYTHING = KeepRules.keep_everything()


@pytest.fixture
def long_read(shared_data: Path) -> Path:
    """A read that takes seconds: every one of 65,370 Platinum Genomes records fully parsed."""
    return shared_data / "platinum-genomes-hap.py" / "PG_NA12878_hg38-chr21.vcf.gz"


def test_progress_at_least_every_half_second(long_read: Path) -> None:
    warm_up()
    calls: list[tuple[float, int, int]] = []
    start = time.monotonic()
    result = read_vcf(long_read, keep=EVERYTHING,
                      progress=lambda done, total: calls.append((time.monotonic(), done, total)))
    end = time.monotonic()
    times = [start] + [t for t, _, _ in calls] + [end]
    assert max(b - a for a, b in itertools.pairwise(times)) <= 0.5
    assert calls[-1][1:] == (long_read.stat().st_size, long_read.stat().st_size)
    assert [d for _, d, _ in calls] == sorted(d for _, d, _ in calls)
    assert result.summary.records_read == 65370


def test_cancel_is_honoured_within_a_second(long_read: Path) -> None:
    asked_at: list[float] = []

    def cancelled() -> bool:
        if not asked_at:
            asked_at.append(time.monotonic() + 0.3)  # cancel 0.3 s into the read
        return time.monotonic() >= asked_at[0]

    with pytest.raises(Cancelled):
        read_vcf(long_read, keep=EVERYTHING, cancelled=cancelled)
    assert time.monotonic() - asked_at[0] < 1.0
    # the next import works as usual
    assert read_vcf(long_read, keep=KeepRules()).summary.reconciles()


def _reader_pids() -> list[int]:
    return [p.pid for p in multiprocessing.active_children()
            if p.name == "genedesk-vcf-reader" and p.pid is not None]


def test_a_crashed_reader_is_a_refusal_naming_the_file(long_read: Path) -> None:
    """The child is killed with SIGSEGV mid-read, as htslib's crashes do; GeneDesk survives."""
    killed: list[int] = []

    def crash(done: int, total: int) -> None:
        if not killed and done > 0:  # once the reader is inside the records
            pid = _reader_pids()[0]
            os.kill(pid, signal.SIGSEGV)
            killed.append(pid)

    with pytest.raises(BadInputError) as refused:
        read_vcf(long_read, keep=EVERYTHING, progress=crash)
    message = refused.value.message
    assert message.startswith(long_read.name) and "stopped on a malformed record" in message
    assert "line " in message  # the line the reader had reached
    assert killed and killed[0] not in _reader_pids()
    assert read_vcf(long_read, keep=KeepRules()).summary.reconciles()  # a new reader starts


def test_a_reader_that_cannot_start_is_not_blamed_on_the_file(
        long_read: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken installation (here the reader's interpreter exits at once, as `false` does) is
    reported as GeneDesk's fault, not as a malformed file, and nothing is read."""
    shutdown_readers()
    false = shutil.which("false")
    assert false is not None
    monkeypatch.setattr(multiprocessing.spawn, "_python_exe", os.fsencode(false))
    try:
        with pytest.raises(GeneDeskError) as refused:
            read_vcf(long_read, keep=KeepRules())
    finally:
        monkeypatch.undo()
        shutdown_readers()
    error = refused.value
    assert not isinstance(error, BadInputError) and error.exit_code == 1
    assert "could not start its VCF reader" in error.message
    assert "malformed" not in str(error) and "not of the lab's file" in error.message
    assert error.hint and "reinstall" in error.hint
    assert read_vcf(long_read, keep=KeepRules()).summary.reconciles()  # a working reader again


def test_no_files_are_left_behind(long_read: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shutdown_readers()  # new readers inherit the temporary folder set below
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    try:
        read_vcf(long_read, keep=KeepRules())
        with pytest.raises(Cancelled):
            read_vcf(long_read, keep=EVERYTHING, cancelled=lambda: True)

        def crash(done: int, total: int) -> None:
            if done > 0:  # inside the records (before, the reader may still be starting)
                for pid in _reader_pids():
                    os.kill(pid, signal.SIGSEGV)

        with pytest.raises(BadInputError):
            read_vcf(long_read, keep=EVERYTHING, progress=crash)
        assert list(private_tmp.iterdir()) == []
    finally:
        shutdown_readers()
