"""Printing results: plain lines for people, one JSON document with --json for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def emit_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def say(text: str = "") -> None:
    print(text)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [
        [("" if v is None else str(v)) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def created(record_id: object, as_json: bool, **extra: Any) -> None:
    """A command that creates a record ends with its id (DESIGN: last line, or {"id": …})."""
    if as_json:
        emit_json({"id": record_id, **extra})
    else:
        print(record_id)
