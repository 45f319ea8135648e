"""Zygosity of one ALT allele from the sample's GT, the chromosome and the patient's sex at birth.

Rules (never guessed: a genotype that does not say is "unknown"):
- no GT, or GT wholly missing (`.`, `./.`)         -> no call (kept only for P/LP or PGx, as unknown)
- the allele with a missing partner (`./1`)          -> unknown
- two copies (`1/1`)                                  -> homozygous, or hemizygous on X/Y outside
                                                         the PARs when the sex at birth is male
- one copy with another called allele (`0/1`, `1/2`)  -> heterozygous (for `1/2` the other ALT
                                                         is noted)
- haploid (`1`)                                       -> hemizygous (the caller called one copy);
                                                         on MT homozygous (homoplasmic)
- allele absent from a fully called GT (`0/0`)        -> not carried
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Carriage = Literal["heterozygous", "homozygous", "hemizygous", "unknown", "not_carried", "no_call"]


@dataclass(frozen=True)
class ParsedGenotype:
    alleles: tuple[int | None, ...]  # None for '.'
    phased: bool

    @property
    def missing(self) -> bool:
        return all(a is None for a in self.alleles)


def parse_gt(text: str) -> ParsedGenotype | None:
    """Parse a GT value ('0/1', '1|0', '.', '/0|1' with VCF 4.4 phase prefixes); None if empty."""
    if not text:
        return None
    if text[0] in "/|":  # VCF 4.4 explicit phasing of the first allele
        text = text[1:]
    alleles: list[int | None] = []
    token = ""
    phased = False
    for ch in text:
        if ch in "/|":
            alleles.append(None if token in (".", "") else int(token))
            phased = phased or ch == "|"
            token = ""
        else:
            token += ch
    alleles.append(None if token in (".", "") else int(token))
    return ParsedGenotype(tuple(alleles), phased)


def zygosity_of(
    gt: ParsedGenotype | None,
    allele: int,
    chrom: str,
    *,
    male: bool,
    in_par: bool,
) -> tuple[Carriage, int | None, str]:
    """(zygosity, the other ALT allele index for 'het with another ALT', a note or '')."""
    if gt is None or gt.missing:
        return "no_call", None, ""
    copies = sum(1 for a in gt.alleles if a == allele)
    called = [a for a in gt.alleles if a is not None]
    if copies == 0:
        return ("not_carried" if len(called) == len(gt.alleles) else "no_call"), None, ""
    if len(called) < len(gt.alleles):
        return "unknown", None, "genotype only partly called"
    if len(gt.alleles) == 1:
        return ("homozygous" if chrom == "MT" else "hemizygous"), None, ""
    sex_chromosome_single_copy = male and chrom in ("X", "Y") and not in_par
    if copies == len(gt.alleles):
        return ("hemizygous" if sex_chromosome_single_copy else "homozygous"), None, ""
    others = [a for a in called if a != allele and a != 0]
    note = ""
    if sex_chromosome_single_copy:
        note = (
            f"heterozygous call on {chrom} outside the pseudoautosomal regions in a patient "
            "of male sex at birth: check for mosaicism, a sex-chromosome difference or an "
            "artefact"
        )
    return "heterozygous", (others[0] if others else None), note
