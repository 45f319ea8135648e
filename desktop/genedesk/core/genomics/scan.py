"""One streaming pass over a text VCF's records, a few megabytes at a time, with numpy.

Every line is checked for what would make htslib misread or crash on it (column count, POS, the
chromosome, '#' lines among the records) and counted; only lines that may be kept (in a gene
region, at a pharmacogenomic position, with a symbolic ALT, or mentioning 'pathogenic' when the
file carries clinical significance) are handed on for a full parse. This is what lets an
unindexed whole-genome file be read about as fast as `bcftools view`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from genedesk.core.genomics.records import ReadContext, RecordProblem

CHUNK = 4 << 20
# How far before a PGx position a gVCF reference block may start and still be read in full. Real
# gVCF blocks break at every change of genotype quality band, so they are far shorter than this.
PGX_BLOCK_REACH = 1_000_000
IntArray = npt.NDArray[np.int64]

_TAB, _NL, _CR, _HASH, _COMMA, _LT, _STAR, _DOT = 9, 10, 13, 35, 44, 60, 42, 46
_NON_REF = np.frombuffer(b"NON_REF>", dtype=np.uint8)


class LineProblem(RecordProblem):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def pathogenic_hint(ctx: ReadContext) -> re.Pattern[bytes] | None:
    """A cheap test for lines that may carry a P/LP annotation, or None when none can."""
    if not ctx.regions.keep_pathogenic:
        return None
    can_carry = bool(ctx.clinsig_keys) or any(
        layout.index("CLIN_SIG", "clinVar_CLNSIG", "CLNSIG") is not None for layout in ctx.layouts
    )
    if not can_carry:
        return None
    if any(ctx.numeric_codes.values()):
        return re.compile(rb"(?i)pathogenic|CLNSIG=")
    return re.compile(rb"(?i)pathogenic")


def read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """Whole lines, a few MB at a time; a last line without a newline gets one."""
    rest = b""
    while True:
        data = stream.read(CHUNK)
        if not data:
            break
        data = rest + data if rest else data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest + b"\n"


class Scanner:
    """Counts every record line into `ctx.summary` and yields the candidates for a full parse."""

    def __init__(self, ctx: ReadContext, first_line: int) -> None:
        self.ctx = ctx
        self.next_line = first_line
        self.columns = ctx.header.column_count
        self.hint = pathogenic_hint(ctx)
        self.region_arrays = {
            chrom: (
                np.asarray(ctx.regions.starts[chrom], dtype=np.int64),
                np.asarray(ctx.regions.ends[chrom], dtype=np.int64),
            )
            for chrom in ctx.regions.starts
        }

    def scan(self, buf: bytes) -> Iterator[tuple[bytes, int]]:
        first_line = self.next_line
        arr = np.frombuffer(buf, dtype=np.uint8)
        newlines = np.flatnonzero(arr == _NL)
        n = len(newlines)
        self.next_line += n
        starts: IntArray = np.empty(n, dtype=np.int64)
        starts[0] = 0
        starts[1:] = newlines[:-1] + 1
        ends: IntArray = newlines.astype(np.int64)
        has_cr = ends > starts
        has_cr[has_cr] = arr[ends[has_cr] - 1] == _CR
        ends[has_cr] -= 1
        empty = ends == starts
        if empty.any():
            self.ctx.warn("The file has empty lines among its records; they were skipped.")
            keep = ~empty
            starts, ends = starts[keep], ends[keep]
            line_numbers = first_line + np.flatnonzero(keep)
        else:
            line_numbers = first_line + np.arange(n)
        if len(starts) == 0:
            return
        fields = self._check_structure(arr, starts, ends, line_numbers)
        yield from self._count_and_select(buf, arr, starts, ends, line_numbers, fields)

    def _fail(self, mask: npt.NDArray[np.bool_], lines: IntArray, message: str) -> None:
        if mask.any():
            raise LineProblem(message, int(lines[np.argmax(mask)]))

    def _check_structure(
        self, arr: npt.NDArray[np.uint8], starts: IntArray, ends: IntArray, lines: IntArray
    ) -> dict[str, IntArray]:
        self._fail(
            arr[starts] == _HASH, lines, "a header line ('#...') appears after the first record"
        )
        tabs = np.flatnonzero(arr == _TAB).astype(np.int64)
        first_tab = np.searchsorted(tabs, starts)
        n_tabs = np.searchsorted(tabs, ends) - first_tab
        wrong = n_tabs != self.columns - 1
        if wrong.any():
            at = int(np.argmax(wrong))
            raise LineProblem(
                f"the record has {int(n_tabs[at]) + 1} tab-separated columns but the header's "
                f"'#CHROM' line has {self.columns}",
                int(lines[at]),
            )
        col = {
            name: tabs[first_tab + k]
            for k, name in enumerate(
                ("chrom_end", "pos_end", "id_end", "ref_end", "alt_end", "qual_end", "filter_end")
            )
        }
        pos_len = col["pos_end"] - col["chrom_end"] - 1
        self._fail(col["chrom_end"] == starts, lines, "the CHROM column is empty")
        self._fail((pos_len < 1) | (pos_len > 10), lines, "the POS column is not a number")
        pos = np.zeros(len(starts), dtype=np.int64)
        last = len(arr) - 1
        for k in range(10):
            inside = k < pos_len
            digit = arr[np.minimum(col["chrom_end"] + 1 + k, last)].astype(np.int64) - 48
            self._fail(
                inside & ((digit < 0) | (digit > 9)), lines, "the POS column is not a number"
            )
            pos = np.where(inside, pos * 10 + digit, pos)
        self._fail(col["ref_end"] - col["id_end"] - 1 < 1, lines, "the REF column is empty")
        self._fail(col["alt_end"] - col["ref_end"] - 1 < 1, lines, "the ALT column is empty")
        col["pos"] = pos
        return col

    def _chromosomes(
        self, buf: bytes, starts: IntArray, chrom_end: IntArray, lines: IntArray
    ) -> list[tuple[str | None, IntArray]]:
        """(chromosome or None for other sequences, indices of its lines) per name in the chunk."""
        first = buf[int(starts[0]) : int(chrom_end[0])]
        same = buf.count(b"\n" + first + b"\t") + (1 if starts[0] == 0 else 0)
        if same == len(starts) and buf.startswith(first + b"\t"):
            groups = {first: np.arange(len(starts))}
        else:
            names = [buf[s:e] for s, e in zip(starts.tolist(), chrom_end.tolist(), strict=True)]
            by_name: dict[bytes, list[int]] = {}
            for i, name in enumerate(names):
                by_name.setdefault(name, []).append(i)
            groups = {name: np.asarray(idx, dtype=np.int64) for name, idx in by_name.items()}
        result = []
        for name, idx in groups.items():
            try:
                chrom = self.ctx.chromosome(name.decode("utf-8", "replace"))
            except LineProblem:
                raise
            except RecordProblem as problem:
                raise LineProblem(str(problem), int(lines[idx[0]])) from None
            result.append((chrom, idx))
        return result

    def _count_and_select(
        self,
        buf: bytes,
        arr: npt.NDArray[np.uint8],
        starts: IntArray,
        ends: IntArray,
        lines: IntArray,
        col: dict[str, IntArray],
    ) -> Iterator[tuple[bytes, int]]:
        n = len(starts)
        alt_start, alt_end = col["ref_end"] + 1, col["alt_end"]
        no_alt = (alt_end - alt_start == 1) & (arr[alt_start] == _DOT)
        commas = np.flatnonzero(arr == _COMMA)
        n_alts = np.where(
            no_alt, 0, np.searchsorted(commas, alt_end) - np.searchsorted(commas, alt_start) + 1
        )
        placeholders, symbolic = self._special_alleles(arr, starts, alt_start, alt_end, n)
        real = n_alts - placeholders
        f_start, f_end = col["qual_end"] + 1, col["filter_end"]
        f_len = f_end - f_start
        is_pass = (f_len == 1) & (arr[f_start] == _DOT)
        four = f_len == 4
        for k, byte in enumerate(b"PASS"):
            four &= arr[np.minimum(f_start + k, len(arr) - 1)] == byte
        is_pass |= four
        candidate = symbolic > 0
        if self.ctx.regions.everything:
            candidate[:] = True
        if self.hint is not None:
            hits = [m.start() for m in self.hint.finditer(buf)]
            if hits:
                candidate[np.searchsorted(starts, np.asarray(hits), side="right") - 1] = True
        pos = col["pos"]
        ref_len = col["ref_end"] - col["id_end"] - 1
        other_sequence = np.zeros(n, dtype=bool)
        for chrom, idx in self._chromosomes(buf, starts, col["chrom_end"], lines):
            if chrom is None:
                other_sequence[idx] = True
                continue
            length = self.ctx.reference.chromosome_lengths[chrom]
            if not (chrom == "MT" and not self.ctx.mt_is_rcrs):
                self._fail(
                    pos[idx] > length,
                    lines[idx],
                    f"the position is beyond the end of chromosome {chrom} "
                    f"({length:,} bases in {self.ctx.build})",
                )
            pgx = self.ctx.regions.pgx_sorted.get(chrom)
            if pgx:
                # A gVCF reference block can cover a PGx position its POS is far from (its END is
                # in INFO, which this pass does not read): hand on reference-only lines that start
                # within PGX_BLOCK_REACH before a PGx position, for the full parse to decide.
                block = idx[(real[idx] == 0) & (placeholders[idx] > 0)]
                if block.size:
                    positions = np.asarray(pgx, dtype=np.int64)
                    nxt = np.searchsorted(positions, pos[block], side="left")
                    near = nxt < positions.size
                    near[near] = positions[nxt[near]] - pos[block][near] <= PGX_BLOCK_REACH
                    candidate[block[near]] = True
            bounds = self.region_arrays.get(chrom)
            if bounds is None:
                continue
            region_starts, region_ends = bounds
            span_end = pos[idx] + ref_len[idx] - 1
            last_start = np.searchsorted(region_starts, span_end, side="right") - 1
            hit = (last_start >= 0) & (region_ends[np.maximum(last_start, 0)] >= pos[idx])
            candidate[idx[hit]] = True
        rest = ~candidate
        summary = self.ctx.summary
        summary.records_read += int(rest.sum())
        summary.alt_alleles_seen += int(n_alts[rest].sum())
        summary.not_a_variant += int(placeholders[rest].sum())
        summary.outside_regions += int(real[rest].sum())
        summary.reference_only_records += int((real[rest] == 0).sum())
        summary.multiallelic_records += int((real[rest] >= 2).sum())
        summary.filtered_records += int((~is_pass[rest]).sum())
        summary.other_sequence_records += int((other_sequence & rest).sum())
        for i in np.flatnonzero(candidate).tolist():
            yield buf[int(starts[i]) : int(ends[i])], int(lines[i])

    def _special_alleles(
        self,
        arr: npt.NDArray[np.uint8],
        starts: IntArray,
        alt_start: IntArray,
        alt_end: IntArray,
        n: int,
    ) -> tuple[IntArray, IntArray]:
        """Per line: placeholder alleles (<NON_REF>, <*>, *) and other symbolic alleles (<DEL>...)."""
        last = len(arr) - 1
        placeholders = np.zeros(n, dtype=np.int64)
        symbolic = np.zeros(n, dtype=np.int64)
        angle = np.flatnonzero(arr == _LT)
        if len(angle):
            line = np.searchsorted(starts, angle, side="right") - 1
            in_alt = (angle >= alt_start[line]) & (angle < alt_end[line])
            angle, line = angle[in_alt], line[in_alt]
            star = (arr[np.minimum(angle + 1, last)] == _STAR) & (
                arr[np.minimum(angle + 2, last)] == ord(">")
            )
            non_ref = np.ones(len(angle), dtype=bool)
            for k, byte in enumerate(_NON_REF.tolist()):
                non_ref &= arr[np.minimum(angle + 1 + k, last)] == byte
            is_placeholder = star | non_ref
            placeholders += np.bincount(line[is_placeholder], minlength=n)
            symbolic += np.bincount(line[~is_placeholder], minlength=n)
        stars = np.flatnonzero(arr == _STAR)
        if len(stars):
            line = np.searchsorted(starts, stars, side="right") - 1
            before = arr[stars - 1]
            after = arr[np.minimum(stars + 1, last)]
            lone = ((before == _TAB) | (before == _COMMA)) & ((after == _TAB) | (after == _COMMA))
            in_alt = (stars >= alt_start[line]) & (stars < alt_end[line]) & lone
            placeholders += np.bincount(line[in_alt], minlength=n)
        return placeholders, symbolic
