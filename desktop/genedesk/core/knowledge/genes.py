"""The genes GeneDesk knows: identifiers, where each lies on GRCh38 and GRCh37, its conditions.

The facts live in `resources/knowledge/genes/genes.tsv` (one row per gene) and
`gene_conditions.tsv` (one row per gene and condition). Both are written by
`resources/knowledge/genes/derive_genes.py` from named public sources; SOURCES.md beside them says
which. This module only reads and checks them: a file that breaks the schema is refused whole,
with the file name, line and column in the message, so nothing half-loaded is ever used.

Coordinates are 1-based and fully closed ([start, end], both bases in the gene), on chromosomes
named without "chr" (1-22, X, Y). A gene may have no GRCh37 region: then `region("GRCh37")` is
None and `region_unavailable("GRCh37")` says why (e.g. "GRCh37: not available from bundled
sources"), so a caller can fall back to a loaded ClinVar GRCh37 release.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from genedesk.core.errors import BadInputError, NotFoundError, UsageError
from genedesk.core.genomics.reference import normalise_chromosome
from genedesk.core.paths import resources_dir

FORMAT_NAME = "genedesk-genes"
FORMAT_VERSION = 1
BUILDS: tuple[str, ...] = ("GRCh38", "GRCh37")
CHROMOSOMES: tuple[str, ...] = (*(str(n) for n in range(1, 23)), "X", "Y")
INHERITANCE_CODES = frozenset({"AD", "AR", "XL", "XLD", "XLR", "MT"})
GENES_FILE = "genes.tsv"
CONDITIONS_FILE = "gene_conditions.tsv"

_BUILD_NAMES = {"grch38": "GRCh38", "hg38": "GRCh38", "grch37": "GRCh37", "hg19": "GRCh37"}
_SYMBOL = re.compile(r"^[A-Z0-9][A-Za-z0-9@.\-]*$")
_OMIM = re.compile(r"^OMIM:\d{6}$")
_MONDO = re.compile(r"^MONDO:\d{7}$")
_URL = re.compile(r"^https://\S+$")

_GENE_COLUMNS = (
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
_CONDITION_COLUMNS = (
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
_REQUIRED_METADATA = ("format", "coordinates", "sf_list", "sf_citation")


def normalise_build(build: str) -> str:
    """'GRCh38' / 'hg38' -> 'GRCh38', 'GRCh37' / 'hg19' -> 'GRCh37'."""
    name = _BUILD_NAMES.get(build.strip().lower())
    if name is None:
        raise UsageError(f"Unknown genome build {build!r}: use GRCh38 or GRCh37.")
    return name


def normalise_chrom(chrom: str) -> str | None:
    """'chr17' / '17' -> '17', 'chrX' -> 'X'; None for anything GeneDesk has no genes on (the
    mitochondrial genome included)."""
    name = normalise_chromosome(chrom.strip())
    return None if name == "MT" else name


@dataclass(frozen=True)
class GeneRegion:
    """A gene's span on one build: 1-based, both ends included."""

    build: str
    chrom: str
    start: int
    end: int

    def with_margin(self, margin: int) -> GeneRegion:
        """The span widened by `margin` bases each side (for splice sites and promoters).

        The start stops at base 1; the end is not clipped to the chromosome's length, which is
        harmless for overlap tests.
        """
        if margin < 0:
            raise UsageError(f"A gene margin cannot be negative (got {margin}).")
        return GeneRegion(self.build, self.chrom, max(1, self.start - margin), self.end + margin)

    def contains(self, chrom: str, position: int) -> bool:
        return normalise_chrom(chrom) == self.chrom and self.start <= position <= self.end

    def __str__(self) -> str:
        return f"{self.build} {self.chrom}:{self.start}-{self.end}"


@dataclass(frozen=True)
class Condition:
    """A condition the SF list ties to a gene, as the list gives it."""

    name: str
    omim_ids: tuple[str, ...]  # "OMIM:604370"; empty when the list gives no number
    hpo_disease_names: tuple[str, ...]  # HPO's name for each OMIM number, same order
    mondo_ids: tuple[str, ...]  # empty: no bundled source maps these yet (SOURCES.md)
    inheritance: str
    sf_categories: tuple[str, ...]
    sf_list_version: str  # the sheet's "SF List Version" (the version that added it)
    variants_to_report: str

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (*self.mondo_ids, *self.omim_ids)


@dataclass(frozen=True)
class Gene:
    symbol: str
    ncbi_gene_id: int
    omim_gene: int
    cytoband: str
    strand: str
    regions: Mapping[str, GeneRegion]
    unavailable: Mapping[str, str]  # build -> why there is no region on it
    grch37_method: str
    inheritance: tuple[str, ...]
    sf_list: str
    sf_categories: tuple[str, ...]
    medlineplus_url: str
    notes: str
    conditions: tuple[Condition, ...]

    def region(self, build: str, margin: int = 0) -> GeneRegion | None:
        found = self.regions.get(normalise_build(build))
        return found.with_margin(margin) if found and margin else found

    def region_unavailable(self, build: str) -> str | None:
        """Why this gene has no region on `build`, or None when it has one."""
        return self.unavailable.get(normalise_build(build))

    @property
    def ncbi_gene_url(self) -> str:
        return f"https://www.ncbi.nlm.nih.gov/gene/{self.ncbi_gene_id}"

    @property
    def omim_gene_url(self) -> str:
        return f"https://omim.org/entry/{self.omim_gene}"


@dataclass(frozen=True)
class GeneSource:
    key: str
    description: str
    checksum: str


@dataclass(frozen=True)
class GeneTable:
    genes: tuple[Gene, ...]
    metadata: Mapping[str, str]
    sources: tuple[GeneSource, ...]

    @property
    def sf_list(self) -> str:
        return self.metadata["sf_list"]

    @property
    def sf_citation(self) -> str:
        return self.metadata["sf_citation"]

    @functools.cached_property
    def _by_symbol(self) -> dict[str, Gene]:
        return {gene.symbol.upper(): gene for gene in self.genes}

    def gene(self, symbol: str) -> Gene:
        found = self._by_symbol.get(symbol.strip().upper())
        if found is None:
            raise NotFoundError(f"GeneDesk has no facts for gene {symbol!r}.")
        return found

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and symbol.strip().upper() in self._by_symbol

    def __iter__(self) -> Iterator[Gene]:
        return iter(self.genes)

    def __len__(self) -> int:
        return len(self.genes)

    def regions(self, build: str, margin: int = 0) -> list[tuple[Gene, GeneRegion]]:
        """Every gene with a region on `build`, widened by `margin`, in table order."""
        out = []
        for gene in self.genes:
            region = gene.region(build, margin)
            if region is not None:
                out.append((gene, region))
        return out

    def genes_at(self, build: str, chrom: str, position: int, margin: int = 0) -> list[Gene]:
        return [g for g, r in self.regions(build, margin) if r.contains(chrom, position)]


# --- reading and checking -----------------------------------------------------------------


class _Rows:
    """A TSV file's metadata lines, header and rows, remembering each row's line number."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BadInputError(f"{self.name}: the gene knowledge file is missing.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise BadInputError(
                f"{self.name}: cannot be read ({error.__class__.__name__})."
            ) from None
        self.metadata: dict[str, str] = {}
        self.sources: list[GeneSource] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        header: tuple[str, ...] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if header is None and line.startswith("#"):
                self._metadata_line(number, line)
                continue
            if not line.strip():
                continue
            cells = line.split("\t")
            if header is None:
                header = tuple(cells)
                missing = [c for c in required if c not in header]
                if missing:
                    raise self.error(number, f"the header lacks column(s) {', '.join(missing)}")
                continue
            if len(cells) != len(header):
                raise self.error(
                    number, f"{len(cells)} values, the header has {len(header)} columns"
                )
            self.rows.append((number, dict(zip(header, cells, strict=True))))
        if header is None:
            raise BadInputError(f"{self.name}: no header line; the file is empty or truncated.")

    def _metadata_line(self, number: int, line: str) -> None:
        key, _, rest = line[1:].partition("\t")
        if not rest:
            raise self.error(number, "a '#' line needs a key, a tab and a value")
        if key == "source":
            parts = rest.split("\t")
            if len(parts) < 2:
                raise self.error(number, "a '#source' line needs a key and a description")
            self.sources.append(GeneSource(parts[0], parts[1], "\t".join(parts[2:])))
        else:
            self.metadata[key] = rest

    def error(self, line: int, problem: str) -> BadInputError:
        return BadInputError(
            f"{self.name} line {line}: {problem}.",
            hint="The gene knowledge files are made by derive_genes.py; re-derive or reinstall.",
        )


def _whole_number(rows: _Rows, line: int, row: Mapping[str, str], column: str) -> int:
    value = row[column]
    if not value.isdigit() or int(value) <= 0:
        raise rows.error(line, f"column '{column}' must be a whole number above 0, found {value!r}")
    return int(value)


def _not_empty(rows: _Rows, line: int, row: Mapping[str, str], column: str) -> str:
    value = row[column].strip()
    if not value:
        raise rows.error(line, f"column '{column}' is empty")
    return value


def _split(value: str, separator: str = ",") -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _region(rows: _Rows, line: int, row: Mapping[str, str], build: str) -> GeneRegion | None:
    prefix = build.lower()
    chrom, start, end = (row[f"{prefix}_{c}"] for c in ("chrom", "start", "end"))
    if not (chrom or start or end):
        return None
    if chrom not in CHROMOSOMES:
        raise rows.error(line, f"column '{prefix}_chrom' has {chrom!r}, not one of 1-22, X, Y")
    first = _whole_number(rows, line, row, f"{prefix}_start")
    last = _whole_number(rows, line, row, f"{prefix}_end")
    if first > last:
        raise rows.error(line, f"the {build} start {first} lies after the end {last}")
    return GeneRegion(build, chrom, first, last)


def _condition(rows: _Rows, line: int, row: Mapping[str, str]) -> Condition:
    omim_ids = _split(row["omim_phenotypes"])
    mondo_ids = _split(row["mondo"])
    for value, pattern, label in (
        (omim_ids, _OMIM, "OMIM:123456"),
        (mondo_ids, _MONDO, "MONDO:1234567"),
    ):
        bad = [v for v in value if not pattern.match(v)]
        if bad:
            raise rows.error(line, f"identifier {bad[0]!r} is not written like {label}")
    names = _split(row["hpo_disease_names"], "|")
    if names and len(names) != len(omim_ids):
        raise rows.error(line, "hpo_disease_names must give one name per OMIM number")
    inheritance = row["inheritance"]
    if inheritance not in INHERITANCE_CODES:
        raise rows.error(line, f"unknown inheritance {inheritance!r}")
    return Condition(
        name=_not_empty(rows, line, row, "condition"),
        omim_ids=omim_ids,
        hpo_disease_names=names,
        mondo_ids=mondo_ids,
        inheritance=inheritance,
        sf_categories=_split(row["sf_category"]),
        sf_list_version=row["sf_list_version"],
        variants_to_report=row["variants_to_report"],
    )


def _read_conditions(path: Path) -> dict[str, list[tuple[int, Condition]]]:
    rows = _Rows(path, _CONDITION_COLUMNS)
    by_gene: dict[str, list[tuple[int, Condition]]] = {}
    for line, row in rows.rows:
        symbol = _not_empty(rows, line, row, "symbol")
        by_gene.setdefault(symbol, []).append((line, _condition(rows, line, row)))
    return by_gene


def _gene(
    rows: _Rows, line: int, row: Mapping[str, str], conditions: tuple[Condition, ...]
) -> Gene:
    symbol = _not_empty(rows, line, row, "symbol")
    if not _SYMBOL.match(symbol):
        raise rows.error(line, f"{symbol!r} is not a gene symbol")
    regions: dict[str, GeneRegion] = {}
    unavailable: dict[str, str] = {}
    for build in BUILDS:
        region = _region(rows, line, row, build)
        if (
            region is not None
            and build == "GRCh37"
            and row["grch37_method"].lower().startswith("not available")
        ):
            raise rows.error(line, "the GRCh37 region is filled in but marked 'not available'")
        if region is not None:
            regions[build] = region
        elif build == "GRCh38":
            raise rows.error(line, "every gene needs a GRCh38 region")
        else:
            why = row["grch37_method"].strip()
            if not why.lower().startswith("not available"):
                raise rows.error(line, "an empty GRCh37 region needs a 'not available: …' reason")
            unavailable[build] = f"{build}: {why}"
    inheritance = _split(row["inheritance"])
    if not inheritance or any(code not in INHERITANCE_CODES for code in inheritance):
        raise rows.error(line, f"unknown inheritance {row['inheritance']!r}")
    strand = row["strand"]
    if strand not in ("+", "-", ""):
        raise rows.error(line, f"strand must be '+', '-' or empty, found {strand!r}")
    url = _not_empty(rows, line, row, "medlineplus_url")
    if not _URL.match(url):
        raise rows.error(line, f"medlineplus_url {url!r} is not an https address")
    if not any(c.identifiers for c in conditions):
        raise rows.error(line, f"{symbol} has no condition with an OMIM or MONDO identifier")
    return Gene(
        symbol=symbol,
        ncbi_gene_id=_whole_number(rows, line, row, "ncbi_gene_id"),
        omim_gene=_whole_number(rows, line, row, "omim_gene"),
        cytoband=row["cytoband"],
        strand=strand,
        regions=regions,
        unavailable=unavailable,
        grch37_method=row["grch37_method"],
        inheritance=inheritance,
        sf_list=row["sf_list"],
        sf_categories=_split(row["sf_categories"]),
        medlineplus_url=url,
        notes=row["notes"],
        conditions=conditions,
    )


def _check_format(rows: _Rows) -> None:
    missing = [key for key in _REQUIRED_METADATA if key not in rows.metadata]
    if missing:
        raise BadInputError(f"{rows.name}: the '#{missing[0]}' line is missing at the top.")
    name, _, version = rows.metadata["format"].partition(" ")
    if name != FORMAT_NAME or not version.isdigit():
        raise BadInputError(
            f"{rows.name}: not a GeneDesk gene table (format {rows.metadata['format']!r})."
        )
    if int(version) > FORMAT_VERSION:
        raise BadInputError(
            f"{rows.name}: made for a newer GeneDesk (format {version}; "
            f"this one reads up to {FORMAT_VERSION})."
        )
    if not rows.sources:
        raise BadInputError(f"{rows.name}: no '#source' lines say where the facts come from.")


def load_genes(folder: Path | None = None) -> GeneTable:
    """Read and check the gene table; refuse it whole if any row breaks the schema."""
    folder = folder if folder is not None else resources_dir() / "knowledge" / "genes"
    rows = _Rows(folder / GENES_FILE, _GENE_COLUMNS)
    _check_format(rows)
    conditions = _read_conditions(folder / CONDITIONS_FILE)
    genes: list[Gene] = []
    first_line: dict[str, int] = {}
    for line, row in rows.rows:
        key = row["symbol"].strip().upper()
        if key in first_line:
            raise rows.error(
                line, f"gene {row['symbol']} appears twice (first on line {first_line[key]})"
            )
        first_line[key] = line
        own = tuple(condition for _, condition in conditions.get(row["symbol"].strip(), []))
        if not own:
            raise rows.error(line, f"gene {row['symbol']} has no row in {CONDITIONS_FILE}")
        genes.append(_gene(rows, line, row, own))
    orphans = sorted(set(conditions) - {gene.symbol for gene in genes})
    if orphans:
        line = conditions[orphans[0]][0][0]
        raise BadInputError(
            f"{CONDITIONS_FILE} line {line}: gene {orphans[0]} is not in {GENES_FILE}."
        )
    if not genes:
        raise BadInputError(f"{GENES_FILE}: the table has no genes.")
    return GeneTable(tuple(genes), dict(rows.metadata), tuple(rows.sources))


@functools.cache
def shipped_genes() -> GeneTable:
    """The gene table shipped with this GeneDesk (read once per process)."""
    return load_genes()
