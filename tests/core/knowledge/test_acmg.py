"""ACMG/AMP classification engine, tested against the real rule data in resources/knowledge/acmg.

Every Richards 2015 Table 5 rule at its minimum and with one criterion less, every points
boundary, conflicting evidence, BA1, strength changes, parsing, broken knowledge files, and
properties that must hold for any set of criteria.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genedesk.core.errors import BadInputError, UsageError
from genedesk.core.knowledge import acmg
from genedesk.core.knowledge.acmg import Classification, Direction, Strength

P = Classification.PATHOGENIC
LP = Classification.LIKELY_PATHOGENIC
VUS = Classification.UNCERTAIN_SIGNIFICANCE
LB = Classification.LIKELY_BENIGN
B = Classification.BENIGN

BOOK = acmg.default_rulebook()
DATA = Path(__file__).resolve().parents[3] / "resources" / "knowledge" / "acmg"


def strict(codes: str) -> acmg.AcmgResult:
    """Richards 2015 Table 5 exactly, without the ClinGen SVI added rule."""
    return acmg.classify(codes, svi_amendment=False)


# --- The 28 criteria ----------------------------------------------------------------------

# Written out here from Richards 2015 Tables 3-4, independently of criteria.json.
DEFAULTS = {
    "PVS1": "very_strong", **{f"PS{i}": "strong" for i in range(1, 5)},
    **{f"PM{i}": "moderate" for i in range(1, 7)},
    **{f"PP{i}": "supporting" for i in range(1, 6)},
    "BA1": "stand_alone", **{f"BS{i}": "strong" for i in range(1, 5)},
    **{f"BP{i}": "supporting" for i in range(1, 8)},
}


def test_all_28_criteria_with_direction_and_default_strength() -> None:
    assert len(BOOK.criteria) == 28
    assert {code: c.default_strength.value for code, c in BOOK.criteria.items()} == DEFAULTS
    for code, criterion in BOOK.criteria.items():
        side = Direction.PATHOGENIC if code.startswith("P") else Direction.BENIGN
        assert criterion.direction is side
        assert len(criterion.summary) > 20


def test_recognised_strength_changes() -> None:
    pathogenic = (Strength.SUPPORTING, Strength.MODERATE, Strength.STRONG, Strength.VERY_STRONG)
    for code, criterion in BOOK.criteria.items():
        if criterion.direction is Direction.PATHOGENIC:
            assert criterion.allowed_strengths == pathogenic, code
        elif code == "BA1":
            assert criterion.allowed_strengths == (Strength.STAND_ALONE,)
        else:
            assert criterion.allowed_strengths == (Strength.SUPPORTING, Strength.STRONG), code


# --- Richards 2015 Table 5: each rule at its minimum, and one criterion short -----------------

TABLE_5 = [
    ("Pathogenic (i)(a)", "PVS1,PS1", P),
    ("Pathogenic (i)(b)", "PVS1,PM1,PM2", P),
    ("Pathogenic (i)(c)", "PVS1,PM1,PP1", P),
    ("Pathogenic (i)(d)", "PVS1,PP1,PP2", P),
    ("Pathogenic (ii)", "PS1,PS2", P),
    ("Pathogenic (iii)(a)", "PS1,PM1,PM2,PM3", P),
    ("Pathogenic (iii)(b)", "PS1,PM1,PM2,PP1,PP2", P),
    ("Pathogenic (iii)(c)", "PS1,PM1,PP1,PP2,PP3,PP4", P),
    ("Likely pathogenic (i)", "PVS1,PM1", LP),
    ("Likely pathogenic (ii)", "PS1,PM1", LP),
    ("Likely pathogenic (iii)", "PS1,PP1,PP2", LP),
    ("Likely pathogenic (iv)", "PM1,PM2,PM3", LP),
    ("Likely pathogenic (v)", "PM1,PM2,PP1,PP2", LP),
    ("Likely pathogenic (vi)", "PM1,PP1,PP2,PP3,PP4", LP),
    ("Benign (i)", "BA1", B),
    ("Benign (ii)", "BS1,BS2", B),
    ("Likely benign (i)", "BS1,BP1", LB),
    ("Likely benign (ii)", "BP1,BP2", LB),
]


@pytest.mark.parametrize(("label", "codes", "expected"), TABLE_5, ids=[r[0] for r in TABLE_5])
def test_table5_rule_at_its_minimum(label: str, codes: str, expected: Classification) -> None:
    result = strict(codes)
    assert result.richards_class is expected
    fired = result.richards_rules
    assert any(text.startswith(f"{label}:") for text in fired), fired


@pytest.mark.parametrize(("label", "codes", "expected"), TABLE_5, ids=[r[0] for r in TABLE_5])
def test_table5_rule_with_one_criterion_less(label: str, codes: str,
                                             expected: Classification) -> None:
    full = codes.split(",")
    for dropped in full:
        short = ",".join(code for code in full if code != dropped)
        if not short:
            continue  # BA1 on its own: nothing left to classify
        result = strict(short)
        assert not any(text.startswith(f"{label}:") for text in result.richards_rules), short
        assert abs(result.richards_class.rank) < abs(expected.rank), (short, result.richards_class)


def test_every_rule_in_the_data_is_tested_here() -> None:
    in_data = {rule.label for rule in BOOK.rules if not rule.amendment}
    assert in_data == {label for label, _, _ in TABLE_5}


def _minimal_set(rule: acmg.CombiningRule) -> list[str]:
    """Distinct criteria at the strengths a rule asks for, built from the rule data itself."""
    pools = {
        (Direction.PATHOGENIC, Strength.VERY_STRONG): ["PVS1", "PS2_VeryStrong", "PS3_VeryStrong"],
        (Direction.PATHOGENIC, Strength.STRONG): ["PS1", "PS2", "PS3", "PS4"],
        (Direction.PATHOGENIC, Strength.MODERATE): [f"PM{i}" for i in range(1, 7)],
        (Direction.PATHOGENIC, Strength.SUPPORTING): [f"PP{i}" for i in range(1, 6)],
        (Direction.BENIGN, Strength.STAND_ALONE): ["BA1"],
        (Direction.BENIGN, Strength.STRONG): [f"BS{i}" for i in range(1, 5)],
        (Direction.BENIGN, Strength.SUPPORTING): [f"BP{i}" for i in range(1, 8)],
    }
    chosen: list[str] = []
    for strength, count in rule.needs:
        pool = [c for c in pools[(rule.counts, strength)] if c[:3] not in {x[:3] for x in chosen}]
        chosen.extend(pool[:count])
    return chosen


@pytest.mark.parametrize("rule", BOOK.rules, ids=[rule.label for rule in BOOK.rules])
def test_rule_data_minimum_fires_and_one_less_does_not(rule: acmg.CombiningRule) -> None:
    codes = _minimal_set(rule)
    assert rule.described in acmg.classify(",".join(codes)).richards_rules
    for dropped in codes:
        rest = [c for c in codes if c != dropped]
        if rest:
            assert rule.described not in acmg.classify(",".join(rest)).richards_rules


# --- The ClinGen SVI added rule and the old combining-rule bug -------------------------------


def test_svi_added_rule_very_strong_plus_supporting_is_likely_pathogenic() -> None:
    result = acmg.classify("PVS1,PM2_Supporting")
    assert result.richards_class is LP
    assert result.richards_rules == ("Likely pathogenic (SVI): 1 Very strong AND 1 Supporting",)
    assert any("not in Richards 2015 Table 5" in note for note in result.notes)
    assert result.points == 9 and result.points_class is LP and not result.systems_disagree
    switched_off = acmg.classify("PVS1,PM2_Supporting", svi_amendment=False)
    assert switched_off.richards_class is VUS and switched_off.systems_disagree


@pytest.mark.parametrize("codes", [
    "PVS1,PM1,PP1",            # an early InterVar classfy() let its LP check overwrite this P
    "PVS1,PM1,PM2,PP1,PP2",
    "PS1,PM1,PM2,PP1,PP2",
    "PS1,PM1,PP1,PP2,PP3,PP4",
    "PS1,PS2,PM1,PM2,PM3",
])
def test_a_likely_pathogenic_rule_never_overrides_a_pathogenic_one(codes: str) -> None:
    result = strict(codes)
    assert result.richards_class is P
    assert all(text.startswith("Pathogenic") for text in result.richards_rules)


# --- Tavtigian 2020 points and every boundary -----------------------------------------------

BOUNDARIES = [
    ("PVS1,PM1", 10, P), ("PVS1,PP1", 9, LP),
    ("PS1,PM1", 6, LP), ("PS1,PP1", 5, VUS),
    ("PP1,BP1", 0, VUS), ("BP1", -1, LB),
    ("BS1,BP1,BP2", -6, LB), ("BS1,BP1,BP2,BP3", -7, B),
]


@pytest.mark.parametrize(("codes", "points", "expected"), BOUNDARIES)
def test_points_boundaries(codes: str, points: int, expected: Classification) -> None:
    result = acmg.classify(codes)
    assert (result.points, result.points_class) == (points, expected)


def test_points_bands_cover_every_whole_number() -> None:
    for points in range(-40, 41):
        expected = (P if points >= 10 else LP if points >= 6 else VUS if points >= 0
                    else LB if points >= -6 else B)
        assert acmg.points_band(points).classification is expected, points
    assert acmg.points_band(6).described == "Likely pathogenic: 6 to 9 points"
    assert acmg.points_band(-7).described == "Benign: -7 points or fewer"


def test_points_count_each_criterion_at_its_applied_strength() -> None:
    assert acmg.classify("PVS1,PS3,PM2_Supporting").points == 8 + 4 + 1
    assert acmg.classify("PVS1_Moderate,PP3_Strong,PS2_VeryStrong").points == 2 + 4 + 8
    assert acmg.classify("BA1").points == -8
    assert acmg.classify("BS1_Supporting,BP4_Strong").points == -1 - 4


def test_known_disagreements_are_flagged() -> None:
    # Tavtigian 2018: Table 5 "2 Strong" is only likely pathogenic in points, and
    # "1 Very strong + 1 Moderate" already reaches pathogenic.
    two_strong = acmg.classify("PS1,PS3")
    assert (two_strong.richards_class, two_strong.points_class) == (P, LP)
    assert two_strong.systems_disagree
    assert any("disagree" in note for note in two_strong.notes)
    assert acmg.classify("PVS1,PM1").points_class is P
    assert not acmg.classify("PVS1,PS1").systems_disagree


# --- Conflicting evidence and BA1 ----------------------------------------------------------


def test_conflicting_evidence_is_uncertain_significance() -> None:
    result = acmg.classify("PVS1,PS1,PS2,BP4")
    assert result.contradictory and result.richards_class is VUS
    assert result.richards_rules == (
        "Uncertain significance (ii): pathogenic and benign criteria contradict each other",)
    assert result.pathogenic_rules_met and not result.benign_rules_met
    assert result.points == 15 and result.points_class is P and result.systems_disagree


def test_conflict_where_both_sides_meet_a_rule() -> None:
    result = acmg.classify("PS1,PS2,BS1,BS2")
    assert result.richards_class is VUS and result.points == 0 and result.points_class is VUS
    assert result.pathogenic_rules_met == ("Pathogenic (ii): ≥2 Strong",)
    assert result.benign_rules_met == ("Benign (ii): ≥2 Strong",)


def test_ba1_alone_is_benign_in_both_systems() -> None:
    result = acmg.classify("ba1")
    assert (result.richards_class, result.points_class, result.points) == (B, B, -8)
    assert result.richards_rules == ("Benign (i): 1 Stand-alone (BA1)",)


def test_ba1_against_pathogenic_evidence_is_uncertain() -> None:
    result = acmg.classify("BA1,PVS1")
    assert result.richards_class is VUS and result.points == 0


@pytest.mark.parametrize("codes", ["BA1_Strong", "BA1_Supporting", "BA1_VeryStrong"])
def test_ba1_stands_alone_and_cannot_be_changed(codes: str) -> None:
    with pytest.raises(UsageError, match="BA1 cannot be applied"):
        acmg.parse_criteria(codes)


def test_no_criteria_is_uncertain() -> None:
    result = acmg.classify([])
    assert result.richards_class is VUS and result.points == 0
    assert result.richards_rules == (
        "Uncertain significance (i): no rule for another class is met",)


# --- Strength changes -------------------------------------------------------------------


@pytest.mark.parametrize(("codes", "expected", "label"), [
    ("PVS1_Strong,PS3", P, "Pathogenic (ii)"),
    ("PVS1_Moderate,PM1,PM4", LP, "Likely pathogenic (iv)"),
    ("PS1,PM2_Supporting,PP1", LP, "Likely pathogenic (iii)"),
    ("PS1,PM2,PP1", LP, "Likely pathogenic (ii)"),
    ("PS3_Moderate,PM1,PM2", LP, "Likely pathogenic (iv)"),
    ("PP3_Strong,PS3", P, "Pathogenic (ii)"),
    ("PP1_Moderate,PM1,PM2", LP, "Likely pathogenic (iv)"),
    ("BS1_Supporting,BP1", LB, "Likely benign (ii)"),
    ("BP4_Strong,BS1", B, "Benign (ii)"),
])
def test_criteria_count_at_the_strength_applied(codes: str, expected: Classification,
                                                label: str) -> None:
    result = strict(codes)
    assert result.richards_class is expected
    assert any(text.startswith(f"{label}:") for text in result.richards_rules)


def test_raising_a_strength_to_very_strong_never_loses_pathogenic() -> None:
    # A known pitfall in other tools: PVS1+PS1 is pathogenic, PVS1+PS1_VeryStrong fell to VUS.
    result = strict("PVS1,PS1_VeryStrong")
    assert result.richards_class is P
    assert any("stronger level filled a slot" in note for note in result.notes)
    assert strict("PS2_VeryStrong,PS1").richards_class is P


@pytest.mark.parametrize(("codes", "message"), [
    ("BS1_Moderate", "BS1 cannot be applied at Moderate"),
    ("BP4_VeryStrong", "BP4 cannot be applied at Very strong"),
    ("PM2_StandAlone", "PM2 cannot be applied at Stand-alone"),
])
def test_unrecognised_strength_changes_are_refused(codes: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        acmg.parse_criteria(codes)


def test_codes_are_written_the_clingen_way() -> None:
    parsed = acmg.parse_criteria("pm2_supporting, ps2_very strong, PVS1-Strong, PM1_Moderate")
    assert [item.code for item in parsed] == ["PVS1_Strong", "PS2_VeryStrong", "PM1",
                                              "PM2_Supporting"]
    assert [item.is_modified for item in parsed] == [True, True, False, True]


def test_descriptions_are_shown_for_every_criterion() -> None:
    result = acmg.classify("PVS1,PM2_Supporting,BP4")
    assert len(result.criterion_descriptions) == 3
    pm2 = result.criterion_descriptions[1]
    assert pm2.startswith("PM2_Supporting (pathogenic, supporting): ")
    assert "instead of its usual Moderate" in pm2


def test_cautions_for_discouraged_or_outdated_use() -> None:
    assert any(note.startswith("PP5:") for note in acmg.classify("PP5,PM1").notes)
    assert any(note.startswith("PM2:") for note in acmg.classify("PM2").notes)
    assert not any(note.startswith("PM2") for note in acmg.classify("PM2_Supporting").notes)


# --- Parsing what a counsellor types -----------------------------------------------------


def test_case_spaces_and_separators_are_tolerated() -> None:
    expected = acmg.parse_criteria("PVS1,PS3,PM2_Supporting")
    for typed in [" pvs1 ,ps3 , pm2 _ supporting ", "PM2-Supporting;PS3;PVS1",
                  "pvs1 ps3 PM2_SUPPORTING"]:
        assert acmg.parse_criteria(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("", "No ACMG/AMP criteria were given"),
    (" , ;", "No ACMG/AMP criteria were given"),
    ("PVS1,PX9", "'PX9' is not an ACMG/AMP criterion"),
    ("PVS1,PS5", "'PS5' is not an ACMG/AMP criterion"),
    ("PVS1,pvs1", r"PVS1 is given more than once \(PVS1, PVS1\)"),
    ("PM2,PM2_Supporting", r"PM2 is given more than once \(PM2, PM2_Supporting\)"),
    ("PM2_Weak", "'WEAK' is not a strength"),
    ("PM2 Supporting", "'SUPPORTING' is a strength, not a criterion"),
])
def test_parsing_errors_name_the_code(typed: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        acmg.parse_criteria(typed)
    assert caught.value.exit_code == 2


# --- A broken knowledge file is refused, naming it -----------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "acmg"
    shutil.copytree(DATA, folder)
    return folder


Change = Callable[[Any], object]


def _edit(folder: Path, name: str, change: Change) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_copied_data_loads(data_copy: Path) -> None:
    assert acmg.load_rulebook(data_copy) == BOOK


@pytest.mark.parametrize(("name", "change", "message"), [
    ("tavtigian2020_points.json", lambda d: d["bands"][1].update(highest=8), "gap or overlap"),
    ("tavtigian2020_points.json", lambda d: d.pop("bands"), "'bands' is missing"),
    ("tavtigian2020_points.json", lambda d: d["points"]["benign"].pop("strong"),
     "no points for BS1 at Strong"),
    ("criteria.json", lambda d: d["criteria"][3].update(default_strength="huge"),
     "unknown value 'huge' in criterion PS3"),
    ("criteria.json", lambda d: d["criteria"][0].update(source="nowhere"), "unknown source"),
    ("richards2015_rules.json", lambda d: d["rules"][0]["needs"].update(strong="one"),
     "'strong' in rule 'Pathogenic \\(i\\)\\(a\\)' should be a int"),
    ("richards2015_rules.json", lambda d: d["rules"][4].update(classification="nasty"),
     "unknown value 'nasty'"),
])
def test_schema_problems_are_refused(data_copy: Path, name: str, change: Change,
                                     message: str) -> None:
    _edit(data_copy, name, change)
    with pytest.raises(BadInputError, match=f"{name}.*{message}"):
        acmg.load_rulebook(data_copy)


def test_unreadable_or_missing_files_are_refused(data_copy: Path) -> None:
    (data_copy / "criteria.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"criteria.json is not valid JSON \(line 1\)"):
        acmg.load_rulebook(data_copy)
    (data_copy / "sources.json").unlink()
    with pytest.raises(BadInputError, match=r"sources\.json is missing"):
        acmg.load_rulebook(data_copy)


def test_every_source_is_cited_fully_and_documented() -> None:
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for key, source in BOOK.sources.items():
        assert source["year"] and source["citation"] and (source.get("doi") or source.get("url"))
        assert key in text, key


# --- Properties over any set of criteria ----------------------------------------------------

CODES = list(BOOK.criteria)


@st.composite
def evidence(draw: st.DrawFn, codes: list[str] = CODES) -> list[acmg.AppliedCriterion]:
    chosen = draw(st.lists(st.sampled_from(codes), unique=True, max_size=10))
    return [acmg.AppliedCriterion(BOOK.criteria[code],
                                  draw(st.sampled_from(BOOK.criteria[code].allowed_strengths)))
            for code in chosen]


def _one_more(data: st.DataObject, have: list[acmg.AppliedCriterion],
              direction: Direction) -> acmg.AppliedCriterion:
    taken = {item.criterion.code for item in have}
    free = [c for c in CODES if c not in taken and BOOK.criteria[c].direction is direction]
    code = data.draw(st.sampled_from(free))
    return acmg.AppliedCriterion(BOOK.criteria[code],
                                 data.draw(st.sampled_from(BOOK.criteria[code].allowed_strengths)))


PATHOGENIC_CODES = [c for c in CODES if BOOK.criteria[c].direction is Direction.PATHOGENIC]
BENIGN_CODES = [c for c in CODES if BOOK.criteria[c].direction is Direction.BENIGN]


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_more_pathogenic_evidence_never_makes_the_points_more_benign(data: st.DataObject) -> None:
    have = data.draw(evidence())
    extra = _one_more(data, have, Direction.PATHOGENIC)
    before, after = acmg.classify(have), acmg.classify([*have, extra])
    assert after.points > before.points
    assert after.points_class.rank >= before.points_class.rank


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_more_benign_evidence_never_makes_the_points_more_pathogenic(data: st.DataObject) -> None:
    have = data.draw(evidence())
    extra = _one_more(data, have, Direction.BENIGN)
    before, after = acmg.classify(have), acmg.classify([*have, extra])
    assert after.points < before.points
    assert after.points_class.rank <= before.points_class.rank


@settings(max_examples=300, deadline=None, database=None)
@given(evidence())
def test_rules_give_uncertain_whenever_both_sides_have_evidence(
        have: list[acmg.AppliedCriterion]) -> None:
    result = acmg.classify(have)
    directions = {item.direction for item in have}
    assert result.contradictory == (len(directions) == 2)
    if result.contradictory:
        assert result.richards_class is VUS
    if Direction.PATHOGENIC not in directions:
        assert result.richards_class.rank <= 0
    if Direction.BENIGN not in directions:
        assert result.richards_class.rank >= 0


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_rules_are_monotone_within_one_side(data: st.DataObject) -> None:
    for direction, codes, sign in ((Direction.PATHOGENIC, PATHOGENIC_CODES, 1),
                                   (Direction.BENIGN, BENIGN_CODES, -1)):
        have = data.draw(evidence(codes))
        extra = _one_more(data, have, direction)
        before, after = acmg.classify(have), acmg.classify([*have, extra])
        assert sign * after.richards_class.rank >= sign * before.richards_class.rank
        # Raising any one criterion to its strongest allowed level never lowers the class.
        for index, item in enumerate(have):
            strongest = item.criterion.allowed_strengths[-1]
            raised = [*have[:index], acmg.AppliedCriterion(item.criterion, strongest),
                      *have[index + 1:]]
            assert sign * acmg.classify(raised).richards_class.rank >= (
                sign * before.richards_class.rank)


@settings(max_examples=200, deadline=None, database=None)
@given(evidence(), st.randoms(use_true_random=False))
def test_order_and_spelling_do_not_matter(have: list[acmg.AppliedCriterion],
                                          rnd: random.Random) -> None:
    shuffled = list(have)
    rnd.shuffle(shuffled)
    result = acmg.classify(have)
    assert acmg.classify(shuffled) == result
    if have:
        typed = " , ".join(item.code.lower() for item in shuffled)
        assert acmg.classify(typed) == result
    # Tavtigian 2020 points, written out here independently of the data file.
    worth = {Strength.SUPPORTING: 1, Strength.MODERATE: 2, Strength.STRONG: 4,
             Strength.VERY_STRONG: 8, Strength.STAND_ALONE: 8}
    sign = {Direction.PATHOGENIC: 1, Direction.BENIGN: -1}
    assert result.points == sum(sign[item.direction] * worth[item.strength] for item in have)
    assert result.systems_disagree == (result.richards_class is not result.points_class)
