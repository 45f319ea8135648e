"""Splitting/trimming one ALT allele and the genomic HGVS derived from REF/ALT alone."""

from __future__ import annotations

import pytest

from genedesk.core.genomics.alleles import genomic_hgvs, is_placeholder, trim_vcf_style

NC17 = "NC_000017.11"


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "expected"),
    [
        (100, "A", "G", (100, "A", "G")),  # SNV untouched
        (100, "GCA", "GA", (100, "GC", "G")),  # shared suffix dropped, anchor kept
        (100, "TCGGT", "TGGGG", (101, "CGGT", "GGGG")),  # shared first base dropped
        (100, "ATTAC", "ATAC", (100, "AT", "A")),
        (100, "CAT", "CGT", (101, "A", "G")),  # a multi-allelic's padded SNV becomes an SNV
        (100, "A", "<DEL>", (100, "A", "<DEL>")),  # symbolic alleles are left alone
    ],
)
def test_trim_vcf_style(pos: int, ref: str, alt: str, expected: tuple[int, str, str]) -> None:
    assert trim_vcf_style(pos, ref, alt) == expected


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "expected"),
    [
        (43045712, "G", "A", "g.43045712G>A"),
        (43045712, "GA", "G", "g.43045713del"),
        (43045712, "GAT", "G", "g.43045713_43045714del"),
        (43045712, "G", "GTC", "g.43045712_43045713insTC"),
        (43045712, "G", "GG", "g.43045712dup"),  # inserted base equals the one before: dup
        (43045712, "GAT", "GATAT", "g.43045713_43045714dup"),
        (43045712, "GATT", "GAT", "g.43045715del"),  # shifted 3' within the shown bases
        (43045712, "GAC", "GTT", "g.43045713_43045714delinsTT"),
        (43045712, "AC", "TG", "g.43045712_43045713delinsTG"),
        (43045712, "GA", "GTT", "g.43045713delinsTT"),
        (43045712, "cat", "cgt", "g.43045713A>G"),  # lower case is read as upper case
    ],
)
def test_genomic_hgvs(pos: int, ref: str, alt: str, expected: str) -> None:
    assert genomic_hgvs(NC17, "17", pos, ref, alt) == f"{NC17}:{expected}"


def test_mitochondrial_hgvs_uses_m_dot() -> None:
    assert genomic_hgvs("NC_012920.1", "MT", 8993, "T", "G") == "NC_012920.1:m.8993T>G"


@pytest.mark.parametrize("alt", ["<DEL>", "<NON_REF>", "*", "N[chr2:123[", "."])
def test_no_hgvs_for_symbolic_or_placeholder(alt: str) -> None:
    assert genomic_hgvs(NC17, "17", 100, "A", alt) == ""


def test_no_hgvs_without_accession_or_for_iupac() -> None:
    assert genomic_hgvs("", "17", 100, "A", "G") == ""
    assert genomic_hgvs(NC17, "17", 100, "A", "R") == ""


def test_placeholders() -> None:
    assert all(is_placeholder(a) for a in ("<NON_REF>", "<*>", "*", "."))
    assert not is_placeholder("<DEL>")
