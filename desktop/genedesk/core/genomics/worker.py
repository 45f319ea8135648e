"""The reader process that parses the records, so a crash inside htslib cannot take GeneDesk down.

cyvcf2 (htslib) segfaults on some malformed records (see shared/data/OBSERVED-cyvcf2-0.35.0.tsv).
The parent (reader.py) keeps a reader process and sends it one job at a time; the process sends
back progress, batches of kept calls and, at the end, the counts. A process that dies is reported
by the parent as a bad file and replaced. It writes no files: everything travels through the
pipe, and htslib's messages on stderr are captured in memory (they may name samples).
"""

from __future__ import annotations

import gzip
import os
import threading
import time
import zlib
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from genedesk.core.genomics.annotations import layouts_from_header
from genedesk.core.genomics.header import VcfHeader
from genedesk.core.genomics.model import Build, CallRow, KeepRules
from genedesk.core.genomics.records import ReadContext, RecordProblem, process_record
from genedesk.core.genomics.reference import normalise_chromosome, reference_build
from genedesk.core.genomics.regions import RegionIndex
from genedesk.core.genomics.scan import LineProblem, Scanner, read_chunks
from genedesk.core.genomics.source import Container, open_text

BATCH = 500
# Index queries for regions closer than this are joined: one seek and one block instead of many
# (PGx positions cluster within genes); the few records in between are counted, not kept.
QUERY_JOIN = 20_000
PROGRESS_EVERY = 0.2  # seconds


@dataclass(frozen=True)
class ReadJob:
    path: str
    container: Container
    header: VcfHeader
    build: Build
    sample_index: int | None
    male: bool
    rules: KeepRules
    index: str | None  # read only the regions through this index
    size: int


class _Htslib:
    """htslib writes warnings and errors to file descriptor 2; keep them (bounded) in memory."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._reader = threading.Thread(target=self._drain, args=(read_fd,), daemon=True)
        self._reader.start()

    def _drain(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as pipe:
            for raw in pipe:
                if len(self.messages) < 500:
                    self.messages.append(raw.decode("utf-8", "replace").strip())

    def last_error(self) -> str:
        time.sleep(0.05)  # let the drain thread catch up with what was just written
        errors = [m for m in self.messages if m.startswith("[E::")]
        return errors[-1] if errors else (self.messages[-1] if self.messages else "")


class _Sender:
    def __init__(self, conn: Connection, total: int, position: Any) -> None:
        self.conn = conn
        self.position = position
        self.total = total
        self.calls: list[CallRow] = []
        self.last = 0.0

    def at(self, where: int) -> None:
        if self.position is not None:
            self.position.value = where

    def add(self, calls: list[CallRow]) -> None:
        self.calls.extend(calls)
        if len(self.calls) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.calls:
            self.conn.send(("calls", self.calls))
            self.calls = []

    def progress(self, done: int, total: int | None = None) -> None:
        """`total` 0 means not known (an unindexed BCF gives no byte offset)."""
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            total = self.total if total is None else total
            self.conn.send(("progress", min(done, total) if total else done, total))


def serve(conn: Connection, position: Any) -> None:
    """A reader process: read one job after another until the parent closes the pipe.

    `position` (a shared integer) holds the line (text) or record (BCF) being parsed, so the
    parent can name it if htslib crashes the process. The first message says the process started,
    so the parent can tell a reader that never ran from one a file crashed.
    """
    htslib = _Htslib()
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        htslib.messages.clear()
        position.value = 0
        try:
            _read_job(conn, job, position, htslib)
        except Exception as err:  # noqa: BLE001 - anything else is reported, never a silent death
            conn.send(
                (
                    "problem",
                    "the file could not be read: it is not valid VCF",
                    "",
                    type(err).__name__,
                )
            )


def _read_job(conn: Connection, job: ReadJob, position: Any, htslib: _Htslib) -> None:
    ctx = ReadContext(
        header=job.header,
        build=job.build,
        reference=reference_build(job.build),
        sample_index=job.sample_index,
        male=job.male,
        regions=RegionIndex.from_rules(job.rules, job.build),
        layouts=layouts_from_header(job.header.info),
    )
    sender = _Sender(conn, job.size, position)
    try:
        if job.index is not None:
            _read_indexed(ctx, job, sender, htslib)
        elif job.container == "bcf":
            _read_bcf(ctx, job, sender, htslib)
        else:
            _read_text(ctx, job, sender, htslib)
    except LineProblem as problem:
        conn.send(("problem", str(problem), f"line {problem.line:,}", ""))
        return
    except _Located as problem:
        conn.send(("problem", problem.message, problem.where, problem.detail))
        return
    except (EOFError, zlib.error, gzip.BadGzipFile):
        conn.send(
            (
                "problem",
                "the compressed file is damaged or cut short (incomplete download or copy?)",
                "",
                "",
            )
        )
        return
    sender.flush()
    ctx.finish()
    conn.send(("done", ctx.summary, list(ctx.warnings)))


class _Located(Exception):
    def __init__(self, message: str, where: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.detail = detail


def _read_text(ctx: ReadContext, job: ReadJob, sender: _Sender, htslib: _Htslib) -> None:
    import cyvcf2  # imported here: the parent never loads htslib

    try:
        validator = cyvcf2.Writer.from_string(os.devnull, job.header.text)
    except Exception:  # noqa: BLE001
        raise _Located(
            "the header cannot be read: "
            + _explain(htslib.last_error()).removeprefix("the record cannot be read: "),
            "",
            htslib.last_error(),
        ) from None
    with open_text(Path(job.path), job.container) as stream:
        for _ in range(job.header.lines):
            stream.readline()
        scanner = Scanner(ctx, job.header.lines + 1)
        raw = getattr(stream, "fileobj", stream)
        for chunk in read_chunks(stream):
            for line, number in scanner.scan(chunk):
                text = line.decode("utf-8", "replace")
                sender.at(number)
                try:
                    validator.variant_from_string(text)
                except Exception:  # noqa: BLE001 - cyvcf2 raises bare Exception on a bad record
                    raise _Located(
                        _explain(htslib.last_error()), f"line {number:,}", htslib.last_error()
                    ) from None
                try:
                    sender.add(process_record(ctx, text.split("\t"), f"line {number:,}"))
                except RecordProblem as problem:
                    raise _Located(str(problem), f"line {number:,}") from None
            sender.progress(raw.tell())


def _read_bcf(ctx: ReadContext, job: ReadJob, sender: _Sender, htslib: _Htslib) -> None:
    import cyvcf2

    reader = cyvcf2.VCF(job.path)
    done = 0
    try:
        for variant in reader:
            done += 1
            sender.at(done)
            _process_variant(ctx, sender, variant)
            if done % 1000 == 0:
                sender.progress(done, 0)
    except _Located:
        raise
    except Exception:  # noqa: BLE001
        raise _Located(
            _explain(htslib.last_error()), f"record {done + 1:,}", htslib.last_error()
        ) from None


def _process_variant(ctx: ReadContext, sender: _Sender, variant: Any) -> None:
    text = str(variant).rstrip("\n")
    fields = text.split("\t")
    where = f"record {fields[0][:40]}:{fields[1]}"
    try:
        sender.add(process_record(ctx, fields, where))
    except RecordProblem as problem:
        raise _Located(str(problem), where) from None


def _read_indexed(ctx: ReadContext, job: ReadJob, sender: _Sender, htslib: _Htslib) -> None:
    import cyvcf2

    intervals = ctx.regions.intervals(join_within=QUERY_JOIN)
    # BCF: cyvcf2 tells BCF by the name's ending, and htslib reads no index with a BCF header.
    reader = None if job.container == "bcf" else _open_without_index_lookup(cyvcf2, job.path)
    declared = set(map(normalise_chromosome, reader.seqnames)) if reader is not None else set()
    if reader is None or any(chrom not in declared for chrom, _, _ in intervals):
        # The plain way: htslib also adds the index's sequences that the header lacks.
        reader = cyvcf2.VCF(job.path)
    reader.set_index(job.index)
    names = {normalise_chromosome(name): name for name in reader.seqnames}
    for number, (chrom, start, end) in enumerate(intervals):
        file_name = names.get(chrom)
        if file_name is None:
            continue
        region = (
            f"{{{file_name}}}:{start}-{end}" if ":" in file_name else f"{file_name}:{start}-{end}"
        )
        # A record overlapping two merged intervals is returned by both; keep the first.
        seen_before = (
            intervals[number - 1][2] if number and intervals[number - 1][0] == chrom else 0
        )
        try:
            for variant in reader(region):
                if seen_before and variant.start < seen_before:
                    continue
                _process_variant(ctx, sender, variant)
        except _Located:
            raise
        except Exception:  # noqa: BLE001
            raise _Located(
                _explain(htslib.last_error()),
                f"region {file_name}:{start}-{end}",
                htslib.last_error(),
            ) from None
        sender.progress(int(job.size * (number + 1) / max(1, len(intervals))))


def _open_without_index_lookup(cyvcf2: Any, path: str) -> Any:
    """cyvcf2.VCF(path) without reading the index twice, or None where that cannot be done.

    On opening, htslib's header reader loads the .tbi/.csi beside a file to add the sequences the
    header does not declare, and then throws it away; set_index loads it again (~25 ms each for
    a genome's index). Opened through /proc/self/fd (or /dev/fd) there is no index beside the
    name, so it is loaded once, by set_index. The caller falls back to the plain open when a
    sequence it needs is not in the header.
    """
    for folder in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(folder):
            break
    else:
        return None  # Windows
    fd = os.open(path, os.O_RDONLY)
    try:
        return cyvcf2.VCF(f"{folder}/{fd}")
    finally:
        os.close(fd)  # htslib opened the file for itself


# htslib's error messages, in a counsellor's words.
_EXPLAINED = (
    ("Couldn't read GT data", "a genotype (GT) value is not valid"),
    ("Invalid character", "a value does not match the type the header declares for it"),
    ("Could not parse the position", "the POS column is not a number"),
    ("not defined in the header", "a key is used that the header does not declare"),
    ("Incorrect number of FORMAT fields", "a sample column has more values than FORMAT keys"),
    ("Too many columns", "a record has more columns than the header"),
    ("Number of columns", "a record's column count differs from the header"),
    ("Empty", "a required value is empty"),
)


def _explain(message: str) -> str:
    for pattern, words in _EXPLAINED:
        if pattern in message:
            return f"the record cannot be read: {words}"
    return "the record cannot be read: it is not valid VCF"
