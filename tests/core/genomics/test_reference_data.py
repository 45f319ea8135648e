"""The derived reference data (resources/genomics) against real files' headers and its provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

from genedesk.core.genomics.reference import (
    CHROMOSOMES,
    normalise_chromosome,
    reference_build,
)
from genedesk.core.genomics.source import open_source
from genedesk.core.paths import resources_dir


def test_provenance_is_recorded_next_to_the_data() -> None:
    folder = resources_dir() / "genomics"
    document = json.loads((folder / "reference_builds.json").read_text())
    source = document["source"]
    assert source["package"] == "bioutils" and re.fullmatch(r"\d+\.\d+\.\d+", source["version"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["derived_on"])
    assert (folder / source["script"].split("/")[-1]).is_file()
    for build, assembly in (("GRCh37", "GRCh37.p13"), ("GRCh38", "GRCh38.p14")):
        entry = document["builds"][build]
        assert entry["assembly"] == assembly and entry["assembly_date"]
        assert len(entry["pseudoautosomal_regions"]) == 4
        ref = reference_build(build)
        assert set(ref.chromosome_lengths) == set(CHROMOSOMES)
        assert all(a.startswith("NC_") for a in ref.chromosome_accessions.values())


def _contigs(path: Path) -> dict[str, int]:
    return {c.name: c.length for c in open_source(path).header.contigs if c.length}


def test_lengths_agree_with_real_headers(shared_data: Path) -> None:
    """Platinum Genomes' headers (hg19 and hg38) and the 1000 Genomes b37 callset were written
    by other tools from the reference FASTA; every chromosome and b37 scaffold length agrees."""
    folder = shared_data / "platinum-genomes-hap.py"
    for name, build in (("PG_NA12878_chr21.vcf.gz", "GRCh37"),
                        ("PG_NA12878_hg38-chr21.vcf.gz", "GRCh38")):
        ref = reference_build(build)
        checked = 0
        for contig, length in _contigs(folder / name).items():
            chrom = normalise_chromosome(contig)
            if chrom is not None and chrom != "MT":  # hg19's chrM is not the rCRS
                assert ref.chromosome_lengths[chrom] == length, (name, contig)
                checked += 1
        assert checked == 23  # chr1-22 and chrX (NA12878 is female: no chrY line)
    b37 = _contigs(shared_data / "seqr-callsets" / "1kg_30variants.vcf")
    ref37 = reference_build("GRCh37")
    for contig, length in b37.items():
        chrom = normalise_chromosome(contig)
        known = ref37.chromosome_lengths.get(chrom or "") or ref37.other_sequences.get(contig)
        if contig not in ("NC_007605", "hs37d5"):  # EBV and the 1000 Genomes decoy
            assert known == length, contig
