"""Importing a lab's VCF for a patient: read it, keep the calls that matter, store all or nothing.

The reading (genomics.read_vcf) runs in a child process and returns plain data; storing is one
transaction with one audit event, so a refused, failed or cancelled import leaves the vault exactly
as it was. The same file (by SHA-256) is never imported twice for one patient.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from genedesk.core import audit, clock, findings, patients
from genedesk.core.errors import BadInputError, Cancelled, NotFoundError, UsageError
from genedesk.core.genomics import (
    GeneRegion,
    KeepRules,
    PharmacogenomicPosition,
    VariantCall,
    VcfReadResult,
    read_vcf,
)
from genedesk.core.genomics.model import SexAtBirth
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

TEST_TYPES = ("panel", "exome", "genome", "pharmacogenomic")
GENE_MARGIN = 50  # bases each side of a gene: splice sites and the promoter's edge
log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@lru_cache(maxsize=1)
def default_keep_rules() -> KeepRules:
    """The knowledge base's gene regions (both builds) and the pharmacogenomic positions."""
    from genedesk.core.knowledge.genes import shipped_genes
    from genedesk.core.pgx.definitions import load_definitions

    table = shipped_genes()
    regions: dict[str, tuple[GeneRegion, ...]] = {}
    for build in ("GRCh37", "GRCh38"):
        regions[build] = tuple(
            GeneRegion(region.chrom, region.start, region.end, gene.symbol)
            for gene, region in table.regions(build)
        )
    pgx: list[PharmacogenomicPosition] = []
    for definition in load_definitions().values():
        chrom = definition.chromosome.removeprefix("chr")
        for position in (*definition.positions, *definition.extra_positions):
            pgx.append(
                PharmacogenomicPosition(
                    chrom,
                    position.position,
                    f"{definition.gene} {position.label}",
                    ref=position.ref,
                )
            )
    # PharmCAT publishes its allele definitions on GRCh38 only.
    return KeepRules(
        regions=regions, pharmacogenomic_positions={"GRCh38": tuple(pgx)}, margin=GENE_MARGIN
    )


def _keep_rules_record(rules: KeepRules) -> dict[str, Any]:
    return {
        "genes": sorted({region.gene for regions in rules.regions.values() for region in regions}),
        "margin": rules.margin,
        "pharmacogenomic_positions": {
            b: len(p) for b, p in rules.pharmacogenomic_positions.items()
        },
        "keep_pathogenic": rules.keep_pathogenic,
        "everything": rules.everything,
    }


def file_sha256(path: Path, cancelled: Cancel | None = None) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                if cancelled is not None and cancelled():
                    raise Cancelled("The import was cancelled; nothing was stored.")
    except FileNotFoundError:
        raise BadInputError(f"The file {path} does not exist.") from None
    except IsADirectoryError:
        raise BadInputError(f"{path} is a folder, not a VCF file.") from None
    except PermissionError:
        raise BadInputError(f"GeneDesk may not read {path}.") from None
    return digest.hexdigest()


@dataclass(frozen=True)
class GeneticTest:
    id: int
    patient_id: int
    lab: str
    test_type: str
    build: str
    source_name: str
    source_sha256: str
    sample_name: str | None
    imported_at: str
    imported_by: str
    calls: int
    summary: dict[str, Any]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ImportOutcome:
    test: GeneticTest
    result: VcfReadResult
    notices: list[str]  # for the counsellor: warnings from the file and about the patient's tests


_CALL_FIELDS = [f.name for f in dataclasses.fields(VariantCall)]


def _call_row(test_id: int, call: VariantCall) -> tuple[Any, ...]:
    values: list[Any] = [test_id]
    for name in _CALL_FIELDS:
        value = getattr(call, name)
        if name == "other_transcripts":
            value = json.dumps([dataclasses.asdict(t) for t in value], ensure_ascii=False)
        elif isinstance(value, tuple):
            value = json.dumps(list(value), ensure_ascii=False)
        values.append(value)
    return tuple(values)


_INSERT_CALL = (
    f"INSERT INTO variant_call (test_id, {', '.join(_CALL_FIELDS)}) "
    f"VALUES ({', '.join('?' for _ in range(len(_CALL_FIELDS) + 1))})"
)


def _existing_import(vault: Vault, patient_id: int, sha256: str) -> Any:
    return vault.query_one(
        "SELECT id, imported_at FROM genetic_test WHERE patient_id = ? AND source_sha256 = ?",
        (patient_id, sha256),
    )


@dataclass(frozen=True)
class ImportPlan:
    """What an import will do, checked against the vault before the (long) read starts."""

    patient_id: int
    sex_at_birth: SexAtBirth
    path: Path
    sha256: str
    sample: str | None
    lab: str
    test_type: str
    build: str | None
    keep: KeepRules


def samples_in_file(path: Path) -> tuple[str, ...]:
    """The sample names in a VCF/BCF header (read without htslib, so a broken file cannot crash us)."""
    from genedesk.core.genomics.source import open_source

    return tuple(open_source(Path(path)).header.samples)


def plan_import(
    vault: Vault,
    patient_ref: int | str,
    path: Path,
    *,
    sample: str | None = None,
    lab: str = "",
    test_type: str = "genome",
    build: str | None = None,
    keep: KeepRules | None = None,
    cancelled: Cancel | None = None,
) -> ImportPlan:
    """Check the request and refuse a file already imported for this patient (reads the vault)."""
    if test_type not in TEST_TYPES:
        raise UsageError(f"The test type must be one of: {', '.join(TEST_TYPES)}.")
    lab = lab.strip()
    if len(lab) > 200:
        raise UsageError("The lab name is too long (at most 200 characters).")
    patient = patients.get_patient(vault, patient_ref)
    path = Path(path)
    sha256 = file_sha256(path, cancelled)
    earlier = _existing_import(vault, patient.id, sha256)
    if earlier is not None:
        raise BadInputError(
            f"{path.name} was already imported for this patient on {earlier['imported_at'][:10]} (test {earlier['id']}).",
            hint="Nothing was stored again.",
        )
    sex: SexAtBirth = patient.sex_at_birth  # type: ignore[assignment]  # validated by patients
    return ImportPlan(
        patient.id, sex, path, sha256, sample, lab, test_type, build, keep or default_keep_rules()
    )


def read_planned(
    plan: ImportPlan, *, progress: Progress | None = None, cancelled: Cancel | None = None
) -> VcfReadResult:
    """Read the file (in a child process); touches no vault, so it may run on any thread."""
    result = read_vcf(
        plan.path,
        sample=plan.sample,
        sex_at_birth=plan.sex_at_birth,
        build=plan.build,
        keep=plan.keep,
        progress=progress,
        cancelled=cancelled,
    )
    if result.facts.sha256 != plan.sha256:
        raise BadInputError(
            f"{plan.path.name} changed while it was being read; import it again when it is complete."
        )
    if cancelled is not None and cancelled():
        raise Cancelled("The import was cancelled; nothing was stored.")
    return result


def store_import(
    vault: Vault, actor: Staff, plan: ImportPlan, result: VcfReadResult
) -> ImportOutcome:
    """Store the read calls in one transaction with one audit event."""
    earlier = _existing_import(vault, plan.patient_id, plan.sha256)
    if earlier is not None:  # imported by someone else while this one was reading
        raise BadInputError(
            f"{plan.path.name} was already imported for this patient (test {earlier['id']})."
        )
    notices = list(result.warnings)
    other_builds = {
        row["build"]
        for row in vault.query(
            "SELECT DISTINCT build FROM genetic_test WHERE patient_id = ?", (plan.patient_id,)
        )
    } - {result.facts.build.build}
    if other_builds:
        notices.append(
            f"This patient's other tests are on {', '.join(sorted(other_builds))}; this one is on "
            f"{result.facts.build.build}. Positions are not comparable across builds."
        )
    loaded_builds = {
        row["build"] for row in vault.query("SELECT DISTINCT build FROM clinvar_release")
    }
    if loaded_builds and result.facts.build.build not in loaded_builds:
        notices.append(
            f"The ClinVar releases loaded are for {', '.join(sorted(loaded_builds))} only, and this test is on "
            f"{result.facts.build.build}: no ClinVar classes were looked up. Load a {result.facts.build.build} "
            "release (genedesk kb load-clinvar) to check these calls against ClinVar."
        )
    facts = result.facts
    summary = dataclasses.asdict(result.summary)
    now = clock.stamp()
    with vault.transaction() as tx:
        cursor = tx.execute(
            "INSERT INTO genetic_test (patient_id, lab, test_type, build, build_evidence, source_name, source_size,"
            " source_sha256, container, vcf_version, sample_name, samples_in_file, indexed_read, summary, warnings,"
            " keep_rules, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan.patient_id,
                plan.lab,
                plan.test_type,
                facts.build.build,
                json.dumps(
                    {"decided_by": facts.build.decided_by, "clues": list(facts.build.clues)}
                ),
                facts.name,
                facts.size,
                facts.sha256,
                facts.container,
                facts.vcf_version,
                facts.chosen_sample,
                len(facts.samples),
                int(facts.indexed_read),
                json.dumps(summary),
                json.dumps(notices),
                json.dumps(_keep_rules_record(plan.keep)),
                now,
                actor.name,
            ),
        )
        test_id = int(cursor.lastrowid or 0)
        call_ids = []
        unannotated: list[int] = []
        for call in result.calls:
            call_ids.append(int(tx.execute(_INSERT_CALL, _call_row(test_id, call)).lastrowid or 0))
        proposed = findings.propose_for_test(
            tx,
            vault,
            actor,
            patient_id=plan.patient_id,
            test_id=test_id,
            test_type=plan.test_type,
            calls=list(zip(call_ids, result.calls, strict=True)),
            unannotated=unannotated,
        )
        if unannotated:
            notices.append(
                f"{len(unannotated):,} calls in knowledge-base genes carry no annotation of their effect, so "
                "they were not listed as findings. Ask the lab for a file annotated with VEP or SnpEff "
                "to review them; calls annotated pathogenic were listed as usual."
            )
            tx.execute(
                "UPDATE genetic_test SET warnings = ? WHERE id = ?", (json.dumps(notices), test_id)
            )
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="test.imported",
            subject=f"patient:{plan.patient_id}",
            details={
                "test": test_id,
                "file_sha256": facts.sha256,
                "build": facts.build.build,
                "calls_kept": len(result.calls),
                "records_read": result.summary.records_read,
                "findings_proposed": proposed,
            },
        )
    log.info(
        "test %d imported: %d calls kept of %d records",
        test_id,
        len(result.calls),
        result.summary.records_read,
    )
    return ImportOutcome(get_test(vault, test_id), result, notices)


def import_vcf(
    vault: Vault,
    actor: Staff,
    patient_ref: int | str,
    path: Path,
    *,
    sample: str | None = None,
    lab: str = "",
    test_type: str = "genome",
    build: str | None = None,
    keep: KeepRules | None = None,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
) -> ImportOutcome:
    """Import one VCF/BCF for a patient; raises BadInputError (exit 3) naming what is wrong."""
    plan = plan_import(
        vault,
        patient_ref,
        path,
        sample=sample,
        lab=lab,
        test_type=test_type,
        build=build,
        keep=keep,
        cancelled=cancelled,
    )
    result = read_planned(plan, progress=progress, cancelled=cancelled)
    return store_import(vault, actor, plan, result)


def _row_to_test(row: Any) -> GeneticTest:
    return GeneticTest(
        id=row["id"],
        patient_id=row["patient_id"],
        lab=row["lab"],
        test_type=row["test_type"],
        build=row["build"],
        source_name=row["source_name"],
        source_sha256=row["source_sha256"],
        sample_name=row["sample_name"],
        imported_at=row["imported_at"],
        imported_by=row["imported_by"],
        calls=row["calls"],
        summary=json.loads(row["summary"]),
        warnings=json.loads(row["warnings"]),
    )


_TEST_COLUMNS = (
    "t.id, t.patient_id, t.lab, t.test_type, t.build, t.source_name, t.source_sha256, t.sample_name, t.imported_at,"
    " t.imported_by, t.summary, t.warnings, (SELECT count(*) FROM variant_call c WHERE c.test_id = t.id) AS calls"
)


def get_test(vault: Vault, test_id: int) -> GeneticTest:
    row = vault.query_one(f"SELECT {_TEST_COLUMNS} FROM genetic_test t WHERE t.id = ?", (test_id,))
    if row is None:
        from genedesk.core.errors import NotFoundError

        raise NotFoundError("There is no genetic test with that id.")
    return _row_to_test(row)


def tests_of(vault: Vault, patient_id: int) -> list[GeneticTest]:
    rows = vault.query(
        f"SELECT {_TEST_COLUMNS} FROM genetic_test t WHERE t.patient_id = ? ORDER BY t.id",
        (patient_id,),
    )
    return [_row_to_test(row) for row in rows]


def _row_to_call(row: Any) -> VariantCall:
    from genedesk.core.genomics import TranscriptAnnotation

    values = dict(zip(_CALL_FIELDS, tuple(row), strict=True))
    values["other_transcripts"] = tuple(
        TranscriptAnnotation(**t) for t in json.loads(values["other_transcripts"])
    )
    for name in ("kept_because", "notes"):
        values[name] = tuple(json.loads(values[name]))
    return VariantCall(**values)


def calls_of(vault: Vault, test_id: int) -> list[VariantCall]:
    """The stored calls of one test, as the reader gave them."""
    rows = vault.query(
        f"SELECT {', '.join(_CALL_FIELDS)} FROM variant_call WHERE test_id = ? ORDER BY id",
        (test_id,),
    )
    return [_row_to_call(row) for row in rows]


def call_by_id(vault: Vault, call_id: int) -> VariantCall:
    row = vault.query_one(
        f"SELECT {', '.join(_CALL_FIELDS)} FROM variant_call WHERE id = ?", (call_id,)
    )
    if row is None:
        raise NotFoundError("There is no variant call with that id.")
    return _row_to_call(row)
