"""What reading a VCF gives back: the calls kept, the counts, and the facts about the file.

Everything here is a plain frozen dataclass so the result can cross a process boundary (the reader
runs in a child process) and be stored by the vault as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Build = Literal["GRCh37", "GRCh38"]
SexAtBirth = Literal["female", "male", "unknown"]

# How many copies of this ALT allele the patient carries, as the file's genotype says.
# "not_carried" appears only for calls kept at pharmacogenomic positions, where a reference
# genotype is itself a result; "unknown" when the genotype is missing or only partly called.
Zygosity = Literal["heterozygous", "homozygous", "hemizygous", "unknown", "not_carried"]

# Why a call was kept (a call can have several reasons).
KeepReason = Literal["gene_region", "pharmacogenomic_position", "pathogenic_annotation", "all"]


@dataclass(frozen=True)
class GeneRegion:
    """A region of one gene on one build, 1-based inclusive, as the knowledge base gives it."""

    chrom: str
    start: int
    end: int
    gene: str


@dataclass(frozen=True)
class PharmacogenomicPosition:
    """A position whose genotype matters for a drug response, reference genotype included."""

    chrom: str
    pos: int
    label: str = ""
    ref: str = (
        ""  # the reference base(s) the allele definitions give; lets a gVCF block stand for it
    )


@dataclass(frozen=True)
class KeepRules:
    """Which calls of a file are kept; everything else is only counted.

    `regions` and `pharmacogenomic_positions` are given per build, because the same gene lies at
    different coordinates on GRCh37 and GRCh38. `margin` widens every region on both sides (splice
    sites and promoters sit just outside the coding exons). `keep_pathogenic` keeps any call
    annotated pathogenic or likely pathogenic (ClinVar CLNSIG, VEP CLIN_SIG, ...) wherever it lies.
    `everything` keeps every call (small panel files, tests).
    """

    regions: dict[str, tuple[GeneRegion, ...]] = field(default_factory=dict)
    pharmacogenomic_positions: dict[str, tuple[PharmacogenomicPosition, ...]] = field(
        default_factory=dict
    )
    margin: int = 50
    keep_pathogenic: bool = True
    everything: bool = False

    @classmethod
    def keep_everything(cls) -> KeepRules:
        return cls(everything=True)


@dataclass(frozen=True)
class TranscriptAnnotation:
    """One transcript's annotation of one ALT allele, as the annotator wrote it."""

    gene: str
    transcript: str
    hgvs_c: str
    hgvs_p: str
    consequence: str
    impact: str
    biotype: str = ""
    mane_select: str = ""
    canonical: bool = False
    clinical_significance: str = ""


@dataclass(frozen=True)
class VariantCall:
    """One ALT allele of one record for the chosen sample, split, trimmed and annotated.

    `pos`/`ref`/`alt` are the allele after splitting multi-allelic records and trimming the bases
    shared with the other allele (an indel keeps one anchor base, as VCF does). `hgvs_g` is derived
    from REF/ALT alone: the file gives no reference sequence, so an indel is not shifted beyond the
    bases the record itself shows.
    """

    build: Build
    chrom: str
    pos: int
    ref: str
    alt: str
    genotype: str
    zygosity: Zygosity
    other_alt: str = ""  # for "1/2": the other ALT allele the patient carries at this site
    depth: int | None = None
    genotype_quality: int | None = None
    allele_fraction: float | None = None
    quality: float | None = None
    filter: str = ""
    vcf_id: str = ""
    hgvs_g: str = ""
    gene: str = ""
    transcript: str = ""
    hgvs_c: str = ""
    hgvs_p: str = ""
    consequence: str = ""
    annotation_source: str = ""  # "VEP CSQ", "SnpEff ANN", "SnpEff EFF" or ""
    other_transcripts: tuple[TranscriptAnnotation, ...] = ()
    clinvar_significance: str = ""
    clinvar_review_status: str = ""
    clinvar_condition: str = ""
    clinvar_gene_info: str = ""
    clinvar_allele_id: str = ""
    population_af: float | None = None
    population_af_source: str = ""
    kept_because: tuple[KeepReason, ...] = ()
    region_gene: str = ""
    notes: tuple[str, ...] = ()
    info: str = ""  # the record's INFO column exactly as it came
    record_locator: str = ""  # "line 1234" or "record chr1:12345"


# A VariantCall as a plain tuple in field order (its transcripts as tuples too): what the reader
# process builds and sends. Unpickling a dataclass costs ~35 µs, a tuple ~4; building the tuple
# directly in the reader skips a VariantCall there altogether.
CallRow = tuple[Any, ...]
CALL_FIELDS = tuple(f.name for f in fields(VariantCall))
TRANSCRIPT_FIELDS = tuple(f.name for f in fields(TranscriptAnnotation))
_TRANSCRIPTS_AT = CALL_FIELDS.index("other_transcripts")


def transcript_row(annotation: TranscriptAnnotation) -> tuple[Any, ...]:
    state = annotation.__dict__
    return tuple(state[name] for name in TRANSCRIPT_FIELDS)


def call_row(call: VariantCall) -> CallRow:
    state = call.__dict__
    row = [state[name] for name in CALL_FIELDS]
    row[_TRANSCRIPTS_AT] = tuple(transcript_row(t) for t in call.other_transcripts)
    return tuple(row)


def call_from_row(row: CallRow) -> VariantCall:
    """The VariantCall a row stands for, without re-running the frozen dataclass's __init__
    (one object.__setattr__ per field): the values are set exactly as the row holds them."""
    values = dict(zip(CALL_FIELDS, row, strict=True))
    values["other_transcripts"] = tuple(_transcript_from_row(t) for t in row[_TRANSCRIPTS_AT])
    call = object.__new__(VariantCall)
    call.__dict__.update(values)
    return call


def _transcript_from_row(row: tuple[Any, ...]) -> TranscriptAnnotation:
    item = object.__new__(TranscriptAnnotation)
    item.__dict__.update(zip(TRANSCRIPT_FIELDS, row, strict=True))
    return item


@dataclass(frozen=True)
class BuildEvidence:
    """Why a build was chosen: each clue found in the header, and what it pointed to."""

    build: Build
    decided_by: Literal["file", "caller"]
    clues: tuple[str, ...]


@dataclass(frozen=True)
class FileFacts:
    name: str
    size: int
    sha256: str
    container: Literal["vcf", "vcf.gz (bgzf)", "vcf.gz (gzip)", "bcf"]
    vcf_version: str
    samples: tuple[str, ...]
    chosen_sample: str | None
    build: BuildEvidence
    indexed_read: bool
    index_name: str = ""


@dataclass
class ReadSummary:
    """Counts that reconcile with the file.

    Every ALT allele seen lands in exactly one of: not_a_variant, outside_regions, not_carried,
    no_call, kept (see `reconciles`). The other counts describe records and are informational.
    In an indexed read only the records in (and between close) gene regions are read, so
    `records_read` counts those, not the whole file (FileFacts.indexed_read says which).
    """

    records_read: int = 0
    alt_alleles_seen: int = 0
    # the allele buckets
    not_a_variant: int = 0  # <NON_REF>, <*>, * (spanning deletion): placeholders, not variants
    outside_regions: int = 0
    not_carried: int = 0  # the patient's genotype does not contain the allele (e.g. 0/0)
    no_call: int = 0  # genotype missing (./.), allele not kept
    kept: int = 0
    # records
    reference_only_records: int = 0  # ALT "." or only placeholders: gVCF reference blocks
    multiallelic_records: int = 0
    filtered_records: int = 0  # FILTER other than PASS or "."
    other_sequence_records: int = 0  # on alt/unplaced/decoy contigs, never in a gene region
    # about the kept calls
    kept_in_regions: int = 0
    kept_pathogenic_outside_regions: int = 0
    kept_pharmacogenomic: int = 0
    kept_zygosity_unknown: int = 0
    kept_not_pass: int = 0
    pathogenic_not_carried: int = 0  # annotated P/LP but the patient does not carry it
    # PGx positions inside a gVCF reference block with a 0/0 genotype: kept as reference calls
    # (outside the allele buckets above, which count the file's ALT alleles).
    pharmacogenomic_reference_blocks: int = 0

    def reconciles(self) -> bool:
        return self.alt_alleles_seen == (
            self.not_a_variant + self.outside_regions + self.not_carried + self.no_call + self.kept
        )


@dataclass(frozen=True)
class VcfReadResult:
    calls: tuple[VariantCall, ...]
    summary: ReadSummary
    facts: FileFacts
    warnings: tuple[str, ...]
