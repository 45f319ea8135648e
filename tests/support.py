"""Helpers and constants shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"

ADMIN = "Ada Admin"
ADMIN_PASSWORD = "admin-password-1"
PASSPHRASE = "correct horse battery staple"


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"needs ../shared/data/{'/'.join(parts)} (the shared test data is not beside this clone)"
        )
    return path


@dataclass
class MadeVault:
    folder: Path
    recovery_key: str
    vault_id: str
    mode: str


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a vault folder with its bytes, to prove a refused operation changed nothing."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "vault.lock"
    }


def on_small_disk(folder: Path, size_kib: int, argv: list[str]) -> list[str]:
    """A command that runs `argv` with `folder` replaced by a tiny, nearly full disk (tmpfs).

    The mount lives in a private mount namespace (root in CI; a user namespace otherwise), so it
    vanishes with the command. After `argv` ends, the files left on that disk are printed as
    `LEFT-ON-DISK:` so a test can check that a failed write left nothing behind.
    """
    import os
    import shlex
    import shutil

    if shutil.which("unshare") is None:
        pytest.fail("the disk-full tests need `unshare` (util-linux)")
    ns = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    quoted = shlex.quote(str(folder))
    script = (
        f"mount -t tmpfs -o size={size_kib}k tmpfs {quoted} || exit 99; "
        f'"$@"; rc=$?; echo "LEFT-ON-DISK:$(ls -A {quoted} | tr "\\n" " ")"; exit $rc'
    )
    return [*ns, "sh", "-c", script, "sh", *argv]


def gene_position(symbol: str, build: str) -> tuple[str, int]:
    """The middle of a knowledge-base gene on a build (from the shipped gene table, not typed in)."""
    from genedesk.core.knowledge.genes import shipped_genes

    region = shipped_genes().gene(symbol).region(build)
    assert region is not None
    return region.chrom, (region.start + region.end) // 2


def write_vcf(
    path: Path,
    build: str,
    records: list[tuple[str, int, str, str, str]],
    *,
    sample: str = "PATIENT",
    with_contigs: bool = True,
    extra_info: str = "",
) -> Path:
    """records: (chrom, pos, ref, alt, genotype)."""
    from genedesk.core.genomics.reference import reference_build

    lengths = reference_build(build).chromosome_lengths
    lines = ["##fileformat=VCFv4.2"]
    if with_contigs:
        lines += [f"##contig=<ID={c},length={n}>" for c, n in lengths.items()]
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">',
        f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}",
    ]
    for chrom, pos, ref, alt, gt in records:
        lines.append(
            f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t{extra_info or '.'}\tGT:DP\t{gt}:35"
        )
    path.write_text("\n".join(lines) + "\n")
    return path
