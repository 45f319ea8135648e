"""Unit tests of the calling logic on small genotype mappings (no ../shared needed).

The toy gene below is not a real gene: it exists to make each rule of the caller visible.
The real-gene tests use the shipped CPIC/PharmVar tables with genotypes written by hand.
"""

from __future__ import annotations

from genedesk.core.pgx.calling import ObservedGenotype, allele_sort_key, call_gene
from genedesk.core.pgx.definitions import (
    DefinitionPosition,
    GeneDefinition,
    NamedAllele,
    load_definitions,
)
from genedesk.core.pgx.dpyd import HAPB3, call_dpyd


def _pos(position: int, ref: str, alt: str) -> DefinitionPosition:
    return DefinitionPosition(position, f"rs{position}", None, ref, (alt,), {ref: ref, alt: alt})


def toy_gene(undocumented_as_reference: bool = False) -> GeneDefinition:
    # *1 reference; *2 = A at 100; *3 = T at 200; *4 = A at 100 and T at 200;
    # *5 = G at 300; *6 = R (A or G) at 300.
    return GeneDefinition(
        gene="TOY",
        chromosome="chr1",
        genome_build="GRCh38",
        version="test",
        positions=(_pos(100, "C", "A"), _pos(200, "G", "T"), _pos(300, "A", "G")),
        alleles=(
            NamedAllele("*1", True, ("C", "G", "A")),
            NamedAllele("*2", False, ("A", None, None)),
            NamedAllele("*3", False, (None, "T", None)),
            NamedAllele("*4", False, ("A", "T", None)),
            NamedAllele("*5", False, (None, None, "G")),
            NamedAllele("*6", False, (None, None, "R")),
        ),
        extra_positions=(),
        undocumented_as_reference=undocumented_as_reference,
    )


def ref(definition: GeneDefinition) -> dict[int, ObservedGenotype]:
    return {p.position: ObservedGenotype((p.ref, p.ref)) for p in definition.positions}


def test_all_reference_gives_reference_pair() -> None:
    call = call_gene(toy_gene(), ref(toy_gene()))
    assert call.display == "*1/*1"
    assert not call.tie and not call.not_tested


def test_unphased_two_hets_consider_every_split() -> None:
    genes = ref(toy_gene())
    genes[100] = ObservedGenotype(("C", "A"))
    genes[200] = ObservedGenotype(("G", "T"))
    call = call_gene(toy_gene(), genes)
    # Both splits are candidates: variants together (*1/*4) or apart (*2/*3). The reference
    # allele names every position, so the split that leaves one copy fully reference is the
    # better supported one (PharmCAT scores it the same way).
    assert [(d.name, d.score) for d in call.candidates[:2]] == [("*1/*4", 5), ("*2/*3", 2)]
    assert call.display == "*1/*4" and not call.tie


def test_phase_removes_the_tie() -> None:
    genes = ref(toy_gene())
    genes[100] = ObservedGenotype(("C", "A"), phased=True)
    genes[200] = ObservedGenotype(("T", "G"), phased=True)  # variants on different copies
    call = call_gene(toy_gene(), genes)
    assert call.display == "*2/*3"  # phase rules out *1/*4
    assert call.phased


def test_missing_position_is_listed_and_never_taken_as_reference() -> None:
    genes = ref(toy_gene())
    del genes[200]
    genes[100] = ObservedGenotype(("C", "A"))
    call = call_gene(toy_gene(), genes)
    assert [p.position for p in call.not_tested] == [200]
    # Without 200 the data cannot tell *2 from *4; both are reported.
    assert {d.name for d in call.diplotypes} == {"*1/*2", "*1/*4"}
    assert call.tie


def test_allele_defined_only_at_untested_positions_is_dropped() -> None:
    genes = ref(toy_gene())
    del genes[300]
    call = call_gene(toy_gene(), genes)
    names = {n for d in call.candidates for n in (d.allele1, d.allele2)}
    assert "*5" not in names  # nothing tested could show it
    assert call.display == "*1/*1"


def test_undocumented_allele_blocks_the_call_and_is_noted() -> None:
    genes = ref(toy_gene())
    genes[100] = ObservedGenotype(("C", "T"))  # T is in no definition
    call = call_gene(toy_gene(), genes)
    assert not call.called and call.display == "not called"
    assert call.notes and "not in any definition" in call.notes[0].note


def test_undocumented_allele_read_as_reference_where_cpic_does() -> None:
    gene = toy_gene(undocumented_as_reference=True)
    genes = ref(gene)
    genes[100] = ObservedGenotype(("C", "T"))
    call = call_gene(gene, genes)
    assert call.display == "*1/*1"
    assert "read as reference" in call.notes[0].note


def test_iupac_code_matches_either_base_but_scores_only_a_non_reference_match() -> None:
    genes = ref(toy_gene())
    call = call_gene(toy_gene(), genes)
    # *6's R accepts the reference A too, but that match carries no evidence: *1/*1 wins.
    assert call.display == "*1/*1"
    assert "*1/*6" in {d.name for d in call.candidates}
    genes[300] = ObservedGenotype(("A", "G"))
    call = call_gene(toy_gene(), genes)
    # R matched the non-reference G: *6 is as well supported as *5, so they tie.
    assert call.display == "*1/*5 | *1/*6"


def test_no_positions_at_all_is_not_called() -> None:
    call = call_gene(toy_gene(), {})
    assert not call.called
    assert len(call.not_tested) == 3


def test_natural_allele_order() -> None:
    names = ["*10", "*2", "*1", "Reference", "c.557A>G", "c.61C>T"]
    ordered = sorted(names, key=lambda n: allele_sort_key(n, n == "Reference"))
    assert ordered == ["Reference", "*1", "*2", "*10", "c.61C>T", "c.557A>G"]


# ---- shipped CPIC tables, genotypes written by hand ------------------------------------------


def _real(
    gene: str, changes: dict[str, tuple[str, str]], missing: tuple[str, ...] = ()
) -> dict[int, ObservedGenotype]:
    definition = load_definitions()[gene]
    by_rsid = {p.rsid: p for p in definition.positions}
    genes = ref(definition)
    for rsid, alleles in changes.items():
        genes[by_rsid[rsid].position] = ObservedGenotype(alleles)
    for rsid in missing:
        del genes[by_rsid[rsid].position]
    return genes


def test_cyp2c19_star2_homozygote() -> None:
    definition = load_definitions()["CYP2C19"]
    genes = _real(
        "CYP2C19", {"rs12769205": ("G", "G"), "rs4244285": ("A", "A"), "rs3758581": ("G", "G")}
    )
    assert call_gene(definition, genes).display == "*2/*2"


def test_cyp2c19_untested_star17_position_gives_a_reported_tie() -> None:
    definition = load_definitions()["CYP2C19"]
    genes = _real("CYP2C19", {"rs3758581": ("G", "G")}, missing=("rs12248560",))
    call = call_gene(definition, genes)
    assert [d.name for d in call.candidates] == ["*1/*1", "*1/*17", "*17/*17"]
    assert [p.rsid for p in call.not_tested] == ["rs12248560"]


def test_tpmt_two_hets_star1_star3a_beats_star3b_star3c_with_every_position_tested() -> None:
    definition = load_definitions()["TPMT"]
    genes = _real("TPMT", {"rs1800460": ("C", "T"), "rs1142345": ("T", "C")})
    call = call_gene(definition, genes)
    assert call.display == "*1/*3A"
    # The other split is still a candidate, just less specific (the reference names every position).
    assert "*3B/*3C" in [d.name for d in call.candidates]


def test_dpyd_two_unphased_variants_are_listed_not_paired() -> None:
    definition = load_definitions()["DPYD"]
    genes = _real("DPYD", {"rs3918290": ("C", "T"), "rs1801159": ("T", "C")})
    call = call_dpyd(definition, genes)
    assert call.diplotypes == ()
    assert call.display == "c.1627A>G (*5) | c.1905+1G>A (*2A)"


def test_dpyd_hapb3_called_from_intronic_variant_and_mismatch_noted() -> None:
    definition = load_definitions()["DPYD"]
    genes = _real("DPYD", {"rs75017182": ("G", "C")})  # intronic only, exonic reference
    call = call_dpyd(definition, genes)
    assert call.display == f"Reference/{HAPB3}"
    assert any("intronic" in n.note for n in call.notes)
