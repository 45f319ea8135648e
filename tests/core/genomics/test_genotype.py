"""Zygosity from GT, chromosome and sex at birth: never guessed."""

from __future__ import annotations

import pytest

from genedesk.core.genomics.genotype import parse_gt, zygosity_of


@pytest.mark.parametrize(
    ("gt", "allele", "chrom", "male", "in_par", "expected"),
    [
        ("0/1", 1, "7", False, False, ("heterozygous", None)),
        ("1|0", 1, "7", False, False, ("heterozygous", None)),
        ("1/1", 1, "7", False, False, ("homozygous", None)),
        ("1/2", 1, "7", False, False, ("heterozygous", 2)),
        ("1/2", 2, "7", False, False, ("heterozygous", 1)),
        ("0/2", 1, "7", False, False, ("not_carried", None)),
        ("0/0", 1, "7", False, False, ("not_carried", None)),
        ("./.", 1, "7", False, False, ("no_call", None)),
        (".", 1, "7", False, False, ("no_call", None)),
        ("./1", 1, "7", False, False, ("unknown", None)),  # one copy seen, the other missing
        ("0/.", 1, "7", False, False, ("no_call", None)),
        ("1/1", 1, "X", True, False, ("hemizygous", None)),  # male X outside the PARs
        ("1/1", 1, "X", True, True, ("homozygous", None)),  # inside a PAR: diploid
        ("1/1", 1, "X", False, False, ("homozygous", None)),  # female X
        ("1", 1, "X", True, False, ("hemizygous", None)),  # haploid call
        ("1", 1, "Y", False, False, ("hemizygous", None)),  # the caller called one copy
        ("1", 1, "MT", False, False, ("homozygous", None)),  # homoplasmic
        ("0/1", 1, "MT", False, False, ("heterozygous", None)),  # heteroplasmic
        ("/0|1", 1, "7", False, False, ("heterozygous", None)),  # VCF 4.4 phasing prefix
    ],
)
def test_zygosity(gt: str, allele: int, chrom: str, male: bool, in_par: bool,
                  expected: tuple[str, int | None]) -> None:
    zygosity, other, _note = zygosity_of(parse_gt(gt), allele, chrom, male=male, in_par=in_par)
    assert (zygosity, other) == expected


def test_male_heterozygous_x_outside_par_keeps_het_and_says_why() -> None:
    zygosity, _, note = zygosity_of(parse_gt("0/1"), 1, "X", male=True, in_par=False)
    assert zygosity == "heterozygous"
    assert "male sex at birth" in note


def test_missing_gt_is_no_call() -> None:
    assert zygosity_of(None, 1, "1", male=False, in_par=False)[0] == "no_call"


def test_parse_gt() -> None:
    parsed = parse_gt("0|1")
    assert parsed is not None and parsed.alleles == (0, 1) and parsed.phased
    assert parse_gt("") is None
    with pytest.raises(ValueError):
        parse_gt("0/x")
