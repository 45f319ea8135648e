"""Files that must be refused: exit code 3, the file and the line named, in a counsellor's words."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from genedesk.core.errors import BadInputError
from genedesk.core.genomics import KeepRules, read_vcf

from .conftest import HEADER_38, WriteVcf  # type: ignore[import-not-found]

RULES = KeepRules.keep_everything()


def refusal(path: Path, **kwargs: object) -> str:
    with pytest.raises(BadInputError) as refused:
        read_vcf(path, keep=RULES, **kwargs)  # type: ignore[arg-type]
    assert refused.value.exit_code == 3
    message = refused.value.message
    assert message.startswith(path.name)
    assert "Traceback" not in message and "htslib" not in message
    return message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (gzip.compress(b"BAM\x01" + bytes(60)), "a BAM file"),
        (bytes(range(256)) * 8, "binary data"),
        (b"PK\x03\x04" + bytes(40), "a ZIP archive"),
        (b"Dear colleague,\nplease find the results attached.\n", "not a VCF"),
        (b"", "the file is empty"),
    ],
)
def test_not_a_vcf(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "results.vcf"
    path.write_bytes(content)
    assert words in refusal(path)


def test_truncated_gzip(write_vcf: WriteVcf, tmp_path: Path) -> None:
    full = write_vcf([f"chr17 {43045000 + i} . G A 50 PASS . GT 0/1" for i in range(3000)],
                     name="full.vcf.gz")
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    assert "damaged or cut short" in refusal(cut)


@pytest.mark.skipif(shutil.which("bgzip") is None, reason="needs bgzip (Debian package tabix)")
def test_truncated_bgzf(write_vcf: WriteVcf, tmp_path: Path) -> None:
    text = write_vcf([f"chr17 {43045000 + i} . G A 50 PASS . GT 0/1" for i in range(30000)])
    subprocess.run(["bgzip", "-f", str(text)], check=True)
    whole = Path(f"{text}.gz").read_bytes()
    blocks = tmp_path / "blocks.vcf.gz"  # cut at a block boundary: only the EOF marker is lost
    blocks.write_bytes(whole[:-28])
    assert "end-of-file marker is missing" in refusal(blocks)
    middle = tmp_path / "middle.vcf.gz"
    middle.write_bytes(whole[: len(whole) // 2] + whole[-28:])
    assert "damaged or cut short" in refusal(middle)


@pytest.mark.parametrize(
    ("header_end", "words", "line"),
    [
        ("", "'#CHROM POS ID REF ALT ...' header line is missing", 18),
        ("#CHROM POS ID REF ALT QUAL FILTER INFO\n", "column line is malformed", 18),
        ("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS1\n", "appears twice", 18),
        ("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\t\n", "empty sample name",
         18),
    ],
)
def test_bad_column_line(tmp_path: Path, header_end: str, words: str, line: int) -> None:
    path = tmp_path / "lab.vcf"
    path.write_text(HEADER_38 + header_end + "chr17\t43045710\t.\tG\tA\t50\tPASS\t.\tGT\t0/1\n")
    message = refusal(path)
    assert words in message and f"line {line}:" in message


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ("chr17 43045710 . G A 50 PASS . GT", "9 tab-separated columns"),
        ("chr17 43045710 . G A 50 PASS . GT 0/1 0/1", "11 tab-separated columns"),
        ("chr17 4304571O . G A 50 PASS . GT 0/1", "POS column is not a number"),
        ("chr17 . . G A 50 PASS . GT 0/1", "POS column is not a number"),
        ("chr17 -1 . G A 50 PASS . GT 0/1", "POS column is not a number"),
        ("chr99 100 . G A 50 PASS . GT 0/1", "'chr99' is not a sequence of GRCh38"),
        ("chr17 93045710 . G A 50 PASS . GT 0/1", "beyond the end of chromosome 17"),
        ("chr17 43045710 . G A 50 PASS . GT 0/5", "names an allele the record does not have"),
        ("chr17 43045710 . G A 50 PASS . GT::DP 0/1:3:4", "empty key"),
        ("chr17 43045710 . B A 50 PASS . GT 0/1", "REF column 'B' is not a DNA sequence"),
        ("chr17 43045710 . G A high PASS . GT 0/1", "QUAL column 'high' is not a number"),
        ("chr17 43045710 . G A 50 PASS . GT:DP 0/1:many", "does not match the type"),
    ],
)
def test_bad_record_names_its_line(write_vcf: WriteVcf, record: str, words: str) -> None:
    good = "chr17 43045700 . G A 50 PASS . GT 0/1"
    path = write_vcf([good, good.replace("43045700", "43045705"), record, good])
    message = refusal(path)
    assert words in message
    assert ", line 21:" in message  # 18 header lines, then the third record


def test_bad_record_outside_regions_is_refused_too(write_vcf: WriteVcf) -> None:
    """Structure is checked on every line, not only on the lines that are kept."""
    path = write_vcf(["chr1 1000 . G A 50 PASS . GT 0/1", "chr1 abc . G A 50 PASS . GT 0/1"])
    with pytest.raises(BadInputError, match="line 20: the POS column is not a number"):
        read_vcf(path, keep=KeepRules())


def test_corrupt_gzip_from_seqr(shared_data: Path) -> None:
    assert "damaged or cut short" in refusal(shared_data / "seqr-callsets" / "1kg_corrupt.vcf.gz")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        read_vcf(tmp_path / "nowhere.vcf", keep=RULES)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(write_vcf: WriteVcf) -> None:
    path = write_vcf(["chr17 43045710 . G A 50 PASS . GT 0/1"])
    path.chmod(0)
    with pytest.raises((BadInputError, PermissionError)):
        read_vcf(path, keep=RULES)
