"""Vault keys, recovery keys, and wrapping a key under a recovery key or passphrase.

The vault key is 256 random bits. It is never written in the clear: a wrapped copy is
AES-256-GCM(Argon2id(secret, salt), key), with the vault id and the purpose bound in as associated
data, so a wrapped key cannot be moved to another vault or another slot unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import zlib
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from genedesk.core.errors import UsageError, VaultLockedError

KEY_BYTES = 32
# Argon2id at RFC 9106's second recommended setting (64 MiB, t=3, p=4): ~0.1–0.3 s on a clinic PC.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4

# Crockford base32: no I, L, O, U, so a key read off paper cannot be misread.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_RECOVERY_RANDOM_CHARS = 30  # 150 bits
_RECOVERY_CHECK_CHARS = 2  # catches a mistyped character before any slow unwrapping


def new_vault_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_fingerprint(key: bytes) -> str:
    """A short, one-way name for a key, stored beside it to tell keys apart (never the key)."""
    return hashlib.sha256(b"GeneDesk key fingerprint v1\x00" + key).hexdigest()[:16]


def _check_chars(body: str) -> str:
    value = zlib.crc32(body.encode("ascii")) % (32**_RECOVERY_CHECK_CHARS)
    return _CROCKFORD[value // 32] + _CROCKFORD[value % 32]


def new_recovery_key() -> str:
    """A recovery key as printed: eight groups of four characters, e.g. 7K2Q-9XWD-…"""
    body = "".join(secrets.choice(_CROCKFORD) for _ in range(_RECOVERY_RANDOM_CHARS))
    plain = body + _check_chars(body)
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def normalise_recovery_key(typed: str) -> str:
    """Accept a recovery key as a person types it; refuse one with a typing mistake."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t\r\n")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    expected_len = _RECOVERY_RANDOM_CHARS + _RECOVERY_CHECK_CHARS
    if len(cleaned) != expected_len or any(ch not in _CROCKFORD for ch in cleaned):
        raise UsageError(
            "That is not a recovery key: it should be eight groups of four letters and digits, "
            "as printed on the recovery sheet."
        )
    body, check = cleaned[:_RECOVERY_RANDOM_CHARS], cleaned[_RECOVERY_RANDOM_CHARS:]
    if _check_chars(body) != check:
        raise VaultLockedError(
            "The recovery key has a typing mistake.",
            hint="Check each group against the recovery sheet and type it again.",
        )
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


@dataclass(frozen=True)
class WrappedKey:
    """A vault key sealed under a recovery key or passphrase, as kept in the key file."""

    salt: bytes
    nonce: bytes
    ciphertext: bytes
    time_cost: int = ARGON2_TIME_COST
    memory_kib: int = ARGON2_MEMORY_KIB
    parallelism: int = ARGON2_PARALLELISM

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": "argon2id",
            "t": self.time_cost,
            "m": self.memory_kib,
            "p": self.parallelism,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "cipher": "aes-256-gcm",
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
            "ciphertext": base64.b64encode(self.ciphertext).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrappedKey:
        if data.get("kdf") != "argon2id" or data.get("cipher") != "aes-256-gcm":
            raise ValueError("unknown key wrapping")
        return cls(
            salt=base64.b64decode(data["salt"]),
            nonce=base64.b64decode(data["nonce"]),
            ciphertext=base64.b64decode(data["ciphertext"]),
            time_cost=int(data["t"]),
            memory_kib=int(data["m"]),
            parallelism=int(data["p"]),
        )


def _derive(secret: str, salt: bytes, time_cost: int, memory_kib: int, parallelism: int) -> bytes:
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _associated_data(vault_id: str, purpose: str) -> bytes:
    return f"GeneDesk vault key v1|{vault_id}|{purpose}".encode()


def wrap_key(key: bytes, secret: str, *, vault_id: str, purpose: str) -> WrappedKey:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(secret, salt, ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM)
    sealed = AESGCM(kek).encrypt(nonce, key, _associated_data(vault_id, purpose))
    return WrappedKey(salt=salt, nonce=nonce, ciphertext=sealed)


def unwrap_key(wrapped: WrappedKey, secret: str, *, vault_id: str, purpose: str) -> bytes | None:
    """The vault key, or None when `secret` is not the one it was wrapped with."""
    kek = _derive(secret, wrapped.salt, wrapped.time_cost, wrapped.memory_kib, wrapped.parallelism)
    try:
        return AESGCM(kek).decrypt(
            wrapped.nonce, wrapped.ciphertext, _associated_data(vault_id, purpose)
        )
    except InvalidTag:
        return None
