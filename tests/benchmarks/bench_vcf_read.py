"""VCF reading speed beside bcftools, on the same files in the same run (issue 3). Run by hand:

    uv run python tests/benchmarks/bench_vcf_read.py [--workdir /tmp/genedesk-bench]
                                                     [--records 5000000] [--plain]

Makes a genome-scale file with ../shared/tools/synth_vcf.py (bgzip + tabix), a copy without an
index, and a 100,000-record exome-sized file, then times, each best of --repeat runs:
- indexed 5M file with the default gene set   vs `bcftools view -H -R regions.bed`
- the same file without an index (one pass)    vs `bcftools view -H FILE`
- with --plain also plain gzip and uncompressed copies (large: ~0.5 GB on disk)
- the 100k-record file, unindexed
The default gene set is the knowledge base's ACMG SF genes (resources/knowledge/genes/genes.tsv,
GRCh38 columns) with a 50-base margin, plus the PharmCAT positions in resources/pgx/alleles.
Peak memory of the reader process is read from /proc (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from genedesk.core.genomics import GeneRegion, KeepRules, PharmacogenomicPosition, read_vcf
from genedesk.core.genomics.reader import warm_up
from genedesk.core.paths import resources_dir

REPO = Path(__file__).resolve().parents[2]
SYNTH = REPO / ".." / "shared" / "tools" / "synth_vcf.py"
MARGIN = 50


def default_rules() -> KeepRules:
    genes = resources_dir() / "knowledge" / "genes" / "genes.tsv"
    regions: list[GeneRegion] = []
    if genes.is_file():
        rows = [line.rstrip("\n").split("\t") for line in genes.open() if not line.startswith("#")]
        header, body = rows[0], rows[1:]
        at = {name: header.index(name) for name in ("symbol", "grch38_chrom", "grch38_start",
                                                     "grch38_end")}
        regions = [GeneRegion(r[at["grch38_chrom"]], int(r[at["grch38_start"]]),
                              int(r[at["grch38_end"]]), r[at["symbol"]])
                   for r in body if r[at["grch38_start"]].isdigit()]
    positions: list[PharmacogenomicPosition] = []
    for path in sorted((resources_dir() / "pgx" / "alleles").glob("*.json")):
        gene = json.loads(path.read_text())
        positions += [PharmacogenomicPosition(gene["chromosome"], p["position"],
                                              p.get("rsid") or gene["gene"])
                      for p in gene["positions"]]
    if not regions:
        sys.exit("resources/knowledge/genes/genes.tsv is missing: no default gene set to use")
    return KeepRules(regions={"GRCh38": tuple(regions)},
                     pharmacogenomic_positions={"GRCh38": tuple(positions)}, margin=MARGIN)


def write_bed(rules: KeepRules, path: Path) -> None:
    spans = [(r.chrom, r.start - MARGIN, r.end + MARGIN) for r in rules.regions["GRCh38"]]
    spans += [(p.chrom, p.pos, p.pos) for p in rules.pharmacogenomic_positions["GRCh38"]]
    with path.open("w") as bed:
        for chrom, start, end in sorted(spans):
            name = chrom if chrom.startswith("chr") else f"chr{chrom}"
            bed.write(f"{name}\t{max(0, start - 1)}\t{end}\n")  # BED is 0-based, half-open


def make_inputs(workdir: Path, records: int, plain: bool) -> dict[str, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    files = {"indexed": workdir / "wgs.vcf.gz", "exome": workdir / "exome" / "exome.vcf.gz"}
    if not files["indexed"].exists():
        print(f"making {records:,} records (takes about a minute per 5M)...", file=sys.stderr)
        subprocess.run(f"python3 {SYNTH} --records {records} | bgzip -@2 > {files['indexed']}",
                       shell=True, check=True)
        subprocess.run(["tabix", "-f", "-p", "vcf", str(files["indexed"])], check=True)
    unindexed = workdir / "noindex"
    unindexed.mkdir(exist_ok=True)
    files["unindexed"] = unindexed / "wgs.vcf.gz"
    if not files["unindexed"].exists():
        os.link(files["indexed"], files["unindexed"])
    files["exome"].parent.mkdir(exist_ok=True)
    if not files["exome"].exists():
        subprocess.run(f"python3 {SYNTH} --records 100000 --seed 7 | bgzip > {files['exome']}",
                       shell=True, check=True)
    if plain:
        files["gzip"] = unindexed / "wgs.plain.vcf.gz"
        files["text"] = unindexed / "wgs.vcf"
        if not files["text"].exists():
            subprocess.run(f"bgzip -dc {files['indexed']} > {files['text']}", shell=True,
                           check=True)
        if not files["gzip"].exists():
            subprocess.run(f"gzip -1 -c {files['text']} > {files['gzip']}", shell=True,
                           check=True)
    return files


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def bcftools(*args: str) -> Callable[[], object]:
    return lambda: subprocess.run(["bcftools", "view", "-H", *args], check=True,
                                  stdout=subprocess.DEVNULL)


class PeakMemory:
    """Highest VmHWM of the reader process, sampled from the progress callback."""

    def __init__(self) -> None:
        self.kb = 0

    def __call__(self, done: int, total: int) -> None:
        for reader in _busy_readers():
            status = Path(f"/proc/{reader}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.kb = max(self.kb, int(line.split()[1]))


def _busy_readers() -> list[int]:
    import multiprocessing

    return [p.pid for p in multiprocessing.active_children()
            if p.name == "genedesk-vcf-reader" and p.pid is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/genedesk-bench"))
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plain", action="store_true",
                        help="also plain-gzip and uncompressed copies")
    args = parser.parse_args()
    for tool in ("bcftools", "bgzip", "tabix"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (Debian packages bcftools, tabix)")
    rules = default_rules()
    files = make_inputs(args.workdir, args.records, args.plain)
    bed = args.workdir / "regions.bed"
    write_bed(rules, bed)
    rows: list[tuple[str, float, float | None, str]] = []

    start = time.perf_counter()
    first = read_vcf(files["indexed"], keep=rules)
    cold = time.perf_counter() - start  # includes starting the reader process
    assert first.facts.indexed_read
    peak = PeakMemory()
    warm = best_of(args.repeat, lambda: read_vcf(files["indexed"], keep=rules, progress=peak))
    reference = best_of(args.repeat, bcftools("-R", str(bed), str(files["indexed"])))
    rows.append((f"indexed {args.records:,} records, gene set ({first.summary.records_read:,} "
                 f"records in regions, {len(first.calls):,} calls kept)", warm, reference,
                 f"first read {cold:.2f} s (starts the reader process)"))

    for label, key in (("no index, BGZF", "unindexed"), ("no index, plain gzip", "gzip"),
                       ("no index, uncompressed", "text")):
        if key not in files:
            continue
        result = read_vcf(files[key], keep=rules)
        assert not result.facts.indexed_read and result.summary.reconciles()
        seconds = best_of(args.repeat, lambda k=key: read_vcf(files[k], keep=rules,  # type: ignore[misc]
                                                                progress=peak))
        rows.append((f"{label}, one pass over {result.summary.records_read:,} records", seconds,
                     best_of(args.repeat, bcftools(str(files[key]))), ""))

    exome = read_vcf(files["exome"], keep=rules)
    rows.append((f"exome-sized file, {exome.summary.records_read:,} records, no index",
                 best_of(args.repeat, lambda: read_vcf(files["exome"], keep=rules)),
                 best_of(args.repeat, bcftools(str(files["exome"]))), ""))

    print("| case | GeneDesk read_vcf | bcftools view -H | ratio | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, ours, theirs, note in rows:
        ratio = f"{ours / theirs:.2f}×" if theirs else ""
        print(f"| {label} | {ours:.2f} s | {theirs:.2f} s | {ratio} | {note} |")
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory: reader process {peak.kb / 1024:.0f} MB, "
          f"calling process {parent_mb:.0f} MB")
    warm_up()


if __name__ == "__main__":
    main()
