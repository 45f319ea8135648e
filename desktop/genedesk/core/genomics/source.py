"""What kind of file was picked, and its header, found without htslib (so nothing can crash).

Recognises VCF text, gzip and BGZF-compressed VCF, BCF, and the files people pick by mistake
(PDF, BAM, CRAM, ZIP, random bytes), and checks a BGZF file's end-of-file marker so a truncated
download is refused even when only its indexed regions are read.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from genedesk.core.errors import BadInputError
from genedesk.core.genomics.header import HeaderProblem, VcfHeader, parse_header

Container = Literal["vcf", "vcf.gz (bgzf)", "vcf.gz (gzip)", "bcf"]

# The empty BGZF block every BGZF file ends with (SAM/BAM format specification, section 4.1.2).
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_MAX_HEADER_BYTES = 256 << 20
_DAMAGED = "the compressed file is damaged or cut short (incomplete download or copy?)"


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str
    size: int
    container: Container
    header: VcfHeader
    index: Path | None
    index_problem: str = ""


def refuse(name: str, what: str, line: int = 0, hint: str | None = None) -> BadInputError:
    where = f", line {line:,}" if line else ""
    return BadInputError(f"{name}{where}: {what}", hint=hint)


def _not_a_vcf(name: str, magic: bytes) -> BadInputError:
    hint = "Choose the lab's VCF file (.vcf, .vcf.gz or .bcf)."
    kinds = {
        b"%PDF": "a PDF document",
        b"PK\x03\x04": "a ZIP archive",
        b"CRAM": "a CRAM file (aligned reads)",
        b"BAM\x01": "a BAM file (aligned reads)",
        b"\x89HDF": "an HDF5 file",
        b"{\\rt": "a Word/RTF document",
    }
    for prefix, kind in kinds.items():
        if magic.startswith(prefix):
            return refuse(name, f"this is {kind}, not a VCF.", hint=hint)
    if b"\x00" in magic or not _decodes(magic):
        return refuse(
            name, "this is not a VCF: the file holds binary data, not VCF text.", hint=hint
        )
    return refuse(
        name, "this is not a VCF: the first line is not '##fileformat=VCFv4.x'.", line=1, hint=hint
    )


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(data) - 4  # a character cut by the sample boundary is fine
    return True


def open_text(path: Path, container: Container) -> BinaryIO:
    raw = open(path, "rb")
    if container == "vcf":
        return raw
    return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]


def _read_header_lines(stream: BinaryIO, name: str) -> list[str]:
    lines: list[str] = []
    total = 0
    while True:
        raw = stream.readline()
        if not raw:
            raise refuse(
                name,
                "the '#CHROM POS ID REF ALT ...' header line is missing "
                "(the file ends inside the header).",
                line=len(lines) + 1,
            )
        total += len(raw)
        if total > _MAX_HEADER_BYTES:
            raise refuse(name, "the header is too long to be a VCF header.")
        text = _decode(raw).rstrip("\r\n")
        lines.append(text)
        if text.startswith("#CHROM"):
            return lines
        if not text.startswith("##"):
            raise refuse(
                name,
                "the '#CHROM POS ID REF ALT ...' header line is missing before the first record.",
                line=len(lines),
            )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _bcf_header(stream: BinaryIO, name: str) -> list[str]:
    stream.read(5)  # "BCF", major 2, minor version
    size = stream.read(4)
    if len(size) < 4:
        raise refuse(name, "the BCF file ends before its header.")
    (length,) = struct.unpack("<I", size)
    if length > _MAX_HEADER_BYTES:
        raise refuse(name, "the BCF header is too long to be real.")
    text = stream.read(length)
    if len(text) < length:
        raise refuse(name, "the BCF file ends inside its header.")
    return _decode(text.rstrip(b"\x00")).rstrip("\n").split("\n")


def _index_for(path: Path, container: Container) -> tuple[Path | None, str]:
    suffixes = (".csi",) if container == "bcf" else (".tbi", ".csi")
    if container not in ("bcf", "vcf.gz (bgzf)"):
        return None, ""
    for suffix in suffixes:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            if candidate.stat().st_mtime < path.stat().st_mtime:
                return None, (
                    f"The index {candidate.name} is older than the file, so it was not "
                    "used; the whole file was read instead."
                )
            return candidate, ""
    return None, ""


def open_source(path: Path) -> SourceFile:
    name = path.name
    if not path.is_file():
        raise BadInputError(f"{name}: there is no such file.")
    size = path.stat().st_size
    if size == 0:
        raise refuse(name, "the file is empty.", hint="Ask the lab to send the VCF again.")
    with open(path, "rb") as raw:
        magic = raw.read(64)
        raw.seek(0)
        if magic.startswith(b"\x1f\x8b"):
            bgzf = len(magic) > 16 and magic[3] & 4 and magic[12:14] == b"BC"
            if bgzf:
                raw.seek(max(0, size - len(BGZF_EOF)))
                if raw.read() != BGZF_EOF:
                    raise refuse(
                        name,
                        "the file is cut short: its end-of-file marker is missing "
                        "(incomplete download or copy?).",
                    )
            raw.seek(0)
            container: Container = "vcf.gz (bgzf)" if bgzf else "vcf.gz (gzip)"
            try:
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    inner = stream.read(64)
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    if inner.startswith(b"BCF\x02"):
                        container = "bcf"
                        lines = _bcf_header(stream, name)  # type: ignore[arg-type]
                    elif inner.startswith(b"##fileformat=VCF"):
                        lines = _read_header_lines(stream, name)  # type: ignore[arg-type]
                    else:
                        raise _not_a_vcf(name, inner)
            except (EOFError, zlib.error, gzip.BadGzipFile):
                raise refuse(name, _DAMAGED) from None
        elif magic.startswith(b"BCF\x02"):
            container = "bcf"
            lines = _bcf_header(raw, name)
        elif magic.startswith(b"##fileformat=VCF"):
            container = "vcf"
            lines = _read_header_lines(raw, name)
        else:
            raise _not_a_vcf(name, magic)
    try:
        header = parse_header(lines)
    except HeaderProblem as problem:
        where = f" (header line {problem.line})" if container == "bcf" and problem.line else ""
        raise refuse(
            name,
            f"the header is not valid: {problem.message}{where}.",
            line=0 if container == "bcf" else problem.line,
        ) from None
    index, index_problem = _index_for(path, container)
    return SourceFile(path, name, size, container, header, index, index_problem)
