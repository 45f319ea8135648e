"""Benchmark: the patient letter plus the clinician report, with 25 and with 200 findings (issue 5).
Run by hand:

    uv run python tests/benchmarks/bench_reports.py [--repeat 5] [--large-print]

The requests are built the way the findings service fills them (tests/core/reports/
sample_reports.py: explanations from knowledge.explain, classifications from acmg.classify, a real
pharmacogenomic call). Building the request is not timed; rendering both PDFs is. Fonts are
registered and the words loaded by a warm-up run first, as they are in a running program.

Prints, per size, the best and the median of --repeat runs for each document, pages and size.
Exits 1 if the best time for both documents is over the budget (0.5 s for 25 findings, 3 s for
200).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "reports"))

import sample_reports as sample

from genedesk.core.reports.model import ReportKind
from genedesk.core.reports.store import render

BUDGETS = {25: 0.5, 200: 3.0}


def pages(data: bytes) -> int:
    return data.count(b"/Type /Page\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large-print", action="store_true")
    args = parser.parse_args()

    render(sample.final(sample.request(ReportKind.PATIENT)))  # warm-up: fonts, words
    over = False
    for count, budget in BUDGETS.items():
        findings = sample.many_findings(count)
        letter = sample.final(
            sample.request(ReportKind.PATIENT, findings=findings, large_print=args.large_print)
        )
        report = sample.final(
            sample.request(ReportKind.CLINICIAN, findings=findings, large_print=args.large_print)
        )
        times: dict[str, list[float]] = {"patient": [], "clinician": [], "both": []}
        for _ in range(args.repeat):
            start = time.perf_counter()
            letter_pdf = render(letter)
            middle = time.perf_counter()
            report_pdf = render(report)
            end = time.perf_counter()
            times["patient"].append(middle - start)
            times["clinician"].append(end - middle)
            times["both"].append(end - start)
        best = min(times["both"])
        verdict = "ok" if best <= budget else "OVER BUDGET"
        over |= best > budget
        print(
            f"{count:>3} findings: patient letter {min(times['patient']):.3f} s "
            f"({pages(letter_pdf)} pages, {len(letter_pdf) // 1024} KiB), clinician report "
            f"{min(times['clinician']):.3f} s ({pages(report_pdf)} pages, "
            f"{len(report_pdf) // 1024} KiB); both: best {best:.3f} s, median "
            f"{statistics.median(times['both']):.3f} s, budget {budget} s — {verdict}"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
