"""The VCF header, read in Python (never by htslib) so that a broken one is named precisely.

Only what GeneDesk uses is kept: the version, the declared INFO/FORMAT/FILTER keys, contigs,
`##reference`/`##assembly` lines and the `#CHROM` line with its sample names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIXED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")


class HeaderProblem(Exception):
    """The header cannot be used; `line` is the 1-based line number, 0 when not tied to one."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Declared:
    """One ##INFO or ##FORMAT declaration."""

    key: str
    number: str
    type: str
    description: str


@dataclass(frozen=True)
class Contig:
    name: str
    length: int | None
    assembly: str


@dataclass
class VcfHeader:
    version: str
    lines: int  # header lines including #CHROM; the first record is on line `lines + 1`
    info: dict[str, Declared] = field(default_factory=dict)
    format: dict[str, Declared] = field(default_factory=dict)
    filters: set[str] = field(default_factory=set)
    contigs: list[Contig] = field(default_factory=list)
    reference: str = ""
    assembly_lines: list[str] = field(default_factory=list)
    samples: tuple[str, ...] = ()
    has_format_column: bool = False
    text: str = ""  # the whole header, for handing to htslib

    @property
    def column_count(self) -> int:
        if not self.has_format_column:
            return len(FIXED_COLUMNS)
        return len(FIXED_COLUMNS) + 1 + len(self.samples)


def _split_structured(body: str) -> dict[str, str]:
    """Split `ID=x,Number=1,Description="a, b"` into a dict, honouring quotes and escapes."""
    fields: dict[str, str] = {}
    key: list[str] = []
    value: list[str] = []
    in_value = in_quotes = escaped = False
    for ch in body:
        if escaped:
            value.append(ch)
            escaped = False
        elif in_quotes:
            if ch == "\\":
                escaped = True
            elif ch == '"':
                in_quotes = False
            else:
                value.append(ch)
        elif ch == '"' and in_value and not value:
            in_quotes = True  # a quote opens a quoted value only at its start, as in htslib
        elif ch == "=" and not in_value:
            in_value = True
        elif ch == ",":
            fields["".join(key).strip()] = "".join(value).strip()
            key, value, in_value = [], [], False
        elif in_value:
            value.append(ch)
        else:
            key.append(ch)
    if in_quotes:
        raise ValueError("unclosed quote")
    if key or value:
        fields["".join(key).strip()] = "".join(value).strip()
    return fields


_META = re.compile(r"^##([A-Za-z0-9_.\-]+)=(.*)$")


def parse_header(lines: list[str]) -> VcfHeader:
    """Parse header lines (without line ends), the last one being `#CHROM...`."""
    if not lines or not lines[0].startswith("##fileformat="):
        raise HeaderProblem("the first line is not '##fileformat=VCFv4.x'", 1)
    version = lines[0][len("##fileformat=") :].strip()
    if not re.fullmatch(r"VCFv4\.[0-9]", version):
        raise HeaderProblem(f"the file format line says '{version[:40]}', not VCFv4.x", 1)
    header = VcfHeader(version=version[3:], lines=len(lines), text="\n".join(lines) + "\n")
    for number, line in enumerate(lines[1:-1], start=2):
        _read_meta_line(header, line, number)
    _read_column_line(header, lines[-1], len(lines))
    return header


def _read_meta_line(header: VcfHeader, line: str, number: int) -> None:
    line = line.rstrip()  # htslib tolerates trailing spaces; so do we
    match = _META.match(line)
    if match is None:
        raise HeaderProblem("a header line is not of the form '##key=value'", number)
    key, value = match.group(1), match.group(2)
    structured = value.startswith("<") and value.endswith(">")
    if key in ("INFO", "FORMAT", "FILTER", "contig") and not structured:
        raise HeaderProblem(f"the ##{key} line is not of the form <ID=...>", number)
    if not structured:
        if key == "reference":
            header.reference = value
        elif key == "assembly":
            header.assembly_lines.append(value)
        return
    try:
        fields = _split_structured(value[1:-1])
    except ValueError:
        raise HeaderProblem(f"the ##{key} line has an unclosed quote", number) from None
    ident = fields.get("ID", "")
    if key in ("INFO", "FORMAT", "FILTER", "contig") and not ident:
        raise HeaderProblem(f"the ##{key} line has no ID", number)
    if key in ("INFO", "FORMAT"):
        declared = Declared(
            ident,
            fields.get("Number", "."),
            fields.get("Type", "String"),
            fields.get("Description", ""),
        )
        (header.info if key == "INFO" else header.format)[ident] = declared
    elif key == "FILTER":
        header.filters.add(ident)
    elif key == "contig":
        length_text = fields.get("length", "")
        length = int(length_text) if length_text.isdigit() else None
        header.contigs.append(Contig(ident, length, fields.get("assembly", "")))


def _read_column_line(header: VcfHeader, line: str, number: int) -> None:
    if not line.startswith("#CHROM"):
        raise HeaderProblem("the '#CHROM POS ID REF ALT ...' column line is missing", number)
    columns = line.split("\t")
    if tuple(columns[:8]) != FIXED_COLUMNS:
        raise HeaderProblem(
            "the '#CHROM' column line is malformed: it must list #CHROM, POS, ID, REF, ALT, "
            "QUAL, FILTER, INFO separated by tabs",
            number,
        )
    if len(columns) == 8:
        return
    if columns[8] != "FORMAT":
        raise HeaderProblem("the ninth column of the '#CHROM' line must be FORMAT", number)
    samples = tuple(columns[9:])
    if not samples:
        raise HeaderProblem("the '#CHROM' line has a FORMAT column but no sample column", number)
    if any(not name.strip() for name in samples):
        raise HeaderProblem(
            "the '#CHROM' line has an empty sample name (a stray tab at the end?)", number
        )
    seen: set[str] = set()
    for name in samples:
        if name in seen:
            raise HeaderProblem(
                f"the sample name '{name}' appears twice in the '#CHROM' line", number
            )
        seen.add(name)
    header.has_format_column = True
    header.samples = samples
