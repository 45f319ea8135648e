"""Read genotypes at the pharmacogenomic definition positions from a VCF/BCF (cyvcf2).

This adapter exists for tests and for files not yet in the vault; once calls are made at import
the engine will get its genotypes from stored variant calls instead. It only reads: what comes out
is a plain mapping (chromosome, position) → ObservedGenotype plus notes on what was set aside.

Rules (the conservative reading, so a gap is never mistaken for a reference result):
* A position is used only when REF matches the definition's REF; otherwise it is "not tested".
* A genotype with a missing allele ("./1", "."), a symbolic ALT in use ("<*>", "<NON_REF>", "*")
  or a heterozygous GT that AD (Number=R) shows as homozygous is set aside and noted.
* A gVCF reference block (symbolic ALT, INFO/END, GT 0/0) covering the whole definition REF counts
  as homozygous reference; a plain VCF's silence does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from genedesk.core.errors import BadInputError, Cancelled, UsageError
from genedesk.core.pgx.calling import ObservedGenotype
from genedesk.core.pgx.definitions import DefinitionPosition, GeneDefinition

_SYMBOLIC = ("<*>", "<NON_REF>", "*", "<X>")


def _contig(name: str) -> str:
    return name[3:] if name.lower().startswith("chr") else name


@dataclass(frozen=True)
class VcfNote:
    chromosome: str
    position: int
    line_hint: str
    message: str


@dataclass
class PgxGenotypes:
    """Genotypes of one sample at the definition positions, with what was set aside."""

    file_name: str
    sample: str
    genotypes: dict[tuple[str, int], ObservedGenotype] = field(default_factory=dict)
    notes: list[VcfNote] = field(default_factory=list)
    gvcf: bool = False


def _wanted(
    definitions: Iterable[GeneDefinition],
) -> dict[tuple[str, int], tuple[str, DefinitionPosition]]:
    wanted: dict[tuple[str, int], tuple[str, DefinitionPosition]] = {}
    for gene in definitions:
        for pos in (*gene.positions, *gene.extra_positions):
            wanted[(_contig(gene.chromosome), pos.position)] = (gene.chromosome, pos)
    return wanted


def read_pgx_genotypes(
    path: Path,
    definitions: Iterable[GeneDefinition],
    *,
    sample: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PgxGenotypes:
    """Read one sample's genotypes at every definition position of `definitions`."""
    from cyvcf2 import VCF  # imported here so the calling engine never needs htslib

    wanted = _wanted(definitions)
    try:
        vcf = VCF(str(path), gts012=False, lazy=True)
    except (OSError, ValueError) as exc:
        raise BadInputError(
            f"{path.name} could not be opened as a VCF or BCF file ({exc})."
        ) from exc
    try:
        samples = list(vcf.samples)
        if not samples:
            raise BadInputError(f"{path.name} has no sample column, so no genotypes can be read.")
        if sample is None:
            if len(samples) > 1:
                raise UsageError(
                    f"{path.name} holds {len(samples)} samples; choose one with --sample.",
                    hint="Samples: " + ", ".join(samples),
                )
            sample = samples[0]
        if sample not in samples:
            raise UsageError(f"{path.name} has no sample called {sample!r}.")
        column = samples.index(sample)
        ad_is_per_allele = _ad_number(vcf) == "R"
        result = PgxGenotypes(file_name=path.name, sample=sample)
        blocks: list[tuple[str, int, int]] = []
        done = 0
        for record_number, record in enumerate(vcf, start=1):
            if cancelled is not None and cancelled():
                raise Cancelled("Reading the pharmacogenomic positions was cancelled.")
            chrom = _contig(record.CHROM)
            alts = list(record.ALT)
            end = record.INFO.get("END")
            if end is not None and alts and all(a in _SYMBOLIC for a in alts):
                result.gvcf = True
                gt = record.genotypes[column]
                if gt[:-1] and all(a == 0 for a in gt[:-1]):
                    blocks.append((chrom, int(record.POS), int(end)))
                continue
            key = (chrom, int(record.POS))
            if key not in wanted:
                continue
            chromosome, pos = wanted[key]
            hint = f"record {record_number} ({record.CHROM}:{record.POS})"
            if key in result.genotypes:
                result.notes.append(
                    VcfNote(
                        chromosome,
                        pos.position,
                        hint,
                        "a second record for this position was ignored",
                    )
                )
                continue
            genotype = _genotype(
                record, column, pos, ad_is_per_allele, chromosome, hint, result.notes
            )
            if genotype is not None:
                result.genotypes[(chromosome, pos.position)] = genotype
                done += 1
                if progress is not None:
                    progress(done, len(wanted))
        for key, (chromosome, pos) in wanted.items():
            if (chromosome, pos.position) in result.genotypes:
                continue
            chrom, start = key
            stop = start + len(pos.ref) - 1
            if any(c == chrom and b <= start and stop <= e for c, b, e in blocks):
                result.genotypes[(chromosome, pos.position)] = ObservedGenotype((pos.ref, pos.ref))
        return result
    finally:
        vcf.close()


def _ad_number(vcf: object) -> str | None:
    try:
        header = vcf.get_header_type("AD")  # type: ignore[attr-defined]
    except KeyError:
        return None
    number = header.get("Number") if isinstance(header, dict) else None
    return str(number) if number is not None else None


def _genotype(
    record: object,
    column: int,
    pos: DefinitionPosition,
    ad_is_per_allele: bool,
    chromosome: str,
    hint: str,
    notes: list[VcfNote],
) -> ObservedGenotype | None:
    ref = str(record.REF)  # type: ignore[attr-defined]
    if ref.upper() != pos.ref.upper():
        notes.append(
            VcfNote(
                chromosome,
                pos.position,
                hint,
                f"REF in the file ({ref}) differs from the definition's ({pos.ref}); "
                "position treated as not tested",
            )
        )
        return None
    alleles = [ref.upper(), *(str(a).upper() for a in record.ALT)]  # type: ignore[attr-defined]
    gt = record.genotypes[column]  # type: ignore[attr-defined]
    calls, phased = list(gt[:-1]), bool(gt[-1])
    if len(calls) != 2 or any(c < 0 for c in calls):
        shown = "/".join("." if c < 0 else str(c) for c in calls) or "."
        notes.append(
            VcfNote(
                chromosome,
                pos.position,
                hint,
                f"genotype {shown} is incomplete; position treated as not tested",
            )
        )
        return None
    if any(c >= len(alleles) for c in calls):
        notes.append(
            VcfNote(
                chromosome,
                pos.position,
                hint,
                "genotype refers to an ALT allele the record does not have",
            )
        )
        return None
    seqs = (alleles[calls[0]], alleles[calls[1]])
    if any(s in _SYMBOLIC or s.startswith("<") for s in seqs):
        notes.append(
            VcfNote(
                chromosome,
                pos.position,
                hint,
                "genotype uses a symbolic ALT allele; position treated as not tested",
            )
        )
        return None
    if ad_is_per_allele and seqs[0] != seqs[1]:
        depth = record.format("AD")  # type: ignore[attr-defined]
        if depth is not None:
            counts = [int(x) for x in depth[column]]
            if len(counts) > max(calls) and (counts[calls[0]] == 0 or counts[calls[1]] == 0):
                notes.append(
                    VcfNote(
                        chromosome,
                        pos.position,
                        hint,
                        "GT is heterozygous but AD shows one allele only; "
                        "position treated as not tested",
                    )
                )
                return None
    phase_set = None
    if phased:
        try:
            ps = record.format("PS")  # type: ignore[attr-defined]
        except KeyError:
            ps = None
        if ps is not None and int(ps[column][0]) >= 0:
            phase_set = int(ps[column][0])
    return ObservedGenotype(seqs, phased=phased, phase_set=phase_set)
