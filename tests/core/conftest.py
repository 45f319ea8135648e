from __future__ import annotations

from collections.abc import Iterator

import pytest

from genedesk.core import staff
from genedesk.core.staff import Staff
from genedesk.core.vault import Vault, open_vault
from support import ADMIN, ADMIN_PASSWORD, PASSPHRASE, MadeVault


@pytest.fixture
def vault(passphrase_vault: MadeVault) -> Iterator[Vault]:
    """An open vault (passphrase mode, no keyring needed) for service tests."""
    opened = open_vault(passphrase_vault.folder, passphrase=PASSPHRASE)
    yield opened.vault
    opened.vault.close()


@pytest.fixture
def admin(vault: Vault) -> Staff:
    return staff.sign_in(vault, ADMIN, ADMIN_PASSWORD)
