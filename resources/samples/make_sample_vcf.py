#!/usr/bin/env python3
"""Write resources/samples/selftest.vcf: the tiny, invented VCF that `genedesk --self-test` imports.

Nothing in it is a real person's result. The calls are invented; only where they sit is taken
from GeneDesk's own derived data, so the file behaves like a lab's file when it is read:
- the ##contig lines (names and GRCh38 lengths) come from resources/genomics/reference_builds.json,
  so the genome build is recognised from the header as it is for a real file;
- three calls sit at the middle of the GRCh38 span of BRCA1, BRCA2 and TP53 in
  resources/knowledge/genes/genes.tsv, so they fall inside the gene regions GeneDesk keeps;
- one call sits on chromosome 1 far from every gene in that table, so it is counted, not kept.
REF bases are not read from the reference genome (GeneDesk does not check them).

Run it again after the derived tables change:  python3 resources/samples/make_sample_vcf.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "selftest.vcf"
BUILD = "GRCh38"
SAMPLE = "SELFTEST"
CHROMOSOMES = [str(n) for n in range(1, 23)] + ["X", "Y", "MT"]
FAR_FROM_GENES = 1_000_000  # bases between the "outside" call and any gene in the table

# (gene, REF, ALT, GT, DP, AD): the invented calls inside genes, one per zygosity pattern.
IN_GENES = (
    ("BRCA1", "C", "T", "0/1", 41, "20,21"),
    ("BRCA2", "G", "A", "1/1", 37, "0,37"),
    ("TP53", "A", "G,T", "1/2", 44, "1,22,21"),
)


def contigs() -> list[tuple[str, int]]:
    document = json.loads((RESOURCES / "genomics" / "reference_builds.json").read_text("utf-8"))
    lengths = {entry["name"]: int(entry["length"]) for entry in document["builds"][BUILD]["sequences"]}
    return [(name, lengths[name]) for name in CHROMOSOMES]


def gene_spans() -> dict[str, tuple[str, int, int]]:
    lines = (RESOURCES / "knowledge" / "genes" / "genes.tsv").read_text("utf-8").splitlines()
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    return {row["symbol"]: (row["grch38_chrom"], int(row["grch38_start"]), int(row["grch38_end"]))
            for row in rows if row["grch38_start"]}


def outside_position(spans: dict[str, tuple[str, int, int]]) -> int:
    """The first position on chromosome 1, in steps of 1 Mb, far from every gene in the table."""
    on_one = [(start, end) for chrom, start, end in spans.values() if chrom == "1"]
    for position in range(FAR_FROM_GENES, 240_000_000, FAR_FROM_GENES):
        if all(position < start - FAR_FROM_GENES or position > end + FAR_FROM_GENES
               for start, end in on_one):
            return position
    raise SystemExit("no position on chromosome 1 is far from every gene")


def render() -> str:
    spans = gene_spans()
    header = [
        "##fileformat=VCFv4.2",
        "##fileDate=20250101",
        "##source=GeneDesk self-test sample (resources/samples/make_sample_vcf.py)",
        "##GeneDeskNote=Invented calls for genedesk --self-test; not a real person's result",
        f"##reference={BUILD}",
        *(f"##contig=<ID={name},length={length},assembly={BUILD}>" for name, length in contigs()),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                   SAMPLE]),
    ]
    records = []
    for gene, ref, alt, gt, depth, allelic in IN_GENES:
        chrom, start, end = spans[gene]
        records.append((chrom, (start + end) // 2, ref, alt, gt, depth, allelic))
    records.append(("1", outside_position(spans), "T", "C", "0/1", 30, "15,15"))
    order = {name: index for index, name in enumerate(CHROMOSOMES)}
    records.sort(key=lambda record: (order[record[0]], record[1]))
    body = ["\t".join([chrom, str(pos), ".", ref, alt, "60", "PASS", ".", "GT:DP:GQ:AD",
                       f"{gt}:{depth}:60:{allelic}"])
            for chrom, pos, ref, alt, gt, depth, allelic in records]
    return "\n".join(header + body) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv[1:] == ["--check"]:
        same = OUT.is_file() and OUT.read_text("utf-8") == text
        print(f"{OUT.name} is {'up to date' if same else 'OUT OF DATE: run this script'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(RESOURCES.parent)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
