"""Reclassification: which reported findings ClinVar has changed its mind about, and whom to recontact.

A finding counts as *reported* when it was in a final or amended version of a report about its
patient:
- a family letter is about one finding (the report row names it);
- a patient letter or clinician report prints the findings the counsellor left in the letter
  (`in_report`, not excluded; secondary findings only while the patient consents to them — the
  rule `reports.from_vault.build_request` prints by), among those that existed when the version
  was saved.
The vault keeps no list of the findings each version printed (schema 6 keeps the PDF only), and
the in-letter flag has no history, so it is read as it stands now, with one correction: a finding
that was pathogenic or likely pathogenic when the version was saved counts as printed even if it
has left the letter since (re-classifying it to VUS takes it out). The class *in the report* is
read from the finding's append-only classification history as it was when the version was
saved, so a later re-classification by the counsellor does not hide what the patient was told.

Each reported finding is looked up (build, chrom, pos, ref, alt) in the newest ClinVar release
of its build. An entry is made when ClinVar's class differs from the one recorded on the finding
(the ClinVar view the report printed) and the move from the reported class to ClinVar's new class
is one that changes what the patient was told (see `change_matters`). Patients without an active
recontact consent are listed and marked, never left out: the clinic decides how to proceed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from genedesk.core import audit, clock, findings, patients
from genedesk.core.errors import Cancelled, NotFoundError
from genedesk.core.knowledge import clinvar
from genedesk.core.staff import Staff
from genedesk.core.vault.store import Vault

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

# Groups of classes whose moves between them change what a patient was told.
_DISEASE = frozenset({"pathogenic", "likely_pathogenic"})
_UNCERTAIN = frozenset({"uncertain_significance"})
_BENIGN = frozenset({"benign", "likely_benign"})
_CONFLICTING = frozenset({"conflicting"})
# (from, to): VUS <-> LP/P; LP/P -> VUS/LB/B; B/LB -> VUS/LP/P; P/LP <-> conflicting.
# VUS -> LB/B is left out on purpose (the brief's list): the patient was told nothing actionable.
# Moves inside a group (P <-> LP, B <-> LB) do not change the care a patient needs.
_MATTERS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (_UNCERTAIN, _DISEASE),
    (_DISEASE, _UNCERTAIN),
    (_DISEASE, _BENIGN),
    (_BENIGN, _UNCERTAIN),
    (_BENIGN, _DISEASE),
    (_DISEASE, _CONFLICTING),
    (_CONFLICTING, _DISEASE),
)


def change_matters(before: str, after: str) -> bool:
    """Whether a move from class `before` to ClinVar's `after` is worth telling the patient."""
    return any(before in old and after in new for old, new in _MATTERS)


@dataclass(frozen=True)
class RecontactEntry:
    patient_id: int
    record_number: str  # the clinic's record number (MRN); never the patient's name
    finding_id: int
    gene: str
    change: str  # HGVS c./p. when the lab gave them, else genomic g.
    build: str
    variant: str  # chrom:pos ref>alt on `build`
    reports: tuple[str, ...]  # "R-000003 v2": the final/amended versions that printed the finding
    reported_class: str  # the class printed in the latest of those versions
    reported_on: str  # when that version was saved (UTC stamp)
    clinvar_before: str  # the ClinVar class recorded on the finding ('' when it had none)
    clinvar_before_release: str  # its release date ('' when none)
    clinvar_before_stars: int | None
    clinvar_now: str  # the class in the newest release
    clinvar_now_stars: int
    clinvar_now_release: str  # the newest release's date
    variation_id: int
    has_recontact_consent: bool

    @property
    def clinvar_url(self) -> str:
        return f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{self.variation_id}/"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reports"] = list(self.reports)
        data["clinvar_url"] = self.clinvar_url
        return data


@dataclass(frozen=True)
class _Reported:
    finding: findings.Finding
    reports: list[str]
    reported_class: str
    reported_on: str


def _class_at(vault: Vault, finding_id: int, moment: str) -> str | None:
    row = vault.query_one(
        "SELECT classification FROM classification_event WHERE finding_id = ? AND at <= ?"
        " ORDER BY id DESC LIMIT 1",
        (finding_id, moment),
    )
    return None if row is None else str(row["classification"])


def reported_findings(vault: Vault) -> list[_Reported]:
    """Every finding printed by a final or amended report version, with its class at the time."""
    versions = vault.query(
        "SELECT r.number, r.patient_id, r.kind, r.finding_id, v.version, v.saved_at"
        " FROM report_version v JOIN report r ON r.id = v.report_id"
        " WHERE v.status IN ('final', 'amended') ORDER BY v.saved_at, r.id, v.version"
    )
    shown_by_patient: dict[int, tuple[findings.Finding, ...]] = {}
    reported: dict[int, _Reported] = {}
    for version in versions:
        patient_id = version["patient_id"]
        if patient_id not in shown_by_patient:
            shown_by_patient[patient_id] = findings.list_findings(vault, patient_id).shown
        shown = shown_by_patient[patient_id]
        recorded = vault.query(
            "SELECT vf.finding_id, vf.classification FROM report_version_finding vf JOIN report r"
            " ON r.id = vf.report_id WHERE r.number = ? AND vf.version = ?",
            (version["number"], version["version"]),
        )
        if recorded:  # schema 7 on: the vault says exactly what this version printed
            label = f"{version['number']} v{version['version']}"
            for row in recorded:
                finding = findings.get_finding(vault, row["finding_id"])
                earlier = reported.get(finding.id)
                reported[finding.id] = _Reported(
                    finding,
                    [*(earlier.reports if earlier else []), label],
                    row["classification"],
                    version["saved_at"],
                )
            continue
        # Versions kept before schema 7 did not record their findings: work them out.
        if version["kind"] == "family":
            printed = [f for f in shown if f.id == version["finding_id"]]
            if not printed:  # a family letter's finding is printed whatever its flags are now
                printed = [findings.get_finding(vault, version["finding_id"])]
        else:
            printed = [f for f in shown if f.created_at <= version["saved_at"]]
        label = f"{version['number']} v{version['version']}"
        for finding in printed:
            at_the_time = _class_at(vault, finding.id, version["saved_at"])
            # Re-classifying a finding out of P/LP also takes it out of the letter; a P/LP
            # finding at the time was in the letter unless taken out, so it counts (a patient
            # recontacted once too often is better than one never told).
            if version["kind"] != "family" and not (
                finding.in_report or at_the_time in findings.REPORTABLE
            ):
                continue
            earlier = reported.get(finding.id)
            # Versions come oldest first, so the last one seen is the latest the patient got.
            reported[finding.id] = _Reported(
                finding,
                [*(earlier.reports if earlier else []), label],
                at_the_time or finding.classification,
                version["saved_at"],
            )
    return list(reported.values())


def _has_recontact_consent(vault: Vault, patient_id: int, today: dt.date) -> bool:
    from genedesk.core.consent.service import list_consents

    return any(
        c.kind == "recontact" and c.status_on(today) == "given"
        for c in list_consents(vault, patient_id)
    )


def _newest(vault: Vault, finding: findings.Finding) -> clinvar.ClinvarAllele | None:
    call = finding.call
    try:
        found = clinvar.lookup(vault, call.build, call.chrom, call.pos, call.ref, call.alt)
    except NotFoundError:
        return None  # no release of this build is loaded
    # As at import (findings._clinvar_record): the best-reviewed record speaks for the allele.
    return max(found, key=lambda allele: allele.stars, default=None)


def find_reclassified(
    vault: Vault,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> tuple[list[RecontactEntry], int]:
    """The recontact worklist and how many reported findings were checked; reads only."""
    reported = reported_findings(vault)
    today = clock.utcnow().date()
    entries: list[RecontactEntry] = []
    for done, item in enumerate(reported):
        if cancelled is not None and cancelled():
            raise Cancelled("Checking the reported findings was cancelled; nothing was recorded.")
        if progress is not None:
            progress(done, len(reported))
        finding = item.finding
        newest = _newest(vault, finding)
        if newest is None or newest.release_date <= finding.clinvar_release:
            continue  # not in ClinVar, or no release newer than the one the report printed
        if newest.classification == finding.clinvar_significance:
            continue  # ClinVar has not changed its mind
        if not change_matters(item.reported_class, newest.classification):
            continue
        call = finding.call
        patient = patients.get_patient(vault, finding.patient_id)
        entries.append(
            RecontactEntry(
                patient_id=patient.id,
                record_number=patient.mrn,
                finding_id=finding.id,
                gene=finding.gene,
                change=" ".join(p for p in (call.hgvs_c, call.hgvs_p) if p) or call.hgvs_g,
                build=call.build,
                variant=f"{call.chrom}:{call.pos} {call.ref}>{call.alt}",
                reports=tuple(item.reports),
                reported_class=item.reported_class,
                reported_on=item.reported_on,
                clinvar_before=finding.clinvar_significance,
                clinvar_before_release=finding.clinvar_release,
                clinvar_before_stars=finding.clinvar_stars,
                clinvar_now=newest.classification,
                clinvar_now_stars=newest.stars,
                clinvar_now_release=newest.release_date,
                variation_id=newest.variation_id,
                has_recontact_consent=_has_recontact_consent(vault, patient.id, today),
            )
        )
    if progress is not None:
        progress(len(reported), len(reported))
    entries.sort(key=lambda e: (e.record_number, e.finding_id))
    return entries, len(reported)


def recontact_worklist(
    vault: Vault,
    actor: Staff,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> list[RecontactEntry]:
    """Make the recontact worklist against the newest releases, recording the run (one audit
    event with the counts; no patient ids or record numbers in it)."""
    entries, checked = find_reclassified(vault, progress=progress, cancelled=cancelled)
    newest = {
        build: found[0].release_date
        for build in clinvar.BUILDS
        if (found := clinvar.releases(vault, build))
    }
    with_consent = sum(1 for e in entries if e.has_recontact_consent)
    with vault.transaction() as tx:
        audit.record(
            tx,
            vault_id=vault.vault_id,
            staff=actor.name,
            action="clinvar.recontact_worklist",
            subject="worklist:recontact",
            details={
                "releases": newest,
                "reported_findings_checked": checked,
                "entries": len(entries),
                "patients": len({e.patient_id for e in entries}),
                "with_recontact_consent": with_consent,
                "without_recontact_consent": len(entries) - with_consent,
            },
        )
    return entries


__all__ = [
    "RecontactEntry",
    "change_matters",
    "find_reclassified",
    "recontact_worklist",
    "reported_findings",
]
