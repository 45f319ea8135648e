"""One ALT allele at a time: trimming against REF, and the genomic HGVS that REF/ALT allow.

HGVS rules used (HGVS nomenclature, varnomen.hgvs.org, "DNA" recommendations): substitution
`g.123A>G`; deletion `g.123del` / `g.123_125del`; duplication `g.123dup` / `g.123_124dup`;
insertion `g.123_124insAC`; deletion-insertion `g.123_125delinsTG` (also for two or more changed
bases); mitochondrial positions use `m.`. HGVS places an indel at its most 3' position; without
the reference sequence we can shift only within the bases the record shows.
"""

from __future__ import annotations

import re

# Alleles that mark "some other allele" or "no allele" rather than a sequence change.
PLACEHOLDER_ALLELES = frozenset({"<NON_REF>", "<*>", "*", "."})
_BASES = re.compile(r"^[ACGTNacgtn]+$")
_ONE_BASE = frozenset("ACGTNacgtn")


def is_placeholder(alt: str) -> bool:
    return alt in PLACEHOLDER_ALLELES


def is_symbolic(alt: str) -> bool:
    """Structural or breakend alleles: <DEL>, <DUP:TANDEM>, N[chr2:123[ ..."""
    return alt.startswith("<") or "[" in alt or "]" in alt


def trim_vcf_style(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The minimal VCF representation: drop shared trailing, then leading, bases, keeping one
    base in each allele (an indel keeps its anchor base)."""
    if len(ref) < 2 or len(alt) < 2 or is_symbolic(alt):  # nothing to trim (SNVs, most indels)
        return pos, ref, alt
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _trim_for_hgvs(pos: int, ref: str, alt: str) -> tuple[int, str, str, str]:
    """Fully trimmed allele, shifted 3' as far as REF/ALT show (leading bases dropped first).

    Returns (pos, ref, alt, left_context): `left_context` is the known reference just before `pos`,
    which tells a duplication from an insertion.
    """
    left = ""
    while ref and alt and ref[0] == alt[0]:
        left += ref[0]
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return pos, ref, alt, left


def genomic_hgvs(accession: str, chrom: str, pos: int, ref: str, alt: str) -> str:
    """HGVS for one allele, e.g. 'NC_000017.11:g.43045712del'; '' when REF/ALT do not allow it."""
    if not accession:
        return ""
    if ref in _ONE_BASE and alt in _ONE_BASE:  # a substitution, or no change at all
        ref, alt = ref.upper(), alt.upper()
        return "" if ref == alt else f"{accession}:{'m' if chrom == 'MT' else 'g'}.{pos}{ref}>{alt}"
    if is_symbolic(alt) or is_placeholder(alt):
        return ""
    if not _BASES.match(ref) or not _BASES.match(alt):
        return ""
    ref, alt = ref.upper(), alt.upper()
    prefix = f"{accession}:{'m' if chrom == 'MT' else 'g'}."
    start, r, a, left = _trim_for_hgvs(pos, ref, alt)
    if not r and not a:
        return ""  # REF and ALT are the same sequence: no change
    if len(r) == 1 and len(a) == 1:
        return f"{prefix}{start}{r}>{a}"
    if r and not a:
        end = start + len(r) - 1
        return f"{prefix}{_span(start, end)}del"
    if a and not r:
        # An insertion right after bases equal to the inserted sequence is a duplication.
        if len(left) >= len(a) and left.endswith(a):
            return f"{prefix}{_span(start - len(a), start - 1)}dup"
        return f"{prefix}{start - 1}_{start}ins{a}"
    end = start + len(r) - 1
    return f"{prefix}{_span(start, end)}delins{a}"


def _span(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}_{end}"
