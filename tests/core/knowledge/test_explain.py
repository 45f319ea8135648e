"""Plain-language explanations: every gene and every case reads at grade 8 or below, cites its
sources, leaves no placeholder behind, and never uses a genetic word the glossary does not explain.

The sweep composes the patient text and the relatives' letter for every (gene, condition) row of
the shipped gene table x every inheritance code the texts cover x every classification x every
zygosity x every sex at birth x with and without a second change in the same gene (about 120,000
compositions). Many compositions give the same words, so reading grades and word checks run once
per distinct text.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import textstat

from genedesk.core.errors import BadInputError, NotFoundError, UsageError
from genedesk.core.knowledge.acmg import Classification
from genedesk.core.knowledge.explain import (
    INHERITANCE,
    SEXES,
    Audience,
    Explanation,
    Zygosity,
    all_findings,
    clinician_explanation,
    explanations_dir,
    family_explanation,
    genetic_terms,
    glossary,
    languages,
    load_shared,
    load_texts,
    patient_explanation,
    situation_for,
)
from genedesk.core.knowledge.genes import shipped_genes

MAX_GRADE = 8.0
BENIGN = (Classification.LIKELY_BENIGN, Classification.BENIGN)


@dataclass
class Sweep:
    texts: dict[str, tuple[Explanation, str]]  # distinct text -> (one explanation, its case)
    compositions: int
    sourceless: list[str]


def _case(*parts: object) -> str:
    return " / ".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def sweep() -> Sweep:
    texts: dict[str, tuple[Explanation, str]] = {}
    sourceless: list[str] = []
    count = 0
    makers: tuple[Callable[..., Explanation], ...] = (patient_explanation, family_explanation)
    for symbol, condition, _ in all_findings():
        for inheritance in INHERITANCE:
            for classification in Classification:
                for zygosity in Zygosity:
                    for sex in SEXES:
                        for second in (False, True):
                            for make in makers:
                                if make is family_explanation and classification in BENIGN:
                                    continue
                                e = make(
                                    symbol,
                                    condition,
                                    classification,
                                    zygosity,
                                    inheritance,
                                    sex,
                                    second_change=second,
                                )
                                count += 1
                                case = _case(
                                    make.__name__,
                                    symbol,
                                    condition,
                                    inheritance,
                                    classification.value,
                                    zygosity.value,
                                    sex,
                                    second,
                                )
                                if not e.sources:
                                    sourceless.append(case)
                                texts.setdefault(e.text, (e, case))
    return Sweep(texts, count, sourceless)


def test_the_sweep_covers_every_gene_and_every_case(sweep: Sweep) -> None:
    genes = shipped_genes()
    rows = sum(len(g.conditions) for g in genes)
    per_row = len(INHERITANCE) * len(Classification) * len(Zygosity) * len(SEXES) * 2
    family_cases = len(INHERITANCE) * (len(Classification) - 2) * len(Zygosity) * len(SEXES) * 2
    assert len(genes) == 84
    assert sweep.compositions == rows * (per_row + family_cases)
    covered = {e.gene for e, _ in sweep.texts.values()}
    assert covered == {g.symbol for g in genes}


def test_every_patient_and_family_text_reads_at_grade_8_or_below(sweep: Sweep) -> None:
    too_hard = []
    for text, (_, case) in sweep.texts.items():
        grade = textstat.flesch_kincaid_grade(text)
        if grade > MAX_GRADE:
            too_hard.append(f"{grade:.2f}  {case}")
    assert not too_hard, "Flesch-Kincaid grade above 8:\n" + "\n".join(sorted(too_hard)[:20])


def test_every_text_cites_a_source_and_its_condition_sources(sweep: Sweep) -> None:
    assert not sweep.sourceless
    shared = load_shared()
    for explanation, case in sweep.texts.values():
        keys = {s.key for s in explanation.sources}
        assert "richards2015" in keys, case
        if explanation.classification not in BENIGN:
            assert keys & {k for ks in shared.condition_sources.values() for k in ks}, case
        for source in explanation.sources:
            assert source.url.startswith("http") and source.read_on and source.read_at, case


def test_no_text_keeps_a_placeholder_or_a_counsellor_note(sweep: Sweep) -> None:
    leftovers = re.compile(r"[{}]|\bTODO\b|\bXXX\b|  |\.\.|\s[.,]")
    for text, (explanation, case) in sweep.texts.items():
        assert not leftovers.search(text), f"{case}: {leftovers.search(text)}"
        assert all(p.strip() for p in explanation.paragraphs), case
        for note in explanation.review_notes:
            assert note not in text, case


def _watch_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pass per text: a zero-width look-ahead finds every term at every start, so a term
    inside a longer one ('chromosome' in 'X chromosome') is found too."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?=(?<![\w-])(" + alternatives + r")(?![\w-]))", re.IGNORECASE)


def test_every_genetic_term_used_has_a_glossary_entry(sweep: Sweep) -> None:
    entries = glossary()
    forms = {form.lower(): entry for entry in entries for form in entry.forms}
    watch = _watch_pattern(genetic_terms())
    missing: dict[str, str] = {}
    unlisted: dict[str, str] = {}
    for text, (explanation, case) in sweep.texts.items():
        used = {e.term for e in explanation.glossary_terms}
        for found in {m.group(1).lower() for m in watch.finditer(text)}:
            entry = forms.get(found)
            if entry is None:
                missing.setdefault(found, case)
            elif entry.term not in used:
                unlisted.setdefault(found, case)
    assert not missing, f"genetic terms without a glossary entry: {missing}"
    assert not unlisted, f"terms used but not listed on the explanation: {unlisted}"


def test_the_watch_list_is_wider_than_the_glossary_and_names_the_hard_words() -> None:
    watch = {t.lower() for t in genetic_terms()}
    for hard in (
        "heterozygous",
        "homozygous",
        "hemizygous",
        "autosomal",
        "recessive",
        "dominant",
        "penetrance",
        "de novo",
        "mosaicism",
        "allele",
    ):
        assert hard in watch
    for entry in glossary():
        assert entry.definition.strip()
        assert textstat.flesch_kincaid_grade(entry.definition) <= MAX_GRADE, entry.term


def test_clinician_texts_for_every_gene_cite_sources_and_keep_no_placeholder() -> None:
    for symbol, condition, _ in all_findings():
        for classification in Classification:
            for zygosity in Zygosity:
                for sex in SEXES:
                    e = clinician_explanation(
                        symbol, condition, classification, zygosity, None, sex
                    )
                    assert e.audience is Audience.CLINICIAN
                    assert "acmg_sf_v33" in {s.key for s in e.sources}
                    assert "{" not in e.text and "}" not in e.text
                    assert symbol in e.title
                    assert "ACMG SF v3.3" in e.text


# --- what the words say, case by case -----------------------------------------------------


def test_one_change_in_a_recessive_gene_makes_a_carrier_without_care_advice() -> None:
    e = patient_explanation("ATP7B", None, "pathogenic", "heterozygous", None, "female")
    assert e.situation == "ar_carrier"
    assert "So you are a carrier." in e.text
    assert "Lifelong medicines" not in e.text  # Wilson treatment is not for carriers
    assert "carrier" in {g.term for g in e.glossary_terms}
    relatives = family_explanation("ATP7B", None, "pathogenic", "heterozygous", None, "female")
    assert "Your relative is a carrier." in relatives.text
    assert "Lifelong medicines" not in relatives.text


def test_two_changes_in_a_recessive_gene_say_the_phase_is_unknown() -> None:
    for e in (
        patient_explanation(
            "GAA", None, "pathogenic", "heterozygous", None, "male", second_change=True
        ),
        patient_explanation(
            "GAA", None, "likely_pathogenic", "two_changes_phase_unknown", None, "male"
        ),
    ):
        assert e.situation == "ar_two_changes"
        assert "same copy or on different copies" in e.text
        assert "A test of your parents" in e.text
        assert any("Phase unknown" in n for n in e.review_notes)


def test_a_dominant_change_means_a_higher_risk_and_half_of_first_degree_relatives() -> None:
    e = patient_explanation("MLH1", None, "pathogenic", "heterozygous", None, "male")
    assert e.situation == "ad_one"
    assert "one changed copy is enough" in e.text
    assert "up to a 1 in 2 chance" in e.text
    assert "Regular bowel checks" in e.text


def test_likely_pathogenic_is_explained_as_very_likely_the_cause() -> None:
    e = patient_explanation("BRCA2", None, "likely_pathogenic", "heterozygous", None, "female")
    assert "very likely to be the cause" in e.text
    assert "likely pathogenic" in {g.term for g in e.glossary_terms}


def test_a_vus_never_reads_as_a_finding_that_changes_care() -> None:
    for sex in SEXES:
        e = patient_explanation("BRCA1", None, "uncertain_significance", "heterozygous", None, sex)
        assert e.situation == "vus"
        assert "This result does not change your care now." in e.text
        assert "mammograms" not in e.text and "Here is what can be done" not in e.text
        assert "do not need testing" in e.text
        relatives = family_explanation("BRCA1", None, "vus", "heterozygous", None, sex)
        assert "not usually advised" in relatives.text
        assert "If you have the change, care can help." not in relatives.text


def test_benign_changes_are_harmless_and_get_no_family_letter() -> None:
    e = patient_explanation("LDLR", None, "benign", "homozygous", None, "male")
    assert "harmless" in e.text and "does not change your care" in e.text
    assert "statins" not in e.text
    with pytest.raises(UsageError, match="benign"):
        family_explanation("LDLR", None, "likely_benign", "heterozygous", None, "male")


def test_x_linked_hemizygous_male_and_heterozygous_female() -> None:
    male = patient_explanation("GLA", None, "pathogenic", "hemizygous", None, "male")
    assert male.situation == "xl_one_x"
    assert "Males usually have one X chromosome" in male.text
    assert "all of your daughters will get the change" in male.text
    female = patient_explanation("GLA", None, "pathogenic", "heterozygous", None, "female")
    assert female.situation == "xl_two_x_one"
    assert "one changed copy often have symptoms too" in female.text  # Fabry's own wording
    otc = patient_explanation("OTC", None, "pathogenic", "heterozygous", None, "female")
    assert "may have no symptoms, or they may have the milder form" in otc.text
    assert "X chromosome" in {g.term for g in female.glossary_terms}


def test_x_linked_calls_that_do_not_fit_the_sex_are_flagged_for_review() -> None:
    e = patient_explanation("ABCD1", None, "pathogenic", "heterozygous", None, "male")
    assert e.situation == "xl_male_het"
    assert "Your care team will check the result" in e.text
    assert any("XXY" in n for n in e.review_notes)
    e = patient_explanation("ABCD1", None, "pathogenic", "hemizygous", None, "female")
    assert any("single X" in n for n in e.review_notes)


def test_sex_at_birth_chooses_the_sex_specific_care() -> None:
    woman = patient_explanation("BRCA1", None, "pathogenic", "heterozygous", None, "female")
    man = patient_explanation("BRCA1", None, "pathogenic", "heterozygous", None, "male")
    unknown = patient_explanation("BRCA1", None, "pathogenic", "heterozygous", None, "unknown")
    assert "mammograms" in woman.text and "Prostate" not in woman.text
    assert "Prostate checks" in man.text and "mammograms" not in man.text
    assert "For people born female:" in unknown.text and "For people born male:" in unknown.text


def test_gene_specific_notes_appear_where_they_matter() -> None:
    sdhd = family_explanation("SDHD", None, "pathogenic", "heterozygous", None, "female")
    sdhb = family_explanation("SDHB", None, "pathogenic", "heterozygous", None, "female")
    assert "passed on by the father" in sdhd.text and "passed on by the father" not in sdhb.text
    assert "hensen_sdhd_2009" in {s.key for s in sdhd.sources}
    casq2 = patient_explanation("CASQ2", None, "pathogenic", "heterozygous", None, "male")
    assert "one changed copy have had heart rhythm problems" in casq2.text
    mutyh = patient_explanation("MUTYH", None, "pathogenic", "heterozygous", None, "male")
    assert "slightly higher chance of bowel cancer" in mutyh.text


def test_family_letter_speaks_of_a_relative_and_nothing_else() -> None:
    e = family_explanation("KCNQ1", None, "pathogenic", "heterozygous", None, "female")
    assert e.audience is Audience.FAMILY
    assert e.text.startswith("A genetic test result in your family")
    assert "A member of your family" in e.text and "Your test found" not in e.text
    assert "beta blockers" in e.text and "Bring this letter" in e.text


def test_a_gene_with_several_conditions_needs_one_named() -> None:
    with pytest.raises(UsageError, match="several conditions"):
        patient_explanation("SCN5A", None, "pathogenic", "heterozygous", None, "male")
    e = patient_explanation("SCN5A", "brugada syndrome", "pathogenic", "heterozygous", None, "male")
    assert e.condition == "Brugada syndrome"
    assert "also linked to" in e.text  # the other SCN5A conditions are named
    with pytest.raises(NotFoundError):
        patient_explanation("SCN5A", "Marfan syndrome", "pathogenic", "heterozygous", None, "male")
    with pytest.raises(NotFoundError):
        patient_explanation("NOTAGENE", None, "pathogenic", "heterozygous", None, "male")


def test_bad_values_are_refused_with_the_allowed_ones() -> None:
    with pytest.raises(UsageError, match="classification"):
        patient_explanation("APC", None, "probably bad", "heterozygous", None, "male")
    with pytest.raises(UsageError, match="zygosity"):
        patient_explanation("APC", None, "pathogenic", "not_carried", None, "male")
    with pytest.raises(UsageError, match="Sex at birth"):
        patient_explanation("APC", None, "pathogenic", "heterozygous", None, "other")
    with pytest.raises(UsageError, match="mitochondrial"):
        patient_explanation("APC", None, "pathogenic", "heterozygous", "MT", "male")
    with pytest.raises(UsageError, match="inheritance"):
        patient_explanation("APC", None, "pathogenic", "heterozygous", "YL", "male")
    with pytest.raises(NotFoundError, match="language"):
        patient_explanation("APC", None, "pathogenic", "heterozygous", None, "male", language="zz")


def test_an_inheritance_unlike_the_gene_tables_is_followed_and_flagged() -> None:
    e = patient_explanation("APC", None, "pathogenic", "heterozygous", "AR", "male")
    assert e.situation == "ar_carrier"
    assert any("differs from the knowledge base" in n for n in e.review_notes)


def test_situations_cover_every_zygosity_and_sex() -> None:
    expected = {
        ("AD", Zygosity.HETEROZYGOUS, "male"): "ad_one",
        ("AD", Zygosity.HOMOZYGOUS, "female"): "ad_two_copies",
        ("AR", Zygosity.HETEROZYGOUS, "female"): "ar_carrier",
        ("AR", Zygosity.HOMOZYGOUS, "male"): "ar_two_copies",
        ("AR", Zygosity.UNKNOWN, "male"): "ar_unknown",
        ("XL", Zygosity.HEMIZYGOUS, "male"): "xl_one_x",
        ("XL", Zygosity.HETEROZYGOUS, "male"): "xl_male_het",
        ("XL", Zygosity.HETEROZYGOUS, "female"): "xl_two_x_one",
        ("XL", Zygosity.HOMOZYGOUS, "female"): "xl_two_x_both",
        ("XL", Zygosity.HOMOZYGOUS, "unknown"): "xl_unknown",
    }
    for (mode, zygosity, sex), situation in expected.items():
        assert situation_for(mode, zygosity, sex)[0] == situation
    assert situation_for("AR", Zygosity.HETEROZYGOUS, "male", second_change=True)[0] == (
        "ar_two_changes"
    )
    assert situation_for("XL", Zygosity.HETEROZYGOUS, "female", second_change=True)[0] == (
        "xl_two_changes"
    )


# --- the data files -----------------------------------------------------------------------


def test_every_gene_table_row_has_a_text_and_no_text_row_is_stale() -> None:
    shared = load_shared()
    table_rows = {(g.symbol.upper(), c.name.lower()) for g in shipped_genes() for c in g.conditions}
    assert table_rows == set(shared.condition_keys)
    assert set(shared.condition_keys.values()) == set(shared.condition_sources)


def test_sources_md_names_every_source_and_every_condition_key() -> None:
    text = (explanations_dir() / "SOURCES.md").read_text(encoding="utf-8")
    shared = load_shared()
    for key in (*shared.sources, *shared.condition_sources):
        assert f"`{key}`" in text, key


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    folder = tmp_path / "explanations"
    shutil.copytree(explanations_dir(), folder)
    return folder


def _edit(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_new_language_is_data_only(copied: Path) -> None:
    shutil.copytree(copied / "en", copied / "xx")
    texts = load_texts("xx", folder=copied)
    assert texts.language == "xx"
    assert set(languages(copied)) == {"en", "xx"}
    with pytest.raises(NotFoundError, match="available: en, xx"):
        load_texts("es", folder=copied)


def test_a_missing_template_is_refused_by_name(copied: Path) -> None:
    _edit(
        copied / "en" / "templates.json", lambda d: d["templates"].pop("patient.result.ar_carrier")
    )  # type: ignore[attr-defined]
    with pytest.raises(BadInputError, match=r"templates.json \(patient.result.ar_carrier\)"):
        load_texts("en", folder=copied)


def test_an_unknown_placeholder_is_refused(copied: Path) -> None:
    def change(d: dict[str, object]) -> None:
        d["templates"]["patient.closing"] = "Ask {doctor} anything."  # type: ignore[index]

    _edit(copied / "en" / "templates.json", change)
    with pytest.raises(BadInputError, match=r"unknown placeholder \{doctor\}"):
        load_texts("en", folder=copied)


def test_a_condition_citing_an_unknown_source_is_refused(copied: Path) -> None:
    def change(d: dict[str, object]) -> None:
        d["conditions"]["lynch"]["sources"] = ["no_such_source"]  # type: ignore[index]

    _edit(copied / "conditions.json", change)
    with pytest.raises(BadInputError, match=r"conditions.json \(lynch\).*no_such_source"):
        load_shared(copied)


def test_a_condition_without_text_is_refused(copied: Path) -> None:
    _edit(copied / "en" / "conditions.json", lambda d: d["conditions"].pop("wilson"))  # type: ignore[attr-defined]
    with pytest.raises(BadInputError, match=r"\(wilson\): no text"):
        load_texts("en", folder=copied)


def test_a_placeholder_in_a_condition_text_is_refused(copied: Path) -> None:
    def change(d: dict[str, object]) -> None:
        d["conditions"]["fh"]["care"] = ["Ask {gene} about it."]  # type: ignore[index]

    _edit(copied / "en" / "conditions.json", change)
    with pytest.raises(BadInputError, match="may not contain placeholders"):
        load_texts("en", folder=copied)


def test_a_bad_gene_condition_row_is_refused_with_its_line(copied: Path) -> None:
    path = copied / "gene_conditions.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "APC\tSomething\tnot_a_key\n", encoding="utf-8"
    )
    with pytest.raises(BadInputError, match=r"gene_conditions.tsv \(line \d+\)"):
        load_shared(copied)
