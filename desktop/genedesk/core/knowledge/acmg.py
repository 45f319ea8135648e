"""ACMG/AMP 2015 variant classification: two answers from the same criteria, side by side.

A counsellor applies criteria such as ``PVS1,PS3,PM2_Supporting``. GeneDesk answers with
(1) the Richards et al. 2015 combining rules (Table 5), naming the rule that fired, and
(2) the Tavtigian et al. 2020 points, with a flag when the two disagree. The criteria, the
rules, the allowed strength changes and the points are data in ``resources/knowledge/acmg``,
each with its citation (SOURCES.md there records the judgement calls); this module only reads
them. It is pure logic: no vault, no files written, no clock.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from genedesk.core.errors import BadInputError, UsageError
from genedesk.core.paths import resources_dir

CRITERIA_FILE = "criteria.json"
RULES_FILE = "richards2015_rules.json"
POINTS_FILE = "tavtigian2020_points.json"
SOURCES_FILE = "sources.json"


class Direction(StrEnum):
    PATHOGENIC = "pathogenic"
    BENIGN = "benign"


class Strength(StrEnum):
    SUPPORTING = "supporting"
    MODERATE = "moderate"
    STRONG = "strong"
    VERY_STRONG = "very_strong"
    STAND_ALONE = "stand_alone"

    @property
    def rank(self) -> int:
        return list(Strength).index(self)

    @property
    def label(self) -> str:
        if self is Strength.STAND_ALONE:
            return "Stand-alone"
        return self.replace("_", " ").capitalize()

    @property
    def suffix(self) -> str:
        """As written after a code (ClinGen SVI style): PM2_Supporting, PS2_VeryStrong."""
        return self.label.title().replace(" ", "").replace("-", "")


class Classification(StrEnum):
    PATHOGENIC = "pathogenic"
    LIKELY_PATHOGENIC = "likely_pathogenic"
    UNCERTAIN_SIGNIFICANCE = "uncertain_significance"
    LIKELY_BENIGN = "likely_benign"
    BENIGN = "benign"

    @property
    def label(self) -> str:
        return self.replace("_", " ").capitalize()

    @property
    def rank(self) -> int:
        """Benign -2 … pathogenic +2, so that classes can be compared."""
        return 2 - list(Classification).index(self)


@dataclass(frozen=True)
class Criterion:
    code: str
    direction: Direction
    default_strength: Strength
    allowed_strengths: tuple[Strength, ...]
    summary: str
    caution: str | None = None
    # PM2's caution ("apply it at Supporting") only matters while it is left at its default.
    caution_only_at_default: bool = False


@dataclass(frozen=True)
class AppliedCriterion:
    """A criterion as the counsellor applied it, possibly at a changed strength."""

    criterion: Criterion
    strength: Strength

    @property
    def code(self) -> str:
        base = self.criterion.code
        return f"{base}_{self.strength.suffix}" if self.is_modified else base

    @property
    def direction(self) -> Direction:
        return self.criterion.direction

    @property
    def is_modified(self) -> bool:
        return self.strength is not self.criterion.default_strength

    @property
    def description(self) -> str:
        text = f"{self.code} ({self.direction}, {self.strength.label.lower()}): "
        text += self.criterion.summary
        if self.is_modified:
            text += (f" Applied at {self.strength.label} instead of its usual "
                     f"{self.criterion.default_strength.label}.")
        return text


@dataclass(frozen=True)
class CombiningRule:
    label: str
    classification: Classification
    counts: Direction
    needs: tuple[tuple[Strength, int], ...]
    text: str
    source: str
    amendment: bool = False

    @property
    def described(self) -> str:
        return f"{self.label}: {self.text}"


@dataclass(frozen=True)
class PointsBand:
    classification: Classification
    lowest: int | None
    highest: int | None

    def holds(self, points: int) -> bool:
        return ((self.lowest is None or points >= self.lowest)
                and (self.highest is None or points <= self.highest))

    @property
    def described(self) -> str:
        if self.lowest is None:
            span = f"{self.highest} points or fewer"
        elif self.highest is None:
            span = f"{self.lowest} points or more"
        else:
            span = f"{self.lowest} to {self.highest} points"
        return f"{self.classification.label}: {span}"


@dataclass(frozen=True)
class Rulebook:
    """Everything the engine knows, read from resources/knowledge/acmg."""

    criteria: Mapping[str, Criterion]
    rules: tuple[CombiningRule, ...]
    no_rule: str
    contradictory: str
    points: Mapping[tuple[Direction, Strength], int]
    bands: tuple[PointsBand, ...]
    sources: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class AcmgResult:
    """Both classifications for one set of applied criteria; a face shows both."""

    criteria: tuple[AppliedCriterion, ...]
    richards_class: Classification
    richards_rules: tuple[str, ...]
    pathogenic_rules_met: tuple[str, ...]
    benign_rules_met: tuple[str, ...]
    contradictory: bool
    points: int
    points_class: Classification
    points_band: str
    svi_amendment: bool
    notes: tuple[str, ...]

    @property
    def systems_disagree(self) -> bool:
        return self.richards_class is not self.points_class

    @property
    def criterion_descriptions(self) -> tuple[str, ...]:
        return tuple(applied.description for applied in self.criteria)

    @property
    def codes(self) -> str:
        return ",".join(applied.code for applied in self.criteria)

    def summary(self) -> str:
        return "\n".join([
            f"Criteria: {self.codes or 'none'}",
            f"ACMG/AMP 2015 rules: {self.richards_class.label} — "
            + "; ".join(self.richards_rules),
            f"Points (Tavtigian 2020): {self.points} → {self.points_band}",
            *self.notes,
        ])


# --- Reading the rule data ------------------------------------------------------------------

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)


class _File:
    """One knowledge file; every complaint names the file and the record."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        try:
            self.data: Any = json.loads((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BadInputError(
                f"The ACMG knowledge file {name} is missing from {folder}.") from None
        except json.JSONDecodeError as exc:
            raise BadInputError(f"The ACMG knowledge file {name} is not valid JSON "
                                f"(line {exc.lineno}).") from None
        except (OSError, UnicodeDecodeError):
            raise BadInputError(f"The ACMG knowledge file {name} cannot be read.") from None
        self.get(self.data, "format", "the file", str)

    def fail(self, problem: str) -> BadInputError:
        return BadInputError(f"The ACMG knowledge file {self.name}: {problem}.")

    def get(self, record: Any, key: str, where: str, kind: type[_T]) -> _T:
        if not isinstance(record, dict) or key not in record:
            raise self.fail(f"'{key}' is missing in {where}")
        value = record[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"'{key}' in {where} should be a {kind.__name__}")
        return value

    def choice(self, kind: type[_E], value: object, where: str) -> _E:
        try:
            return kind(str(value))
        except ValueError:
            raise self.fail(f"unknown value '{value}' in {where}") from None


def _read_criteria(folder: Path, sources: Mapping[str, Any]) -> dict[str, Criterion]:
    file = _File(folder, CRITERIA_FILE)
    criteria: dict[str, Criterion] = {}
    for number, record in enumerate(file.get(file.data, "criteria", "the file", list), 1):
        code = file.get(record, "code", f"criterion {number}", str).upper()
        where = f"criterion {code}"
        default = file.choice(Strength, file.get(record, "default_strength", where, str), where)
        allowed = sorted((file.choice(Strength, value, where)
                          for value in file.get(record, "allowed_strengths", where, list)),
                         key=lambda strength: strength.rank)
        if default not in allowed or code in criteria:
            raise file.fail(f"{code} is listed twice or may not be applied at its default strength")
        for key in ("source", "strength_changes_source"):
            if file.get(record, key, where, str) not in sources:
                raise file.fail(f"{code} names an unknown source in '{key}'")
        caution = record.get("caution")
        criteria[code] = Criterion(
            code=code,
            direction=file.choice(Direction, file.get(record, "direction", where, str), where),
            default_strength=default,
            allowed_strengths=tuple(allowed),
            summary=file.get(record, "summary", where, str),
            caution=str(caution) if caution else None,
            caution_only_at_default=record.get("caution_when") == "applied_at_default_strength",
        )
    if not criteria:
        raise file.fail("no criteria are listed")
    return criteria


def _read_rules(folder: Path, sources: Mapping[str, Any]) -> tuple[list[CombiningRule], str, str]:
    file = _File(folder, RULES_FILE)
    rules = []
    for number, record in enumerate(file.get(file.data, "rules", "the file", list), 1):
        label = file.get(record, "label", f"rule {number}", str)
        where = f"rule '{label}'"
        needs = tuple(
            (file.choice(Strength, strength, where),
             file.get(record["needs"], strength, where, int))
            for strength in file.get(record, "needs", where, dict)
        )
        if not needs or any(count < 1 for _, count in needs):
            raise file.fail(f"{where} must need at least one criterion in each slot")
        source = file.get(record, "source", where, str)
        if source not in sources:
            raise file.fail(f"{where} names an unknown source '{source}'")
        rules.append(CombiningRule(
            label=label,
            classification=file.choice(
                Classification, file.get(record, "classification", where, str), where),
            counts=file.choice(Direction, file.get(record, "counts", where, str), where),
            needs=needs,
            text=file.get(record, "text", where, str),
            source=source,
            amendment=record.get("amendment") is True,
        ))
    uncertain = file.get(file.data, "uncertain", "the file", dict)

    def fallback(key: str) -> str:
        entry = file.get(uncertain, key, "'uncertain'", dict)
        return f"{file.get(entry, 'label', key, str)}: {file.get(entry, 'text', key, str)}"

    return rules, fallback("no_rule"), fallback("contradictory")


def _read_points(folder: Path) -> tuple[dict[tuple[Direction, Strength], int], list[PointsBand]]:
    file = _File(folder, POINTS_FILE)
    points: dict[tuple[Direction, Strength], int] = {}
    table = file.get(file.data, "points", "the file", dict)
    for direction_name in table:
        direction = file.choice(Direction, direction_name, "'points'")
        for strength_name in file.get(table, direction_name, "'points'", dict):
            where = f"'points.{direction_name}'"
            points[(direction, file.choice(Strength, strength_name, where))] = file.get(
                table[direction_name], strength_name, where, int)
    bands = []
    for number, band in enumerate(file.get(file.data, "bands", "the file", list), 1):
        where = f"band {number}"
        lowest, highest = (band.get(key) if isinstance(band, dict) else None
                           for key in ("lowest", "highest"))
        if not all(value is None or type(value) is int for value in (lowest, highest)):
            raise file.fail(f"the limits of {where} should be whole numbers or null")
        bands.append(PointsBand(
            file.choice(Classification, file.get(band, "classification", where, str), where),
            lowest, highest))
    # Bands run from most pathogenic down and touch, so every whole number has exactly one.
    ends_open = bool(bands) and bands[0].highest is None and bands[-1].lowest is None
    touching = all(upper.lowest is not None and lower.highest == upper.lowest - 1
                   for upper, lower in itertools.pairwise(bands))
    if not (ends_open and touching):
        raise file.fail("the point bands leave a gap or overlap, or do not run from "
                        "'10 or more' down to 'or fewer'")
    return points, bands


def load_rulebook(folder: Path | None = None) -> Rulebook:
    """Read and check the ACMG rule data; a broken file is refused, naming it."""
    folder = folder if folder is not None else resources_dir() / "knowledge" / "acmg"
    sources_file = _File(folder, SOURCES_FILE)
    sources = sources_file.get(sources_file.data, "sources", "the file", dict)
    criteria = _read_criteria(folder, sources)
    rules, no_rule, contradictory = _read_rules(folder, sources)
    points, bands = _read_points(folder)
    for criterion in criteria.values():
        for strength in criterion.allowed_strengths:
            if (criterion.direction, strength) not in points:
                raise BadInputError(f"The ACMG knowledge file {POINTS_FILE}: no points for "
                                    f"{criterion.code} at {strength.label}.")
    return Rulebook(criteria=criteria, rules=tuple(rules), no_rule=no_rule,
                    contradictory=contradictory, points=points, bands=tuple(bands),
                    sources=sources)


@cache
def default_rulebook() -> Rulebook:
    return load_rulebook()


# --- Reading criteria as a counsellor types them -------------------------------------------

_SUFFIXES = {strength.suffix.upper(): strength for strength in Strength}
_EXAMPLE = "for example PVS1,PS3,PM2_Supporting"


def parse_criteria(text: str, rulebook: Rulebook | None = None) -> tuple[AppliedCriterion, ...]:
    """``"pvs1, PS3 ,PM2_Supporting"`` → applied criteria; unknown or repeated codes refused."""
    # Tolerate "PS2_Very Strong", "very-strong", "PM2 _ supporting" and "PM2-Supporting".
    cleaned = re.sub(r"very[\s_-]*strong", "VERYSTRONG", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"stand[\s_-]*alone", "STANDALONE", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s*[_-]\s*", "_", cleaned)
    tokens = [token for token in re.split(r"[,;\s]+", cleaned) if token]
    if not tokens:
        raise UsageError(f"No ACMG/AMP criteria were given; separate them by commas, {_EXAMPLE}.")
    return criteria_from_codes(tokens, rulebook)


def criteria_from_codes(
    codes: Iterable[str], rulebook: Rulebook | None = None
) -> tuple[AppliedCriterion, ...]:
    """Codes such as "PM2_Supporting", one each, in the order of the criteria table."""
    book = rulebook or default_rulebook()
    applied = [_one_code(code.strip().upper(), book) for code in codes]
    counted = Counter(item.criterion.code for item in applied)
    for code, times in counted.items():
        if times > 1:
            given = ", ".join(item.code for item in applied if item.criterion.code == code)
            raise UsageError(
                f"{code} is given more than once ({given}); apply each criterion once.")
    order = list(book.criteria)
    return tuple(sorted(applied, key=lambda item: order.index(item.criterion.code)))


def _one_code(token: str, book: Rulebook) -> AppliedCriterion:
    base, _, suffix = token.partition("_")
    criterion = book.criteria.get(base)
    if criterion is None:
        if base in _SUFFIXES:
            raise UsageError(f"'{token}' is a strength, not a criterion; join it to its code, "
                             f"{_EXAMPLE}.")
        raise UsageError(f"'{token}' is not an ACMG/AMP criterion. Known codes: PVS1, PS1–PS4, "
                         f"PM1–PM6, PP1–PP5, BA1, BS1–BS4, BP1–BP7 ({_EXAMPLE}).")
    if not suffix:
        return AppliedCriterion(criterion, criterion.default_strength)
    strength = _SUFFIXES.get(suffix.replace("_", ""))
    if strength is None:
        raise UsageError(f"'{token}': '{suffix}' is not a strength; use Supporting, Moderate, "
                         "Strong or VeryStrong.")
    if strength not in criterion.allowed_strengths:
        allowed = ", ".join(s.label for s in criterion.allowed_strengths)
        raise UsageError(f"'{token}': {criterion.code} cannot be applied at {strength.label}; "
                         f"the strengths recognised for it are: {allowed}.")
    return AppliedCriterion(criterion, strength)


# --- Classifying ----------------------------------------------------------------------------


def _fills(needs: Iterable[tuple[Strength, int]], have: Mapping[Strength, int], *,
           stand_in: bool) -> bool:
    """Whether the criteria fill every slot of a rule.

    Slots are filled from the strongest down. With `stand_in`, criteria left over at a stronger
    level fill weaker slots, so raising a criterion's strength can never lose a rule it met
    (PVS1 + PS2_VeryStrong meets "1 Very strong AND ≥1 Strong").
    """
    wanted = dict(needs)
    spare = 0
    for strength in sorted(Strength, key=lambda s: s.rank, reverse=True):
        available = have.get(strength, 0) + spare
        if available < wanted.get(strength, 0):
            return False
        spare = available - wanted.get(strength, 0) if stand_in else 0
    return True


def _side(
    rules: Iterable[CombiningRule], have: Mapping[Strength, int]
) -> tuple[Classification | None, tuple[CombiningRule, ...], bool]:
    """The strongest class one side's criteria reach, the rules to name for it, and whether a
    stronger criterion had to stand in for a weaker one to reach it.

    Rules met as written are named in preference to rules met only by standing in, so PVS1+PS3
    is "Pathogenic (i)(a)" and not also "Pathogenic (ii)" through PVS1 counting as a Strong.
    """
    met = [rule for rule in rules if _fills(rule.needs, have, stand_in=True)]
    if not met:
        return None, (), False
    # Within one side the class further from "uncertain" wins: P over LP, B over LB.
    best = max(abs(rule.classification.rank) for rule in met)
    top = tuple(rule for rule in met if abs(rule.classification.rank) == best)
    as_written = tuple(rule for rule in top if _fills(rule.needs, have, stand_in=False))
    return top[0].classification, as_written or top, not as_written


def points_band(points: int, rulebook: Rulebook | None = None) -> PointsBand:
    book = rulebook or default_rulebook()
    return next(band for band in book.bands if band.holds(points))


def classify(
    criteria: str | Iterable[AppliedCriterion],
    *,
    svi_amendment: bool = True,
    rulebook: Rulebook | None = None,
) -> AcmgResult:
    """Classify by Richards 2015 (plus the ClinGen SVI added rule unless switched off) and by
    Tavtigian 2020 points. Every criterion counts at the strength it was applied."""
    book = rulebook or default_rulebook()
    if isinstance(criteria, str):
        applied = parse_criteria(criteria, book)
    else:
        applied = criteria_from_codes((item.code for item in criteria), book)

    have: dict[Direction, Counter[Strength]] = {direction: Counter() for direction in Direction}
    for item in applied:
        have[item.direction][item.strength] += 1
    rules = [rule for rule in book.rules if svi_amendment or not rule.amendment]
    path_class, path_rules, path_stood_in = _side(
        [r for r in rules if r.counts is Direction.PATHOGENIC], have[Direction.PATHOGENIC])
    benign_class, benign_rules, benign_stood_in = _side(
        [r for r in rules if r.counts is Direction.BENIGN], have[Direction.BENIGN])
    # Richards: pathogenic and benign evidence together is uncertain significance ("the
    # criteria for benign and pathogenic are contradictory"), whatever each side meets alone.
    contradictory = bool(have[Direction.PATHOGENIC]) and bool(have[Direction.BENIGN])

    notes: list[str] = []
    fired: tuple[CombiningRule, ...] = ()
    stood_in = False
    if contradictory:
        richards = Classification.UNCERTAIN_SIGNIFICANCE
        notes.append(f"On their own, the pathogenic criteria meet {_named(path_rules)} and the "
                     f"benign criteria meet {_named(benign_rules)}.")
    elif path_class is not None:
        richards, fired, stood_in = path_class, path_rules, path_stood_in
    elif benign_class is not None:
        richards, fired, stood_in = benign_class, benign_rules, benign_stood_in
    else:
        richards = Classification.UNCERTAIN_SIGNIFICANCE
    if fired and stood_in:
        notes.append("A criterion applied at a stronger level filled a slot that asks for a "
                     "weaker one.")
    for rule in fired:
        if rule.amendment:
            citation = book.sources.get(rule.source, {}).get("citation", rule.source)
            notes.append(f"{rule.label} is not in Richards 2015 Table 5; it comes from {citation}")

    points = sum(book.points[(item.direction, item.strength)] for item in applied)
    band = points_band(points, book)
    for item in applied:
        if item.criterion.caution and not (item.criterion.caution_only_at_default
                                           and item.is_modified):
            notes.append(f"{item.code}: {item.criterion.caution}")
    if richards is not band.classification:
        notes.append(f"The two systems disagree: the rules give {richards.label}, the points give "
                     f"{band.classification.label}. The counsellor decides; a manual class needs "
                     "a reason.")
    if fired:
        fired_text = tuple(rule.described for rule in fired)
    else:
        fired_text = (book.contradictory if contradictory else book.no_rule,)
    return AcmgResult(
        criteria=applied,
        richards_class=richards,
        richards_rules=fired_text,
        pathogenic_rules_met=tuple(rule.described for rule in path_rules),
        benign_rules_met=tuple(rule.described for rule in benign_rules),
        contradictory=contradictory,
        points=points,
        points_class=band.classification,
        points_band=band.described,
        svi_amendment=svi_amendment,
        notes=tuple(notes),
    )


def _named(rules: tuple[CombiningRule, ...]) -> str:
    return " and ".join(rule.described for rule in rules) if rules else "no rule"
