from __future__ import annotations

import re

import pytest

from genedesk.core.errors import UsageError, VaultLockedError
from genedesk.core.vault import crypto


def test_recovery_key_is_eight_groups_of_unambiguous_characters() -> None:
    key = crypto.new_recovery_key()
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", key)
    assert crypto.new_recovery_key() != key


def test_recovery_key_is_accepted_as_people_type_it() -> None:
    key = crypto.new_recovery_key()
    typed = key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert crypto.normalise_recovery_key(typed) == key


def test_a_mistyped_recovery_key_is_caught_before_unwrapping() -> None:
    key = crypto.new_recovery_key()
    wrong_char = "A" if key[0] != "A" else "B"
    with pytest.raises(VaultLockedError, match="typing mistake"):
        crypto.normalise_recovery_key(wrong_char + key[1:])


@pytest.mark.parametrize("typed", ["", "1234", "hello world", "ABCD-" * 9])
def test_something_that_is_not_a_recovery_key_is_refused(typed: str) -> None:
    with pytest.raises(UsageError, match="not a recovery key"):
        crypto.normalise_recovery_key(typed)


def test_wrapped_key_opens_only_with_its_secret_vault_and_purpose() -> None:
    key = crypto.new_vault_key()
    wrapped = crypto.wrap_key(key, "the secret", vault_id="v1", purpose="recovery")
    assert key not in wrapped.ciphertext
    round_tripped = crypto.WrappedKey.from_json(wrapped.to_json())
    assert crypto.unwrap_key(round_tripped, "the secret", vault_id="v1", purpose="recovery") == key
    assert crypto.unwrap_key(wrapped, "another secret", vault_id="v1", purpose="recovery") is None
    assert crypto.unwrap_key(wrapped, "the secret", vault_id="v2", purpose="recovery") is None
    assert crypto.unwrap_key(wrapped, "the secret", vault_id="v1", purpose="passphrase") is None


def test_fingerprint_names_a_key_without_revealing_it() -> None:
    key = crypto.new_vault_key()
    assert crypto.key_fingerprint(key) == crypto.key_fingerprint(key)
    assert crypto.key_fingerprint(key) != crypto.key_fingerprint(crypto.new_vault_key())
    assert key.hex()[:16] != crypto.key_fingerprint(key)
