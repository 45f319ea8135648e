"""The time, in one place, so records carry UTC and tests can use a fake clock."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime | None = None) -> str:
    """A UTC timestamp as stored in the vault: 2026-11-21T09:30:00.123456Z."""
    moment = (moment or utcnow()).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
