"""ClinVar releases: load NCBI's VCF release into the vault as a dated release; look alleles up.

A release is the file NCBI publishes as `clinvar.vcf.gz` (GRCh37 or GRCh38), bgzip'd or plain.
Its date comes from `##fileDate` and its build from `##reference`; a file that lacks either, or
that is not ClinVar's layout, is refused before anything is written. Per allele we keep the
position, the ClinVar Variation ID (the VCF ID column), ALLELEID, the classification (CLNSIG, raw
and in our seven classes), the review status (CLNREVSTAT, raw and as gold stars), the conditions
(CLNDN with CLNDISDB) and the genes (GENEINFO).

The whole release goes in one transaction with its audit event. A truncated download, a record
that cannot be read, a classification or review status GeneDesk does not know, or a cancel rolls
everything back: the vault is exactly as before. Unknown CLNSIG/CLNREVSTAT terms are refused, with
the value and the line, rather than stored as "other": a new ClinVar term can change what counts
as pathogenic, and a counsellor should not get a silently weaker answer.

Records with no germline classification (ClinVar's somatic-only records, which carry only ONC/SCI
values) and records on contigs other than 1-22/X/Y/MT (a few unplaced RefSeq contigs) are skipped
and counted in the summary.

Reading is a streaming text parser, not cyvcf2: ClinVar's VCF is sites-only and the parser
touches only seven INFO keys. On a synthetic full-size release (3.6 million records) it read,
checked and prepared every row in 24 s (23 s CPU); cyvcf2 doing the same preparation with fewer
checks took 35 s (29 s CPU) (tests/benchmarks/bench_clinvar.py --readers). It also names the line
of any bad record and never hands htslib a malformed one (cyvcf2 can crash the process on an
unparsable POS). Decompression uses python-isal when it is installed (about 2 s less CPU per
release), else the standard gzip module.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import sqlcipher3

from genedesk.core import audit, clock
from genedesk.core.errors import BadInputError, Cancelled, NotFoundError, UsageError
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

BUILDS = ("GRCh37", "GRCh38")
CLASSES = (
    "pathogenic",
    "likely_pathogenic",
    "uncertain_significance",
    "likely_benign",
    "benign",
    "conflicting",
    "other",
)

# --- Classification (CLNSIG) -------------------------------------------------------------------
# ClinVar's germline classification terms: https://www.ncbi.nlm.nih.gov/clinvar/docs/clinsig/
# ("Representation of classification in ClinVar"). The VCF writes spaces as underscores, joins the
# terms of an aggregate classification with "/" ("Pathogenic/Likely_pathogenic") and adds other
# assertions after "|" ("Pathogenic|risk_factor"). "low penetrance" is a qualifier written as
# ",_low_penetrance" after Pathogenic or Likely_pathogenic. Older releases spelt some terms
# differently (…_interpretations_… before 2024); both spellings are accepted.
_FIVE_TIER = {
    "Pathogenic": "pathogenic",
    "Likely_pathogenic": "likely_pathogenic",
    "Uncertain_significance": "uncertain_significance",
    "Likely_benign": "likely_benign",
    "Benign": "benign",
}
_LOW_PENETRANCE = ",_low_penetrance"
_CONFLICT_TERMS = frozenset({
    "Conflicting_classifications_of_pathogenicity",
    "Conflicting_interpretations_of_pathogenicity",
    "conflicting_data_from_submitters",
})
# Not a pathogenicity for a Mendelian condition: the ClinGen risk-allele terms, drug response,
# association, protective, … and "no classification". They normalise to "other".
_OTHER_TERMS = frozenset({
    "Established_risk_allele",
    "Likely_risk_allele",
    "Uncertain_risk_allele",
    "drug_response",
    "association",
    "association_not_found",
    "risk_factor",
    "protective",
    "Affects",
    "confers_sensitivity",
    "other",
    "not_provided",
    "no_classification_for_the_single_variant",
    "no_classifications_from_unflagged_records",
    "no_interpretation_for_the_single_variant",
})
_PATHOGENIC_SIDE = frozenset({"pathogenic", "likely_pathogenic"})
_BENIGN_SIDE = frozenset({"benign", "likely_benign"})


class UnknownTermError(ValueError):
    """A CLNSIG or CLNREVSTAT value outside ClinVar's documented vocabulary."""


def classify(clnsig: str) -> tuple[str, bool]:
    """Our class for a raw CLNSIG value, and whether a low-penetrance qualifier appears in it.

    The aggregate "Pathogenic/Likely_pathogenic" means submitters said P and others LP; we take
    the less certain of the two (likely_pathogenic), likewise Benign/Likely_benign → likely_benign.
    Both stay on their side of the P/LP and B/LB groupings, and the raw value is always kept.
    Five-tier terms from opposite sides in one value are a conflict.
    """
    tiers: set[str] = set()
    conflicting = False
    low_penetrance = False
    for term in re.split(r"[/|]", clnsig):
        base = term
        if term.endswith(_LOW_PENETRANCE):
            base = term[: -len(_LOW_PENETRANCE)]
            if base not in ("Pathogenic", "Likely_pathogenic"):
                raise UnknownTermError(term)
            low_penetrance = True
        if base in _FIVE_TIER:
            tiers.add(_FIVE_TIER[base])
        elif base in _CONFLICT_TERMS:
            conflicting = True
        elif base not in _OTHER_TERMS:
            raise UnknownTermError(term)
    if conflicting:
        return "conflicting", low_penetrance
    if not tiers:
        return "other", low_penetrance
    if tiers <= _PATHOGENIC_SIDE:
        return ("pathogenic" if tiers == {"pathogenic"} else "likely_pathogenic"), low_penetrance
    if tiers <= _BENIGN_SIDE:
        return ("benign" if tiers == {"benign"} else "likely_benign"), low_penetrance
    if tiers == {"uncertain_significance"}:
        return "uncertain_significance", low_penetrance
    return "conflicting", low_penetrance


# --- Review status (CLNREVSTAT) → gold stars ---------------------------------------------------
# ClinVar, "Review status in ClinVar", https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/
# (table "The review status and assignment of stars"): practice guideline four stars; reviewed by
# expert panel three; criteria provided, multiple submitters, no conflicts two; criteria
# provided, conflicting classifications one; criteria provided, single submitter one; no
# assertion criteria provided, no classification provided, no classification for the single
# variant: none. The VCF spells them with underscores; older releases used the earlier names
# ("…conflicting_interpretations", "no_assertion_provided", "no_interpretation_for_the_single_
# variant", "no_assertion_for_the_individual_variant"), mapped to the same stars.
REVIEW_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_single_submitter": 1,
    "no_assertion_criteria_provided": 0,
    "no_classification_provided": 0,
    "no_assertion_provided": 0,
    "no_classification_for_the_single_variant": 0,
    "no_interpretation_for_the_single_variant": 0,
    "no_assertion_for_the_individual_variant": 0,
    "no_classifications_from_unflagged_records": 0,
}


def review_stars(clnrevstat: str) -> int:
    try:
        return REVIEW_STARS[clnrevstat]
    except KeyError:
        raise UnknownTermError(clnrevstat) from None


# --- Chromosomes -------------------------------------------------------------------------------
_PRIMARY = (*(str(n) for n in range(1, 23)), "X", "Y")
CHROMOSOMES: dict[str, str] = {}
for _name in _PRIMARY:
    for _spelling in (_name, f"chr{_name}", f"Chr{_name}", f"CHR{_name}"):
        CHROMOSOMES[_spelling] = _name
for _spelling in ("MT", "M", "chrM", "chrMT", "ChrM", "CHRM", "mt"):
    CHROMOSOMES[_spelling] = "MT"


def normalise_chrom(chrom: str) -> str | None:
    """1..22, X, Y or MT for the usual spellings (chr1, M, chrM …); None for anything else."""
    return CHROMOSOMES.get(chrom.strip())


def normalise_build(build: str) -> str:
    for name in BUILDS:
        if build.strip().lower() == name.lower():
            return name
    raise UsageError(f"Unknown genome build {build!r}: use GRCh37 or GRCh38.")


# --- Results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClinvarRelease:
    id: int
    build: str
    release_date: str
    file_name: str
    file_size: int
    sha256: str
    records: int
    alleles: int
    loaded_at: str
    loaded_by: str

    @property
    def label(self) -> str:
        return f"ClinVar {self.release_date} ({self.build})"


@dataclass(frozen=True)
class ClinvarLoadSummary:
    release: ClinvarRelease
    already_loaded: bool
    records: int  # data lines read (0 when already loaded)
    alleles: int  # allele rows stored
    without_germline_classification: int  # somatic-only records, skipped
    other_contigs: int  # records on unplaced contigs, skipped
    seconds: float

    @property
    def message(self) -> str:
        if self.already_loaded:
            return (f"{self.release.label} from {self.release.file_name} is already loaded "
                    f"(same file, SHA-256 {self.release.sha256[:12]}…); nothing was changed.")
        skipped = []
        if self.without_germline_classification:
            skipped.append(f"{self.without_germline_classification:,} without a germline "
                           "classification")
        if self.other_contigs:
            skipped.append(f"{self.other_contigs:,} on unplaced contigs")
        note = f"; skipped {' and '.join(skipped)}" if skipped else ""
        return (f"Loaded {self.release.label}: {self.alleles:,} alleles from "
                f"{self.records:,} records{note} ({self.seconds:.1f} s).")


@dataclass(frozen=True)
class ClinvarCondition:
    name: str  # as ClinVar names it, underscores shown as spaces
    ids: tuple[str, ...]  # e.g. ("MONDO:0009723", "MedGen:C0023264", "OMIM:256000")


@dataclass(frozen=True)
class ClinvarGene:
    symbol: str
    ncbi_gene_id: int | None


@dataclass(frozen=True)
class ClinvarAllele:
    release_date: str
    build: str
    chrom: str
    pos: int
    ref: str
    alt: str
    variation_id: int
    allele_id: int | None
    classification: str  # one of CLASSES
    clnsig: str  # as written in the release
    low_penetrance: bool
    review_status: str  # CLNREVSTAT as written
    stars: int  # 0-4
    conditions: tuple[ClinvarCondition, ...]
    genes: tuple[ClinvarGene, ...]
    conflicting_detail: str | None  # CLNSIGCONF as written, e.g. "Pathogenic(2)|Uncertain_significance(1)"

    @property
    def clinvar_url(self) -> str:
        return f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{self.variation_id}/"


# --- Reading the file --------------------------------------------------------------------------
# The 28-byte empty block that ends every BGZF file (SAM/BAM spec §4.1.2). NCBI's clinvar.vcf.gz
# is bgzip'd, so a file cut at a block boundary — which gzip itself cannot notice — lacks it.
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_GZIP_MAGIC = b"\x1f\x8b"
# IUPAC nucleotide letters: the reference genome itself has a few non-ACGTN bases.
_BASE_LETTERS = "ACGTNRYKMSWBDHVacgtnrykmswbdhv"
_INFO_HEADER = re.compile(r"^##INFO=<ID=([^,>]+).*?Type=([A-Za-z]+)")
_BUILD_IN_REFERENCE = re.compile(r"\b(GRCh3[78])(?:\.p\d+)?\b", re.IGNORECASE)


def _gzip_readers() -> tuple[dict[str, Callable[..., gzip.GzipFile]], tuple[type[Exception], ...]]:
    """What can open a gzip stream, and what each raises on damaged data (a cut one: EOFError).

    python-isal is optional: ISA-L inflates about twice as fast as zlib, behind the same API.
    """
    readers: dict[str, Callable[..., gzip.GzipFile]] = {"gzip": gzip.GzipFile}
    damaged: tuple[type[Exception], ...] = (OSError, zlib.error)
    try:
        from isal import igzip, igzip_lib
    except ImportError:
        return readers, damaged
    readers["isal"] = igzip.GzipFile
    return readers, (*damaged, cast(type[Exception], igzip_lib.IsalError))


_GZIP_READERS, _DAMAGED = _gzip_readers()
GZIP_READER = "isal" if "isal" in _GZIP_READERS else "gzip"
_UNREADABLE: tuple[type[Exception], ...] = (EOFError, UnicodeDecodeError, *_DAMAGED)
_BATCH = 5_000  # rows per executemany: small enough that progress is never late
_PROGRESS_EVERY = 0.2  # seconds; the contract is at least every 0.5 s


class _CountingReader(io.RawIOBase):
    """Counts and hashes the file's bytes as they are read, for progress and for SHA-256."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self._raw = raw
        self.bytes_read = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            self.bytes_read += count
            self.sha256.update(memoryview(buffer)[:count])
        return count or 0


_NEW_TERM = ("If the file is NCBI's own, ClinVar has started to use a term this version of "
             "GeneDesk does not know: update GeneDesk before loading this release.")


class _ReleaseError(Exception):
    """A problem at a given line; turned into a BadInputError naming the file."""

    def __init__(self, line: int, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True)
class _Header:
    release_date: str
    build: str
    lines: int  # header lines, so data line numbers count from lines + 1


def _refused(file_name: str, problem: str, hint: str | None = None) -> BadInputError:
    return BadInputError(
        f"{file_name}: {problem} Nothing was loaded.",
        hint=hint or "Use clinvar.vcf.gz exactly as NCBI publishes it (vcf_GRCh37 or vcf_GRCh38).",
    )


def _open_text(path: Path) -> tuple[io.TextIOWrapper, _CountingReader, io.BufferedReader]:
    raw = path.open("rb")
    counter = _CountingReader(raw)
    magic = raw.read(2)
    raw.seek(0)
    binary: gzip.GzipFile | io.BufferedReader
    if magic == _GZIP_MAGIC:
        binary = _GZIP_READERS[GZIP_READER](fileobj=counter, mode="rb")
    else:
        binary = io.BufferedReader(counter, buffer_size=1 << 20)
    return io.TextIOWrapper(binary, encoding="utf-8", errors="strict"), counter, raw


def _check_bgzf_end(path: Path, file_name: str) -> None:
    with path.open("rb") as raw:
        start = raw.read(18)
        if start[:4] != b"\x1f\x8b\x08\x04" or start[12:14] != b"BC":
            return  # plain gzip (or not gzip): the gzip reader notices truncation itself
        raw.seek(0, io.SEEK_END)
        if raw.tell() < len(_BGZF_EOF):
            raise _refused(file_name, "the file is cut short (a truncated download?).")
        raw.seek(-len(_BGZF_EOF), io.SEEK_END)
        if raw.read() != _BGZF_EOF:
            raise _refused(file_name, "the file is cut short: its bgzip end-of-file marker is "
                           "missing (a truncated download?).",
                           hint="Download clinvar.vcf.gz again and check it against NCBI's .md5 file.")


def _parse_date(value: str) -> str | None:
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value.strip(), form).date().isoformat()
        except ValueError:
            continue
    return None


def _read_header(text: io.TextIOWrapper, file_name: str) -> _Header:
    """Read up to and including #CHROM; refuse anything that is not a dated ClinVar release."""
    file_date: str | None = None
    reference: str | None = None
    info_types: dict[str, str] = {}
    count = 0
    for line in text:
        count += 1
        if line.startswith("##"):
            if line.startswith("##fileDate="):
                file_date = line[len("##fileDate="):].strip()
            elif line.startswith("##reference="):
                reference = line[len("##reference="):].strip()
            elif line.startswith("##INFO="):
                match = _INFO_HEADER.match(line)
                if match:
                    info_types[match.group(1)] = match.group(2)
            continue
        if line.startswith("#CHROM"):
            break
        raise _ReleaseError(count, "the VCF header has no #CHROM line before the first record.")
    else:
        raise _ReleaseError(count, "the file has no VCF header (#CHROM line); it may be empty or "
                            "not a VCF.")
    if "CLNSIG" not in info_types:
        raise BadInputError(
            f"{file_name} is not a ClinVar release: its header declares no CLNSIG "
            "(ClinVar classification) field. Nothing was loaded.",
            hint="Load clinvar.vcf.gz as NCBI publishes it; a patient's VCF is imported with "
            "`genedesk import` instead.",
        )
    if info_types["CLNSIG"] != "String" or "CLNREVSTAT" not in info_types:
        raise _refused(file_name, "this is ClinVar's pre-2017 VCF layout (numeric CLNSIG, no "
                       "CLNREVSTAT review status), which GeneDesk does not read.",
                       hint="Download a current clinvar.vcf.gz from NCBI.")
    if file_date is None:
        raise _refused(file_name, "the header has no ##fileDate line, so the release date cannot "
                       "be told.")
    release_date = _parse_date(file_date)
    if release_date is None:
        raise _refused(file_name, f"the ##fileDate value {file_date[:40]!r} is not a date "
                       "(expected YYYY-MM-DD).")
    build_match = _BUILD_IN_REFERENCE.fullmatch(reference or "")
    if build_match is None:
        shown = f"##reference={reference[:60]}" if reference else "no ##reference line"
        raise _refused(file_name, f"the genome build cannot be told ({shown}; expected "
                       "##reference=GRCh37 or ##reference=GRCh38).")
    return _Header(release_date, normalise_build(build_match.group(1)), count)


@dataclass
class _Counts:
    records: int = 0
    alleles: int = 0
    without_germline: int = 0
    other_contigs: int = 0


@dataclass
class _LookupIds:
    """Ids of the text lookup tables' rows, by their text; `next_*` is the id the next new row gets.

    Ids are handed out here while a release loads, inside the loading transaction, which holds
    the vault's write lock: nobody else can add rows to these tables meanwhile.
    """

    classification: dict[str, int]
    review_status: dict[str, int]
    conditions: dict[tuple[str, str], int]
    genes: dict[str, int]
    next_classification: int
    next_review_status: int
    next_conditions: int
    next_genes: int

    @classmethod
    def of(cls, conn: sqlcipher3.Connection) -> _LookupIds:
        def next_id(table: str) -> int:
            return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])

        return cls(
            classification={r[0]: r[1] for r in conn.execute(
                "SELECT clnsig, id FROM clinvar_classification")},
            review_status={r[0]: r[1] for r in conn.execute(
                "SELECT clnrevstat, id FROM clinvar_review_status")},
            conditions={(r[0], r[1]): r[2] for r in conn.execute(
                "SELECT clndn, clndisdb, id FROM clinvar_conditions")},
            genes={r[0]: r[1] for r in conn.execute("SELECT geneinfo, id FROM clinvar_genes")},
            next_classification=next_id("clinvar_classification"),
            next_review_status=next_id("clinvar_review_status"),
            next_conditions=next_id("clinvar_conditions"),
            next_genes=next_id("clinvar_genes"),
        )


@dataclass
class _Batch:
    """Rows for the vault: new lookup-table rows first, then the alleles that use them."""

    alleles: list[tuple[object, ...]] = field(default_factory=list)
    classifications: list[tuple[int, str, str, int]] = field(default_factory=list)
    review_statuses: list[tuple[int, str, int]] = field(default_factory=list)
    conditions: list[tuple[int, str, str]] = field(default_factory=list)
    genes: list[tuple[int, str]] = field(default_factory=list)


class _Reader:
    """Reads and checks the data lines, turning text values into lookup-table ids as it goes.

    Rows go to `store` in batches; `tick` is called every 1,024 lines. (A reader thread feeding
    the loading thread was tried and was slower: executemany gives up the GIL for every row and
    then waits to get it back from the busy reader.)
    """

    def __init__(self, text: io.TextIOWrapper, first_line: int, release_id: int,
                 ids: _LookupIds) -> None:
        self.counts = _Counts()
        self._text = text
        self._first_line = first_line
        self._release_id = release_id
        self._ids = ids

    def _classification_id(self, batch: _Batch, clnsig: str, line: int) -> int:
        try:
            klass, low_penetrance = classify(clnsig)
        except UnknownTermError as error:
            raise _ReleaseError(line, f"unknown ClinVar classification (CLNSIG) term "
                                f"{str(error)[:80]!r} in {clnsig[:120]!r}.", _NEW_TERM) from None
        new_id = self._ids.next_classification
        self._ids.next_classification += 1
        self._ids.classification[clnsig] = new_id
        batch.classifications.append((new_id, clnsig, klass, int(low_penetrance)))
        return new_id

    def _review_status_id(self, batch: _Batch, clnrevstat: str, line: int) -> int:
        try:
            stars = review_stars(clnrevstat)
        except UnknownTermError:
            raise _ReleaseError(line, f"unknown ClinVar review status (CLNREVSTAT) "
                                f"{clnrevstat[:120]!r}.", _NEW_TERM) from None
        new_id = self._ids.next_review_status
        self._ids.next_review_status += 1
        self._ids.review_status[clnrevstat] = new_id
        batch.review_statuses.append((new_id, clnrevstat, stars))
        return new_id

    def _conditions_id(self, batch: _Batch, key: tuple[str, str]) -> int:
        new_id = self._ids.next_conditions
        self._ids.next_conditions += 1
        self._ids.conditions[key] = new_id
        batch.conditions.append((new_id, *key))
        return new_id

    def _genes_id(self, batch: _Batch, geneinfo: str) -> int:
        new_id = self._ids.next_genes
        self._ids.next_genes += 1
        self._ids.genes[geneinfo] = new_id
        batch.genes.append((new_id, geneinfo))
        return new_id

    def read(self, store: Callable[[_Batch], None], tick: Callable[[], None]) -> None:
        """The hot loop: 3-4 million lines per release, so everything it uses is a local name."""
        chromosomes = CHROMOSOMES
        bases = _BASE_LETTERS
        release_id = self._release_id
        counts = self.counts
        classification_ids = self._ids.classification
        review_ids = self._ids.review_status
        conditions_ids = self._ids.conditions
        genes_ids = self._ids.genes
        batch = _Batch()
        alleles = batch.alleles
        line_no = self._first_line - 1
        for line in self._text:
            line_no += 1
            if not line_no & 1023:
                tick()
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 8:
                if not line.strip():
                    continue  # a blank line (e.g. at the very end) carries nothing
                raise _ReleaseError(line_no, f"the record has {len(fields)} tab-separated "
                                    "columns; a VCF record has at least 8.")
            counts.records += 1
            chrom_text, pos_text, id_text, ref, alt_text, _qual, _filter, info = fields[:8]
            clnsig = revstat = clndn = clndisdb = geneinfo = conf = alleleid_text = None
            for item in info.split(";"):
                key, _, value = item.partition("=")
                if key == "CLNSIG":
                    clnsig = value
                elif key == "CLNREVSTAT":
                    revstat = value
                elif key == "ALLELEID":
                    alleleid_text = value
                elif key == "CLNDN":
                    clndn = value
                elif key == "CLNDISDB":
                    clndisdb = value
                elif key == "GENEINFO":
                    geneinfo = value
                elif key == "CLNSIGCONF":
                    conf = value
            chrom = chromosomes.get(chrom_text)
            if chrom is None:
                if not chrom_text or chrom_text.strip() != chrom_text:
                    raise _ReleaseError(line_no, "the CHROM column is empty or has spaces.")
                counts.other_contigs += 1
                continue
            # isdecimal and isascii: int() would also take "+5", " 5", "1_0" and Arabic digits
            if not (pos_text.isdecimal() and pos_text.isascii()) or pos_text[0] == "0":
                raise _ReleaseError(line_no, f"POS {pos_text[:20]!r} is not a position (a "
                                    "whole number from 1).")
            if not (id_text.isdecimal() and id_text.isascii()):
                raise _ReleaseError(line_no, f"the ID column {id_text[:20]!r} is not a ClinVar "
                                    "Variation ID (a number).")
            if not ref or ref.strip(bases):
                raise _ReleaseError(line_no, f"REF {ref[:20]!r} is not a DNA sequence.")
            if clnsig is None:
                counts.without_germline += 1  # a somatic-only (ONC/SCI) record
                continue
            if revstat is None:
                raise _ReleaseError(line_no, "the record has a classification (CLNSIG) but no "
                                    "review status (CLNREVSTAT).")
            allele_id: int | None = None
            if alleleid_text is not None:
                if not (alleleid_text.isdecimal() and alleleid_text.isascii()):
                    raise _ReleaseError(line_no, f"ALLELEID {alleleid_text[:20]!r} is not a "
                                        "number.")
                allele_id = int(alleleid_text)
            classification_id = classification_ids.get(clnsig)
            if classification_id is None:
                classification_id = self._classification_id(batch, clnsig, line_no)
            review_id = review_ids.get(revstat)
            if review_id is None:
                review_id = self._review_status_id(batch, revstat, line_no)
            conditions_id = None
            if clndn is not None or clndisdb is not None:
                conditions_key = (clndn or "", clndisdb or "")
                conditions_id = conditions_ids.get(conditions_key)
                if conditions_id is None:
                    conditions_id = self._conditions_id(batch, conditions_key)
            genes_id = None
            if geneinfo is not None:
                genes_id = genes_ids.get(geneinfo)
                if genes_id is None:
                    genes_id = self._genes_id(batch, geneinfo)
            pos = int(pos_text)
            variation_id = int(id_text)
            ref = ref.upper()
            for alt in alt_text.split(",") if "," in alt_text else (alt_text,):
                if alt != "." and (not alt or alt.strip(bases)):
                    raise _ReleaseError(line_no, f"ALT {alt[:20]!r} is not a DNA sequence.")
                alleles.append((release_id, chrom, pos, ref, alt.upper(), variation_id, allele_id,
                                classification_id, review_id, conditions_id, genes_id, conf))
            if len(alleles) >= _BATCH:
                counts.alleles += len(alleles)
                store(batch)
                batch = _Batch()
                alleles = batch.alleles
        counts.alleles += len(alleles)
        store(batch)


_INSERT_ALLELE = (
    "INSERT INTO clinvar_allele (release_id, chrom, pos, ref, alt, variation_id, allele_id,"
    " classification_id, review_status_id, conditions_id, genes_id, clnsigconf)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _store(conn: sqlcipher3.Connection, batch: _Batch) -> None:
    if batch.classifications:
        conn.executemany("INSERT INTO clinvar_classification (id, clnsig, classification,"
                         " low_penetrance) VALUES (?, ?, ?, ?)", batch.classifications)
    if batch.review_statuses:
        conn.executemany("INSERT INTO clinvar_review_status (id, clnrevstat, stars)"
                         " VALUES (?, ?, ?)", batch.review_statuses)
    if batch.conditions:
        conn.executemany("INSERT INTO clinvar_conditions (id, clndn, clndisdb) VALUES (?, ?, ?)",
                         batch.conditions)
    if batch.genes:
        conn.executemany("INSERT INTO clinvar_genes (id, geneinfo) VALUES (?, ?)", batch.genes)
    conn.executemany(_INSERT_ALLELE, batch.alleles)


class _CommitHeartbeat:
    """Keeps progress coming while the final COMMIT runs.

    For a full release the commit takes seconds (SQLite flushes and checkpoints a WAL of a few
    hundred MB), and it runs without the GIL, so this helper thread reports meanwhile. It only
    calls `progress`, never the vault, and the loading thread is blocked in the commit then, so
    the two never call `progress` at the same time.
    """

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._progress is not None:
            self._thread = threading.Thread(target=self._beat, name="clinvar-commit", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        assert self._progress is not None
        while True:
            self._progress(self._total, self._total)
            if self._stop.wait(_PROGRESS_EVERY):
                return

    def __enter__(self) -> _CommitHeartbeat:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _hash_file(path: Path, tick: Callable[[], None]) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 22):
            digest.update(chunk)
            tick()
    return digest.hexdigest()


def _release_from_row(row: sqlcipher3.Row) -> ClinvarRelease:
    return ClinvarRelease(
        id=row["id"], build=row["build"], release_date=row["release_date"],
        file_name=row["file_name"], file_size=row["file_size"], sha256=row["sha256"],
        records=row["records"], alleles=row["alleles"], loaded_at=row["loaded_at"],
        loaded_by=row["loaded_by"],
    )


_RELEASE_COLUMNS = ("id, build, release_date, file_name, file_size, sha256, records, alleles,"
                    " loaded_at, loaded_by")


def _header_of(path: Path, file_name: str) -> _Header:
    text, _counter, raw = _open_text(path)
    try:
        return _read_header(text, file_name)
    except _ReleaseError as error:
        raise _refused(file_name, f"line {error.line}: {error.reason}") from None
    except _UNREADABLE as error:
        raise _unreadable(file_name, error, None) from None
    finally:
        raw.close()


def _unreadable(file_name: str, error: BaseException, line: int | None) -> BadInputError:
    where = f" after line {line:,}" if line else ""
    if isinstance(error, EOFError):
        return _refused(file_name, f"the file ends early{where} (a truncated download?).",
                        hint="Download clinvar.vcf.gz again and check it against NCBI's .md5 file.")
    if isinstance(error, UnicodeDecodeError):
        return _refused(file_name, f"the text{where} is not UTF-8; the file is damaged or not a VCF.")
    return _refused(file_name, f"the file is damaged{where} and cannot be decompressed.",
                    hint="Download clinvar.vcf.gz again and check it against NCBI's .md5 file.")


def load_clinvar(
    vault: Vault,
    actor: Staff,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ClinvarLoadSummary:
    """Load one ClinVar VCF release; all or nothing. See the module docstring for the rules.

    `progress(done, total)` counts bytes of the file read and is called at least every 0.5 s;
    while the final commit runs (seconds, for a full release) it is called with done == total
    from a helper thread, never at the same time as from the caller's thread. `cancelled()` is
    asked as often, until the commit starts; a cancel raises Cancelled and stores nothing.
    Loading the same file again changes nothing and says so; another file with the same date and
    build is refused. Raises BadInputError (exit 3) for every problem with the file.
    """
    started = time.monotonic()
    path = Path(path)
    file_name = path.name
    if not path.is_file():
        raise BadInputError(f"{file_name}: there is no such file ({path.parent}).")
    try:
        with path.open("rb"):
            size = path.stat().st_size
    except OSError as error:
        raise BadInputError(f"{file_name}: the file cannot be read ({error.strerror}).") from None
    if size == 0:
        raise _refused(file_name, "the file is empty.")
    last_report = [time.monotonic()]
    done_bytes = [0]

    def tick() -> None:
        now = time.monotonic()
        if now - last_report[0] < _PROGRESS_EVERY:
            return
        last_report[0] = now
        if cancelled is not None and cancelled():
            raise Cancelled("Loading the ClinVar release was cancelled; nothing was loaded.")
        if progress is not None:
            progress(min(done_bytes[0], size), size)

    if progress is not None:
        progress(0, size)
    _check_bgzf_end(path, file_name)
    header = _header_of(path, file_name)
    existing = vault.query_one(
        f"SELECT {_RELEASE_COLUMNS} FROM clinvar_release WHERE build = ? AND release_date = ?",
        (header.build, header.release_date))
    if existing is not None:
        sha256 = _hash_file(path, tick)
        release = _release_from_row(existing)
        if sha256 != release.sha256:
            raise BadInputError(
                f"{file_name}: {release.label} is already loaded from a different file "
                f"({release.file_name}, SHA-256 {release.sha256[:12]}…; this file "
                f"{sha256[:12]}…). Nothing was loaded.",
                hint="One date and build is one ClinVar release. Check which file is NCBI's "
                "original (compare with its .md5 file).")
        if progress is not None:
            progress(size, size)
        return ClinvarLoadSummary(release, True, 0, 0, 0, 0, time.monotonic() - started)

    text, counter, raw = _open_text(path)

    def tick_reading() -> None:
        done_bytes[0] = counter.bytes_read
        tick()

    try:
        for _ in range(header.lines):
            text.readline()
        with _CommitHeartbeat(progress, size) as heartbeat, vault.transaction() as tx:
            loaded_at = clock.stamp()
            # The file's SHA-256 is known only once every byte has been read; the row gets it
            # (and the counts) before the commit, so no one ever sees the placeholder.
            cursor = tx.execute(
                "INSERT INTO clinvar_release (build, release_date, file_name, file_size, sha256,"
                " records, alleles, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)",
                (header.build, header.release_date, file_name, size, "0" * 64, loaded_at,
                 actor.name))
            release_id = int(cursor.lastrowid)
            try:
                reader = _Reader(text, header.lines + 1, release_id, _LookupIds.of(tx))
                counts = reader.counts

                reader.read(lambda batch: _store(tx, batch), tick_reading)
                text.read()  # drain, so every byte of the file went through the hash
                heartbeat.start()  # from here to the end of the commit, no bytes are left to count
            except _ReleaseError as error:
                raise _refused(file_name, f"line {error.line:,}: {error.reason}",
                               error.hint) from None
            except _UNREADABLE as error:
                raise _unreadable(file_name, error, header.lines + counts.records) from None
            sha256 = counter.sha256.hexdigest()
            if counter.bytes_read != size:
                raise _refused(file_name, "the file changed while it was being read.")
            clash = tx.execute("SELECT build, release_date FROM clinvar_release WHERE sha256 = ?",
                               (sha256,)).fetchone()
            if clash is not None:
                raise _refused(file_name, f"the same file is already loaded as ClinVar "
                               f"{clash[1]} ({clash[0]}).")
            tx.execute("UPDATE clinvar_release SET sha256 = ?, records = ?, alleles = ?"
                       " WHERE id = ?", (sha256, counts.records, counts.alleles, release_id))
            audit.record(
                tx, vault_id=vault.vault_id, staff=actor.name, action="clinvar.release_loaded",
                subject=f"clinvar-release:{release_id}",
                details={"build": header.build, "release_date": header.release_date,
                         "file_name": file_name, "sha256": sha256, "records": counts.records,
                         "alleles": counts.alleles,
                         "without_germline_classification": counts.without_germline,
                         "other_contigs": counts.other_contigs},
            )
    finally:
        raw.close()
    if progress is not None:
        progress(size, size)
    row = vault.query_one(f"SELECT {_RELEASE_COLUMNS} FROM clinvar_release WHERE id = ?",
                          (release_id,))
    return ClinvarLoadSummary(_release_from_row(row), False, counts.records, counts.alleles,
                              counts.without_germline, counts.other_contigs,
                              time.monotonic() - started)


def releases(vault: Vault, build: str | None = None) -> list[ClinvarRelease]:
    """Loaded releases, newest first (optionally of one build)."""
    if build is None:
        rows = vault.query(f"SELECT {_RELEASE_COLUMNS} FROM clinvar_release"
                           " ORDER BY release_date DESC, build")
    else:
        rows = vault.query(f"SELECT {_RELEASE_COLUMNS} FROM clinvar_release WHERE build = ?"
                           " ORDER BY release_date DESC", (normalise_build(build),))
    return [_release_from_row(row) for row in rows]


def _conditions(clndn: str | None, clndisdb: str | None) -> tuple[ClinvarCondition, ...]:
    names = clndn.split("|") if clndn else []
    id_groups = clndisdb.split("|") if clndisdb else []
    found = []
    for index in range(max(len(names), len(id_groups))):
        name = names[index].replace("_", " ") if index < len(names) else ""
        group = id_groups[index] if index < len(id_groups) else "."
        ids = tuple(_tidy_id(one) for one in group.split(",") if one and one != ".")
        found.append(ClinvarCondition(name, ids))
    return tuple(found)


def _tidy_id(db_id: str) -> str:
    """ClinVar writes "MONDO:MONDO:0009723" and "Human_Phenotype_Ontology:HP:0001250"."""
    database, _, accession = db_id.partition(":")
    if accession.startswith(f"{database}:") or database == "Human_Phenotype_Ontology":
        return accession
    return db_id


def _genes(geneinfo: str | None) -> tuple[ClinvarGene, ...]:
    if not geneinfo:
        return ()
    genes = []
    for pair in geneinfo.split("|"):
        symbol, _, gene_id = pair.partition(":")
        genes.append(ClinvarGene(symbol, int(gene_id) if gene_id.isdigit() else None))
    return tuple(genes)


def lookup(
    vault: Vault,
    build: str,
    chrom: str,
    pos: int,
    ref: str,
    alt: str,
    *,
    release: str | None = None,
) -> list[ClinvarAllele]:
    """ClinVar's records for one allele in the newest release of `build` (or the release dated
    `release`, YYYY-MM-DD). Usually one; several when ClinVar has more than one Variation ID for
    the same VCF allele; empty when ClinVar has none. The allele must be written as ClinVar writes
    it (left-aligned, trimmed), which is how a normalised VCF writes it.
    """
    build = normalise_build(build)
    if release is None:
        row = vault.query_one("SELECT id, release_date FROM clinvar_release WHERE build = ?"
                              " ORDER BY release_date DESC LIMIT 1", (build,))
        if row is None:
            raise NotFoundError(f"No ClinVar release for {build} is loaded.",
                                hint="Load one with `genedesk kb load-clinvar clinvar.vcf.gz`.")
    else:
        row = vault.query_one("SELECT id, release_date FROM clinvar_release WHERE build = ?"
                              " AND release_date = ?", (build, release))
        if row is None:
            raise NotFoundError(f"ClinVar release {release} ({build}) is not loaded.")
    normalised = normalise_chrom(chrom)
    if normalised is None:
        return []
    rows = vault.query(
        "SELECT a.chrom, a.pos, a.ref, a.alt, a.variation_id, a.allele_id, a.clnsigconf,"
        " c.clnsig, c.classification, c.low_penetrance, r.clnrevstat, r.stars,"
        " d.clndn, d.clndisdb, g.geneinfo"
        " FROM clinvar_allele a"
        " JOIN clinvar_classification c ON c.id = a.classification_id"
        " JOIN clinvar_review_status r ON r.id = a.review_status_id"
        " LEFT JOIN clinvar_conditions d ON d.id = a.conditions_id"
        " LEFT JOIN clinvar_genes g ON g.id = a.genes_id"
        " WHERE a.release_id = ? AND a.chrom = ? AND a.pos = ? AND a.ref = ? AND a.alt = ?"
        " ORDER BY r.stars DESC, a.variation_id",
        (row["id"], normalised, int(pos), ref.upper(), alt.upper()))
    return [
        ClinvarAllele(
            release_date=row["release_date"], build=build, chrom=r["chrom"], pos=r["pos"],
            ref=r["ref"], alt=r["alt"], variation_id=r["variation_id"], allele_id=r["allele_id"],
            classification=r["classification"], clnsig=r["clnsig"],
            low_penetrance=bool(r["low_penetrance"]), review_status=r["clnrevstat"],
            stars=r["stars"], conditions=_conditions(r["clndn"], r["clndisdb"]),
            genes=_genes(r["geneinfo"]), conflicting_detail=r["clnsigconf"],
        )
        for r in rows
    ]
