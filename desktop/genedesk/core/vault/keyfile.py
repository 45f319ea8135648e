"""The small key file beside the vault: which vault it is, how its key is kept, and wrapped copies.

It never holds a usable key on its own: each entry is the vault key sealed under the recovery key
(and, in passphrase mode, under the passphrase). During a key change it briefly holds two entries,
the new key first, so an interruption at any moment leaves a vault that still opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from genedesk.core.atomic import atomic_write
from genedesk.core.errors import VaultLockedError
from genedesk.core.vault.crypto import WrappedKey

KeyMode = Literal["keyring", "passphrase"]
FORMAT = "genedesk-keyfile"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class KeyEntry:
    fingerprint: str
    recovery: WrappedKey
    passphrase: WrappedKey | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "fingerprint": self.fingerprint,
            "recovery": self.recovery.to_json(),
        }
        if self.passphrase is not None:
            data["passphrase"] = self.passphrase.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyEntry:
        passphrase = data.get("passphrase")
        return cls(
            fingerprint=str(data["fingerprint"]),
            recovery=WrappedKey.from_json(data["recovery"]),
            passphrase=WrappedKey.from_json(passphrase) if passphrase else None,
        )


@dataclass(frozen=True)
class KeyFile:
    vault_id: str
    mode: KeyMode
    created_at: str
    entries: tuple[KeyEntry, ...] = field(default_factory=tuple)

    @property
    def current(self) -> KeyEntry:
        return self.entries[0]

    def to_bytes(self) -> bytes:
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "vault_id": self.vault_id,
            "mode": self.mode,
            "created_at": self.created_at,
            "keys": [entry.to_json() for entry in self.entries],
        }
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes, *, source: str) -> KeyFile:
        try:
            body = json.loads(raw.decode("utf-8"))
            if body.get("format") != FORMAT:
                raise ValueError("not a GeneDesk key file")
            if int(body.get("version", 0)) > FORMAT_VERSION:
                raise VaultLockedError(
                    f"The key file {source} was written by a newer GeneDesk.",
                    hint="Install the newer version of GeneDesk to open this vault.",
                )
            mode = body["mode"]
            if mode not in ("keyring", "passphrase"):
                raise ValueError("unknown key mode")
            entries = tuple(KeyEntry.from_json(item) for item in body["keys"])
            if not entries:
                raise ValueError("no keys")
            return cls(
                vault_id=str(body["vault_id"]),
                mode=mode,
                created_at=str(body["created_at"]),
                entries=entries,
            )
        except VaultLockedError:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise VaultLockedError(
                f"The key file {source} is damaged or is not a GeneDesk key file.",
                hint="Restore the vault from a backup with `genedesk vault restore`.",
            ) from None

    @classmethod
    def read(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultLockedError(
                f"The key file {path.name} is missing from {path.parent}.",
                hint="Without it the vault cannot be opened. Restore the vault from a backup "
                "with `genedesk vault restore` and the recovery key.",
            ) from None
        return cls.from_bytes(raw, source=path.name)

    def write(self, path: Path) -> None:
        atomic_write(path, self.to_bytes(), what="the vault key file")
