"""Agreement with PharmCAT on ../shared/data/pharmcat (EXPECTED-CALLS.tsv, example VCFs, hapB3 table).

Primary cases are what upstream asserts: the exact fixture built from the genotype spec (as
SOURCE.md describes) or, where upstream asserts the copied file itself, that file. Old static
fixtures that lack current definition positions are run as well; where they widen the call the
difference is listed in EXPECTED_STATIC_DISAGREEMENTS with the reason, and any new difference fails.
"""

from __future__ import annotations

import collections
import csv
import re
from pathlib import Path

import pytest
from pharmcat_cases import (
    PHARMCAT,
    SHARED_MISSING_REASON,
    ExpectedCall,
    build_fixture_vcf,
    parse_spec,
    read_expected_calls,
)

from genedesk.core.pgx.calling import GeneCall, ObservedGenotype, genotypes_for
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.pgx.dpyd import HAPB3, call_dpyd
from genedesk.core.pgx.genes import call_all, call_one
from genedesk.core.pgx.phenotype import phenotypes_for
from genedesk.core.pgx.vcf import read_pgx_genotypes

pytestmark = pytest.mark.skipif(not PHARMCAT.is_dir(), reason=SHARED_MISSING_REASON)

# Static fixtures older than the current definitions: the listed positions are absent from the
# file, so alleles defined there cannot be ruled out and PharmCAT itself widens the call the same
# way (SOURCE.md). Each entry: our call on the static file, and why it differs from the spec call.
_NO_RS57700608 = (
    "static file lacks rs57700608, the only position besides rs3758581 that defines CYP2C19*41, "
    "so *41 cannot be ruled out"
)
_SLCO1B1_OLD = (
    "static file lacks 7 current SLCO1B1 positions (rs185905373, rs556524705, rs61760182, "
    "rs200331427, rs201722521, rs756393362, rs200994482) that tell *52, *56 and *57 apart from *37"
)
EXPECTED_STATIC_DISAGREEMENTS: dict[str, tuple[str, str]] = {
    "CYP2C19:s1s1": ("*1/*1 | *1/*41 | *41/*41", _NO_RS57700608),
    "CYP2C19:s1s2": ("*1/*2 | *2/*41", _NO_RS57700608),
    "CYP2C19:s1s28": ("*1/*28 | *28/*41", _NO_RS57700608),
    "CYP2C19:rs12769205missingrs4244285het": ("*1/*2 | *2/*35 | *2/*41", _NO_RS57700608),
    "CYP2C19:rs12769205call": ("*1/*35 | *35/*41", _NO_RS57700608),
    "CYP2C19:s1s1rs12248560missing": (
        "*1/*1 | *1/*17 | *1/*41 | *17/*17 | *17/*41 | *41/*41",
        _NO_RS57700608,
    ),
    "SLCO1B1:s1s15": ("*1/*15 | *5/*37 | *5/*52 | *5/*56 | *5/*57", _SLCO1B1_OLD),
    "SLCO1B1:s1as15s1bs5Missing": (
        "*1/*15 | *5/*29 | *5/*37 | *5/*52 | *5/*56 | *5/*57",
        _SLCO1B1_OLD,
    ),
    "SLCO1B1:s1as15s1bs5TwoMissing": (
        "*1/*15 | *5/*29 | *5/*37 | *5/*52 | *5/*56 | *5/*57",
        _SLCO1B1_OLD,
    ),
}


def _call_from_vcf(case: ExpectedCall, path: Path) -> tuple[str, GeneCall]:
    definition = load_definitions()[case.gene]
    read = read_pgx_genotypes(path, [definition])
    call = call_one(definition, genotypes_for(definition, read.genotypes))
    if case.top_only or call.alleles_found:
        shown = call.display
    else:
        shown = " | ".join(d.name for d in call.candidates) or "not called"
    return ("(no call)" if shown == "not called" else shown), call


def _covered_cases() -> list[ExpectedCall]:
    genes = set(load_definitions())
    return [c for c in read_expected_calls() if c.gene in genes and c.case != "hapB3 table"]


def _primary_results(tmp_path: Path) -> list[tuple[ExpectedCall, str, GeneCall]]:
    results = []
    for number, case in enumerate(_covered_cases()):
        spec = parse_spec(case.genotype_spec)
        if spec is not None:
            path = build_fixture_vcf(
                load_definitions()[case.gene], spec, case.phased, tmp_path / f"case{number}.vcf"
            )
        else:
            static = case.static_path
            assert static is not None, f"{case.key}: neither a genotype spec nor a file"
            path = static
        shown, call = _call_from_vcf(case, path)
        results.append((case, shown, call))
    return results


def test_every_expected_call_agrees_on_its_primary_fixture(tmp_path: Path) -> None:
    results = _primary_results(tmp_path)
    wrong = [
        f"{c.key}: got {shown!r}, PharmCAT {c.expected_call!r}"
        for c, shown, _ in results
        if shown != c.expected_call
    ]
    agreement = 1 - len(wrong) / len(results)
    print(
        f"\nPharmCAT EXPECTED-CALLS primary agreement: {len(results) - len(wrong)}/{len(results)}"
    )
    assert len(results) >= 50
    assert agreement >= 0.95, wrong
    assert not wrong, wrong


def test_extra_position_is_reported_with_its_genotype(tmp_path: Path) -> None:
    case = next(c for c in read_expected_calls() if c.key == "CYP2C9:extraPosition")
    spec = parse_spec(case.genotype_spec)
    assert spec is not None
    path = build_fixture_vcf(load_definitions()["CYP2C9"], spec, False, tmp_path / "x.vcf")
    _, call = _call_from_vcf(case, path)
    assert call.display == "*1/*1"
    assert call.extra_genotypes == (("rs12777823", "G/A"),)


def test_static_fixtures_agree_or_differ_only_as_written_down() -> None:
    differences: dict[str, str] = {}
    compared = 0
    for case in _covered_cases():
        static = case.static_path
        if static is None or parse_spec(case.genotype_spec) is None:
            continue  # no spec-built twin: the file was already the primary fixture
        compared += 1
        shown, _ = _call_from_vcf(case, static)
        if shown != case.expected_call:
            differences[case.key] = shown
    print(f"\nstatic-file agreement: {compared - len(differences)}/{compared}")
    assert differences == {k: v[0] for k, v in EXPECTED_STATIC_DISAGREEMENTS.items()}


def _report_rows(name: str) -> dict[str, dict[str, str]]:
    lines = (PHARMCAT / "examples" / name).read_text(encoding="utf-8").splitlines()[1:]
    return {row["Gene"]: row for row in csv.DictReader(lines, delimiter="\t")}


@pytest.mark.parametrize(
    ("vcf", "sample", "report"),
    [
        ("pharmcat.example.vcf", None, "pharmcat.example.report.tsv"),
        ("pharmcat.example2.vcf", None, "pharmcat.example2.report.tsv"),
        ("multisample.vcf", "Sample_1", "pharmcat.example.report.tsv"),
        ("multisample.vcf", "Sample_2", "pharmcat.example2.report.tsv"),
    ],
)
def test_example_vcfs_match_pharmcat_reports(vcf: str, sample: str | None, report: str) -> None:
    definitions = load_definitions()
    read = read_pgx_genotypes(PHARMCAT / "examples" / vcf, definitions.values(), sample=sample)
    expected = _report_rows(report)
    for call in call_all(read.genotypes, definitions):
        row = expected[call.gene]
        assert call.display == row["Source Diplotype"], call.gene
        assert not call.not_tested, call.gene
        results = phenotypes_for(call)
        assert (results[0].phenotype or "") == row["Phenotype"], call.gene
        assert (results[0].activity_score or "") == row["Activity Score"], call.gene


# ---- DPYD HapB3 decision table -------------------------------------------------------------


def _hapb3_alleles(text: str, names: set[str]) -> collections.Counter[str]:
    found: collections.Counter[str] = collections.Counter()
    for part in re.split(r"[/,+]", text):
        copies = 2 if "(homozygous)" in part else 1
        token = part.replace("(homozygous)", "").strip().strip("[]").strip()
        if token in ("", "ref", "Reference"):
            continue
        if token.startswith("HapB3"):
            found[HAPB3] += copies
            continue
        matches = [n for n in names if n == token or n.startswith(token + " ")]
        assert len(matches) == 1, token
        found[matches[0]] += copies
    return found


def test_dpyd_hapb3_table_alleles_agree() -> None:
    """Each of the table's genotype rows gives the same DPYD alleles (with copy number).

    The table's unphased call lists alleles; the phased call writes cis combinations as
    [a+b]. GeneDesk does not name cis combinations, so the comparison is on the alleles carried
    and their copies. HapB3 and "HapB3Intron" are both HapB3 (called from the intronic variant).
    Column "non-PGx" (rs186169810) is an ALT that no definition lists, so it is written as T here
    and read as reference, which is the behaviour the table expects.
    """
    definition = load_definitions()["DPYD"]
    rows = [
        line.split("\t")
        for line in (PHARMCAT / "haplotype-tests" / "DPYD" / "hapb3.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    rsids = rows[2][:7]
    by_rsid = {p.rsid: p for p in definition.positions}
    names = {a.name for a in definition.alleles}
    checked = 0
    for number, row in enumerate(rows[3:], start=4):
        genotypes_text = row[:7]
        phased = any("|" in g for g in genotypes_text)
        expected = row[7] if phased else (row[9] or row[7])
        genotypes = {p.position: ObservedGenotype((p.ref, p.ref)) for p in definition.positions}
        for rsid, text in zip(rsids, genotypes_text, strict=True):
            pos = by_rsid[rsid]
            if text == "missing":
                del genotypes[pos.position]
                continue
            alleles = [pos.ref, "T" if rsid == "rs186169810" else pos.alts[0]]
            first, second = re.split(r"[/|]", text)
            genotypes[pos.position] = ObservedGenotype(
                (alleles[int(first)], alleles[int(second)]), phased="|" in text
            )
        call = call_dpyd(definition, genotypes)
        got: collections.Counter[str] = collections.Counter(call.alleles_found)
        for diplotype in call.diplotypes[:1]:
            got.update(a for a in (diplotype.allele1, diplotype.allele2) if a != "Reference")
        assert got == _hapb3_alleles(expected, names), f"hapb3.tsv line {number}: {genotypes_text}"
        checked += 1
    assert checked >= 100
