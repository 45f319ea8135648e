"""Phenotypes, recommendations and the two report structures (no ../shared needed)."""

from __future__ import annotations

import itertools

import pytest

from genedesk.core.pgx.calling import ObservedGenotype
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.pgx.genes import call_all
from genedesk.core.pgx.phenotype import load_phenotype_tables, phenotype_of
from genedesk.core.pgx.recommendations import _load as load_recommendations
from genedesk.core.pgx.recommendations import recommendations_for
from genedesk.core.pgx.report import clinician_report, your_medicines


def _all_reference() -> dict[tuple[str, int], ObservedGenotype]:
    genotypes = {}
    for definition in load_definitions().values():
        for pos in definition.positions:
            genotypes[(definition.chromosome, pos.position)] = ObservedGenotype((pos.ref, pos.ref))
    return genotypes


def _set(
    genotypes: dict[tuple[str, int], ObservedGenotype],
    gene: str,
    rsid: str,
    alleles: tuple[str, str],
) -> None:
    definition = load_definitions()[gene]
    pos = next(p for p in definition.positions if p.rsid == rsid)
    genotypes[(definition.chromosome, pos.position)] = ObservedGenotype(alleles)


@pytest.mark.parametrize(
    ("gene", "first", "second", "phenotype", "score"),
    [
        ("CYP2C19", "*1", "*17", "Rapid Metabolizer", None),
        ("CYP2C19", "*2", "*17", "Intermediate Metabolizer", None),
        ("CYP2C19", "*17", "*17", "Ultrarapid Metabolizer", None),
        ("CYP2C9", "*1", "*3", "Intermediate Metabolizer", "1.0"),
        ("CYP2C9", "*2", "*3", "Poor Metabolizer", "0.5"),
        ("TPMT", "*3A", "*3A", "Poor Metabolizer", None),
        ("NUDT15", "*1", "*3", "Intermediate Metabolizer", None),
        ("SLCO1B1", "*5", "*15", "Poor Function", None),
        ("CYP3A5", "*3", "*3", "Poor Metabolizer", None),
        ("DPYD", "Reference", "c.1905+1G>A (*2A)", "Intermediate Metabolizer", "1.0"),
        ("VKORC1", "rs9923231 reference (C)", "rs9923231 variant (T)", "-1639 AG", None),
    ],
)
def test_phenotype_rules(
    gene: str, first: str, second: str, phenotype: str, score: str | None
) -> None:
    result = phenotype_of(load_phenotype_tables()[gene], first, second)
    assert result.phenotype == phenotype
    assert result.activity_score == score


def test_allele_without_function_gives_no_phenotype_and_says_why() -> None:
    result = phenotype_of(load_phenotype_tables()["CYP2C19"], "*1", "*41")
    assert result.phenotype is None
    assert result.note is not None and "*41" in result.note


def test_dpyd_unphased_scores_the_two_lowest_function_variants() -> None:
    genotypes = _all_reference()
    _set(genotypes, "DPYD", "rs3918290", ("C", "T"))  # c.1905+1G>A (*2A), no function
    _set(genotypes, "DPYD", "rs1801159", ("T", "C"))  # c.1627A>G (*5), normal function
    _set(genotypes, "DPYD", "rs67376798", ("T", "A"))  # c.2846A>T, decreased function
    report = clinician_report(call_all(genotypes))
    dpyd = next(r for r in report.genes if r.gene == "DPYD")
    assert dpyd.diplotype == "c.1627A>G (*5) | c.1905+1G>A (*2A) | c.2846A>T"
    assert dpyd.activity_score == "0.5" and dpyd.phenotype == "Poor Metabolizer"
    assert {d.drug: d.action for d in dpyd.drugs} == {
        "capecitabine": "avoid",
        "fluorouracil": "avoid",
    }


def test_clinician_report_lists_untested_positions_and_undeterminable_genes() -> None:
    genotypes = _all_reference()
    definition = load_definitions()["CYP2C19"]
    untested = next(p for p in definition.positions if p.rsid == "rs12248560")
    del genotypes[(definition.chromosome, untested.position)]
    report = clinician_report(call_all(genotypes))
    cyp2c19 = next(r for r in report.genes if r.gene == "CYP2C19")
    assert cyp2c19.positions_not_tested == ("rs12248560",)
    assert {n.gene for n in report.not_determined} >= {"CYP2D6", "HLA-A", "HLA-B"}
    clopidogrel = next(d for d in cyp2c19.drugs if d.drug == "clopidogrel")
    assert "Clin Pharmacol Ther" in clopidogrel.citation


def test_tie_with_different_advice_is_flagged_not_resolved() -> None:
    genotypes = _all_reference()
    _set(genotypes, "CYP2C19", "rs3758581", ("G", "G"))
    definition = load_definitions()["CYP2C19"]
    pos = next(p for p in definition.positions if p.rsid == "rs12248560")
    del genotypes[(definition.chromosome, pos.position)]  # *1/*1 vs *1/*17 vs *17/*17 undecidable?
    report = clinician_report(call_all(genotypes))
    cyp2c19 = next(r for r in report.genes if r.gene == "CYP2C19")
    # Missing rs12248560 leaves *1/*1 clearly best (reference defines more positions).
    assert cyp2c19.diplotype == "*1/*1" and not cyp2c19.tie


def test_your_medicines_is_plain_and_names_changed_drugs() -> None:
    textstat = pytest.importorskip(
        "textstat", reason="textstat (PyPI, pin 0.7.8) measures reading grade"
    )
    genotypes = _all_reference()
    _set(genotypes, "CYP2C19", "rs12769205", ("G", "G"))
    _set(genotypes, "CYP2C19", "rs4244285", ("A", "A"))
    _set(genotypes, "CYP2C19", "rs3758581", ("G", "G"))
    text = your_medicines(clinician_report(call_all(genotypes)))
    assert text.startswith("Your medicines")
    assert "Clopidogrel" in text
    assert textstat.flesch_kincaid_grade(text) <= 8


def test_every_patient_sentence_set_reads_at_grade_8_or_below() -> None:
    textstat = pytest.importorskip(
        "textstat", reason="textstat (PyPI, pin 0.7.8) measures reading grade"
    )
    texts = [f"{e.patient_name}: {r.patient}" for e in load_recommendations() for r in e.rules]
    for text in texts:
        assert textstat.flesch_kincaid_grade(text) <= 8, text
    # Any three together (a typical letter) stays within the grade too.
    for combo in itertools.islice(itertools.combinations(texts, 3), 200):
        assert textstat.flesch_kincaid_grade(" ".join(combo)) <= 8


def test_recommendation_lookup_by_activity_score() -> None:
    result = phenotype_of(load_phenotype_tables()["DPYD"], "Reference", "c.2846A>T")
    assert result.activity_score == "1.5"
    recs = {r.drug: r for r in recommendations_for(result)}
    assert recs["fluorouracil"].action == "change" and recs["fluorouracil"].strength == "Moderate"
