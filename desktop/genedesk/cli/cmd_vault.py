"""`genedesk init` and `genedesk vault …`: creating, checking, backing up and recovering the vault."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from genedesk.cli import output
from genedesk.cli.context import optional_secret, secret, signed_in, vault_folder
from genedesk.core import clock
from genedesk.core.atomic import atomic_write
from genedesk.core.vault import (
    backup_vault,
    create_vault,
    recover_vault,
    rekey_vault,
    restore_vault,
    vault_status,
    verify_vault,
)
from genedesk.core.vault.keyfile import KeyFile
from genedesk.core.vault.store import KEY_NAME


def _write_recovery_sheet(path: Path, *, vault_id: str, recovery_key: str) -> None:
    from genedesk.core.reports.recovery_sheet import build_recovery_sheet

    pdf = build_recovery_sheet(
        vault_id=vault_id, recovery_key=recovery_key, created_at=clock.utcnow()
    )
    atomic_write(path, pdf, what="the recovery sheet")


def _show_recovery_key(recovery_key: str, sheet: Path | None) -> None:
    output.say()
    output.say("RECOVERY KEY (shown only this once):")
    output.say()
    output.say(f"    {recovery_key}")
    output.say()
    if sheet:
        output.say(f"The recovery sheet was saved to {sheet}. Print it and keep it locked away.")
    else:
        output.say("Write it down or print a recovery sheet, and keep it locked away.")
    output.say("It opens the vault and its backups on any PC if this PC or its keyring is lost.")


def run_init(args: argparse.Namespace) -> int:
    folder = vault_folder(args)
    password = secret("GENEDESK_PASSWORD", f"New password for {args.admin}", confirm=True)
    passphrase = (
        secret("GENEDESK_PASSPHRASE", "New vault passphrase", confirm=True)
        if args.passphrase_mode
        else None
    )
    opened = create_vault(
        folder,
        admin_name=args.admin,
        admin_password=password,
        passphrase_mode=args.passphrase_mode,
        passphrase=passphrase,
    )
    vault = opened.vault
    try:
        assert opened.recovery_key is not None
        if args.recovery_sheet:
            _write_recovery_sheet(
                args.recovery_sheet, vault_id=vault.vault_id, recovery_key=opened.recovery_key
            )
        mode = "passphrase" if args.passphrase_mode else "keyring"
        if args.json:
            output.created(
                vault.vault_id,
                True,
                folder=str(folder),
                key_mode=mode,
                recovery_key=opened.recovery_key,
            )
            return 0
        where = "a passphrase" if args.passphrase_mode else "this computer's keyring"
        output.say(f"Created a GeneDesk vault in {folder}; its key is protected by {where}.")
        output.say(f"Administrator: {args.admin}")
        _show_recovery_key(opened.recovery_key, args.recovery_sheet)
        output.created(vault.vault_id, False)
    finally:
        vault.close()
    return 0


def run_status(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        status = vault_status(signed.vault)
    if args.json:
        output.emit_json(status)
    else:
        labels = {
            "vault_id": "Vault ID",
            "folder": "Folder",
            "key_mode": "Key kept in",
            "keyring_backend": "Keyring",
            "schema_version": "Schema version",
            "program_schema_version": "Program schema",
            "created_at": "Created",
            "file_size": "File size (bytes)",
            "patients": "Patients",
            "staff": "Staff",
            "audit_events": "Audit events",
        }
        for key, label in labels.items():
            if status.get(key) is not None:
                output.say(f"{label + ':':<20} {status[key]}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        report = verify_vault(signed.vault)
    if args.json:
        output.emit_json(
            {
                "ok": report.ok,
                "problems": report.problems(),
                "audit_events": report.chain.events,
                "first_broken_event": report.chain.first_broken,
            }
        )
    elif report.ok:
        output.say(
            f"The vault checks out: database, encryption and {report.chain.events} audit events."
        )
    else:
        for problem in report.problems():
            output.say(problem)
        output.say(
            "Restore the latest backup with `genedesk vault restore` if the vault is damaged."
        )
    return 0 if report.ok else 1


def run_backup(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        info = backup_vault(signed.vault, args.file, staff_name=signed.staff.name)
    if args.json:
        output.emit_json(
            {
                "file": str(info.path),
                "size": info.size,
                "sha256": info.sha256,
                "vault_id": info.vault_id,
                "created_at": info.created_at,
            }
        )
    else:
        output.say(f"Backup written to {info.path} ({info.size:,} bytes, SHA-256 {info.sha256}).")
        output.say("It restores on any PC with this vault's recovery key.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    folder = vault_folder(args)
    recovery = optional_secret("GENEDESK_RECOVERY_KEY")
    passphrase = optional_secret("GENEDESK_PASSPHRASE")
    try:
        opened = restore_vault(
            args.file,
            folder,
            recovery_key=recovery,
            passphrase=passphrase,
            new_passphrase=passphrase,
            replace=args.replace,
        )
    except Exception as first_error:
        from genedesk.core.errors import VaultLockedError

        if not isinstance(first_error, VaultLockedError) or recovery is not None:
            raise
        recovery = secret("GENEDESK_RECOVERY_KEY", "Recovery key")
        if passphrase is None and "passphrase" in str(first_error):
            passphrase = secret("GENEDESK_PASSPHRASE", "New vault passphrase", confirm=True)
        opened = restore_vault(
            args.file,
            folder,
            recovery_key=recovery,
            passphrase=passphrase,
            new_passphrase=passphrase,
            replace=args.replace,
        )
    try:
        mode = KeyFile.read(folder / KEY_NAME).mode
        if args.json:
            output.emit_json(
                {"vault_id": opened.vault.vault_id, "folder": str(folder), "key_mode": mode}
            )
        else:
            output.say(f"Restored the vault into {folder} (key kept in {mode} mode).")
    finally:
        opened.vault.close()
    return 0


def run_recover(args: argparse.Namespace) -> int:
    folder = vault_folder(args)
    recovery = secret("GENEDESK_RECOVERY_KEY", "Recovery key")
    opened = recover_vault(
        folder, recovery_key=recovery, new_passphrase=optional_secret("GENEDESK_PASSPHRASE")
    )
    try:
        mode = KeyFile.read(folder / KEY_NAME).mode
        if args.json:
            output.emit_json({"vault_id": opened.vault.vault_id, "key_mode": mode})
        elif mode == "keyring":
            output.say("The vault is unlocked and its key is now kept in this computer's keyring.")
        else:
            output.say("The vault is unlocked and now opens with the new passphrase.")
    finally:
        opened.vault.close()
    return 0


def run_rekey(args: argparse.Namespace) -> int:
    with signed_in(args) as signed:
        if not signed.staff.is_admin:
            from genedesk.core.errors import PermissionRefused

            raise PermissionRefused("Only an administrator can change the vault key.")
        passphrase = optional_secret("GENEDESK_PASSPHRASE")
        opened = rekey_vault(signed.vault, staff_name=signed.staff.name, passphrase=passphrase)
        signed.vault = opened.vault
        try:
            assert opened.recovery_key is not None
            if args.recovery_sheet:
                _write_recovery_sheet(
                    args.recovery_sheet,
                    vault_id=opened.vault.vault_id,
                    recovery_key=opened.recovery_key,
                )
            if args.json:
                output.emit_json(
                    {"vault_id": opened.vault.vault_id, "recovery_key": opened.recovery_key}
                )
            else:
                output.say(
                    "The vault has a new key. The old recovery key and older backups' keys no longer"
                )
                output.say(
                    "open this vault file (older backups still open with their own recovery key)."
                )
                _show_recovery_key(opened.recovery_key, args.recovery_sheet)
        finally:
            opened.vault.close()
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    init = commands.add_parser(
        "init", parents=[common], help="create a new vault and its first administrator"
    )
    init.add_argument(
        "--admin", required=True, metavar="NAME", help="name of the first administrator"
    )
    init.add_argument(
        "--passphrase-mode",
        action="store_true",
        help="protect the key with a passphrase instead of the OS keyring",
    )
    init.add_argument(
        "--recovery-sheet",
        type=Path,
        metavar="FILE.pdf",
        help="also save the recovery sheet as a PDF to print",
    )
    init.set_defaults(handler=run_init)

    vault = commands.add_parser(
        "vault", help="status, backup, restore, recovery, key change, checks"
    )
    sub = vault.add_subparsers(dest="vault_command", required=True, metavar="COMMAND")
    p = sub.add_parser("status", parents=[common], help="what this vault is and holds")
    p.set_defaults(handler=run_status)
    p = sub.add_parser(
        "verify", parents=[common], help="check the database, encryption and audit trail"
    )
    p.set_defaults(handler=run_verify)
    p = sub.add_parser("backup", parents=[common], help="write an encrypted backup file")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=run_backup)
    p = sub.add_parser("restore", parents=[common], help="restore a backup (on this or a new PC)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--replace", action="store_true", help="replace this same vault (the old file is kept)"
    )
    p.set_defaults(handler=run_restore)
    p = sub.add_parser(
        "recover", parents=[common], help="unlock with the recovery key (new PC, lost passphrase)"
    )
    p.set_defaults(handler=run_recover)
    p = sub.add_parser("rekey", parents=[common], help="give the vault a new key and recovery key")
    p.add_argument("--recovery-sheet", type=Path, metavar="FILE.pdf")
    p.set_defaults(handler=run_rekey)
