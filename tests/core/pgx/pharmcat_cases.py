"""Helpers for the PharmCAT agreement tests: read EXPECTED-CALLS.tsv, build exact fixture VCFs.

Exact fixtures follow ../shared/data/pharmcat/SOURCE.md: take the gene's records from
positions/pharmcat_positions.vcf, set the listed genotypes (CPIC alleles mapped to VCF alleles
through cpicToVcfAlleleMap), leave every other position 0/0 and drop the MISSING positions.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from genedesk.core.pgx.definitions import GeneDefinition

REPO_ROOT = Path(__file__).resolve().parents[3]  # tests/core/pgx → repo root
PHARMCAT = REPO_ROOT / ".." / "shared" / "data" / "pharmcat"
SHARED_MISSING_REASON = (
    "../shared/data/pharmcat (PharmCAT test data) is not beside the repository; "
    "this test reads PharmCAT's files from it"
)


@dataclass(frozen=True)
class ExpectedCall:
    gene: str
    case: str
    level: str
    genotype_spec: str
    phased: bool
    options: str
    expected: str
    static_file: str
    relation: str

    @property
    def top_only(self) -> bool:
        return self.level == "pipeline" or "topCandidateOnly" in self.options

    @property
    def key(self) -> str:
        return f"{self.gene}:{self.case}"

    @property
    def expected_call(self) -> str:
        """The diplotype list alone, without the explanations written after it."""
        text = self.expected
        for marker in (
            "  (",
            " (recommendation lookup",
            " (Normal Metabolizer",
            " (Poor Metabolizer",
        ):
            text = text.split(marker)[0]
        return text.split(";")[0].strip()

    @property
    def static_path(self) -> Path | None:
        name = self.static_file.split(" ")[0]
        if not name.endswith(".vcf"):
            return None
        for folder in (PHARMCAT / "haplotype-tests", PHARMCAT):
            if (folder / name).exists():
                return folder / name
        return None


def read_expected_calls() -> list[ExpectedCall]:
    path = PHARMCAT / "EXPECTED-CALLS.tsv"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return [
        ExpectedCall(
            gene=r["gene"],
            case=r["case"],
            level=r["level"],
            genotype_spec=r["genotype_spec"],
            phased=r["phased"] == "yes",
            options=r["options"] or "",
            expected=r["expected"],
            static_file=r["static_file"] or "",
            relation=r["relation"] or "",
        )
        for r in rows
    ]


@dataclass(frozen=True)
class GenotypeSpec:
    genotypes: dict[str, tuple[str, str]]  # rsid → CPIC alleles
    missing: tuple[str, ...]


def parse_spec(spec: str) -> GenotypeSpec | None:
    """The genotype spec as alleles by rsID, or None when the case only exists as a file."""
    if spec.startswith(("as in file", "PharmCAT example", "see ")):
        return None
    if spec.startswith("all ") and spec.endswith("positions reference"):
        return GenotypeSpec({}, ())
    text = re.sub(r"\s*\((?:phased|rs3758581 present|undocumented)[^)]*\)", "", spec)
    text = text.replace("reference + extra position ", "")
    genotypes: dict[str, tuple[str, str]] = {}
    missing: list[str] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if part.startswith("MISSING "):
            missing.extend(x.strip() for x in part[len("MISSING ") :].split(","))
            continue
        rsid, alleles = part.split("=", 1)
        first, second = alleles.split("/")
        genotypes[rsid.strip()] = (first.strip(), second.strip())
    return GenotypeSpec(genotypes, tuple(missing))


def _to_vcf_allele(cpic: str, cpic_to_vcf: dict[str, str]) -> str:
    if cpic in cpic_to_vcf:
        return cpic_to_vcf[cpic]
    if cpic == "del":  # the spec shortens "delAGAAATGGAA" to "del"
        deletions = [v for k, v in cpic_to_vcf.items() if k.startswith("del")]
        if len(deletions) == 1:
            return deletions[0]
    return cpic  # an allele the definition does not know (undocumented variant)


def build_fixture_vcf(
    definition: GeneDefinition, spec: GenotypeSpec, phased: bool, target: Path
) -> Path:
    """Write the exact fixture VCF for one spec row; returns its path."""
    by_rsid = {p.rsid: p for p in (*definition.positions, *definition.extra_positions) if p.rsid}
    wanted = {p.position for p in (*definition.positions, *definition.extra_positions)}
    chrom = definition.chromosome
    set_gt = {
        by_rsid[rs].position: (by_rsid[rs], alleles) for rs, alleles in spec.genotypes.items()
    }
    drop = {by_rsid[rs].position for rs in spec.missing}
    out: list[str] = []
    source = PHARMCAT / "positions" / "pharmcat_positions.vcf"
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            out.append(line)
            continue
        fields = line.split("\t")
        pos = int(fields[1])
        if fields[0] != chrom or pos not in wanted or pos in drop:
            continue
        if pos in set_gt:
            definition_pos, (a, b) = set_gt[pos]
            alleles = [fields[3], *fields[4].split(",")]
            indices = []
            for cpic in (a, b):
                vcf_allele = _to_vcf_allele(cpic, definition_pos.cpic_to_vcf)
                if vcf_allele not in alleles:
                    alleles.append(vcf_allele)
                indices.append(alleles.index(vcf_allele))
            fields[4] = ",".join(alleles[1:])
            fields[9] = f"{indices[0]}{'|' if phased else '/'}{indices[1]}"
        out.append("\t".join(fields))
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target
