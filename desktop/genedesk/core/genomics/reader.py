"""read_vcf: the lab's VCF in, the calls that matter out, or a refusal a counsellor understands.

The header is read here, in Python; the records are read by a child process (see worker.py) so
that a crash inside htslib becomes a refusal naming the file instead of taking GeneDesk down.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genedesk.core.errors import BadInputError, Cancelled, GeneDeskError, UsageError
from genedesk.core.genomics.annotations import is_clinsig_key, layouts_from_header
from genedesk.core.genomics.build import detect_build
from genedesk.core.genomics.header import VcfHeader
from genedesk.core.genomics.model import (
    FileFacts,
    KeepRules,
    ReadSummary,
    SexAtBirth,
    VariantCall,
    VcfReadResult,
    call_from_row,
)
from genedesk.core.genomics.source import SourceFile, open_source
from genedesk.core.genomics.worker import ReadJob, serve

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
POLL = 0.05  # seconds between looks at the child and at `cancelled`
HEARTBEAT = 0.25  # progress is reported at least this often, even when nothing moved
_HASH_BLOCK = 1 << 20


def read_vcf(
    path: str | Path,
    *,
    sample: str | None = None,
    sex_at_birth: SexAtBirth | None = None,
    build: str | None = None,
    keep: KeepRules,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
) -> VcfReadResult:
    """Read a VCF/BCF and return the calls to keep, the counts and the facts about the file.

    Raises BadInputError (exit 3) for a file that cannot be used, BuildUnknownError (a
    BadInputError) when the build must be asked, UsageError for a contradicting `build`, and
    Cancelled when `cancelled()` turns true. `progress(done, total)` is called at least every
    0.5 s with bytes of the file read (total 0 when the total is not known).
    """
    if sex_at_birth not in (None, "female", "male", "unknown"):
        raise UsageError(f"sex at birth must be female, male or unknown, not '{sex_at_birth}'")
    source = open_source(Path(path))
    header = source.header
    chosen, sample_index = _choose_sample(source.name, header.samples, sample)
    evidence = detect_build(header, source.name, build)
    warnings: list[str] = [source.index_problem] if source.index_problem else []
    warnings += [
        f"The header's {clue}; the other chromosome lengths say {evidence.build}."
        for clue in evidence.clues
        if "match neither build" in clue
    ]
    index = source.index
    if index is not None and (keep.everything or not header.contigs):
        index = None  # without ##contig lines the index's names cannot be trusted to match
    if index is not None and keep.keep_pathogenic and _carries_clinical_significance(header):
        index = None
        warnings.append(
            "The file carries clinical-significance annotations, so every record "
            "was read (not only the indexed gene regions) to keep every call "
            "annotated pathogenic."
        )
    job = ReadJob(
        path=str(source.path),
        container=source.container,
        header=header,
        build=evidence.build,
        sample_index=sample_index,
        male=sex_at_birth == "male",
        rules=keep,
        index=str(index) if index is not None else None,
        size=source.size,
    )
    hasher = _Hasher(source.path)
    hasher.start()
    try:
        calls, summary, child_warnings = _run_child(source, job, progress, cancelled)
    finally:
        hasher.stop_if_running()
    digest = hasher.result()
    if progress is not None:
        progress(source.size, source.size)
    if digest is None:
        raise BadInputError(f"{source.name}: the file could not be read to the end.")
    facts = FileFacts(
        name=source.name,
        size=source.size,
        sha256=digest,
        container=source.container,
        vcf_version=header.version,
        samples=header.samples,
        chosen_sample=chosen,
        build=evidence,
        indexed_read=index is not None,
        index_name=index.name if index is not None else "",
    )
    return VcfReadResult(tuple(calls), summary, facts, tuple(warnings + child_warnings))


def _choose_sample(
    name: str,
    samples: tuple[str, ...],
    wanted: str | None,
) -> tuple[str | None, int | None]:
    if wanted is not None:
        if wanted in samples:
            return wanted, samples.index(wanted)
        present = _list_names(samples) if samples else "none (the file has no sample columns)"
        raise BadInputError(
            f"{name}: there is no sample '{wanted}' in the file. Samples in the file: {present}."
        )
    if len(samples) > 1:
        raise BadInputError(
            f"{name}: the file holds {len(samples)} samples ({_list_names(samples)}); choose the "
            "patient's sample.",
            hint="Import again naming the sample (--sample NAME).",
        )
    if samples:
        return samples[0], 0
    return None, None


def _list_names(samples: tuple[str, ...], limit: int = 20) -> str:
    shown = ", ".join(samples[:limit])
    return shown if len(samples) <= limit else f"{shown} and {len(samples) - limit} more"


def _carries_clinical_significance(header: VcfHeader) -> bool:
    if any(is_clinsig_key(k) for k in header.info):
        return True
    return any(
        layout.index("CLIN_SIG", "clinVar_CLNSIG", "CLNSIG") is not None
        for layout in layouts_from_header(header.info)
    )


class _Hasher(threading.Thread):
    """SHA-256 of the file, computed beside the child's reading (hashlib releases the GIL)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self._stop_flag = threading.Event()
        self._digest: str | None = None

    def run(self) -> None:
        digest = hashlib.sha256()
        try:
            with open(self.path, "rb") as stream:
                while not self._stop_flag.is_set():
                    block = stream.read(_HASH_BLOCK)
                    if not block:
                        self._digest = digest.hexdigest()
                        return
                    digest.update(block)
        except OSError:
            return

    def stop_if_running(self) -> None:
        if sys.exc_info()[0] is not None:
            self._stop_flag.set()

    def result(self) -> str | None:
        self.join()
        return self._digest


@dataclass
class _Reader:
    """A reader process (worker.serve) with its pipe and its shared 'where am I' integer."""

    process: Any
    conn: Any
    position: Any
    started: bool = False  # the process said it is running (its first message)


_IDLE: list[_Reader] = []
_IDLE_LOCK = threading.Lock()
_MAX_IDLE = 2


def _start_reader() -> _Reader:
    # spawn, not fork: the parent may run Qt threads, and a fresh interpreter shares nothing
    # with it. The process is kept for the next import, so only the first read pays the start.
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe(duplex=True)
    position = ctx.Value("q", 0, lock=False)
    process = ctx.Process(
        target=serve, args=(child_end, position), daemon=True, name="genedesk-vcf-reader"
    )
    try:
        process.start()
    except OSError:  # the new interpreter exited at once (its end of the start-up pipe closed)
        parent_end.close()
        raise _cannot_start(process.exitcode) from None
    finally:
        child_end.close()
    return _Reader(process, parent_end, position)


def _cannot_start(exit_code: int | None) -> GeneDeskError:
    code = f" (it ended with code {exit_code})" if exit_code is not None else ""
    return GeneDeskError(
        f"GeneDesk could not start its VCF reader{code}, so no file was read and nothing was "
        "stored. This is a fault of the installation, not of the lab's file.",
        hint="Close GeneDesk and open it again; if it happens again, reinstall GeneDesk.",
    )


def _take_reader() -> _Reader:
    with _IDLE_LOCK:
        while _IDLE:
            reader = _IDLE.pop()
            if reader.process.is_alive():
                return reader
            _discard(reader)
    return _start_reader()


def _release(reader: _Reader) -> None:
    with _IDLE_LOCK:
        if len(_IDLE) < _MAX_IDLE and reader.process.is_alive():
            _IDLE.append(reader)
            return
    _discard(reader)


def _discard(reader: _Reader) -> None:
    if reader.process.is_alive():
        reader.process.terminate()
        reader.process.join(1.0)
        if reader.process.is_alive():
            reader.process.kill()
    reader.process.join()
    reader.conn.close()


def warm_up() -> None:
    """Start a reader process ahead of the first import (e.g. when the import dialog opens)."""
    _release(_take_reader())


def readers_waiting() -> int:
    """Reader processes started and waiting for a job."""
    with _IDLE_LOCK:
        return len(_IDLE)


def shutdown_readers() -> None:
    """Stop the idle reader processes (on exit; they are daemons and die with GeneDesk anyway)."""
    with _IDLE_LOCK:
        idle = list(_IDLE)
        _IDLE.clear()
    for reader in idle:
        _discard(reader)


def _run_child(
    source: SourceFile, job: ReadJob, progress: Progress | None, cancelled: Cancel | None
) -> tuple[list[VariantCall], ReadSummary, list[str]]:
    reader = _take_reader()
    try:
        reader.conn.send(job)
    except OSError:  # it ended while waiting for a job: one new reader, then give up
        _discard(reader)
        reader = _start_reader()
        try:
            reader.conn.send(job)
        except OSError:
            _discard(reader)
            raise _cannot_start(reader.process.exitcode) from None
    receiver, child = reader.conn, reader.process
    healthy = False
    if progress is not None:
        progress(0, job.size)
    calls: list[VariantCall] = []
    last_report = time.monotonic()
    done, total = 0, job.size
    try:
        while True:
            if cancelled is not None and cancelled():
                raise Cancelled("The import was cancelled; nothing was stored.")
            message: Any = None
            if receiver.poll(POLL):
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    _child_died(source, job, reader)
            elif not child.is_alive() and not receiver.poll():
                _child_died(source, job, reader)
            if message is not None:
                kind = message[0]
                if kind == "ready":
                    reader.started = True
                elif kind == "progress":
                    done, total = message[1], message[2]
                    if progress is not None:
                        progress(done, total)
                    last_report = time.monotonic()
                elif kind == "calls":
                    calls.extend(map(call_from_row, message[1]))
                elif kind == "problem":
                    healthy = True  # the reader reported the problem and waits for the next job
                    _, text, where, _detail = message
                    where_text = f", {where}" if where else ""
                    raise BadInputError(
                        f"{source.name}{where_text}: {text}.",
                        hint="The file cannot be imported; ask the lab for a corrected file.",
                    )
                elif kind == "done":
                    healthy = True
                    return calls, message[1], list(message[2])
            if progress is not None and time.monotonic() - last_report >= HEARTBEAT:
                progress(done, total)
                last_report = time.monotonic()
    finally:
        if healthy:
            _release(reader)
        else:  # cancelled, crashed or interrupted half-way: never reuse it
            _discard(reader)


def _child_died(source: SourceFile, job: ReadJob, reader: _Reader) -> None:
    child, position = reader.process, reader.position.value
    child.join(2.0)
    if not reader.started:
        raise _cannot_start(child.exitcode)
    where = ""
    if position and job.index is None:
        where = f", line {position:,}" if source.container != "bcf" else f", record {position:,}"
    raise BadInputError(
        f"{source.name}{where}: the VCF reader stopped on a malformed record (it ended with code "
        f"{child.exitcode}); the file is damaged or is not valid VCF.",
        hint="The file cannot be imported; ask the lab for a corrected file.",
    )
