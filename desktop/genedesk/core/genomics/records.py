"""One VCF record (as its text columns) -> the chosen sample's calls worth keeping, and counts.

Runs inside the reader's child process. Every ALT allele lands in exactly one count bucket of
`ReadSummary`, so the numbers shown to the counsellor add up to what the file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from genedesk.core.genomics.alleles import (
    genomic_hgvs,
    is_placeholder,
    is_symbolic,
    trim_vcf_style,
)
from genedesk.core.genomics.annotations import (
    AlleleAnnotation,
    AnnotationLayout,
    choose_transcript,
    entries_for_allele,
    is_clinsig_key,
    is_pathogenic_text,
    numeric_clinsig_codes,
    parse_entries,
    vep_allele_forms,
)
from genedesk.core.genomics.genotype import ParsedGenotype, parse_gt, zygosity_of
from genedesk.core.genomics.header import VcfHeader
from genedesk.core.genomics.model import (
    CALL_FIELDS,
    Build,
    CallRow,
    KeepReason,
    ReadSummary,
    VariantCall,
    call_row,
    transcript_row,
)
from genedesk.core.genomics.reference import (
    ReferenceBuild,
    chromosome_for_accession,
    is_other_known_sequence,
    normalise_chromosome,
)
from genedesk.core.genomics.regions import RegionIndex

# Population frequency INFO keys (gnomAD and its common re-namings), first found wins.
_POPULATION_AF_KEYS = (
    "gnomAD_AF",
    "gnomADe_AF",
    "gnomADg_AF",
    "gnomad_AF",
    "gnomAD_exomes_AF",
    "gnomAD_genomes_AF",
    "AF_gnomad",
    "gnomad_popmax_af",
    "AF_popmax",
    "AF_grpmax",
)
_POPULATION_AF_KEY_SET = frozenset(_POPULATION_AF_KEYS)
_MT_LENGTH_RCRS = 16569


class RecordProblem(Exception):
    """A record that cannot be used; the message is for the counsellor, without patient data."""


@dataclass
class ReadContext:
    header: VcfHeader
    build: Build
    reference: ReferenceBuild
    sample_index: int | None  # position among the samples, None for sites-only files
    male: bool
    regions: RegionIndex
    layouts: list[AnnotationLayout]
    summary: ReadSummary = field(default_factory=ReadSummary)
    warnings: dict[str, None] = field(default_factory=dict)  # ordered set
    contig_kinds: dict[str, str | None] = field(default_factory=dict)
    seen_calls: set[tuple[str, int, str, str]] = field(default_factory=set)
    duplicates: int = 0
    first_duplicate: str = ""
    checked_keys: set[str] = field(default_factory=set)  # INFO keys seen
    format_keys: dict[str, list[str]] = field(default_factory=dict)  # FORMAT column -> its keys

    def __post_init__(self) -> None:
        self.declared_contigs = {c.name for c in self.header.contigs}
        self.clinsig_keys = [k for k in self.header.info if is_clinsig_key(k)]
        self.numeric_codes = {
            k: numeric_clinsig_codes(self.header.info.get(k)) for k in self.clinsig_keys
        }
        mt = next((c for c in self.header.contigs if normalise_chromosome(c.name) == "MT"), None)
        self.mt_is_rcrs = mt is None or mt.length in (None, _MT_LENGTH_RCRS)
        if not self.mt_is_rcrs:
            self.warn(
                "The file's mitochondrial sequence is not the revised Cambridge Reference "
                "Sequence (it is the hg19 chrM), so no m. HGVS is given for MT calls."
            )

    def finish(self) -> None:
        """Warnings that summarise the whole read."""
        if self.duplicates:
            self.warn(
                f"{self.duplicates:,} kept call(s) appear more than once in the file "
                f"(the first: {self.first_duplicate}); the lab's caller wrote the same "
                "allele in two records."
            )

    def warn(self, text: str) -> None:
        if len(self.warnings) < 200:
            self.warnings[text] = None

    def chromosome(self, name: str) -> str | None:
        """'1'..'22', 'X', 'Y', 'MT'; None for another known sequence; raises if unknown."""
        if name in self.contig_kinds:
            return self.contig_kinds[name]
        chrom = normalise_chromosome(name)
        if chrom is None:
            found = chromosome_for_accession(name)
            if found is not None and found[0] == self.build:
                chrom = found[1]
        if chrom is None and not is_other_known_sequence(name, self.build):
            if name not in self.declared_contigs:
                raise RecordProblem(
                    f"the chromosome '{name[:40]}' is not a sequence of {self.build} and is not "
                    "declared in the header"
                )
            self.warn(
                f"Records on '{name[:40]}', a sequence that is not part of {self.build}, "
                "were counted but not kept."
            )
        self.contig_kinds[name] = chrom
        return chrom


def _info_dict(text: str) -> dict[str, str]:
    if text in (".", ""):
        return {}
    values: dict[str, str] = {}
    for item in text.split(";"):
        key, _, value = item.partition("=")
        values[key] = value if _ else ""
    return values


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return int(float(text))  # '12.0', '1e3'
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class _Sample:
    gt: ParsedGenotype | None
    gt_text: str
    has_gt: bool
    values: dict[str, str]


def _sample(ctx: ReadContext, fields: list[str]) -> _Sample | None:
    if ctx.sample_index is None or len(fields) < 10:
        return None
    keys = ctx.format_keys.get(fields[8])
    if keys is None:
        keys = _format_keys(ctx, fields[8])
    raw = fields[9 + ctx.sample_index].split(":")
    values = (
        dict(zip(keys, raw, strict=False))
        if len(raw) >= len(keys)
        else {k: (raw[i] if i < len(raw) else ".") for i, k in enumerate(keys)}
    )
    gt_text = values.get("GT", "")
    n_alleles = 1 + (0 if fields[4] == "." else fields[4].count(",") + 1)
    try:
        gt = _genotype(gt_text, n_alleles) if "GT" in values else None
    except ValueError:
        raise RecordProblem(f"the genotype '{gt_text[:20]}' is not a valid GT value") from None
    except _NoSuchAllele:
        raise RecordProblem(
            f"the genotype '{gt_text[:20]}' names an allele the record does not have"
        ) from None
    return _Sample(gt, gt_text, "GT" in values, values)


def _format_keys(ctx: ReadContext, column: str) -> list[str]:
    """A FORMAT column's keys, checked the first time the column is seen."""
    keys = column.split(":")
    if "" in keys:
        raise RecordProblem("the FORMAT column has an empty key ('::')")
    for key in keys:
        if key not in ctx.header.format and key != ".":
            ctx.warn(f"The FORMAT key '{key[:40]}' is used but not declared in the header.")
    if len(ctx.format_keys) < 1000:  # a file uses a few; a hostile one must not fill memory
        ctx.format_keys[column] = keys
    return keys


class _NoSuchAllele(Exception):
    pass


@lru_cache(maxsize=1024)
def _genotype(gt_text: str, n_alleles: int) -> ParsedGenotype | None:
    """parse_gt, checked against the record's allele count. A file repeats a handful of GT
    values, so each is parsed once (errors are raised every time: lru_cache keeps only results)."""
    gt = parse_gt(gt_text)
    if gt is not None and any(a is not None and a >= n_alleles for a in gt.alleles):
        raise _NoSuchAllele
    return gt


def _clinical(ctx: ReadContext, info: dict[str, str], n_alts: int) -> list[bool]:
    """Per ALT allele: is it annotated pathogenic / likely pathogenic in the INFO column?"""
    flags = [False] * n_alts
    for key in ctx.clinsig_keys:
        value = info.get(key)
        if not value:
            continue
        codes = ctx.numeric_codes.get(key)
        declared = ctx.header.info.get(key)
        per_allele = declared is not None and declared.number == "A"
        parts = value.split(",") if per_allele else []
        for i in range(n_alts):
            text = parts[i] if per_allele and i < len(parts) else value
            if is_pathogenic_text(text, codes):
                flags[i] = True
    return flags


_ONE_BASE = frozenset("ACGTNacgtn")  # most REF and ALT alleles: no pattern needed
_REF = re.compile(r"^[ACGTNacgtn]+$")
_ALT = re.compile(
    r"^([ACGTNacgtn]+|\*|<[^<>,\s]+>|[ACGTNacgtn]*[\[\]][^\s,]+[\[\]][ACGTNacgtn]*"
    r"|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.)$"
)


def _check_alleles(fields: list[str], alts: list[str]) -> None:
    """REF/ALT/QUAL that would give a wrong call if read leniently (htslib accepts them)."""
    if fields[3] not in _ONE_BASE and not _REF.match(fields[3]):
        raise RecordProblem(f"the REF column '{fields[3][:20]}' is not a DNA sequence")
    for alt in alts:
        if alt not in _ONE_BASE and not _ALT.match(alt):
            raise RecordProblem(f"the ALT column has an allele that is not valid: '{alt[:20]}'")
    if fields[5] not in (".", "") and _float(fields[5]) is None:
        raise RecordProblem(f"the QUAL column '{fields[5][:20]}' is not a number")


def process_record(ctx: ReadContext, fields: list[str], locator: str) -> list[CallRow]:
    """The record's calls worth keeping, as rows (model.call_from_row makes them VariantCalls);
    every ALT allele is counted in ctx.summary. Raises RecordProblem for a record that cannot
    be used."""
    summary = ctx.summary
    chrom = ctx.chromosome(fields[0])
    pos = int(fields[1])
    ref = fields[3]
    alts = [] if fields[4] == "." else fields[4].split(",")
    _check_alleles(fields, alts)
    real = [a for a in alts if not is_placeholder(a)]
    summary.records_read += 1
    summary.alt_alleles_seen += len(alts)
    summary.not_a_variant += len(alts) - len(real)
    if not real:
        summary.reference_only_records += 1
    if len(real) >= 2:
        summary.multiallelic_records += 1
    if fields[6] not in ("PASS", "."):
        summary.filtered_records += 1
    if chrom is not None:
        length = ctx.reference.chromosome_lengths[chrom]
        if pos > length and not (chrom == "MT" and not ctx.mt_is_rcrs):
            raise RecordProblem(
                f"position {pos:,} is beyond the end of chromosome {chrom} "
                f"({length:,} bases in {ctx.build})"
            )
    if not real:
        if chrom is not None and chrom in ctx.regions.pgx_ref and alts:
            return _reference_block_calls(ctx, fields, locator, chrom, pos, ref)
        return []
    info_text = fields[7]
    info = _info_dict(info_text)
    for key in info:
        if key not in ctx.checked_keys:
            ctx.checked_keys.add(key)
            if key not in ctx.header.info and key:
                ctx.warn(f"The INFO key '{key[:40]}' is used but not declared in the header.")
    pathogenic = (
        _clinical(ctx, info, len(alts))
        if ctx.regions.keep_pathogenic and ctx.clinsig_keys
        else [False] * len(alts)
    )
    entries: list[AlleleAnnotation] = []
    layout_source = ""
    for layout in ctx.layouts:
        value = info.get(layout.tag)
        if value:
            entries.extend(parse_entries(layout, value))
            layout_source = layout_source or layout.source
    vep_forms = vep_allele_forms(ref, alts) if entries else alts
    if chrom is None:
        summary.other_sequence_records += 1
        summary.outside_regions += len(real)
        if any(pathogenic):
            ctx.warn(
                f"A call annotated pathogenic on the sequence '{fields[0][:40]}' ({locator}) "
                "was not kept: it is not on a chromosome of the reference."
            )
        return []
    end = pos + len(ref) - 1
    if "END" in info and info["END"].isdigit() and any(is_symbolic(a) for a in real):
        end = max(end, int(info["END"]))
    region_gene = ctx.regions.overlapping(chrom, pos, end)
    pgx_label = ctx.regions.pharmacogenomic(chrom, pos, end)
    sample = _sample(ctx, fields)
    calls: list[CallRow] = []
    for index, alt in enumerate(alts, start=1):
        if is_placeholder(alt):
            continue
        mine = (
            entries_for_allele(entries, index, alt, vep_forms[index - 1], len(alts))
            if entries
            else []
        )
        allele_pathogenic = pathogenic[index - 1] or (
            ctx.regions.keep_pathogenic
            and any(is_pathogenic_text(e.annotation.clinical_significance) for e in mine)
        )
        reasons: list[KeepReason] = []
        if ctx.regions.everything:
            reasons.append("all")
        if region_gene is not None and (region_gene or pgx_label is None):
            reasons.append("gene_region")
        if pgx_label is not None:
            reasons.append("pharmacogenomic_position")
        if allele_pathogenic:
            reasons.append("pathogenic_annotation")
        if not reasons:
            summary.outside_regions += 1
            continue
        zygosity, other, note = _zygosity(ctx, sample, index, chrom, pos)
        notes = [note] if note else []
        if zygosity == "not_carried" and pgx_label is None:
            summary.not_carried += 1
            if allele_pathogenic:
                summary.pathogenic_not_carried += 1
            continue
        if zygosity == "no_call":
            if not (allele_pathogenic or pgx_label is not None):
                summary.no_call += 1
                continue
            notes.append("the genotype was not called at this site")
            zygosity = "unknown"
        call = _make_call(
            ctx,
            fields,
            (chrom, pos, alts),
            locator,
            index,
            alt,
            zygosity,
            other,
            sample,
            info,
            mine,
            layout_source,
            tuple(reasons),
            region_gene or "",
            notes,
        )
        calls.append(call)
        # A PGx position is a region without a gene: counted as pharmacogenomic, not as a gene.
        _count_kept(summary, call, allele_pathogenic, "gene_region" in reasons)
    return calls


def _reference_block_calls(
    ctx: ReadContext, fields: list[str], locator: str, chrom: str, pos: int, ref: str
) -> list[CallRow]:
    """A gVCF reference block (ALT only <NON_REF>/<*>) with a 0/0 genotype says the patient has
    the reference base at every PGx position it covers: keep that as a reference call, so the
    position counts as tested (the allele definitions supply the base the block does not show)."""
    info = _info_dict(fields[7])
    end = pos + len(ref) - 1
    if info.get("END", "").isdigit():
        end = max(end, int(info["END"]))
    covered = ctx.regions.pharmacogenomic_within(chrom, pos, end)
    if not covered:
        return []
    sample = _sample(ctx, fields)
    if sample is None or sample.gt is None or not sample.has_gt:
        return []
    zygosity, _, _ = _zygosity(ctx, sample, 1, chrom, pos)
    if zygosity != "not_carried":
        return []  # a no-call block, or a genotype that is not plainly reference
    calls = []
    accession = ctx.reference.chromosome_accessions.get(chrom, chrom)
    for position in covered:
        base = ctx.regions.pgx_ref[chrom].get(position, "")
        if position == pos and base and ref.upper()[: len(base)] != base:
            continue  # the block's own REF contradicts the definition: not evidence of reference
        if not base:
            continue
        calls.append(
            VariantCall(
                build=ctx.build,
                chrom=chrom,
                pos=position,
                ref=base,
                alt="=",
                genotype="0/0",
                zygosity="not_carried",
                hgvs_g=f"{accession}:g.{position}=",
                depth=_int(sample.values.get("MIN_DP", sample.values.get("DP", "."))),
                genotype_quality=_int(sample.values.get("GQ", ".")),
                filter=fields[6],
                kept_because=("pharmacogenomic_position",),
                region_gene="",
                notes=(f"reference: inside the gVCF reference block {pos:,}-{end:,}",),
                info=fields[7],
                record_locator=locator,
            )
        )
    ctx.summary.pharmacogenomic_reference_blocks += len(calls)
    return [call_row(call) for call in calls]


def _zygosity(
    ctx: ReadContext, sample: _Sample | None, index: int, chrom: str, pos: int
) -> tuple[str, int | None, str]:
    if sample is None:
        return (
            "unknown",
            None,
            ("no genotype: the file has no sample columns" if ctx.sample_index is None else ""),
        )
    if not sample.has_gt:
        return "unknown", None, "no genotype (GT) for this sample"
    in_par = chrom in ("X", "Y") and ctx.reference.in_par(chrom, pos)
    return _carriage(sample.gt, index, chrom, ctx.male, in_par)


@lru_cache(maxsize=4096)
def _carriage(
    gt: ParsedGenotype | None, index: int, chrom: str, male: bool, in_par: bool
) -> tuple[str, int | None, str]:
    """zygosity_of, worked out once per genotype, allele, chromosome and sex (a file holds
    a handful of GT values; every input is immutable)."""
    return zygosity_of(gt, index, chrom, male=male, in_par=in_par)


_KEPT_BECAUSE = CALL_FIELDS.index("kept_because")
_ZYGOSITY = CALL_FIELDS.index("zygosity")
_FILTER = CALL_FIELDS.index("filter")


def _count_kept(summary: ReadSummary, call: CallRow, pathogenic: bool, in_region: bool) -> None:
    summary.kept += 1
    if in_region:
        summary.kept_in_regions += 1
    elif pathogenic:
        summary.kept_pathogenic_outside_regions += 1
    if "pharmacogenomic_position" in call[_KEPT_BECAUSE]:
        summary.kept_pharmacogenomic += 1
    if call[_ZYGOSITY] == "unknown":
        summary.kept_zygosity_unknown += 1
    if call[_FILTER] not in ("PASS", "."):
        summary.kept_not_pass += 1


def _allele_fraction(values: dict[str, str], index: int) -> float | None:
    ad = values.get("AD", ".")
    if ad not in (".", ""):
        parts = ad.split(",")
        try:
            depths: list[int | None] = [int(v) for v in parts]  # the usual case, all numbers
        except ValueError:
            depths = [_int(v) for v in parts]
        known = [d for d in depths if d is not None]
        total = sum(known)
        if index < len(depths) and depths[index] is not None and total > 0:
            return round(depths[index] / total, 4)  # type: ignore[operator]
    for key in ("AF", "VAF"):
        text = values.get(key, ".")
        if text not in (".", ""):
            parts = text.split(",")
            chosen = parts[index - 1] if index - 1 < len(parts) else parts[0]
            value = _float(chosen)
            if value is not None:
                return value
    return None


def _population_af(
    info: dict[str, str], ctx: ReadContext, index: int, chosen: AlleleAnnotation | None
) -> tuple[float | None, str]:
    for key in _POPULATION_AF_KEYS if not _POPULATION_AF_KEY_SET.isdisjoint(info) else ():
        text = info.get(key)
        if text:
            parts = text.split(",")
            value = _float(parts[index - 1] if index - 1 < len(parts) else parts[0])
            if value is not None:
                return value, key
    if chosen is not None and chosen.population_af is not None:
        return chosen.population_af, chosen.population_af_field
    return None, ""


_GENE_INFO = re.compile(r"^([^:|]+)")
# Every field of VariantCall, in order: a row is built from a dict of all of them, so a field
# added to VariantCall and not set here fails at once (KeyError) instead of shifting the row.
_AS_ROW = itemgetter(*CALL_FIELDS)


def _make_call(
    ctx: ReadContext,
    fields: list[str],
    parsed: tuple[str, int, list[str]],  # chrom, POS and the ALT alleles, already read
    locator: str,
    index: int,
    alt: str,
    zygosity: str,
    other: int | None,
    sample: _Sample | None,
    info: dict[str, str],
    mine: list[AlleleAnnotation],
    source: str,
    reasons: tuple[KeepReason, ...],
    region_gene: str,
    notes: list[str],
) -> CallRow:
    chrom, pos, alts = parsed
    ref = fields[3]
    t_pos, t_ref, t_alt = trim_vcf_style(pos, ref, alt)
    accession = ctx.reference.chromosome_accessions.get(chrom, "")
    if chrom == "MT" and not ctx.mt_is_rcrs:
        accession = ""
    values = sample.values if sample is not None else {}
    depth = _int(values.get("DP", "."))
    if depth is None and values.get("AD", ".") not in (".", ""):
        depth = sum(d for d in (_int(v) for v in values["AD"].split(",")) if d is not None)
    if depth is None and ctx.sample_index is None:
        depth = _int(info.get("DP", "."))
    chosen, others = choose_transcript(mine)
    population_af, population_source = _population_af(info, ctx, index, chosen)
    gene_info = info.get("GENEINFO", "")
    gene_from_info = _GENE_INFO.match(gene_info) if gene_info else None
    gene = (
        (chosen.annotation.gene if chosen else "")
        or region_gene.split(",")[0]
        or (gene_from_info.group(1) if gene_from_info else "")
    )
    key = (chrom, t_pos, t_ref, t_alt)
    if key in ctx.seen_calls:
        ctx.duplicates += 1
        ctx.first_duplicate = ctx.first_duplicate or f"{chrom}:{t_pos} {t_ref}>{t_alt} at {locator}"
    ctx.seen_calls.add(key)
    gq = values.get("GQ")
    return _AS_ROW(
        {
            "build": ctx.build,
            "chrom": chrom,
            "pos": t_pos,
            "ref": t_ref,
            "alt": t_alt,
            "genotype": sample.gt_text if sample is not None else "",
            "zygosity": zygosity,
            "other_alt": (alts[other - 1] if other is not None and 0 < other <= len(alts) else ""),
            "depth": depth,
            "genotype_quality": _int(gq) if gq is not None and gq != "." else None,
            "allele_fraction": _allele_fraction(values, index) if values else None,
            "quality": _float(fields[5]) if fields[5] not in (".", "") else None,
            "filter": fields[6],
            "vcf_id": fields[2] if fields[2] != "." else "",
            "hgvs_g": genomic_hgvs(accession, chrom, pos, ref, alt),
            "gene": gene,
            "transcript": chosen.annotation.transcript if chosen else "",
            "hgvs_c": chosen.annotation.hgvs_c if chosen else "",
            "hgvs_p": chosen.annotation.hgvs_p if chosen else "",
            "consequence": chosen.annotation.consequence if chosen else "",
            "annotation_source": source if chosen else "",
            "other_transcripts": tuple(transcript_row(e.annotation) for e in others),
            "clinvar_significance": info.get("CLNSIG", ""),
            "clinvar_review_status": info.get("CLNREVSTAT", ""),
            "clinvar_condition": info.get("CLNDN", ""),
            "clinvar_gene_info": gene_info,
            "clinvar_allele_id": info.get("ALLELEID", ""),
            "population_af": population_af,
            "population_af_source": population_source,
            "kept_because": reasons,
            "region_gene": region_gene,
            "notes": tuple(notes),
            "info": fields[7],
            "record_locator": locator,
        }
    )
