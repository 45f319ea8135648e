"""The encrypted vault: one SQLCipher file per clinic, its key material, schema and backups."""

from genedesk.core.vault.lifecycle import (
    OpenedVault,
    backup_vault,
    create_vault,
    open_vault,
    recover_vault,
    rekey_vault,
    restore_vault,
    vault_status,
    verify_vault,
)
from genedesk.core.vault.store import Vault

__all__ = [
    "OpenedVault",
    "Vault",
    "backup_vault",
    "create_vault",
    "open_vault",
    "recover_vault",
    "rekey_vault",
    "restore_vault",
    "vault_status",
    "verify_vault",
]
