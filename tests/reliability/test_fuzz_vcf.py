"""Mutation fuzzing of the VCF import: hostile files in, only an import or a counsellor's refusal out.

Seeds are real files from ../shared/data (VEP, SnpEff, ClinVar, gVCF, BGZF, gzip, BCF, a
189-sample file, a real NA12878 excerpt, and the eight files that segfault cyvcf2 0.35.0 per
OBSERVED-cyvcf2-0.35.0.tsv). Each example mutates one seed (bytes flipped, lines deleted,
duplicated or swapped, cut short, tabs/NULs/huge numbers/non-UTF-8 put in, header lines changed),
either inside the compression (the text is mutated, then compressed again the same way) or in
the file's raw bytes, and imports it for a patient in a real vault, reading every record
(KeepRules.keep_everything(), so htslib parses every line).

The promise checked: the import either succeeds, or raises BadInputError / UsageError whose
message names the file — never another exception, never a dead test process — and a refused
import leaves the vault exactly as it was (no test, no calls, no findings, no audit event). The
expected outcome of each unmutated file is the decision table's business
(tests/core/genomics/test_shared_fixtures.py); here only the promise matters.

Examples: derandomized, so CI runs the same files every time. GENEDESK_FUZZ_EXAMPLES=2000 runs
more by hand; tests/reliability/atheris_vcf.py runs the same harness under atheris.
"""

from __future__ import annotations

import gzip
import re
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from genedesk.core import imports, patients
from genedesk.core.errors import BadInputError, GeneDeskError, UsageError
from genedesk.core.genomics import KeepRules
from genedesk.core.genomics.alleles import genomic_hgvs, trim_vcf_style
from genedesk.core.genomics.genotype import parse_gt
from genedesk.core.patients import PatientDetails
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from reliability.fuzzing import fuzz_settings
from support import SHARED_DATA

WATCHDOG_SECONDS = 90.0  # an import of these small files that takes longer has hung
MAX_RECORDS = 150  # seeds are cut to this many records so one example stays well under a second


@dataclass(frozen=True)
class Seed:
    path: str
    sample: str | None = None  # the sample the counsellor picks (as in the decision table)
    build: str | None = None  # the build the counsellor answers when the file cannot tell


SEEDS = (
    Seed("bcftools/vep/split-vep.vcf"),  # VEP CSQ, sites only
    Seed("bcftools/vep/split-vep.3.vcf", sample="SMPLA"),  # VEP, two samples
    Seed("bcftools/gvcf/gvcfz.vcf"),  # GATK gVCF with <NON_REF> blocks
    Seed("snpeff-ann-vembrane/snpeff_ann.hg38.chr18.vcf"),  # SnpEff ANN
    Seed("clinvar-seqr/clinvar.vcf"),  # ClinVar CLNSIG, no ##contig lines
    Seed("seqr-callsets/1kg_30variants.vcf", sample="HG00731"),  # 16 samples
    Seed("cyvcf2-tests/test.vcf.gz", sample="101976-101976"),  # BGZF, 189 samples
    Seed("cyvcf2-tests/seg.vcf.gz", build="GRCh37"),
    Seed("pharmcat/positions/pharmcat_positions.vcf.bgz"),  # BGZF, PGx positions
    Seed("platinum-genomes-hap.py/PG_NA12878_chr21.vcf.gz"),  # real sample (first records)
    Seed("cyvcf2-tests/test.snpeff.bcf", sample="1094PC0005"),  # BCF
    Seed("htslib/tabix/vcf_file.bcf", sample="A"),  # BCF
    # The eight files that segfault cyvcf2 0.35.0 (CRASH_rc139 in the OBSERVED table):
    *(
        Seed(f"hts-specs-vcf/{version}/failed/failed_body_{what}.vcf", "HG00096", "GRCh37")
        for version in ("4.2", "4.3")
        for what in ("format_000", "pos_000", "pos_001", "pos_002")
    ),
)

# Things a damaged or hostile file may hold: huge and odd numbers, VCF separators, NUL, bytes
# that are not UTF-8, line ends, and structure from other formats.
TOKENS = (
    b"\t",
    b"\x00",
    b"\n",
    b"\r\n",
    b"99999999999999999999999",
    b"2147483648",
    b"-2147483649",
    b"9223372036854775808",
    b"-1",
    b"0",
    b"1e308",
    b"NaN",
    b".",
    b"",
    b";",
    b",",
    b"=",
    b":",
    b"|",
    b"/",
    b"<",
    b">",
    b"<DEL>",
    b"*",
    b"\xff\xfe",
    b"\xc3(",
    b"\xed\xa0\x80",
    "Zo\u00eb\u202e".encode(),
    b"A" * 5000,
    b"0/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20",
    b"%s%n%x",
)

# Header lines a lab's file may get wrong (each replaces or joins the header).
HEADER_LINES = (
    b'##INFO=<ID=DP,Number=1,Type=Float,Description="Depth">',
    b'##INFO=<ID=CSQ,Number=.,Type=String,Description="Format: Allele|Gene">',
    b"##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele'\">",
    b'##INFO=<ID=CLNSIG,Number=A,Type=Integer,Description="ClinVar">',
    b'##FORMAT=<ID=GT,Number=2,Type=Integer,Description="Genotype">',
    b'##FORMAT=<ID=AD,Number=R,Type=Flag,Description="Allelic depths">',
    b"##contig=<ID=1,length=249250621>",
    b"##contig=<ID=chr1,length=248956422>",
    b"##contig=<ID=1,length=12>",
    b"##contig=<ID=chr1,length=-5>",
    b"##reference=GRCh37",
    b"##reference=GRCh38",
    b"##fileformat=VCFv4.9",
    b"##INFO=<ID=,Number=1>",
    b'##FORMAT=<ID=GT,Number=1,Type=String,Description="unclosed>',
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tHG00096\tHG00096",
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t",
    b"#CHROM POS ID REF ALT QUAL FILTER INFO",
)

KINDS = (
    "flip",
    "delete_line",
    "duplicate_line",
    "swap_lines",
    "truncate",
    "insert",
    "replace_column",
    "header_line",
    "drop_header_line",
)

Mutation = tuple[str, int, int, bytes, bytes]
MUTATIONS = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 1 << 20),
    st.integers(0, 1 << 20),
    st.sampled_from(TOKENS),
    st.sampled_from(HEADER_LINES),
)


# --- the seeds as bytes ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeedFile:
    seed: Seed
    container: str  # "vcf", "gzip", "bgzf"
    payload: bytes  # the text (or the BCF's uncompressed bytes) to mutate
    raw: bytes  # the file as it would be handed over

    @property
    def name(self) -> str:
        original = Path(self.seed.path).name
        return "fuzzed-" + original


def _first_records(text: bytes, limit: int) -> bytes:
    out, records = [], 0
    for line in text.splitlines(keepends=True):
        if not line.startswith(b"#"):
            records += 1
            if records > limit:
                break
        out.append(line)
    return b"".join(out)


def bgzf(data: bytes) -> bytes:
    """BGZF as htslib writes it (SAM/BAM specification 4.1): gzip members of at most 64 KiB,
    each with the 'BC' extra field giving its size, then the empty end-of-file block."""
    blocks = []
    for start in range(0, len(data), 0xFF00):
        chunk = data[start : start + 0xFF00]
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        compressed = deflater.compress(chunk) + deflater.flush()
        header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
        size = len(header) + 2 + len(compressed) + 8
        blocks.append(
            header
            + struct.pack("<H", size - 1)
            + compressed
            + struct.pack("<II", zlib.crc32(chunk), len(chunk))
        )
    eof = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
    return b"".join(blocks) + eof


def compress(container: str, payload: bytes) -> bytes:
    if container == "bgzf":
        return bgzf(payload)
    if container == "gzip":
        return gzip.compress(payload, mtime=0)
    return payload


def load_seed(seed: Seed) -> SeedFile:
    raw = (SHARED_DATA / seed.path).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return SeedFile(seed, "vcf", raw, raw)
    container = "bgzf" if raw[12:14] == b"BC" else "gzip"
    payload = gzip.decompress(raw)
    if payload.startswith(b"##fileformat"):
        cut = _first_records(payload, MAX_RECORDS)
        if cut != payload:
            payload, raw = cut, compress(container, cut)
    return SeedFile(seed, container, payload, raw)


def seed_files() -> list[SeedFile]:
    if not SHARED_DATA.is_dir():
        pytest.skip("needs ../shared/data (the shared test data is not beside this clone)")
    return [load_seed(seed) for seed in SEEDS]


# --- mutations --------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def mutate(data: bytes, mutation: Mutation) -> bytes:
    """One mutation; positions are taken modulo the data's size so every draw applies."""
    kind, a, b, token, header_line = mutation
    # Spread hypothesis's small integers over the whole file (else most mutations hit its
    # first bytes, and the file is refused as "not a VCF" before anything else is read).
    a, b = (a * 2654435761) % (1 << 32), (b * 2246822519) % (1 << 32)
    if kind == "flip":
        if not data:
            return token
        at = a % len(data)
        return data[:at] + bytes([data[at] ^ (1 << (b % 8))]) + data[at + 1 :]
    if kind == "truncate":
        return data[: a % (len(data) + 1)]
    if kind == "insert":
        at = a % (len(data) + 1)
        return data[:at] + token + data[at:]
    lines = _lines(data)
    # Line 0 is ##fileformat: damaging it ends the read at once, so it is hit only 1 time in 8.
    first = 0 if b % 8 == 0 or len(lines) == 1 else 1
    i, j = first + a % (len(lines) - first), first + b % (len(lines) - first)
    if kind == "delete_line":
        del lines[i]
    elif kind == "duplicate_line":
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "replace_column":
        records = [n for n, line in enumerate(lines) if not line.startswith(b"#")] or [i]
        n = records[a % len(records)]
        ending = b"\n" if lines[n].endswith(b"\n") else b""
        columns = lines[n].rstrip(b"\r\n").split(b"\t")
        columns[b % len(columns)] = token
        lines[n] = b"\t".join(columns) + ending
    elif kind in ("header_line", "drop_header_line"):
        header = [n for n, line in enumerate(lines) if line.startswith(b"##") and n >= first]
        n = (header or [first])[a % max(1, len(header))]
        if kind == "drop_header_line":
            del lines[n]
        elif b % 2:
            lines[n] = header_line + b"\n"
        else:
            lines.insert(n, header_line + b"\n")
    return b"".join(lines)


def mutated_file(seed: SeedFile, inside: bool, mutations: list[Mutation]) -> bytes:
    """Mutate the text inside the compression (then compress it again the same way), or the
    bytes of the file as handed over. A BCF's text is its uncompressed binary records."""
    if inside and seed.container != "vcf":
        data = seed.payload
        for mutation in mutations:
            data = mutate(data, mutation)
        return compress(seed.container, data)
    data = seed.raw
    for mutation in mutations:
        data = mutate(data, mutation)
    return data


# --- the promise ------------------------------------------------------------------------------

# Every table an import writes to (findings are proposed in the same transaction).
TOUCHED = ("genetic_test", "variant_call", "finding", "classification_event", "audit_event")


def vault_state(vault: Vault) -> dict[str, tuple[int, int]]:
    return {
        table: tuple(vault.query_one(f"SELECT count(*), coalesce(max(rowid), 0) FROM {table}"))  # type: ignore[misc]
        for table in TOUCHED
    }


@dataclass
class Outcome:
    imported: imports.ImportOutcome | None
    refusal: GeneDeskError | None


def import_or_refusal(
    vault: Vault, actor: Staff, patient_id: int, path: Path, seed: Seed, keep: KeepRules
) -> Outcome:
    """Import `path` and check the promise; anything but success or a documented refusal fails."""
    before = vault_state(vault)
    started = time.monotonic()

    def hung() -> bool:
        return time.monotonic() - started > WATCHDOG_SECONDS

    try:
        outcome = imports.import_vcf(
            vault,
            actor,
            patient_id,
            path,
            sample=seed.sample,
            build=seed.build,
            keep=keep,
            cancelled=hung,
        )
    except (BadInputError, UsageError) as refusal:
        assert path.name in refusal.message, f"the refusal does not name the file: {refusal!s}"
        assert vault_state(vault) == before, f"a refused import changed the vault: {refusal!s}"
        return Outcome(None, refusal)
    except GeneDeskError as other:
        pytest.fail(f"undocumented refusal {type(other).__name__}: {other!s}")
    after = vault_state(vault)
    assert after["genetic_test"][0] == before["genetic_test"][0] + 1
    assert after["variant_call"][0] == before["variant_call"][0] + len(outcome.result.calls)
    assert after["audit_event"][0] == before["audit_event"][0] + 1
    assert outcome.test.source_name == path.name
    assert outcome.result.summary.reconciles()
    return Outcome(outcome, None)


def add_patient(vault: Vault, actor: Staff, mrn: str, sex: str = "female") -> int:
    details = PatientDetails(mrn, "Fuzz", "Patient", "1980-02-03", sex)
    return patients.add_patient(vault, actor, details).id


@fuzz_settings(ci_examples=300)
@given(
    which=st.integers(0, len(SEEDS) - 1),
    inside=st.booleans(),
    mutations=st.lists(MUTATIONS, min_size=1, max_size=4),
    everything=st.booleans(),
)
def test_a_mutated_file_is_imported_or_refused_naming_it_and_a_refusal_changes_nothing(
    vault: Vault,
    admin: Staff,
    tmp_path: Path,
    which: int,
    inside: bool,
    mutations: list[Mutation],
    everything: bool,
) -> None:
    seeds = _cached_seeds()
    seed = seeds[which]
    patient_id = _patient_for(vault, admin)
    path = tmp_path / seed.name
    path.write_bytes(mutated_file(seed, inside, mutations))
    # Reading every record gives htslib every line; the default rules (gene regions) take the
    # indexed and pre-filtered paths instead.
    keep = KeepRules.keep_everything() if everything else imports.default_keep_rules()
    outcome = import_or_refusal(vault, admin, patient_id, path, seed.seed, keep)
    # Shown by --hypothesis-show-statistics: how the examples ended.
    if outcome.refusal is None:
        event("imported")
    else:
        event(f"refused: {_kind_of(outcome.refusal)}")


def _kind_of(refusal: GeneDeskError) -> str:
    text = refusal.message.split(": ", 1)[-1]
    return re.sub(r"'[^']*'|\d[\d,]*", "…", text)[:70]


_SEED_CACHE: list[SeedFile] = []
_PATIENTS: dict[str, int] = {}


def _cached_seeds() -> list[SeedFile]:
    if not _SEED_CACHE:
        _SEED_CACHE.extend(seed_files())
    return _SEED_CACHE


def _patient_for(vault: Vault, actor: Staff) -> int:
    # One patient per vault (the vault is shared by all examples of one test run).
    key = vault.vault_id
    if key not in _PATIENTS:
        _PATIENTS[key] = add_patient(vault, actor, "FUZZ-1")
    return _PATIENTS[key]


def test_after_hostile_files_every_seed_still_imports_or_is_refused_as_before(
    vault: Vault, admin: Staff, tmp_path: Path
) -> None:
    """A crashed reader process is replaced: after the files that kill htslib, a good file is
    imported as usual, and each seed gets the same outcome twice in a row (nothing left over)."""
    seeds = _cached_seeds()
    for round_number in (1, 2):
        patient_id = add_patient(vault, admin, f"AGAIN-{round_number}")
        outcomes = []
        for seed in seeds:
            path = tmp_path / f"round{round_number}" / seed.name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(seed.raw)
            outcome = import_or_refusal(
                vault, admin, patient_id, path, seed.seed, KeepRules.keep_everything()
            )
            outcomes.append(
                outcome.imported.test.calls
                if outcome.imported
                else type(outcome.refusal).__name__ + ":" + str(outcome.refusal)
            )
        if round_number == 1:
            first = outcomes
            # The segfaulting files are refused, the well-formed seeds imported.
            assert all(isinstance(o, str) for o in outcomes[-8:])
            assert sum(isinstance(o, int) for o in outcomes) >= 10
    assert outcomes == first


# --- calls normalisation: pure functions ----------------------------------------------------

BASES = st.text(alphabet="ACGT", min_size=1, max_size=12)


@fuzz_settings(ci_examples=400)
@given(pos=st.integers(1, 250_000_000), ref=BASES, alt=BASES)
def test_trimming_keeps_an_allele_whole_and_at_the_right_place(
    pos: int, ref: str, alt: str
) -> None:
    new_pos, new_ref, new_alt = trim_vcf_style(pos, ref, alt)
    # Never an empty allele: an indel keeps its anchor base.
    assert new_ref and new_alt
    # Only shared bases were dropped: the trimmed alleles sit inside the original ones at the
    # same offset, and the change (ref -> alt) is the same edit.
    offset = new_pos - pos
    assert 0 <= offset < len(ref)
    assert ref[offset : offset + len(new_ref)] == new_ref
    assert alt[offset : offset + len(new_alt)] == new_alt
    assert ref[:offset] == alt[:offset]
    assert ref[offset + len(new_ref) :] == alt[offset + len(new_alt) :]
    # Trimming is idempotent: a trimmed allele is already minimal.
    assert trim_vcf_style(new_pos, new_ref, new_alt) == (new_pos, new_ref, new_alt)
    if len(ref) == len(alt) == 1:
        assert (new_pos, new_ref, new_alt) == (pos, ref, alt)


@fuzz_settings(ci_examples=400)
@given(pos=st.integers(2, 250_000_000), ref=BASES, alt=BASES)
def test_genomic_hgvs_names_a_position_inside_the_record(pos: int, ref: str, alt: str) -> None:
    text = genomic_hgvs("NC_000017.11", "17", pos, ref, alt)
    if ref == alt:
        assert text == ""
        return
    assert text.startswith("NC_000017.11:g.")
    change = text.removeprefix("NC_000017.11:g.")
    numbers = [int(n) for n in re.findall(r"\d+", change.split("ins")[0])[:2]]
    # Every named position lies within the record's span (an insertion may sit at its edge,
    # a duplication just before the inserted bases, both inside the bases the record shows).
    for number in numbers:
        assert pos - 1 <= number <= pos + max(len(ref), len(alt))
    assert numbers == sorted(numbers)
    assert any(change.endswith(end) for end in ("del", "dup")) or "ins" in change or ">" in change


@fuzz_settings(ci_examples=300)
@given(st.text(max_size=30))
def test_a_genotype_text_parses_or_fails_with_a_value_error_only(text: str) -> None:
    """GT values reach parse_gt only after htslib accepted the record; even so, any text gives a
    genotype or a ValueError, never an IndexError or a wrong allele count."""
    try:
        parsed = parse_gt(text)
    except ValueError:
        return
    if not text:
        assert parsed is None
        return
    assert parsed is not None
    body = text[1:] if text[0] in "/|" else text
    separators = sum(body.count(s) for s in "/|")
    assert len(parsed.alleles) == separators + 1
