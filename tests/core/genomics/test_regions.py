"""Keep rules turned into merged intervals per chromosome."""

from __future__ import annotations

import pytest

from genedesk.core.errors import UsageError
from genedesk.core.genomics import GeneRegion, KeepRules, PharmacogenomicPosition
from genedesk.core.genomics.regions import RegionIndex


def test_regions_merge_with_margin_and_genes() -> None:
    rules = KeepRules(regions={"GRCh38": (
        GeneRegion("chr1", 1000, 2000, "A"), GeneRegion("1", 2060, 3000, "B"),
        GeneRegion("1", 9000, 9100, "C"))}, margin=50,
        pharmacogenomic_positions={"GRCh38": (PharmacogenomicPosition("chr1", 50_000, "rs1"),)})
    index = RegionIndex.from_rules(rules, "GRCh38")
    assert index.intervals() == [("1", 950, 3050), ("1", 8950, 9150), ("1", 50_000, 50_000)]
    assert index.overlapping("1", 2040, 2040) == "A,B"
    assert index.overlapping("1", 3051, 3060) is None
    assert index.overlapping("1", 3040, 3100) == "A,B"  # a deletion reaching into the region
    assert index.pharmacogenomic("1", 49_990, 50_010) == "rs1"
    assert index.pharmacogenomic("1", 50_001, 50_010) is None
    # index queries join close neighbours; the kept regions stay exact
    assert index.intervals(join_within=20_000) == [("1", 950, 9150), ("1", 50_000, 50_000)]
    assert RegionIndex.from_rules(rules, "GRCh37").intervals() == []  # rules are per build


def test_unusable_region_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        RegionIndex.from_rules(KeepRules(regions={"GRCh38": (
            GeneRegion("chrQ", 1, 2, "Q"),)}), "GRCh38")
