"""Entry point of `genedesk`: with no command it opens the window; each command works headless.

Exit codes (DESIGN.md): 0 done, 2 usage error, 3 bad input file, 4 vault locked or wrong key,
5 refused by consent or permissions, 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

import sqlcipher3

from genedesk import __version__
from genedesk.cli import (
    cmd_consent,
    cmd_findings,
    cmd_kb,
    cmd_people,
    cmd_report,
    cmd_tests,
    cmd_vault,
)
from genedesk.core.errors import GeneDeskError
from genedesk.core.logs import setup_logging

log = logging.getLogger("genedesk.cli")


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS keeps a subcommand from overwriting the same option given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the vault folder (default: GENEDESK_VAULT, else your GeneDesk data folder)",
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="the staff member acting (default: GENEDESK_USER)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print the result as JSON"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genedesk",
        description="GeneDesk: genetic test results, plain-language reports and patient consent. "
        "With no command, opens the window.",
        epilog="Secrets are read from GENEDESK_PASSWORD, GENEDESK_PASSPHRASE, GENEDESK_RECOVERY_KEY "
        "and GENEDESK_NEW_PASSWORD, or asked for on the terminal. Exit codes: 0 done, 2 usage error, "
        "3 bad input file, 4 vault locked or wrong key, 5 refused by consent or permissions, 1 other.",
    )
    parser.add_argument("--version", action="version", version=f"GeneDesk {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a throw-away demo vault"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (in a temporary folder: your data is not touched)",
    )
    parser.add_argument("--vault", metavar="PATH", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--user", metavar="NAME", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", default=False, help=argparse.SUPPRESS)
    parser.add_argument("--verbose", "-v", action="store_true", help="more detail in the log file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common_options()
    cmd_vault.register(commands, common)
    cmd_people.register(commands, common)
    cmd_tests.register(commands, common)
    cmd_findings.register(commands, common)
    cmd_findings.register_pgx(commands, common)
    cmd_report.register(commands, common)
    cmd_kb.register(commands, common)
    cmd_consent.register(commands, common)
    return parser


def _log_unexpected(error: BaseException) -> None:
    # The message of an unexpected error may quote data; log where it happened, not what it said.
    frames = traceback.format_tb(error.__traceback__)
    log.error("unexpected %s\n%s", type(error).__name__, "".join(frames))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:  # before logging is set up: the self-test keeps everything in a temp folder
        from genedesk.selftest import run_self_test

        return run_self_test()
    try:
        log_path = setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    except OSError:
        log_path = None
    if args.command is None:
        from genedesk.ui.app import run_window

        return run_window(demo=args.demo, vault=args.vault)
    try:
        return int(args.handler(args))
    except GeneDeskError as error:
        print(f"genedesk: {error.message}", file=sys.stderr)
        if error.hint:
            print(error.hint, file=sys.stderr)
        return error.exit_code
    except sqlcipher3.DatabaseError as error:
        _log_unexpected(error)
        print("genedesk: The vault file could not be read; it may be damaged.", file=sys.stderr)
        print(
            "Run `genedesk vault verify`, and restore the latest backup if it reports damage.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("genedesk: stopped; nothing was half-done.", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - last resort: a plain message, details to the log
        _log_unexpected(error)
        where = f" Details are in {log_path}." if log_path else ""
        print(
            f"genedesk: Something unexpected went wrong ({type(error).__name__}).{where}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
