"""Plain-language explanations of a finding: for the patient, for relatives, for the clinician.

The words are data, not code. `resources/knowledge/explanations/<language>/` holds the condition
texts (written in our own words from the sources in `sources.json`), the template sentences, the
glossary and the clinician phrases; the language-neutral files beside them say which sources each
condition text rests on and tie every (gene, condition) row of the gene table to a text set. A new
language is a new folder with the same keys; this module checks that on load and refuses a set
that lacks a key, uses an unknown placeholder or cites an unknown source.

What this module decides is only *which* sentences fit a finding: its classification, zygosity,
the inheritance of the condition and the patient's sex at birth. Situations that the data alone
cannot settle (a heterozygous X call in a male, two changes whose phase is unknown, a possibly
biallelic finding in a dominant gene) get a careful text plus a review note for the counsellor;
the note is never printed for the patient.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from genedesk.core.errors import BadInputError, NotFoundError, UsageError
from genedesk.core.knowledge.acmg import Classification
from genedesk.core.knowledge.genes import Condition, Gene, GeneTable, shipped_genes
from genedesk.core.paths import resources_dir

DEFAULT_LANGUAGE = "en"
SEXES: tuple[str, ...] = ("female", "male", "unknown")
# Inheritance codes the texts cover. MT is a valid gene-table code but has no texts: heteroplasmy
# would need its own words, and no gene on the shipped list is mitochondrial.
INHERITANCE: tuple[str, ...] = ("AD", "AR", "XL", "XLR", "XLD")

_PATIENT_PLACEHOLDERS = frozenset({"gene", "name", "short", "others"})
_CLINICIAN_PLACEHOLDERS = frozenset(
    {
        "gene",
        "classification_label",
        "zygosity_label",
        "sex_label",
        "condition",
        "identifiers",
        "inheritance_label",
        "sf_list",
        "variants_to_report",
        "name",
        "given",
        "expected",
    }
)
_FORMATS = {
    "sources.json": "genedesk-explanation-sources/1",
    "conditions.json": "genedesk-explanation-conditions/1",
    "texts": "genedesk-explanation-texts/1",
    "templates": "genedesk-explanation-templates/1",
    "glossary": "genedesk-explanation-glossary/1",
    "terms": "genedesk-explanation-genetic-terms/1",
    "clinician": "genedesk-explanation-clinician/1",
}


class Zygosity(StrEnum):
    HETEROZYGOUS = "heterozygous"
    HOMOZYGOUS = "homozygous"
    HEMIZYGOUS = "hemizygous"
    TWO_CHANGES_PHASE_UNKNOWN = "two_changes_phase_unknown"
    UNKNOWN = "unknown"


class Audience(StrEnum):
    PATIENT = "patient"
    FAMILY = "family"
    CLINICIAN = "clinician"


_ZYGOSITY_ALIASES = {
    "het": Zygosity.HETEROZYGOUS,
    "hom": Zygosity.HOMOZYGOUS,
    "hemi": Zygosity.HEMIZYGOUS,
    "compound_heterozygous": Zygosity.TWO_CHANGES_PHASE_UNKNOWN,
    "compound_het_phase_unknown": Zygosity.TWO_CHANGES_PHASE_UNKNOWN,
    "": Zygosity.UNKNOWN,
}
_CLASSIFICATION_ALIASES = {"vus": Classification.UNCERTAIN_SIGNIFICANCE}


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    version: str
    read_at: str  # the stored copy that was read (may differ from the canonical url)
    read_on: str
    used_for: str


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    audience: Audience
    language: str
    gene: str
    condition: str  # the knowledge-base condition name
    classification: Classification
    situation: str  # which case of the templates was used, e.g. "ar_carrier" (for audit)
    title: str
    paragraphs: tuple[str, ...]
    glossary_terms: tuple[GlossaryEntry, ...]
    sources: tuple[Source, ...]
    review_notes: tuple[str, ...]  # for the counsellor only; never part of `text`

    @property
    def text(self) -> str:
        """Everything the reader sees, in order: the title, then each paragraph."""
        return "\n\n".join((self.title, *self.paragraphs))

    @property
    def reading_grade(self) -> float:
        """Flesch-Kincaid grade of `text` (textstat), as the tests measure it."""
        import textstat  # imported here: only callers that want the grade pay for it

        return float(textstat.flesch_kincaid_grade(self.text))


# --- the data files -----------------------------------------------------------------------


@dataclass(frozen=True)
class _ConditionText:
    name: str
    short: str
    about: tuple[str, ...]
    care: tuple[str, ...]
    care_female: tuple[str, ...]
    care_male: tuple[str, ...]
    family: tuple[str, ...]
    heterozygous_x: tuple[str, ...]
    carrier: tuple[str, ...]
    two_copies: tuple[str, ...]


@dataclass(frozen=True)
class _Shared:
    sources: Mapping[str, Source]
    condition_sources: Mapping[str, tuple[str, ...]]
    gene_notes: Mapping[str, tuple[str, ...]]  # SYMBOL -> note keys
    gene_note_sources: Mapping[str, tuple[str, ...]]  # SYMBOL -> source keys
    condition_keys: Mapping[tuple[str, str], str]  # (SYMBOL, kb condition lower) -> text key


@dataclass(frozen=True)
class _Texts:
    language: str
    conditions: Mapping[str, _ConditionText]
    gene_notes: Mapping[str, Mapping[str, tuple[str, ...]]]  # note -> audience -> sentences
    templates: Mapping[str, str]
    template_sources: Mapping[str, tuple[str, ...]]  # all / disease / vus / benign -> keys
    glossary: tuple[GlossaryEntry, ...]
    genetic_terms: tuple[str, ...]
    clinician: Mapping[str, str]
    clinician_sources: tuple[str, ...]
    labels: Mapping[str, Mapping[str, str]]


def explanations_dir() -> Path:
    return resources_dir() / "knowledge" / "explanations"


def _problem(path: Path, where: str, what: str) -> BadInputError:
    return BadInputError(
        f"{path.name}{' (' + where + ')' if where else ''}: {what}.",
        hint="The explanation texts ship with GeneDesk; reinstall, or fix the file and re-run the tests.",
    )


def _read_json(path: Path, fmt: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(path, "", "the file is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _problem(path, "", f"cannot be read ({error.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise _problem(path, "format", f"expected {fmt!r}")
    return data


def _strings(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _problem(path, where, "expected a list of sentences")
    return tuple(value)


def _check_placeholders(path: Path, where: str, text: str, allowed: frozenset[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise _problem(path, where, "a '{' or '}' is not part of a placeholder") from None
    unknown = sorted(names - allowed)
    if unknown:
        raise _problem(path, where, f"unknown placeholder {{{unknown[0]}}}")


def _check_plain(path: Path, where: str, sentences: Iterable[str]) -> None:
    """Condition texts are used as they are: a brace there would be a leftover placeholder."""
    for sentence in sentences:
        if "{" in sentence or "}" in sentence:
            raise _problem(path, where, "condition texts may not contain placeholders")


def load_shared(folder: Path | None = None) -> _Shared:
    folder = folder if folder is not None else explanations_dir()
    path = folder / "sources.json"
    raw_sources = _read_json(path, _FORMATS["sources.json"]).get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        raise _problem(path, "sources", "no sources")
    sources: dict[str, Source] = {}
    for key, entry in raw_sources.items():
        fields = ("title", "url", "version", "read_at", "read_on", "used_for")
        if not isinstance(entry, dict) or any(
            not isinstance(entry.get(f), str) or not entry[f] for f in fields
        ):
            raise _problem(path, key, f"each source needs {', '.join(fields)}")
        sources[key] = Source(key, *(entry[f] for f in fields))

    path = folder / "conditions.json"
    data = _read_json(path, _FORMATS["conditions.json"])
    condition_sources: dict[str, tuple[str, ...]] = {}
    for key, entry in (data.get("conditions") or {}).items():
        cited = _strings(path, key, entry.get("sources"))
        if not cited:
            raise _problem(path, key, "a condition text must cite at least one source")
        missing = [c for c in cited if c not in sources]
        if missing:
            raise _problem(path, key, f"cites unknown source {missing[0]!r}")
        condition_sources[key] = cited
    gene_notes: dict[str, tuple[str, ...]] = {}
    gene_note_sources: dict[str, tuple[str, ...]] = {}
    for symbol, entry in (data.get("genes") or {}).items():
        gene_notes[symbol.upper()] = _strings(path, symbol, entry.get("notes"))
        cited = _strings(path, symbol, entry.get("sources"))
        missing = [c for c in cited if c not in sources]
        if not cited or missing:
            raise _problem(path, symbol, "gene notes must cite known sources")
        gene_note_sources[symbol.upper()] = cited

    path = folder / "gene_conditions.tsv"
    condition_keys: dict[tuple[str, str], str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise _problem(path, "", "the file is missing or unreadable") from None
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if cells != ["symbol", "condition", "condition_key"]:
                raise _problem(
                    path, f"line {number}", "header must be symbol, condition, condition_key"
                )
            header_seen = True
            continue
        if len(cells) != 3 or cells[2] not in condition_sources:
            raise _problem(path, f"line {number}", "needs a symbol, a condition and a known key")
        condition_keys[(cells[0].upper(), cells[1].strip().lower())] = cells[2]
    return _Shared(sources, condition_sources, gene_notes, gene_note_sources, condition_keys)


def _condition_text(path: Path, key: str, entry: Any) -> _ConditionText:
    if not isinstance(entry, dict):
        raise _problem(path, key, "expected an object")
    name, short = entry.get("name"), entry.get("short")
    if not isinstance(name, str) or not isinstance(short, str) or not name or not short:
        raise _problem(path, key, "needs a name and a short name")
    parts = {
        field: _strings(path, f"{key}.{field}", entry.get(field))
        for field in (
            "about",
            "care",
            "care_female",
            "care_male",
            "family",
            "heterozygous_x",
            "carrier",
            "two_copies",
        )
    }
    if not parts["about"] or not parts["care"]:
        raise _problem(path, key, "needs 'about' and 'care' sentences")
    _check_plain(path, key, [name, short, *(s for group in parts.values() for s in group)])
    return _ConditionText(name=name, short=short, **parts)


def load_texts(language: str = DEFAULT_LANGUAGE, folder: Path | None = None) -> _Texts:
    folder = folder if folder is not None else explanations_dir()
    shared = load_shared(folder)
    base = folder / language
    if not base.is_dir():
        raise NotFoundError(
            f"No plain-language texts in language {language!r} yet "
            f"(available: {', '.join(languages(folder)) or 'none'})."
        )

    path = base / "conditions.json"
    data = _read_json(path, _FORMATS["texts"])
    raw = data.get("conditions") or {}
    conditions = {key: _condition_text(path, key, entry) for key, entry in raw.items()}
    missing = sorted(set(shared.condition_sources) - set(conditions))
    if missing:
        raise _problem(path, missing[0], "no text for this condition key")
    notes: dict[str, dict[str, tuple[str, ...]]] = {}
    for note, entry in (data.get("gene_notes") or {}).items():
        notes[note] = {
            audience: _strings(path, f"{note}.{audience}", entry.get(audience))
            for audience in ("patient", "family")
        }
        _check_plain(path, note, [s for group in notes[note].values() for s in group])
    needed = {n for keys in shared.gene_notes.values() for n in keys}
    lacking = sorted(n for n in needed if not all(notes.get(n, {}).values()))
    if lacking:
        raise _problem(path, lacking[0], "gene note needs patient and family sentences")

    path = base / "templates.json"
    data = _read_json(path, _FORMATS["templates"])
    templates = data.get("templates") or {}
    for key in REQUIRED_TEMPLATES:
        if not isinstance(templates.get(key), str) or not templates[key].strip():
            raise _problem(path, key, "required template is missing")
    for key, text in templates.items():
        _check_placeholders(path, key, text, _PATIENT_PLACEHOLDERS)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, dict):
        raise _problem(path, "sources", "expected lists of source keys by kind of finding")
    template_sources = {
        kind: _strings(path, f"sources.{kind}", raw_sources.get(kind))
        for kind in ("all", "disease", "vus", "benign")
    }

    path = base / "glossary.json"
    data = _read_json(path, _FORMATS["glossary"])
    glossary = []
    for index, entry in enumerate(data.get("glossary") or []):
        forms = _strings(path, f"entry {index + 1}", entry.get("forms"))
        if not forms or not entry.get("term") or not entry.get("definition"):
            raise _problem(path, f"entry {index + 1}", "needs a term, forms and a definition")
        glossary.append(GlossaryEntry(entry["term"], entry["definition"], forms))

    path = base / "genetic_terms.json"
    genetic_terms = _strings(path, "terms", _read_json(path, _FORMATS["terms"]).get("terms"))

    path = base / "clinician.json"
    data = _read_json(path, _FORMATS["clinician"])
    clinician = data.get("templates") or {}
    for key in REQUIRED_CLINICIAN:
        if not isinstance(clinician.get(key), str) or not clinician[key].strip():
            raise _problem(path, key, "required clinician phrase is missing")
    for key, text in clinician.items():
        _check_placeholders(path, key, text, _CLINICIAN_PLACEHOLDERS)
    labels = data.get("labels") or {}
    for group, wanted in (
        ("classification", [c.value for c in Classification]),
        ("zygosity", [z.value for z in Zygosity]),
        ("sex", list(SEXES)),
        ("inheritance", list(INHERITANCE)),
    ):
        if any(w not in labels.get(group, {}) for w in wanted):
            raise _problem(path, f"labels.{group}", "a label is missing")
    clinician_sources = _strings(path, "sources", data.get("sources"))
    for cited in (*(k for ks in template_sources.values() for k in ks), *clinician_sources):
        if cited not in shared.sources:
            raise _problem(path, "sources", f"unknown source {cited!r}")
    return _Texts(
        language,
        conditions,
        notes,
        templates,
        template_sources,
        tuple(glossary),
        genetic_terms,
        clinician,
        clinician_sources,
        labels,
    )


def languages(folder: Path | None = None) -> tuple[str, ...]:
    folder = folder if folder is not None else explanations_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.name for p in folder.iterdir() if (p / "templates.json").is_file()))


@functools.cache
def _shipped_shared() -> _Shared:
    return load_shared()


@functools.cache
def _shipped_texts(language: str) -> _Texts:
    return load_texts(language)


# --- situations ---------------------------------------------------------------------------

# Which case of the templates a finding falls into. The keys are the suffixes of the
# "patient.result.*" templates; REQUIRED_TEMPLATES below lists every key the code can ask for.
_SITUATIONS = (
    "ad_one",
    "ad_two_copies",
    "ad_two_changes",
    "ad_unknown",
    "ar_carrier",
    "ar_two_copies",
    "ar_two_changes",
    "ar_unknown",
    "xl_one_x",
    "xl_male_het",
    "xl_two_x_one",
    "xl_two_x_both",
    "xl_two_changes",
    "xl_unknown",
)
# Where a situation is open (phase or copy number unknown), care is introduced with "if".
_OPEN_SITUATIONS = frozenset({"ar_two_changes", "ar_unknown", "xl_two_changes", "xl_unknown"})
# Gene notes that speak to carriers go in the carrier paragraph, in these situations only.
_CARRIER_NOTES = frozenset({"casq2_carrier"})
_CARRIER_SITUATIONS = frozenset({"ar_carrier", "ar_two_changes", "ar_unknown"})

REQUIRED_TEMPLATES: tuple[str, ...] = (
    "patient.title",
    *(f"patient.intro.{c.value}" for c in Classification),
    "patient.linked.disease",
    "patient.linked.vus",
    "patient.linked.benign",
    "patient.also_linked",
    *(f"patient.result.{s}" for s in _SITUATIONS),
    "patient.result.xl_one_x.male",
    "patient.result.xl_two_x_one.female",
    *(f"patient.x_one_changed.{m}" for m in ("XL", "XLR", "XLD")),
    "patient.second_change.male",
    "patient.vus",
    "patient.benign",
    "patient.care.intro",
    "patient.care.possible",
    "patient.care.if_confirmed",
    "patient.care.female_prefix",
    "patient.care.male_prefix",
    "patient.carrier",
    "patient.family.ad",
    "patient.family.ad_two_copies",
    "patient.family.ar_carrier",
    "patient.family.ar_two_copies",
    "patient.family.ar_other",
    "patient.family.xl_one_x.male",
    "patient.family.xl_two_x_one",
    "patient.family.xl_two_x_both",
    "patient.family.xl_other",
    "patient.family.vus",
    "patient.family.share",
    "patient.closing",
    "family.title",
    "family.intro.pathogenic",
    "family.intro.likely_pathogenic",
    "family.intro.uncertain_significance",
    "family.risk.ad",
    "family.risk.ad_two_copies",
    "family.risk.ar_carrier",
    "family.risk.ar_two_copies",
    "family.risk.ar_two_changes",
    "family.risk.ar_unknown",
    "family.risk.xl_one_x",
    "family.risk.xl_two_x_one",
    "family.risk.xl_two_x_both",
    "family.risk.xl_other",
    "family.risk.vus",
    "family.test",
    "family.care",
    "family.closing",
)
REQUIRED_CLINICIAN: tuple[str, ...] = (
    "title",
    "summary",
    *(f"classification.{c.value}" for c in Classification),
    *(f"situation.{s}" for s in _SITUATIONS),
    "relatives.ad",
    "relatives.ar",
    "relatives.xl",
    "relatives.vus",
    "relatives.none",
    "management",
    "note.inheritance_differs",
    "note.x_het_male",
    "note.x_hom_male",
    "note.x_hemi_female",
    "note.x_hom_unknown_sex",
    "note.x_two_male",
    "note.autosomal_hemi",
    "note.ad_biallelic",
    "note.phase_unknown",
    "note.zygosity_unknown",
    "note.vus_second_change",
)


def situation_for(
    inheritance: str, zygosity: Zygosity, sex_at_birth: str, *, second_change: bool = False
) -> tuple[str, tuple[str, ...]]:
    """(situation, review note keys) for a P/LP finding. Pure: no data files involved."""
    zyg = zygosity
    if zyg is Zygosity.HETEROZYGOUS and second_change:
        zyg = Zygosity.TWO_CHANGES_PHASE_UNKNOWN
    two, unknown = Zygosity.TWO_CHANGES_PHASE_UNKNOWN, Zygosity.UNKNOWN
    if inheritance == "AD":
        return {
            Zygosity.HETEROZYGOUS: ("ad_one", ()),
            Zygosity.HOMOZYGOUS: ("ad_two_copies", ("ad_biallelic",)),
            Zygosity.HEMIZYGOUS: ("ad_one", ("autosomal_hemi",)),
            two: ("ad_two_changes", ("ad_biallelic", "phase_unknown")),
            unknown: ("ad_unknown", ("zygosity_unknown",)),
        }[zyg]
    if inheritance == "AR":
        return {
            Zygosity.HETEROZYGOUS: ("ar_carrier", ()),
            Zygosity.HOMOZYGOUS: ("ar_two_copies", ()),
            Zygosity.HEMIZYGOUS: ("ar_unknown", ("autosomal_hemi",)),
            two: ("ar_two_changes", ("phase_unknown",)),
            unknown: ("ar_unknown", ("zygosity_unknown",)),
        }[zyg]
    if sex_at_birth == "male":
        return {
            Zygosity.HEMIZYGOUS: ("xl_one_x", ()),
            Zygosity.HOMOZYGOUS: ("xl_one_x", ("x_hom_male",)),
            Zygosity.HETEROZYGOUS: ("xl_male_het", ("x_het_male",)),
            two: ("xl_one_x", ("x_two_male",)),
            unknown: ("xl_one_x", ("zygosity_unknown",)),
        }[zyg]
    if sex_at_birth == "female":
        return {
            Zygosity.HEMIZYGOUS: ("xl_one_x", ("x_hemi_female",)),
            Zygosity.HOMOZYGOUS: ("xl_two_x_both", ()),
            Zygosity.HETEROZYGOUS: ("xl_two_x_one", ()),
            two: ("xl_two_changes", ("phase_unknown",)),
            unknown: ("xl_unknown", ("zygosity_unknown",)),
        }[zyg]
    return {  # sex at birth not recorded: let the copy number speak where it can
        Zygosity.HEMIZYGOUS: ("xl_one_x", ()),
        Zygosity.HOMOZYGOUS: ("xl_unknown", ("x_hom_unknown_sex",)),
        Zygosity.HETEROZYGOUS: ("xl_two_x_one", ()),
        two: ("xl_two_changes", ("phase_unknown",)),
        unknown: ("xl_unknown", ("zygosity_unknown",)),
    }[zyg]


# --- normalising what the caller gives ----------------------------------------------------


def _classification(value: Classification | str) -> Classification:
    if isinstance(value, Classification):
        return value
    key = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if key in _CLASSIFICATION_ALIASES:
        return _CLASSIFICATION_ALIASES[key]
    try:
        return Classification(key)
    except ValueError:
        choices = ", ".join(c.value for c in Classification)
        raise UsageError(f"Unknown classification {value!r}: use one of {choices}.") from None


def _zygosity(value: Zygosity | str | None) -> Zygosity:
    if isinstance(value, Zygosity):
        return value
    key = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if key in _ZYGOSITY_ALIASES:
        return _ZYGOSITY_ALIASES[key]
    try:
        return Zygosity(key)
    except ValueError:
        choices = ", ".join(z.value for z in Zygosity)
        raise UsageError(f"No explanation for zygosity {value!r}: use one of {choices}.") from None


def _sex(value: str | None) -> str:
    sex = (value or "unknown").strip().lower()
    if sex not in SEXES:
        raise UsageError(f"Sex at birth must be one of: {', '.join(SEXES)}.")
    return sex


def _inheritance(value: str | None, condition: Condition) -> str:
    mode = (value or condition.inheritance).strip().upper()
    if mode == "MT":
        raise UsageError(
            "GeneDesk has no plain-language texts for mitochondrial inheritance yet; "
            "write this explanation by hand."
        )
    if mode not in INHERITANCE:
        raise UsageError(f"Unknown inheritance {value!r}: use one of {', '.join(INHERITANCE)}.")
    return mode


def _condition(gene: Gene, condition: str | None) -> Condition:
    names = [c.name for c in gene.conditions]
    if condition is None:
        if len(gene.conditions) == 1:
            return gene.conditions[0]
        raise UsageError(
            f"{gene.symbol} is linked to several conditions; say which: {'; '.join(names)}."
        )
    wanted = condition.strip().lower()
    for known in gene.conditions:
        if known.name.lower() == wanted:
            return known
    raise NotFoundError(
        f"{gene.symbol} has no condition {condition!r} in the gene table; "
        f"known: {'; '.join(names)}."
    )


# --- composing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finding:
    gene: Gene
    condition: Condition
    key: str
    text: _ConditionText
    classification: Classification
    zygosity: Zygosity
    mode: str  # AD, AR, XL, XLR, XLD
    sex: str
    second_change: bool
    texts: _Texts
    shared: _Shared

    @property
    def group(self) -> str:
        if self.classification in (Classification.PATHOGENIC, Classification.LIKELY_PATHOGENIC):
            return "disease"
        if self.classification is Classification.UNCERTAIN_SIGNIFICANCE:
            return "vus"
        return "benign"

    @property
    def family_kind(self) -> str:
        return "XL" if self.mode.startswith("X") else self.mode

    @functools.cached_property
    def situation(self) -> tuple[str, tuple[str, ...]]:
        return situation_for(
            self.family_kind, self.zygosity, self.sex, second_change=self.second_change
        )

    @property
    def others(self) -> tuple[str, ...]:
        """The gene's other conditions, by their text names, in gene-table order."""
        seen: list[str] = []
        for other in self.gene.conditions:
            key = self.shared.condition_keys.get((self.gene.symbol.upper(), other.name.lower()))
            if key is None or key == self.key:
                continue
            name = self.texts.conditions[key].name
            if name not in seen:
                seen.append(name)
        return tuple(seen)

    @property
    def gene_notes(self) -> tuple[str, ...]:
        return self.shared.gene_notes.get(self.gene.symbol.upper(), ())

    def fill(self, key: str) -> str:
        template = self.texts.templates[key]
        values = {
            "gene": self.gene.symbol,
            "name": self.text.name,
            "short": self.text.short,
            "others": _and_list(self.others),
        }
        out = template.format_map(values)
        if "{" in out or "}" in out:  # load checks make this unreachable; keep the promise anyway
            raise BadInputError(f"templates.json ({key}): a placeholder was left in the text.")
        return out

    def pick(self, *keys: str) -> str:
        """The first template that exists: lets a language give a sex-specific variant."""
        for key in keys:
            if key in self.texts.templates:
                return self.fill(key)
        raise BadInputError(f"templates.json: none of {', '.join(keys)} is present.")


def _finding(
    gene: str,
    condition: str | None,
    classification: Classification | str,
    zygosity: Zygosity | str | None,
    inheritance: str | None,
    sex_at_birth: str | None,
    second_change: bool,
    language: str,
    genes: GeneTable | None,
) -> _Finding:
    table = genes if genes is not None else shipped_genes()
    known = table.gene(gene)
    kb_condition = _condition(known, condition)
    shared = _shipped_shared()
    texts = _shipped_texts(language)
    key = shared.condition_keys.get((known.symbol.upper(), kb_condition.name.lower()))
    if key is None:
        raise NotFoundError(
            f"No plain-language text is tied to {known.symbol} / {kb_condition.name} "
            "(gene_conditions.tsv in the explanations folder)."
        )
    return _Finding(
        gene=known,
        condition=kb_condition,
        key=key,
        text=texts.conditions[key],
        classification=_classification(classification),
        zygosity=_zygosity(zygosity),
        mode=_inheritance(inheritance, kb_condition),
        sex=_sex(sex_at_birth),
        second_change=second_change,
        texts=texts,
        shared=shared,
    )


def _and_list(names: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c' (the 'and' is English; other languages avoid {others})."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _join(sentences: Iterable[str]) -> str:
    return " ".join(s.strip() for s in sentences if s.strip())


def _sex_care(f: _Finding, female_prefix: str, male_prefix: str) -> list[str]:
    """Sex-specific care: only the patient's own, or both with a lead-in when unknown."""
    out: list[str] = []
    if f.text.care_female and f.sex in ("female", "unknown"):
        out += ([female_prefix] if f.sex == "unknown" else []) + list(f.text.care_female)
    if f.text.care_male and f.sex in ("male", "unknown"):
        out += ([male_prefix] if f.sex == "unknown" else []) + list(f.text.care_male)
    return out


def _note_sentences(f: _Finding, audience: str, *, carrier: bool) -> list[str]:
    situation = f.situation[0]
    out: list[str] = []
    for note in f.gene_notes:
        if (note in _CARRIER_NOTES) != carrier:
            continue
        if note in _CARRIER_NOTES and situation not in _CARRIER_SITUATIONS:
            continue
        out += f.texts.gene_notes[note][audience]
    return out


def _review_notes(f: _Finding) -> tuple[str, ...]:
    c = f.texts.clinician
    notes: list[str] = []
    if f.mode != f.condition.inheritance and not (
        f.mode.startswith("X") and f.condition.inheritance.startswith("X")
    ):
        notes.append(
            c["note.inheritance_differs"].format_map(
                {"given": f.mode, "expected": f.condition.inheritance}
            )
        )
    if f.group == "disease":
        notes += [c[f"note.{key}"] for key in f.situation[1]]
    elif f.second_change:
        notes.append(c["note.vus_second_change"])
    notes += [c[f"note.{n}"] for n in f.gene_notes if f"note.{n}" in c and f.group == "disease"]
    return tuple(notes)


def _sources(f: _Finding, general: Iterable[str]) -> tuple[Source, ...]:
    """The general sources given, then the condition's, then the gene notes' (when shown)."""
    keys = list(general)
    keys += f.shared.condition_sources[f.key]
    if f.group == "disease" and f.gene_notes:
        keys += f.shared.gene_note_sources.get(f.gene.symbol.upper(), ())
    return tuple(f.shared.sources[k] for k in dict.fromkeys(keys))


def _letter_sources(f: _Finding) -> tuple[Source, ...]:
    by_kind = f.texts.template_sources
    return _sources(f, (*by_kind["all"], *by_kind[f.group]))


_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def _words(text: str) -> str:
    """The text's words, lower-cased, between single spaces: ' a b c ' (for phrase lookups)."""
    return " " + " ".join(w.lower() for w in _WORD.findall(text)) + " "


@functools.cache
def _glossary_forms(language: str) -> tuple[tuple[GlossaryEntry, tuple[str, ...]], ...]:
    entries = _shipped_texts(language).glossary
    return tuple(
        (e, tuple(" ".join(_WORD.findall(form.lower())) for form in e.forms)) for e in entries
    )


def glossary(language: str = DEFAULT_LANGUAGE) -> tuple[GlossaryEntry, ...]:
    """Every term the patient and family texts may use, with its plain definition."""
    return _shipped_texts(language).glossary


def genetic_terms(language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The watch-list of genetic words that must never appear without a glossary entry."""
    return _shipped_texts(language).genetic_terms


def glossary_terms_in(text: str, language: str = DEFAULT_LANGUAGE) -> tuple[GlossaryEntry, ...]:
    """The glossary entries whose words appear in `text`, in glossary order."""
    words = _words(text)
    return tuple(
        entry
        for entry, group in _glossary_forms(language)
        if any(f" {form} " in words for form in group)
    )


def _explanation(
    f: _Finding, audience: Audience, title: str, paragraphs: list[str], sources: tuple[Source, ...]
) -> Explanation:
    kept = tuple(p for p in paragraphs if p)
    full = "\n\n".join((title, *kept))
    return Explanation(
        audience=audience,
        language=f.texts.language,
        gene=f.gene.symbol,
        condition=f.condition.name,
        classification=f.classification,
        situation=f.situation[0] if f.group == "disease" else f.group,
        title=title,
        paragraphs=kept,
        glossary_terms=glossary_terms_in(full, f.texts.language)
        if audience is not Audience.CLINICIAN
        else (),
        sources=sources,
        review_notes=_review_notes(f),
    )


def _patient_result(f: _Finding) -> str:
    situation = f.situation[0]
    sentences = [f.pick(f"patient.result.{situation}.{f.sex}", f"patient.result.{situation}")]
    if situation in ("ad_two_copies", "ad_two_changes"):
        sentences += f.text.two_copies
    if situation == "xl_two_x_one":
        sentences += f.text.heterozygous_x or [f.fill(f"patient.x_one_changed.{f.mode}")]
    if (
        situation == "xl_one_x"
        and f.sex == "male"
        and (f.second_change or f.zygosity is Zygosity.TWO_CHANGES_PHASE_UNKNOWN)
    ):
        sentences.append(f.fill("patient.second_change.male"))
    return _join(sentences)


def _patient_care(f: _Finding) -> str:
    situation = f.situation[0]
    t = f.texts.templates
    if situation == "ar_carrier":
        return _join(
            [t["patient.carrier"], *f.text.carrier, *_note_sentences(f, "patient", carrier=True)]
        )
    if situation in _OPEN_SITUATIONS:
        intro = t["patient.care.possible"]
    elif situation == "xl_male_het":
        intro = t["patient.care.if_confirmed"]
    else:
        intro = t["patient.care.intro"]
    extra = _note_sentences(f, "patient", carrier=True) if situation in _CARRIER_SITUATIONS else []
    return _join(
        [
            intro,
            *f.text.care,
            *_sex_care(f, t["patient.care.female_prefix"], t["patient.care.male_prefix"]),
            *extra,
        ]
    )


def _patient_family(f: _Finding) -> str:
    situation = f.situation[0]
    if situation.startswith("ad_"):
        key = (
            "patient.family.ad_two_copies" if situation == "ad_two_copies" else "patient.family.ad"
        )
        first = f.fill(key)
    elif situation.startswith("ar_"):
        first = f.fill(
            {
                "ar_carrier": "patient.family.ar_carrier",
                "ar_two_copies": "patient.family.ar_two_copies",
            }.get(situation, "patient.family.ar_other")
        )
    elif situation in ("xl_two_x_one", "xl_two_x_both"):
        first = f.fill(f"patient.family.{situation}")
    elif situation == "xl_one_x":
        first = f.pick(f"patient.family.xl_one_x.{f.sex}", "patient.family.xl_other")
    else:
        first = f.fill("patient.family.xl_other")
    condition_notes = list(f.text.family) if situation != "ar_carrier" else []
    return _join(
        [
            first,
            *condition_notes,
            *_note_sentences(f, "patient", carrier=False),
            f.fill("patient.family.share"),
        ]
    )


def patient_explanation(
    gene: str,
    condition: str | None,
    classification: Classification | str,
    zygosity: Zygosity | str | None,
    inheritance: str | None,
    sex_at_birth: str | None,
    *,
    second_change: bool = False,
    language: str = DEFAULT_LANGUAGE,
    genes: GeneTable | None = None,
) -> Explanation:
    """The patient letter's text for one finding.

    `condition` is the gene table's condition name (None when the gene has only one);
    `inheritance` None means the gene table's; `second_change` says the patient has another
    change in the same gene (phase unknown), which matters for recessive and X-linked genes.
    """
    f = _finding(
        gene,
        condition,
        classification,
        zygosity,
        inheritance,
        sex_at_birth,
        second_change,
        language,
        genes,
    )
    paragraphs = [f.fill(f"patient.intro.{f.classification.value}")]
    linked = [f.fill(f"patient.linked.{f.group}")]
    if f.group != "benign":
        linked += f.text.about
        if f.others:
            linked.append(f.fill("patient.also_linked"))
    paragraphs.append(_join(linked))
    if f.group == "disease":
        paragraphs += [_patient_result(f), _patient_care(f), _patient_family(f)]
    elif f.group == "vus":
        paragraphs += [f.fill("patient.vus"), f.fill("patient.family.vus")]
    else:
        paragraphs.append(f.fill("patient.benign"))
    paragraphs.append(f.fill("patient.closing"))
    return _explanation(
        f,
        Audience.PATIENT,
        f.fill("patient.title"),
        paragraphs,
        _letter_sources(f),
    )


def family_explanation(
    gene: str,
    condition: str | None,
    classification: Classification | str,
    zygosity: Zygosity | str | None,
    inheritance: str | None,
    sex_at_birth: str | None,
    *,
    second_change: bool = False,
    language: str = DEFAULT_LANGUAGE,
    genes: GeneTable | None = None,
) -> Explanation:
    """A letter for the patient's relatives about this one finding and who may want testing.

    It names the gene and the condition, never the patient or their other results. A benign or
    likely benign change gets no letter: relatives need no testing for it.
    """
    f = _finding(
        gene,
        condition,
        classification,
        zygosity,
        inheritance,
        sex_at_birth,
        second_change,
        language,
        genes,
    )
    if f.group == "benign":
        raise UsageError(
            "No family letter is written for a benign or likely benign change: "
            "relatives need no testing for it."
        )
    t = f.texts.templates
    paragraphs = [f.fill(f"family.intro.{f.classification.value}")]
    if f.group == "vus":
        paragraphs += [f.fill("family.risk.vus"), f.fill("family.closing")]
        return _explanation(
            f,
            Audience.FAMILY,
            f.fill("family.title"),
            paragraphs,
            _letter_sources(f),
        )
    situation = f.situation[0]
    paragraphs.append(_join(f.text.about))
    if situation.startswith("ad_"):
        risk = f.fill(
            "family.risk.ad_two_copies" if situation == "ad_two_copies" else "family.risk.ad"
        )
    elif situation.startswith("ar_"):
        risk = f.fill(f"family.risk.{situation}")
    elif situation in ("xl_one_x", "xl_two_x_one", "xl_two_x_both"):
        risk = f.fill(f"family.risk.{situation}")
    else:
        risk = f.fill("family.risk.xl_other")
    risk_extra = list(f.text.carrier) if situation == "ar_carrier" else list(f.text.family)
    risk_extra += [
        s
        for note in f.gene_notes
        if note not in _CARRIER_NOTES or situation in _CARRIER_SITUATIONS
        for s in f.texts.gene_notes[note]["family"]
    ]
    paragraphs.append(_join([risk, *risk_extra]))
    paragraphs.append(f.fill("family.test"))
    if situation != "ar_carrier":
        female = t["patient.care.female_prefix"]
        male = t["patient.care.male_prefix"]
        relatives = dataclasses.replace(f, sex="unknown")  # relatives may be of either sex
        paragraphs.append(
            _join([t["family.care"], *f.text.care, *_sex_care(relatives, female, male)])
        )
    paragraphs.append(f.fill("family.closing"))
    return _explanation(
        f,
        Audience.FAMILY,
        f.fill("family.title"),
        paragraphs,
        _letter_sources(f),
    )


def clinician_explanation(
    gene: str,
    condition: str | None,
    classification: Classification | str,
    zygosity: Zygosity | str | None,
    inheritance: str | None,
    sex_at_birth: str | None,
    *,
    second_change: bool = False,
    language: str = DEFAULT_LANGUAGE,
    genes: GeneTable | None = None,
) -> Explanation:
    """A short clinician-facing summary: classification, what the zygosity means, relatives."""
    f = _finding(
        gene,
        condition,
        classification,
        zygosity,
        inheritance,
        sex_at_birth,
        second_change,
        language,
        genes,
    )
    c, labels = f.texts.clinician, f.texts.labels
    zyg = f.zygosity
    if zyg is Zygosity.HETEROZYGOUS and f.second_change:
        zyg = Zygosity.TWO_CHANGES_PHASE_UNKNOWN
    table = genes if genes is not None else shipped_genes()
    values = {
        "gene": f.gene.symbol,
        "classification_label": labels["classification"][f.classification.value],
        "zygosity_label": labels["zygosity"][zyg.value],
        "sex_label": labels["sex"][f.sex],
        "condition": f.condition.name,
        "identifiers": ", ".join(f.condition.identifiers) or "no identifier",
        "inheritance_label": labels["inheritance"][f.mode],
        "sf_list": table.sf_list,
        "variants_to_report": f.condition.variants_to_report or "not stated",
        "name": f.text.name,
        "given": f.mode,
        "expected": f.condition.inheritance,
    }
    paragraphs = [
        c["summary"].format_map(values),
        c[f"classification.{f.classification.value}"].format_map(values),
    ]
    if f.group == "disease":
        paragraphs.append(c[f"situation.{f.situation[0]}"].format_map(values))
        paragraphs.append(c[f"relatives.{f.family_kind.lower()}"].format_map(values))
        paragraphs.append(c["management"].format_map(values))
    else:
        paragraphs.append(c["relatives.vus" if f.group == "vus" else "relatives.none"])
    paragraphs += list(_review_notes(f))
    return _explanation(
        f,
        Audience.CLINICIAN,
        c["title"].format_map(values),
        paragraphs,
        _sources(f, f.texts.clinician_sources),
    )


def all_findings(genes: GeneTable | None = None) -> Iterable[tuple[str, str, str]]:
    """Every (gene, condition, inheritance) the shipped texts must cover, in table order."""
    table = genes if genes is not None else shipped_genes()
    for gene in table:
        for condition in gene.conditions:
            yield gene.symbol, condition.name, condition.inheritance


__all__ = [
    "DEFAULT_LANGUAGE",
    "INHERITANCE",
    "SEXES",
    "Audience",
    "Explanation",
    "GlossaryEntry",
    "Source",
    "Zygosity",
    "all_findings",
    "clinician_explanation",
    "explanations_dir",
    "family_explanation",
    "genetic_terms",
    "glossary",
    "glossary_terms_in",
    "languages",
    "load_shared",
    "load_texts",
    "patient_explanation",
    "situation_for",
]
