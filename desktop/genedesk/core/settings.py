"""Settings, each declared once with its type, default and description (STYLE.md 8).

User choices live in settings.json in the per-user config folder; window geometry is kept apart
by Qt's own QSettings. Unknown or malformed values fall back to the default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from genedesk.core import paths
from genedesk.core.atomic import atomic_write

T = TypeVar("T", int, str, bool)


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    default: T
    description: str
    minimum: int | None = None
    maximum: int | None = None

    def coerce(self, value: Any) -> T:
        """`value` if it is of this setting's type and range, else the default."""
        kind = type(self.default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return self.default
        if isinstance(value, int) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return self.default
            if self.maximum is not None and value > self.maximum:
                return self.default
        return value  # type: ignore[no-any-return,unused-ignore]


AUTO_LOCK_MINUTES = Setting(
    "auto_lock_minutes", 5, "Lock the window after this many idle minutes", minimum=1, maximum=120
)
LARGE_PRINT = Setting(
    "large_print_reports", False, "Print patient letters in large print by default"
)

ALL = (AUTO_LOCK_MINUTES, LARGE_PRINT)


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / "settings.json"
        try:
            self._values: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._values = {}

    def get(self, setting: Setting[T]) -> T:
        return setting.coerce(self._values.get(setting.name, setting.default))

    def set(self, setting: Setting[T], value: T) -> None:
        self._values[setting.name] = setting.coerce(value)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(
            self.path, json.dumps(self._values, indent=2, sort_keys=True).encode(), what="settings"
        )
