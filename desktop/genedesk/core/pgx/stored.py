"""Pharmacogenomic results from a patient's stored calls (kept at import at every PGx position).

PharmCAT's allele definitions are on GRCh38, so only GRCh38 tests are called; a position with no
stored call is "not tested" (the engine lists it), never assumed to be the reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from genedesk.core.genomics import VariantCall
from genedesk.core.pgx.calling import ObservedGenotype, genotypes_for
from genedesk.core.pgx.definitions import load_definitions
from genedesk.core.pgx.genes import call_one
from genedesk.core.pgx.report import ClinicianPgxReport, clinician_report
from genedesk.core.vault.store import Vault

_GT = re.compile(r"^([0-9.]+)([/|])([0-9.]+)$")


def observed(call: VariantCall) -> ObservedGenotype | None:
    """The two alleles at the call's position, from its genotype text, or None when unknown.

    A stored call holds one ALT allele (and, for genotypes such as 1/2, the other ALT the
    patient carries), so two different non-reference indexes are this ALT and the other one.
    """
    match = _GT.match(call.genotype.strip())
    if match is None or "." in (match.group(1), match.group(3)):
        return None
    first, sep, second = match.groups()
    if first != "0" and second != "0" and first != second and call.other_alt:
        pair = (call.alt, call.other_alt)
    else:
        pair = (call.ref if first == "0" else call.alt, call.ref if second == "0" else call.alt)
    return ObservedGenotype((pair[0].upper(), pair[1].upper()), phased=sep == "|")


def genotypes_from_calls(calls: Iterable[VariantCall]) -> dict[tuple[str, int], ObservedGenotype]:
    found: dict[tuple[str, int], ObservedGenotype] = {}
    for call in calls:
        genotype = observed(call)
        if genotype is not None and call.build == "GRCh38":
            found.setdefault((f"chr{call.chrom}", call.pos), genotype)
    return found


def pgx_for_patient(vault: Vault, patient_id: int) -> ClinicianPgxReport | None:
    """Diplotypes, phenotypes and CPIC advice from the patient's GRCh38 tests (None without one)."""
    from genedesk.core.imports import calls_of, tests_of

    tests = [t for t in tests_of(vault, patient_id) if t.build == "GRCh38"]
    if not tests:
        return None
    calls = [call for test in tests for call in calls_of(vault, test.id)]
    genotypes = genotypes_from_calls(calls)
    gene_calls = [
        call_one(definition, genotypes_for(definition, genotypes))
        for definition in load_definitions().values()
    ]
    return clinician_report(gene_calls)
