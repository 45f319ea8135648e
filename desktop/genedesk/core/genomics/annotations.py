"""Annotations already in the file: VEP CSQ, SnpEff ANN and old SnpEff EFF, clinical significance.

The sub-field layout always comes from the header's Description (VEP "Format: a|b|c", SnpEff
"Functional annotations: 'a | b | c'"), never from the tag name: VEP output is sometimes stored
under ANN. One transcript is chosen per allele: MANE Select, else the canonical flag, else the
most severe consequence; the others are kept beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from genedesk.core.genomics.header import Declared
from genedesk.core.genomics.model import TranscriptAnnotation

# Consequence severity, most severe first, from Ensembl Variation's
# modules/Bio/EnsEMBL/Variation/Utils/Constants.pm (%OVERLAP_CONSEQUENCES 'rank'), repository
# Ensembl/ensembl-variation at commit 1603aa58154cc8050853e07cb8222935cac44123; the same order as
# the table "Calculated variant consequences" on ensembl.org (predicted_data.html).
CONSEQUENCE_RANK: dict[str, int] = {
    "transcript_ablation": 1,
    "splice_acceptor_variant": 3,
    "splice_donor_variant": 3,
    "stop_gained": 4,
    "frameshift_variant": 5,
    "stop_lost": 6,
    "start_lost": 7,
    "transcript_amplification": 8,
    "inframe_insertion": 10,
    "inframe_deletion": 11,
    "missense_variant": 12,
    "protein_altering_variant": 12,
    "splice_region_variant": 13,
    "incomplete_terminal_codon_variant": 14,
    "start_retained_variant": 15,
    "stop_retained_variant": 15,
    "synonymous_variant": 15,
    "coding_sequence_variant": 16,
    "mature_miRNA_variant": 17,
    "5_prime_UTR_variant": 18,
    "3_prime_UTR_variant": 19,
    "non_coding_transcript_exon_variant": 20,
    "intron_variant": 21,
    "NMD_transcript_variant": 22,
    "non_coding_transcript_variant": 23,
    "upstream_gene_variant": 24,
    "downstream_gene_variant": 25,
    "TFBS_ablation": 26,
    "TFBS_amplification": 28,
    "TF_binding_site_variant": 30,
    "regulatory_region_ablation": 31,
    "regulatory_region_amplification": 33,
    "feature_elongation": 36,
    "regulatory_region_variant": 36,
    "feature_truncation": 37,
    "intergenic_variant": 38,
    "sequence_variant": 39,
}
# Terms outside that table (newer VEP terms, SnpEff-only terms such as
# conservative_inframe_deletion, old EFF names) rank by the impact the annotator gave them,
# just after the table's last term of the same impact.
_IMPACT_RANK = {"HIGH": 9.5, "MODERATE": 12.5, "LOW": 15.5, "MODIFIER": 38.5}
_UNRANKED = 40.0

# Values of clinical-significance fields that mean pathogenic or likely pathogenic: ClinVar's
# terms (CLNSIG), VEP's CLIN_SIG (lower case, '_' for spaces) and dbSNP's older wording
# ("probable-pathogenic").
_PATHOGENIC_TOKENS = frozenset(
    {
        "pathogenic",
        "likely_pathogenic",
        "probable-pathogenic",
        "pathogenic_low_penetrance",
        "likely_pathogenic_low_penetrance",
    }
)
_CLINSIG_KEY = re.compile(
    r"(?i)^(clnsig|clin_sig|clinvar_clnsig|clinvar_sig|clinical_significance"
    r"|clinvar_clinical_significance)$"
)


def consequence_rank(term: str, impact: str = "") -> float:
    rank = CONSEQUENCE_RANK.get(term)
    if rank is not None:
        return float(rank)
    return _IMPACT_RANK.get(impact.upper(), _UNRANKED)


def worst_rank(consequence: str, impact: str = "") -> float:
    terms = [t for t in re.split(r"[&,]", consequence) if t]
    return min((consequence_rank(t, impact) for t in terms), default=_UNRANKED)


@dataclass(frozen=True)
class AnnotationLayout:
    """Where each thing sits in one annotation tag's sub-fields."""

    tag: str
    source: str  # "VEP CSQ", "SnpEff ANN", "SnpEff EFF"
    fields: tuple[str, ...]

    def index(self, *names: str) -> int | None:
        lowered = [f.lower() for f in self.fields]
        for name in names:
            if name.lower() in lowered:
                return lowered.index(name.lower())
        return None


def layouts_from_header(info: dict[str, Declared]) -> list[AnnotationLayout]:
    layouts: list[AnnotationLayout] = []
    for key, declared in info.items():
        text = declared.description
        vep = re.search(r"Format:\s*([^\"']+)", text)
        snpeff = re.search(r"annotations:\s*'([^']+)'", text)
        eff = re.search(r"Format:\s*'([^']+)'", text)
        if key == "EFF" and eff:
            fields = tuple(f.strip() for f in re.split(r"[|(\[\]]", eff.group(1)) if f.strip())
            layouts.append(AnnotationLayout(key, "SnpEff EFF", fields))
        elif snpeff:
            fields = tuple(f.strip() for f in snpeff.group(1).split("|"))
            layouts.append(AnnotationLayout(key, "SnpEff ANN", fields))
        elif vep and "|" in vep.group(1):
            fields = tuple(f.strip() for f in vep.group(1).strip().split("|"))
            source = "VEP CSQ" if key == "CSQ" else f"VEP {key}"
            if "Annotation" in fields and "Consequence" not in fields:
                source = f"SnpEff {key}"
            layouts.append(AnnotationLayout(key, source, fields))
    return layouts


@dataclass(frozen=True)
class AlleleAnnotation:
    allele_key: str  # the Allele sub-field, or "#<n>" from ALLELE_NUM
    annotation: TranscriptAnnotation
    rank: float
    pick: bool
    population_af: float | None
    population_af_field: str


def _get(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


def parse_entries(layout: AnnotationLayout, value: str) -> list[AlleleAnnotation]:
    if layout.source == "SnpEff EFF":
        return _parse_eff(value)
    allele_i = layout.index("Allele")
    allele_num_i = layout.index("ALLELE_NUM")
    consequence_i = layout.index("Consequence", "Annotation")
    impact_i = layout.index("IMPACT", "Annotation_Impact")
    gene_i = layout.index("SYMBOL", "Gene_Name")
    transcript_i = layout.index("Feature", "Feature_ID")
    hgvsc_i = layout.index("HGVSc", "HGVS.c")
    hgvsp_i = layout.index("HGVSp", "HGVS.p")
    biotype_i = layout.index("BIOTYPE", "Transcript_BioType")
    canonical_i = layout.index("CANONICAL")
    mane_i = layout.index("MANE_SELECT", "MANE")
    pick_i = layout.index("PICK")
    clinsig_i = next((i for i, f in enumerate(layout.fields) if _CLINSIG_KEY.match(f)), None)
    af_names = ("gnomADe_AF", "gnomADg_AF", "gnomAD_AF", "gnomad_AF", "MAX_AF")
    af_i = [(n, layout.index(n)) for n in af_names]
    entries: list[AlleleAnnotation] = []
    for raw in value.split(","):
        values = raw.split("|")
        if len(values) < 2:
            continue
        consequence = _get(values, consequence_i)
        impact = _get(values, impact_i)
        allele_num = _get(values, allele_num_i)
        allele_key = f"#{allele_num}" if allele_num.isdigit() else _get(values, allele_i)
        population_af, af_field = None, ""
        for name, index in af_i:
            number = _to_float(_get(values, index))
            if number is not None:
                population_af, af_field = number, f"{layout.tag}/{name}"
                break
        annotation = TranscriptAnnotation(
            gene=_get(values, gene_i),
            transcript=_get(values, transcript_i),
            hgvs_c=_get(values, hgvsc_i),
            hgvs_p=_get(values, hgvsp_i),
            consequence=consequence,
            impact=impact,
            biotype=_get(values, biotype_i),
            mane_select=_get(values, mane_i),
            canonical=_get(values, canonical_i).upper() in ("YES", "1", "TRUE"),
            clinical_significance=_get(values, clinsig_i),
        )
        entries.append(
            AlleleAnnotation(
                allele_key,
                annotation,
                worst_rank(consequence, impact),
                _get(values, pick_i) == "1",
                population_af,
                af_field,
            )
        )
    return entries


_EFF = re.compile(r"([A-Za-z0-9_+&]+)\(([^)]*)\)")


def _parse_eff(value: str) -> list[AlleleAnnotation]:
    """SnpEff 3.x: Effect(Impact|Class|Codon|AA|AA_len|Gene|BioType|Coding|Transcript|Exon|..)."""
    entries: list[AlleleAnnotation] = []
    for effect, inner in _EFF.findall(value):
        values = inner.split("|")
        impact = _get(values, 0)
        number = _get(values, 10)  # Genotype_Number, written by some SnpEff 3 versions
        allele = f"#{number}" if number.isdigit() else ""
        codon, amino_acid = _get(values, 2), _get(values, 3)
        annotation = TranscriptAnnotation(  # codon/amino-acid changes count only in HGVS form
            gene=_get(values, 5),
            transcript=_get(values, 8),
            hgvs_c=codon if codon.startswith("c.") else "",
            hgvs_p=amino_acid if amino_acid.startswith("p.") else "",
            consequence=effect,
            impact=impact,
            biotype=_get(values, 6),
        )
        entries.append(
            AlleleAnnotation(
                allele, annotation, worst_rank(effect.lower(), impact), False, None, ""
            )
        )
    return entries


def _to_float(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.split("&")[0])
    except ValueError:
        return None


def vep_allele_forms(ref: str, alts: list[str]) -> list[str]:
    """The Allele string VEP writes for each ALT: the shared first base is dropped from indels
    ('-' when nothing remains), as VEP does when all alleles share it."""
    alleles = [ref, *alts]
    if (
        all(a and not a.startswith("<") for a in alleles)
        and len({a[0] for a in alleles}) == 1
        and any(len(a) != len(ref) for a in alts)
    ):
        return [a[1:] or "-" for a in alts]
    return list(alts)


def entries_for_allele(
    entries: list[AlleleAnnotation],
    allele_index: int,
    alt: str,
    vep_form: str,
    n_alts: int,
) -> list[AlleleAnnotation]:
    mine = [
        e
        for e in entries
        if e.allele_key in (f"#{allele_index}", alt, vep_form)
        or e.allele_key.upper() in (alt.upper(), vep_form.upper())
    ]
    if mine:
        return mine
    if n_alts == 1 or all(not e.allele_key for e in entries):
        return list(entries)
    return []


def choose_transcript(
    entries: list[AlleleAnnotation],
) -> tuple[AlleleAnnotation | None, list[AlleleAnnotation]]:
    if not entries:
        return None, []
    chosen = next((e for e in entries if e.annotation.mane_select), None)
    if chosen is None:
        chosen = next((e for e in entries if e.annotation.canonical), None)
    if chosen is None:
        # Most severe; among equals prefer a protein-coding transcript with a c. description.
        chosen = min(
            entries,
            key=lambda e: (
                e.rank,
                e.annotation.biotype != "protein_coding",
                not e.annotation.hgvs_c,
            ),
        )
    return chosen, [e for e in entries if e is not chosen]


def numeric_clinsig_codes(declared: Declared | None) -> dict[str, str]:
    """Old ClinVar VCFs code CLNSIG as numbers; the header's Description lists what each means
    ("... 4 - Likely pathogenic, 5 - Pathogenic ..."), so the meaning is read from the file."""
    if declared is None:
        return {}
    return {
        code: meaning.strip().lower().replace(" ", "_")
        for code, meaning in re.findall(
            r"(\d+)\s*-\s*([A-Za-z][A-Za-z ,_-]*?)(?=,\s*\d|$|\")", declared.description
        )
    }


def is_pathogenic_text(value: str, numeric_codes: dict[str, str] | None = None) -> bool:
    for token in re.split(r"[|,/&;]", value):
        token = token.strip().lower().replace(" ", "_").strip("_")
        if numeric_codes and token in numeric_codes:
            token = numeric_codes[token]
        if token in _PATHOGENIC_TOKENS:
            return True
    return False


def is_clinsig_key(key: str) -> bool:
    return bool(_CLINSIG_KEY.match(key))
