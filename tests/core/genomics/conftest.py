"""Shared helpers for the genomics tests: the third-party fixture folder and small VCF writers."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO_ROOT / ".." / "shared" / "data"

HEADER_38 = """##fileformat=VCFv4.2
##reference=GRCh38
##contig=<ID=chr1,length=248956422>
##contig=<ID=chr7,length=159345973>
##contig=<ID=chr17,length=83257441>
##contig=<ID=chrX,length=156040895>
##contig=<ID=chrY,length=57227415>
##contig=<ID=chrM,length=16569>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">
##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description="gnomAD AF">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fraction">
"""


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data (third-party VCF fixtures) is not next to the repository")
    return SHARED_DATA.resolve()


WriteVcf = Callable[..., Path]


@pytest.fixture
def write_vcf(tmp_path: Path) -> WriteVcf:
    """Write records under a GRCh38 header (or `header=`); `.gz` names are gzip-compressed."""

    def write(records: list[str], *, name: str = "patient.vcf", samples: tuple[str, ...] = ("S1",),
              header: str = HEADER_38) -> Path:
        columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
        if samples:
            columns += "\tFORMAT\t" + "\t".join(samples)
        text = header + columns + "\n" + "".join(r.replace(" ", "\t") + "\n" for r in records)
        path = tmp_path / name
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(text.encode()))
        else:
            path.write_text(text)
        return path

    return write
