# /// script
# requires-python = ">=3.11"
# dependencies = ["bioutils==0.6.2"]
# ///
"""Derive GeneDesk's genome-build reference data from biocommons bioutils.

Run from the repository root:  uv run resources/genomics/derive_reference.py

bioutils ships NCBI's assembly reports (GCF_000001405.25 GRCh37.p13, GCF_000001405.40 GRCh38.p14)
and the pseudoautosomal regions from NCBI's assembly_regions.txt. This script copies, for each build,
every sequence's names, length and accessions, and the PAR coordinates, into
`reference_builds.json` beside it, with the source package, its version and the date of the run.
GeneDesk reads only the JSON at run time; bioutils is needed only to run this script again.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
from pathlib import Path

from bioutils.assemblies import get_assembly
from bioutils.par import get_par_map, get_par_meta

OUT = Path(__file__).with_name("reference_builds.json")
BUILDS = {"GRCh37": "GRCh37.p13", "GRCh38": "GRCh38.p14"}


def derive_build(build: str, patch: str) -> dict[str, object]:
    assembly = get_assembly(patch)
    sequences = [
        {
            "name": s["name"],
            "aliases": list(s.get("aliases") or []),
            "length": s["length"],
            "refseq_ac": s.get("refseq_ac") or "",
            "genbank_ac": s.get("genbank_ac") or "",
            "role": s["sequence_role"],
        }
        for s in assembly["sequences"]
    ]
    par_meta = get_par_meta(build)
    # bioutils keeps PARs interbase (0-based, half-open); VCF positions are 1-based inclusive.
    pars = [
        {"chrom": chrom, "label": label, "start": span[0] + 1, "end": span[1]}
        for chrom, regions in sorted(get_par_map(build).items())
        for label, span in sorted(regions.items())
    ]
    return {
        "build": build,
        "assembly": assembly["name"],
        "assembly_accession": assembly["refseq_ac"],
        "assembly_date": assembly["date"],
        "description": assembly["description"],
        "par_source": par_meta["source"],
        "par_source_url": par_meta["source_url"],
        "pseudoautosomal_regions": pars,
        "sequences": sequences,
    }


def main() -> None:
    document = {
        "source": {
            "package": "bioutils",
            "version": importlib.metadata.version("bioutils"),
            "origin": "NCBI assembly reports and assembly_regions.txt, as shipped in bioutils",
            "derived_on": datetime.date.today().isoformat(),
            "script": "resources/genomics/derive_reference.py",
        },
        "coordinates": "1-based, inclusive (as in VCF)",
        "builds": {build: derive_build(build, patch) for build, patch in BUILDS.items()},
    }
    OUT.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
