"""Benchmark: load a full-size ClinVar release into a vault; time it, watch progress and memory.

No real ClinVar release may be downloaded here, so this synthesises one in the layout NCBI
publishes (`clinvar.vcf.gz`, bgzip'd, sites-only, the 2024-11 INFO set) at the size of a current
release (3.6 million records by default), with realistic mixes of classifications, review
statuses, indels, multi-condition records, somatic-only records and unplaced contigs. The
synthetic file is cached (keyed by its parameters) so repeated runs measure only the load.

    uv run python tests/benchmarks/bench_clinvar.py [--records N] [--cache DIR] [--readers]

`--readers` also times reading alone: the hand-rolled parser over gzip and over isal (when
installed) against cyvcf2, to justify the reader GeneDesk uses.

Prints: records, load seconds (wall and CPU), the longest gap between progress calls, peak RSS,
vault size, the time of a repeated load (a no-op) and of one lookup.
Exits 1 if the load took longer than 60 s or progress was silent for more than 0.5 s.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 60.0
PROGRESS_GAP_SECONDS = 0.5

HEADER = """##fileformat=VCFv4.1
##fileDate=2025-01-05
##source=ClinVar
##reference=GRCh38
##ID=<Description="ClinVar Variation ID">
##INFO=<ID=AF_ESP,Number=1,Type=Float,Description="allele frequencies from GO-ESP">
##INFO=<ID=AF_EXAC,Number=1,Type=Float,Description="allele frequencies from ExAC">
##INFO=<ID=AF_TGP,Number=1,Type=Float,Description="allele frequencies from TGP">
##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">
##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar's preferred disease name for the concept specified by disease identifiers in CLNDISDB">
##INFO=<ID=CLNDNINCL,Number=.,Type=String,Description="For included Variant : ClinVar's preferred disease name for the concept specified by disease identifiers in CLNDISDB">
##INFO=<ID=CLNDISDB,Number=.,Type=String,Description="Tag-value pairs of disease database name and identifier submitted for germline classifications, e.g. OMIM:NNNNNN">
##INFO=<ID=CLNDISDBINCL,Number=.,Type=String,Description="For included Variant: Tag-value pairs of disease database name and identifier for germline classifications, e.g. OMIM:NNNNNN">
##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly, alt, or patch) HGVS expression.">
##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification for the Variation ID">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=CLNSIGCONF,Number=.,Type=String,Description="Conflicting germline classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=CLNSIGINCL,Number=.,Type=String,Description="Germline classification for a haplotype or genotype that includes this variant. Reported as pairs of VariationID:classification; multiple values are separated by a vertical bar">
##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">
##INFO=<ID=CLNVCSO,Number=1,Type=String,Description="Sequence Ontology id for variant type">
##INFO=<ID=CLNVI,Number=.,Type=String,Description="the variant's clinical sources reported as tag-value pairs of database and variant identifier">
##INFO=<ID=DBVARID,Number=.,Type=String,Description="nsv accessions from dbVar for the variant">
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id. The gene symbol and id are delimited by a colon (:) and each pair is delimited by a vertical bar (|)">
##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular consequence in the form of Sequence Ontology ID|molecular_consequence">
##INFO=<ID=ONC,Number=.,Type=String,Description="Aggregate oncogenicity classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=ONCDN,Number=.,Type=String,Description="ClinVar's preferred disease name for the concept specified by disease identifiers in ONCDISDB">
##INFO=<ID=ONCDISDB,Number=.,Type=String,Description="Tag-value pairs of disease database name and identifier submitted for oncogenicity classifications, e.g. MedGen:NNNNNN">
##INFO=<ID=ONCREVSTAT,Number=.,Type=String,Description="ClinVar review status of oncogenicity classification for the Variation ID">
##INFO=<ID=ORIGIN,Number=.,Type=String,Description="Allele origin. One or more of the following values may be added: 0 - unknown; 1 - germline; 2 - somatic; 4 - inherited; 8 - paternal; 16 - maternal; 32 - de-novo; 64 - biparental; 128 - uniparental; 256 - not-tested; 512 - tested-inconclusive; 1073741824 - other">
##INFO=<ID=RS,Number=.,Type=String,Description="dbSNP ID (i.e. rs number)">
##INFO=<ID=SCI,Number=.,Type=String,Description="Aggregate somatic clinical impact for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=SCIREVSTAT,Number=.,Type=String,Description="ClinVar review status of somatic clinical impact for the Variation ID">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""

# Shares of a 2024-25 GRCh38 release, rounded: (value, weight). The mixes are plausible, not
# measured; what matters for timing is the size and the variety of values per column.
CLNSIG_MIX = (
    ("Uncertain_significance", 440), ("Likely_benign", 270), ("Benign", 60),
    ("Conflicting_classifications_of_pathogenicity", 55), ("Pathogenic", 50),
    ("Likely_pathogenic", 30), ("Benign/Likely_benign", 30), ("Pathogenic/Likely_pathogenic", 20),
    ("not_provided", 12), ("drug_response", 1), ("risk_factor", 1), ("other", 1),
    ("Uncertain_significance|risk_factor", 1), ("Pathogenic|risk_factor", 1),
    ("Conflicting_classifications_of_pathogenicity|other", 1), ("Likely_benign|other", 1),
    ("Pathogenic,_low_penetrance", 1), ("Pathogenic/Likely_pathogenic/Pathogenic,_low_penetrance", 1),
    ("Established_risk_allele", 1), ("Uncertain_risk_allele", 1), ("association", 1),
    ("protective", 1), ("Affects", 1), ("no_classification_for_the_single_variant", 2),
)
REVSTAT_MIX = (
    ("criteria_provided,_single_submitter", 700), ("criteria_provided,_multiple_submitters,_no_conflicts", 120),
    ("no_assertion_criteria_provided", 70), ("criteria_provided,_conflicting_classifications", 55),
    ("reviewed_by_expert_panel", 15), ("no_classification_provided", 12), ("practice_guideline", 1),
    ("no_classification_for_the_single_variant", 2),
)
CHROM_WEIGHTS = {
    "1": 10.0, "2": 8.5, "3": 6.0, "4": 4.0, "5": 5.0, "6": 4.5, "7": 5.5, "8": 3.5, "9": 4.5,
    "10": 3.5, "11": 6.5, "12": 5.0, "13": 3.5, "14": 3.5, "15": 4.0, "16": 5.0, "17": 7.0,
    "18": 1.5, "19": 5.0, "20": 2.0, "21": 1.2, "22": 2.5, "X": 4.0, "Y": 0.05, "MT": 0.2,
}
COMMON_CONDITIONS = (
    ("not_provided", "MedGen:C3661900"), ("not_specified", "MedGen:CN169374"),
    ("Inborn_genetic_diseases", "MeSH:D030342,MedGen:C0950123"),
    ("Hereditary_cancer-predisposing_syndrome", "MONDO:MONDO:0015356,MedGen:C0027672"),
)


def _allele_pair(rng: random.Random) -> tuple[str, str, str, str]:
    bases = "ACGT"
    roll = rng.random()
    if roll < 0.84:
        ref = rng.choice(bases)
        alt = rng.choice(bases.replace(ref, ""))
        return ref, alt, "single_nucleotide_variant", "SO:0001483"
    if roll < 0.93:
        size = rng.choice((1, 1, 1, 2, 3, 4, 6, 10, 25, 60, 200))
        ref = "".join(rng.choices(bases, k=size + 1))
        return ref, ref[0], "Deletion", "SO:0000159"
    if roll < 0.98:
        size = rng.choice((1, 1, 2, 3, 5, 12, 40))
        ref = rng.choice(bases)
        return ref, ref + "".join(rng.choices(bases, k=size)), "Duplication", "SO:1000035"
    ref = "".join(rng.choices(bases, k=rng.randint(2, 8)))
    return ref, "".join(rng.choices(bases, k=rng.randint(1, 8))), "Indel", "SO:1000032"


def _condition_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    pool = []
    for n in range(size):
        name = f"Synthetic_condition_{n}" + rng.choice(("", ",_type_1", "_susceptibility", "_syndrome"))
        ids = f"MONDO:MONDO:{n:07d},MedGen:C{n + 1000000:07d}"
        if rng.random() < 0.6:
            ids += f",OMIM:{600000 + n}"
        if rng.random() < 0.3:
            ids += f",Orphanet:{n + 100}"
        pool.append((name, ids))
    return pool


def synthesise(path: Path, records: int, *, seed: int = 20250105) -> None:
    """Write a bgzip'd ClinVar-layout VCF with `records` data lines to `path`."""
    rng = random.Random(seed)
    conditions = _condition_pool(rng, 60_000)
    genes = [f"GENE{n}:{100000 + n}" for n in range(19_000)]
    sigs, sig_w = zip(*CLNSIG_MIX, strict=True)
    revs, rev_w = zip(*REVSTAT_MIX, strict=True)
    chroms = list(CHROM_WEIGHTS)
    per_chrom = [int(records * w / sum(CHROM_WEIGHTS.values())) for w in CHROM_WEIGHTS.values()]
    per_chrom[0] += records - sum(per_chrom)
    variation_ids = rng.sample(range(1, 4_500_000), records)
    gene_cursor = 0
    written = 0
    bgzip = subprocess.Popen(["bgzip", "-c", "-@", "2"], stdin=subprocess.PIPE,
                             stdout=path.open("wb"))
    assert bgzip.stdin is not None
    out = bgzip.stdin
    out.write(HEADER.encode())
    for chrom, count in zip(chroms, per_chrom, strict=True):
        # the mitochondrial genome is 16,569 bases long and densely covered
        pos, gaps = ((1, (0, 1, 1, 1, 2)) if chrom == "MT" else
                     (rng.randint(10_000, 60_000), (0, 1, 1, 2, 3, 5, 8, 20, 50, 150, 400)))
        accession = "NC_012920.1:m." if chrom == "MT" else f"NC_0000{chroms.index(chrom) + 1:02d}.11:g."
        batch: list[str] = []
        sig_draw = rng.choices(sigs, sig_w, k=count)
        rev_draw = rng.choices(revs, rev_w, k=count)
        for i in range(count):
            pos += rng.choice(gaps)
            if rng.random() < 0.01:
                gene_cursor = (gene_cursor + 1) % len(genes)
            ref, alt, kind, so = _allele_pair(rng)
            vid = variation_ids[written]
            written += 1
            if rng.random() < 0.5:
                cond = [COMMON_CONDITIONS[min(int(rng.expovariate(1.2)), 3)]]
            else:
                # a few hundred conditions are common, the long tail is rare
                cond = [conditions[min(int(rng.paretovariate(0.5)) * 7 + rng.randrange(7),
                                       len(conditions) - 1)]
                        for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            info = [f"ALLELEID={vid + 15000}",
                    "CLNDISDB=" + "|".join(c[1] for c in cond),
                    "CLNDN=" + "|".join(c[0] for c in cond),
                    f"CLNHGVS={accession}{pos}{ref}>{alt}"]
            if rng.random() < 0.012:  # somatic-only record: no germline classification at all
                info += ["CLNVC=" + kind, "CLNVCSO=" + so, "ONC=Oncogenic",
                         "ONCREVSTAT=criteria_provided,_single_submitter",
                         "ONCDN=Neoplasm", "ONCDISDB=MedGen:C0027651"]
            else:
                sig = sig_draw[i]
                rev = rev_draw[i]
                if sig.startswith("Conflicting"):
                    rev = "criteria_provided,_conflicting_classifications"
                elif rev == "criteria_provided,_conflicting_classifications":
                    rev = "criteria_provided,_single_submitter"
                info += [f"CLNREVSTAT={rev}", f"CLNSIG={sig}"]
                if sig.startswith("Conflicting"):
                    info.append("CLNSIGCONF=Uncertain_significance(3)|Likely_benign(1)")
                info += ["CLNVC=" + kind, "CLNVCSO=" + so]
            if rng.random() < 0.1:
                info.append(f"CLNVI=ClinGen:CA{vid * 7 % 999999999}|Laboratory_{vid % 97}:{vid}")
            if rng.random() < 0.97:
                gene = genes[gene_cursor]
                if rng.random() < 0.03:
                    gene += "|" + genes[(gene_cursor + 1) % len(genes)]
                info.append(f"GENEINFO={gene}")
            if rng.random() < 0.8:
                info.append(rng.choice(("MC=SO:0001583|missense_variant", "MC=SO:0001819|synonymous_variant",
                                        "MC=SO:0001627|intron_variant", "MC=SO:0001589|frameshift_variant",
                                        "MC=SO:0001587|nonsense,SO:0001623|5_prime_UTR_variant")))
            info.append("ORIGIN=1")
            if rng.random() < 0.6:
                info.append(f"RS={vid * 13 % 2_000_000_000}")
            batch.append(f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{';'.join(info)}\n")
            if len(batch) >= 20_000:
                out.write("".join(batch).encode())
                batch.clear()
        out.write("".join(batch).encode())
    # ClinVar GRCh38 releases carry a few records on unplaced RefSeq contigs.
    out.write(b"NW_009646201.1\t100\t9999999\tA\tG\t.\t.\tALLELEID=1;CLNREVSTAT=no_assertion_criteria_provided;"
              b"CLNSIG=Pathogenic;ORIGIN=1\n")
    out.close()
    if bgzip.wait() != 0:
        raise SystemExit("bgzip failed")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time_readers(path: Path) -> None:
    """Reading alone (no vault): GeneDesk's parser over gzip and over isal, and cyvcf2."""
    import io

    from genedesk.core.knowledge import clinvar

    openers: dict[str, object] = {"gzip": gzip.GzipFile}
    try:
        import isal.igzip

        openers["isal"] = isal.igzip.GzipFile
    except ImportError:
        print("  isal: not installed (uv pip install isal to compare)")
    for name, opener in openers.items():
        cpu, start = time.process_time(), time.perf_counter()
        with path.open("rb") as raw:
            text = io.TextIOWrapper(opener(fileobj=raw), encoding="utf-8")  # type: ignore[operator]
            header = clinvar._read_header(text, path.name)
            reader = clinvar._Reader(text, header.lines + 1, 1,
                                     clinvar._LookupIds({}, {}, {}, {}, 1, 1, 1, 1))
            reader.read(lambda batch: None, lambda: None)
        print(f"  GeneDesk parser over {name}: {reader.counts.records:,} records, "
              f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    try:
        import cyvcf2
    except ImportError:
        print("  cyvcf2: not installed")
        return
    # The same work as GeneDesk's reader (lookup ids, rows), minus most of its checks.
    cpu, start = time.process_time(), time.perf_counter()
    count = 0
    ids: dict[object, int] = {}
    rows: list[tuple[object, ...]] = []
    for variant in cyvcf2.VCF(str(path), threads=2):
        count += 1
        chrom = clinvar.CHROMOSOMES.get(variant.CHROM)
        info = variant.INFO
        clnsig = info.get("CLNSIG")
        if chrom is None or clnsig is None:
            continue
        if clnsig not in ids:
            clinvar.classify(clnsig)
        found = [ids.setdefault(key, len(ids)) for key in (
            clnsig, info.get("CLNREVSTAT"), (info.get("CLNDN"), info.get("CLNDISDB")),
            info.get("GENEINFO"))]
        for alt in variant.ALT:
            rows.append((1, chrom, variant.POS, variant.REF, alt, int(variant.ID),
                         info.get("ALLELEID"), *found, info.get("CLNSIGCONF")))
        if len(rows) >= 5000:
            rows = []
    print(f"  cyvcf2 (threads=2) doing the same preparation with fewer checks: {count:,} records, "
          f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")


def _run_load(path: Path, work: Path) -> tuple[float, float, int]:
    os.environ["GENEDESK_HOME"] = str(work / "home")  # keep logs and settings out of the user's
    import keyring
    import keyring.backends.fail

    from genedesk.core import staff
    from genedesk.core.knowledge import clinvar
    from genedesk.core.vault import create_vault

    keyring.set_keyring(keyring.backends.fail.Keyring())
    opened = create_vault(work / "vault", admin_name="Bench Admin", admin_password="bench-password-1",
                          passphrase_mode=True, passphrase="bench passphrase for timing")
    vault = opened.vault
    actor = staff.sign_in(vault, "Bench Admin", "bench-password-1")
    calls: list[float] = []
    fractions: list[float] = []

    def progress(done: int, total: int) -> None:
        calls.append(time.perf_counter())
        fractions.append(done / total if total else 0.0)

    cpu_start = time.process_time()
    start = time.perf_counter()
    calls.append(start)
    summary = clinvar.load_clinvar(vault, actor, path, progress=progress)
    end = time.perf_counter()
    cpu = time.process_time() - cpu_start
    calls.append(end)
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    fractions = [0.0, *fractions, 1.0]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    print(f"  longest progress gap {gaps[worst]:.2f} s, from {fractions[worst]:.3f} to "
          f"{fractions[worst + 1]:.3f} of the file (1.000 = end, incl. the commit)")
    print(f"  {summary.message}")
    print(f"  CPU time of the load {cpu:.1f} s (wall {end - start:.1f} s; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs - other work on the machine stretches wall time)")
    print(f"  records read {summary.records:,}; alleles stored {summary.alleles:,}; "
          f"no germline classification {summary.without_germline_classification:,}; "
          f"other contigs {summary.other_contigs:,}")
    print(f"  progress calls {len(calls) - 2:,}; last fraction {fractions[-1]:.3f}")
    again_start = time.perf_counter()
    again = clinvar.load_clinvar(vault, actor, path)
    print(f"  second load: {again.message} ({time.perf_counter() - again_start:.2f} s)")
    probe = vault.query_one("SELECT chrom, pos, ref, alt FROM clinvar_allele LIMIT 1 OFFSET ?",
                            (summary.alleles // 3,))
    look_start = time.perf_counter()
    for _ in range(1000):
        clinvar.lookup(vault, "GRCh38", probe["chrom"], probe["pos"], probe["ref"], probe["alt"])
    print(f"  lookup: {(time.perf_counter() - look_start):.3f} ms each (1000 lookups)")
    vault.close()
    size = sum(p.stat().st_size for p in (work / "vault").iterdir() if p.is_file())
    return end - start, max(gaps), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3_600_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "genedesk-bench-clinvar")
    parser.add_argument("--readers", action="store_true", help="also time the readers alone")
    parser.add_argument("--synthesise-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.synthesise_only:
        synthesise(args.synthesise_only, args.records)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "desktop"))
    if shutil.which("bgzip") is None:
        print("needs bgzip (Debian package tabix)")
        return 2
    args.cache.mkdir(parents=True, exist_ok=True)
    release = args.cache / f"clinvar-synthetic-{args.records}.vcf.gz"
    if not release.exists():
        start = time.perf_counter()
        partial = release.with_suffix(".partial")
        # in a child process, so the generator's memory does not count in this one's peak RSS
        subprocess.run([sys.executable, __file__, "--records", str(args.records),
                        "--synthesise-only", str(partial)], check=True)
        partial.replace(release)
        print(f"synthesised {release} in {time.perf_counter() - start:.0f} s")
    print(f"release file: {release} ({release.stat().st_size / 1e6:.0f} MB compressed)")
    with gzip.open(release, "rb") as check:
        check.read(1)
    print("loading into a new vault:")
    with tempfile.TemporaryDirectory(dir=args.cache) as work:
        rss_before = _peak_rss_mib()
        seconds, worst_gap, size = _run_load(release, Path(work))
        print(f"  load: {seconds:.1f} s (budget {BUDGET_SECONDS:.0f} s); longest progress gap "
              f"{worst_gap:.2f} s; peak RSS {_peak_rss_mib():.0f} MiB (before load {rss_before:.0f}"
              f" MiB); vault on disk {size / 1e6:.0f} MB")
    ok = seconds <= BUDGET_SECONDS and worst_gap <= PROGRESS_GAP_SECONDS
    print("PASS" if ok else "FAIL")
    if args.readers:  # after the load, so its memory does not count in the load's peak RSS
        print("reading only:")
        _time_readers(release)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

