"""ClinVar releases: loaded as NCBI publishes them, looked up, and refused whole when wrong.

The real file is the 12-record ClinVar VCF (2024-11-11 release layout, GRCh38) in
../shared/data/clinvar-seqr; tests that need it skip, saying so, when ../shared is absent. The
other files are written here in the same layout, as plain text, gzip and bgzip (BGZF, written
by `_bgzf` below, the block format of the SAM/BAM specification).
"""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import pytest

from genedesk.core import audit
from genedesk.core.errors import BadInputError, Cancelled, NotFoundError, UsageError
from genedesk.core.knowledge import clinvar
from genedesk.core.knowledge.clinvar import (
    UnknownTermError,
    classify,
    load_clinvar,
    lookup,
    releases,
    review_stars,
)
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault
from support import shared_data

HEADER_INFO = (
    '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
    '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name">',
    '##INFO=<ID=CLNDISDB,Number=.,Type=String,Description="Tag-value pairs of disease database name and identifier">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification">',
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification">',
    '##INFO=<ID=CLNSIGCONF,Number=.,Type=String,Description="Conflicting germline classification">',
    '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant">',
    '##INFO=<ID=ONC,Number=.,Type=String,Description="Aggregate oncogenicity classification">',
)


def header(*, date: str | None = "2025-03-02", reference: str | None = "GRCh38",
           info: Iterable[str] = HEADER_INFO) -> list[str]:
    lines = ["##fileformat=VCFv4.1"]
    if date is not None:
        lines.append(f"##fileDate={date}")
    lines.append("##source=ClinVar")
    if reference is not None:
        lines.append(f"##reference={reference}")
    lines.append('##ID=<Description="ClinVar Variation ID">')
    lines.extend(info)
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    return lines


def record(chrom: str, pos: int, vid: int, ref: str, alt: str, *, clnsig: str | None = "Pathogenic",
           revstat: str | None = "criteria_provided,_single_submitter",
           clndn: str | None = "Leigh_syndrome",
           clndisdb: str | None = "MONDO:MONDO:0009723,MedGen:C0023264,OMIM:256000",
           geneinfo: str | None = "MT-ND5:4540", extra: str = "") -> str:
    info = [f"ALLELEID={vid + 1000}"]
    if clndisdb is not None:
        info.append(f"CLNDISDB={clndisdb}")
    if clndn is not None:
        info.append(f"CLNDN={clndn}")
    info.append(f"CLNHGVS=NC_000001.11:g.{pos}{ref}>{alt}")
    if revstat is not None:
        info.append(f"CLNREVSTAT={revstat}")
    if clnsig is not None:
        info.append(f"CLNSIG={clnsig}")
    if geneinfo is not None:
        info.append(f"GENEINFO={geneinfo}")
    if extra:
        info.append(extra)
    info.append("ORIGIN=1")
    return f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{';'.join(info)}"


def filler(count: int, *, start: int = 1000) -> list[str]:
    """`count` ordinary records on chromosome 2: enough for several insert batches."""
    sigs = ("Uncertain_significance", "Likely_benign", "Benign", "Pathogenic")
    return [record("2", start + n * 3, 500_000 + n, "A", "G", clnsig=sigs[n % 4],
                   clndn=f"Condition_{n % 50}", clndisdb=f"MedGen:C{n % 50:07d}",
                   geneinfo=f"GENE{n % 40}:{n % 40 + 100}")
            for n in range(count)]


def _bgzf(data: bytes, *, block: int = 60_000) -> bytes:
    """BGZF as bgzip writes it: gzip members with a 'BC' extra field, then the empty EOF block."""
    out = bytearray()
    for offset in range(0, len(data), block):
        chunk = data[offset:offset + block]
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = deflate.compress(chunk) + deflate.flush()
        out += (b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
                + struct.pack("<H", len(body) + 25) + body
                + struct.pack("<II", zlib.crc32(chunk), len(chunk)))
    return bytes(out) + clinvar._BGZF_EOF


def write(path: Path, lines: list[str], *, how: str = "bgzf") -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if how == "bgzf":
        path.write_bytes(_bgzf(data))
    elif how == "gzip":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def vault_state(vault: Vault) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: what "the vault is exactly as before" is checked against."""
    tables = [r[0] for r in vault.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    state = {t: sorted(tuple(r) for r in vault.query(f"SELECT * FROM {t}")) for t in tables}
    state["user_version"] = [(vault.schema_version,)]
    return state


def refused_unchanged(vault: Vault, admin: Staff, path: Path, *expected: str,
                      error: type[Exception] = BadInputError) -> str:
    """Load `path`, expect `error` whose message has every `expected` text; prove nothing changed."""
    before = vault_state(vault)
    main_file = (vault.folder / "vault.db").read_bytes()
    with pytest.raises(error) as raised:
        load_clinvar(vault, admin, path)
    message = str(raised.value)
    for text in expected:
        assert text in message, message
    assert vault_state(vault) == before
    assert (vault.folder / "vault.db").read_bytes() == main_file
    return message


# --- The real ClinVar file --------------------------------------------------------------------

def test_real_release_loads_with_what_clinvar_says(vault: Vault, admin: Staff) -> None:
    path = shared_data("clinvar-seqr", "clinvar.vcf")
    calls: list[tuple[int, int]] = []
    summary = load_clinvar(vault, admin, path, progress=lambda d, t: calls.append((d, t)))

    assert not summary.already_loaded
    assert (summary.records, summary.alleles) == (12, 12)
    assert summary.release.release_date == "2024-11-11"
    assert summary.release.build == "GRCh38"
    assert summary.release.file_name == "clinvar.vcf"
    assert summary.release.loaded_by == admin.name
    assert "Loaded ClinVar 2024-11-11 (GRCh38): 12 alleles" in summary.message
    assert calls[0] == (0, path.stat().st_size) and calls[-1] == (path.stat().st_size,) * 2

    first = lookup(vault, "GRCh38", "1", 69134, "A", "G")
    assert len(first) == 1
    assert first[0].allele_id == 2193183 and first[0].variation_id == 1
    assert (first[0].classification, first[0].clnsig) == ("pathogenic", "Pathogenic")
    assert first[0].genes == (clinvar.ClinvarGene("OR4F5", 79501),)

    leigh = lookup(vault, "GRCh38", "chrM", 13112, "T", "C")  # MT under its UCSC name
    assert len(leigh) == 1
    assert leigh[0].chrom == "MT" and leigh[0].variation_id == 693521
    assert leigh[0].classification == "pathogenic"
    assert (leigh[0].review_status, leigh[0].stars) == ("criteria_provided,_single_submitter", 1)
    assert leigh[0].conditions == (clinvar.ClinvarCondition(
        "Leigh syndrome", ("MONDO:0009723", "MedGen:C0023264", "OMIM:256000", "Orphanet:506")),)
    assert leigh[0].genes == (clinvar.ClinvarGene("MT-ND5", 4540),)

    classes = vault.query(
        "SELECT c.classification, r.stars, count(*) AS n FROM clinvar_allele a"
        " JOIN clinvar_classification c ON c.id = a.classification_id"
        " JOIN clinvar_review_status r ON r.id = a.review_status_id GROUP BY 1, 2 ORDER BY 1")
    assert [tuple(r) for r in classes] == [("likely_benign", 1, 1), ("pathogenic", 1, 2),
                                            ("uncertain_significance", 1, 9)]
    assert lookup(vault, "GRCh38", "1", 69134, "A", "T") == []

    [event] = [e for e in audit.events(vault) if e.action == "clinvar.release_loaded"]
    assert event.staff == admin.name
    assert event.subject == f"clinvar-release:{summary.release.id}"
    assert event.details["sha256"] == summary.release.sha256 and event.details["alleles"] == 12
    assert audit.verify_chain(vault).ok


def test_same_release_twice_changes_nothing_and_says_so(vault: Vault, admin: Staff) -> None:
    path = shared_data("clinvar-seqr", "clinvar.vcf")
    first = load_clinvar(vault, admin, path)
    before = vault_state(vault)

    again = load_clinvar(vault, admin, path)

    assert again.already_loaded and again.release == first.release
    assert "already loaded" in again.message and "nothing was changed" in again.message
    assert vault_state(vault) == before
    assert releases(vault) == [first.release]


def test_other_file_with_same_date_and_build_is_refused(vault: Vault, admin: Staff,
                                                        tmp_path: Path) -> None:
    real = shared_data("clinvar-seqr", "clinvar.vcf")
    load_clinvar(vault, admin, real)
    altered = tmp_path / "clinvar.vcf"
    altered.write_text(real.read_text().replace("CLNSIG=Likely_benign", "CLNSIG=Benign"))

    refused_unchanged(vault, admin, altered, "ClinVar 2024-11-11 (GRCh38) is already loaded "
                      "from a different file", "Nothing was loaded")


# --- Releases, builds and lookup -------------------------------------------------------------

def test_lookup_uses_newest_release_unless_told(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    old = write(tmp_path / "old.vcf.gz", [*header(date="2024-06-30"), record(
        "17", 43045712, 55, "G", "A", clnsig="Uncertain_significance")])
    new = write(tmp_path / "new.vcf.gz", [*header(date="2025-01-05"), record(
        "17", 43045712, 55, "G", "A", clnsig="Likely_pathogenic",
        revstat="reviewed_by_expert_panel")])
    load_clinvar(vault, admin, new)  # loaded out of date order on purpose
    load_clinvar(vault, admin, old)

    assert [r.release_date for r in releases(vault)] == ["2025-01-05", "2024-06-30"]
    [now] = lookup(vault, "grch38", "17", 43045712, "g", "a")
    assert (now.release_date, now.classification, now.stars) == ("2025-01-05", "likely_pathogenic", 3)
    [then] = lookup(vault, "GRCh38", "17", 43045712, "G", "A", release="2024-06-30")
    assert (then.release_date, then.classification, then.stars) == ("2024-06-30", "uncertain_significance", 1)
    # the shared lookup tables hold each text once, whichever release brought it
    assert vault.query_one("SELECT count(*) FROM clinvar_conditions")[0] == 1
    with pytest.raises(NotFoundError, match="2023-01-01"):
        lookup(vault, "GRCh38", "17", 43045712, "G", "A", release="2023-01-01")


def test_build_is_stored_and_kept_apart(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    """Which build a patient's file is on is checked by the import; here each build is separate."""
    grch37 = write(tmp_path / "clinvar37.vcf.gz", [*header(reference="GRCh37"),
                                                   record("1", 1000, 1, "A", "G")])
    summary = load_clinvar(vault, admin, grch37)
    assert summary.release.build == "GRCh37"
    assert len(lookup(vault, "GRCh37", "1", 1000, "A", "G")) == 1
    with pytest.raises(NotFoundError, match="No ClinVar release for GRCh38"):
        lookup(vault, "GRCh38", "1", 1000, "A", "G")
    with pytest.raises(UsageError):
        lookup(vault, "hg18", "1", 1000, "A", "G")
    # the same date on the other build is another release, not a clash
    grch38 = write(tmp_path / "clinvar38.vcf.gz", [*header(reference="GRCh38"),
                                                   record("1", 2000, 1, "A", "G")])
    assert load_clinvar(vault, admin, grch38).release.build == "GRCh38"


@pytest.mark.parametrize("how", ["bgzf", "gzip", "plain"])
def test_every_way_ncbi_files_come(vault: Vault, admin: Staff, tmp_path: Path, how: str) -> None:
    path = write(tmp_path / "clinvar.vcf.gz", [*header(), *filler(12_000)], how=how)
    summary = load_clinvar(vault, admin, path)
    assert summary.alleles == 12_000
    assert vault.query_one("SELECT count(*) FROM clinvar_allele")[0] == 12_000
    [hit] = lookup(vault, "GRCh38", "2", 1000 + 11_999 * 3, "A", "G")
    assert hit.variation_id == 511_999 and hit.genes == (clinvar.ClinvarGene("GENE39", 139),)


def test_what_is_skipped_is_counted_and_what_is_shared_is_kept(
        vault: Vault, admin: Staff, tmp_path: Path) -> None:
    lines = [
        *header(),
        record("1", 100, 1, "A", "G,T"),  # one record, two alleles
        record("1", 200, 2, "C", "T", clnsig=None, revstat=None, extra="ONC=Oncogenic"),
        record("NW_009646201.1", 300, 3, "G", "A"),  # unplaced RefSeq contig
        record("chrX", 400, 4, "G", "A", revstat="no_assertion_criteria_provided"),
        record("X", 400, 5, "G", "A", revstat="practice_guideline"),  # same allele, another ID
        record("Y", 500, 6, "T", "C", clndn=None, clndisdb=None, geneinfo=None),
        record("2", 600, 7, "T", "C", geneinfo="GENEA:11|GENEB:22",
               clndn="Disease_A|not_provided",
               clndisdb="Human_Phenotype_Ontology:HP:0001250,MedGen:C1|.",
               clnsig="Conflicting_classifications_of_pathogenicity",
               revstat="criteria_provided,_conflicting_classifications",
               extra="CLNSIGCONF=Pathogenic(2)|Uncertain_significance(1)"),
        "",  # a blank line at the end, as some tools leave
    ]
    summary = load_clinvar(vault, admin, write(tmp_path / "c.vcf.gz", lines))

    assert (summary.records, summary.alleles) == (7, 6)
    assert (summary.without_germline_classification, summary.other_contigs) == (1, 1)
    assert "1 without a germline classification" in summary.message
    assert [a.alt for a in lookup(vault, "GRCh38", "1", 100, "A", "G")] == ["G"]
    assert [a.variation_id for a in lookup(vault, "GRCh38", "1", 100, "A", "T")] == [1]
    assert lookup(vault, "GRCh38", "1", 200, "C", "T") == []
    both = lookup(vault, "GRCh38", "X", 400, "G", "A")
    assert [(a.variation_id, a.stars) for a in both] == [(5, 4), (4, 0)]  # best reviewed first
    [bare] = lookup(vault, "GRCh38", "Y", 500, "T", "C")
    assert (bare.conditions, bare.genes) == ((), ())
    [mixed] = lookup(vault, "GRCh38", "2", 600, "T", "C")
    assert mixed.classification == "conflicting" and mixed.stars == 1
    assert mixed.conflicting_detail == "Pathogenic(2)|Uncertain_significance(1)"
    assert mixed.genes == (clinvar.ClinvarGene("GENEA", 11), clinvar.ClinvarGene("GENEB", 22))
    assert mixed.conditions == (clinvar.ClinvarCondition("Disease A", ("HP:0001250", "MedGen:C1")),
                                clinvar.ClinvarCondition("not provided", ()))
    assert mixed.clinvar_url == "https://www.ncbi.nlm.nih.gov/clinvar/variation/7/"


# --- Classification and stars ----------------------------------------------------------------

@pytest.mark.parametrize(("clnsig", "expected"), [
    ("Pathogenic", ("pathogenic", False)),
    ("Likely_pathogenic", ("likely_pathogenic", False)),
    ("Pathogenic/Likely_pathogenic", ("likely_pathogenic", False)),
    ("Uncertain_significance", ("uncertain_significance", False)),
    ("Likely_benign", ("likely_benign", False)),
    ("Benign", ("benign", False)),
    ("Benign/Likely_benign", ("likely_benign", False)),
    ("Conflicting_classifications_of_pathogenicity", ("conflicting", False)),
    ("Conflicting_interpretations_of_pathogenicity", ("conflicting", False)),  # before 2024
    ("Conflicting_classifications_of_pathogenicity|risk_factor", ("conflicting", False)),
    ("Pathogenic,_low_penetrance", ("pathogenic", True)),
    ("Likely_pathogenic,_low_penetrance", ("likely_pathogenic", True)),
    ("Pathogenic/Likely_pathogenic/Pathogenic,_low_penetrance", ("likely_pathogenic", True)),
    ("Pathogenic/Likely_pathogenic/Established_risk_allele", ("likely_pathogenic", False)),
    ("Pathogenic|risk_factor", ("pathogenic", False)),
    ("Likely_benign|other", ("likely_benign", False)),
    ("Uncertain_significance/Uncertain_risk_allele", ("uncertain_significance", False)),
    ("Established_risk_allele", ("other", False)),
    ("Likely_risk_allele", ("other", False)),
    ("drug_response", ("other", False)),
    ("risk_factor", ("other", False)),
    ("Affects", ("other", False)),
    ("protective", ("other", False)),
    ("association|drug_response", ("other", False)),
    ("not_provided", ("other", False)),
    ("no_classification_for_the_single_variant", ("other", False)),
    ("no_classifications_from_unflagged_records", ("other", False)),
    ("Pathogenic/Benign", ("conflicting", False)),  # not an aggregate ClinVar writes; never P
])
def test_clnsig_is_put_in_our_classes(clnsig: str, expected: tuple[str, bool]) -> None:
    assert classify(clnsig) == expected


@pytest.mark.parametrize("clnsig", ["Probably_pathogenic", "pathogenic", "Benign,_low_penetrance",
                                    "Pathogenic/", "", "5"])
def test_clnsig_outside_clinvars_terms_is_unknown(clnsig: str) -> None:
    with pytest.raises(UnknownTermError):
        classify(clnsig)


# ClinVar's table "The review status and assignment of stars",
# https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/, in the VCF's spelling.
CLINVAR_STARS = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,  # the name before 2024
    "criteria_provided,_single_submitter": 1,
    "no_assertion_criteria_provided": 0,
    "no_classification_provided": 0,
    "no_classification_for_the_single_variant": 0,
    "no_classifications_from_unflagged_records": 0,
}


def test_review_status_gives_clinvars_stars(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    lines = [*header(), *(record("3", 10 + n, n + 1, "A", "C", revstat=revstat)
                          for n, revstat in enumerate(CLINVAR_STARS))]
    load_clinvar(vault, admin, write(tmp_path / "c.vcf.gz", lines))
    for n, (revstat, stars) in enumerate(CLINVAR_STARS.items()):
        assert review_stars(revstat) == stars
        [hit] = lookup(vault, "GRCh38", "3", 10 + n, "A", "C")
        assert (hit.review_status, hit.stars) == (revstat, stars)
    with pytest.raises(UnknownTermError):
        review_stars("criteria_provided")


# --- Bad input: refused with a clear message, nothing half-loaded -----------------------------

def test_truncated_gzip_release_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    whole = write(tmp_path / "whole.vcf.gz", [*header(), *filler(20_000)], how="gzip").read_bytes()
    cut = tmp_path / "clinvar.vcf.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    refused_unchanged(vault, admin, cut, "clinvar.vcf.gz", "ends early", "truncated",
                      "Nothing was loaded")


def test_bgzip_release_cut_at_a_block_boundary_is_refused(vault: Vault, admin: Staff,
                                                          tmp_path: Path) -> None:
    """gzip reads such a file without complaint; only BGZF's end-of-file block tells."""
    whole = write(tmp_path / "whole.vcf.gz", [*header(), *filler(20_000)]).read_bytes()
    without_eof = whole[: -len(clinvar._BGZF_EOF)]
    last_member = without_eof.rfind(b"\x1f\x8b\x08\x04")
    cut = tmp_path / "clinvar.vcf.gz"
    cut.write_bytes(without_eof[:last_member])
    assert gzip.decompress(cut.read_bytes())  # a valid gzip stream, just shorter
    refused_unchanged(vault, admin, cut, "cut short", "end-of-file marker", "Nothing was loaded")


def test_bgzip_release_cut_mid_block_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    whole = write(tmp_path / "whole.vcf.gz", [*header(), *filler(20_000)]).read_bytes()
    cut = tmp_path / "clinvar.vcf.gz"
    cut.write_bytes(whole[: len(whole) // 2] + clinvar._BGZF_EOF)  # even with a marker at the end
    refused_unchanged(vault, admin, cut, "Nothing was loaded")


def test_unknown_clnsig_is_refused_with_value_and_line(vault: Vault, admin: Staff,
                                                       tmp_path: Path) -> None:
    lines = [*header(), *filler(12_000), record("9", 5, 9, "A", "G", clnsig="Probably_pathogenic")]
    path = write(tmp_path / "clinvar.vcf.gz", lines)
    bad_line = len(lines)  # 12,000 good records (several insert batches) come first
    refused_unchanged(vault, admin, path, f"line {bad_line:,}", "unknown ClinVar classification",
                      "'Probably_pathogenic'", "Nothing was loaded")


def test_unknown_review_status_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    lines = [*header(), record("9", 5, 9, "A", "G", revstat="reviewed_by_a_friend")]
    refused_unchanged(vault, admin, write(tmp_path / "c.vcf.gz", lines), f"line {len(lines)}",
                      "unknown ClinVar review status", "'reviewed_by_a_friend'")


def test_non_clinvar_vcf_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    patient_like = write(tmp_path / "sample.vcf", [
        *header(info=['##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">']),
        "1\t100\t.\tA\tG\t50\tPASS\tDP=30"], how="plain")
    refused_unchanged(vault, admin, patient_like, "sample.vcf is not a ClinVar release",
                      "no CLNSIG")


def test_real_non_clinvar_callset_is_refused(vault: Vault, admin: Staff) -> None:
    callset = shared_data("seqr-callsets", "1kg_30variants.vcf")
    refused_unchanged(vault, admin, callset, "1kg_30variants.vcf is not a ClinVar release")


def test_release_without_file_date_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    path = write(tmp_path / "c.vcf.gz", [*header(date=None), record("1", 5, 1, "A", "G")])
    refused_unchanged(vault, admin, path, "no ##fileDate", "release date cannot be told")


def test_release_with_unreadable_date_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    path = write(tmp_path / "c.vcf.gz", [*header(date="last Tuesday"), record("1", 5, 1, "A", "G")])
    refused_unchanged(vault, admin, path, "'last Tuesday' is not a date")


def test_release_whose_build_cannot_be_told_is_refused(vault: Vault, admin: Staff,
                                                       tmp_path: Path) -> None:
    for n, reference in enumerate([None, "hg19", "GRCh36", "/data/ref/genome.fa"]):
        path = write(tmp_path / f"c{n}.vcf.gz", [*header(reference=reference),
                                                 record("1", 5, 1, "A", "G")])
        refused_unchanged(vault, admin, path, "genome build cannot be told", "GRCh37", "GRCh38")


def test_old_numeric_clnsig_layout_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    old_info = ['##INFO=<ID=CLNSIG,Number=.,Type=Integer,Description="Variant Clinical Significance">']
    path = write(tmp_path / "c.vcf.gz", [*header(info=old_info), "1\t5\trs1\tA\tG\t.\t.\tCLNSIG=5"])
    refused_unchanged(vault, admin, path, "pre-2017 VCF layout")


UNREADABLE_RECORDS = [
    ("1\t12x\t1\tA\tG\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "POS '12x'"),
    ("1\t0\t1\tA\tG\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "POS '0'"),
    ("1\t5\trs12\tA\tG\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "Variation ID"),
    ("1\t5\t1\tA\tG<\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "ALT 'G<'"),
    ("1\t5\t1\t-\tG\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "REF '-'"),
    ("1\t5\t1\tA\tG\t.\t.\tALLELEID=x;CLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "ALLELEID"),
    ("1\t5\t1\tA\tG\t.\t.\tCLNSIG=Pathogenic", "no review status"),
    ("1 5 1 A G . . CLNSIG=Pathogenic", "1 tab-separated columns"),
]


def test_record_that_cannot_be_read_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    """Each bad record comes after 6,000 good ones (two insert batches) and is refused whole."""
    for n, (bad, expected) in enumerate(UNREADABLE_RECORDS):
        lines = [*header(), *filler(6_000), bad, *filler(10, start=90_000)]
        refused_unchanged(vault, admin, write(tmp_path / f"c{n}.vcf.gz", lines),
                          f"line {len(header()) + 6_001:,}", expected)


def test_text_that_is_not_utf8_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    path = tmp_path / "c.vcf"
    path.write_bytes(("\n".join([*header(), record("1", 5, 1, "A", "G")]) + "\n").encode()
                     + b"1\t6\t2\tA\tG\t.\t.\tCLNDN=\xff\xfe;CLNSIG=Pathogenic\n")
    refused_unchanged(vault, admin, path, "not UTF-8")


def test_empty_and_missing_files_are_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    empty = tmp_path / "clinvar.vcf.gz"
    empty.write_bytes(b"")
    refused_unchanged(vault, admin, empty, "the file is empty")
    refused_unchanged(vault, admin, tmp_path / "nowhere.vcf.gz", "there is no such file")
    refused_unchanged(vault, admin, write(tmp_path / "h.vcf", ["##fileformat=VCFv4.1"], how="plain"),
                      "no VCF header")


def test_cancel_leaves_nothing(vault: Vault, admin: Staff, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clinvar, "_PROGRESS_EVERY", 0.0)  # look at the cancel flag at every chance
    path = write(tmp_path / "c.vcf.gz", [*header(), *filler(30_000)])
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    def cancelled() -> bool:
        return len(seen) > 3 and seen[-1] > 0  # after some batches were stored

    before = vault_state(vault)
    with pytest.raises(Cancelled, match="cancelled; nothing was loaded"):
        load_clinvar(vault, admin, path, progress=progress, cancelled=cancelled)
    assert vault_state(vault) == before
    assert seen == sorted(seen)  # progress only moves forward


def test_progress_counts_file_bytes_up_to_the_end(vault: Vault, admin: Staff, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clinvar, "_PROGRESS_EVERY", 0.0)
    path = write(tmp_path / "c.vcf.gz", [*header(), *filler(15_000)])
    calls: list[tuple[int, int]] = []
    load_clinvar(vault, admin, path, progress=lambda d, t: calls.append((d, t)))
    size = path.stat().st_size
    assert len(calls) > 5
    assert all(total == size for _, total in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1] == (size, size)


def test_damaged_gzip_is_refused(vault: Vault, admin: Staff, tmp_path: Path) -> None:
    data = bytearray(write(tmp_path / "whole.vcf.gz", [*header(), *filler(3_000)], how="gzip")
                     .read_bytes())
    data[-8] ^= 0xFF  # the stream's CRC-32: every line reads, the check at the end fails
    damaged = tmp_path / "clinvar.vcf.gz"
    damaged.write_bytes(bytes(data))
    refused_unchanged(vault, admin, damaged, "damaged", "cannot be decompressed")


@pytest.mark.parametrize("reader", sorted(clinvar._GZIP_READERS))
def test_each_gzip_reader_loads_and_notices_truncation(
        vault: Vault, admin: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reader: str) -> None:
    """The standard gzip module always; python-isal too when it is installed."""
    monkeypatch.setattr(clinvar, "GZIP_READER", reader)
    whole = write(tmp_path / "clinvar.vcf.gz", [*header(), *filler(8_000)], how="gzip")
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(whole.read_bytes()[:-4000])
    refused_unchanged(vault, admin, cut, "ends early")
    assert load_clinvar(vault, admin, whole).alleles == 8_000
