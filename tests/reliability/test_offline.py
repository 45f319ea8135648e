"""The suite runs with networking switched off (packaging/dev.py test puts it in a network
namespace of its own): this checks that it really was off, so a green run proves GeneDesk and its
tests need no network."""

from __future__ import annotations

import os
import socket

import pytest


@pytest.mark.skipif(os.environ.get("GENEDESK_TESTS_OFFLINE") != "1",
                    reason="not started by `packaging/dev.py test` with networking switched off")
def test_the_suite_really_runs_without_a_network() -> None:
    interfaces = {name for _, name in socket.if_nameindex()}
    assert interfaces <= {"lo"}, f"network interfaces present: {sorted(interfaces)}"
    with pytest.raises(OSError), socket.create_connection(("192.0.2.1", 443), timeout=2):
        pass  # TEST-NET-1 (RFC 5737); with no interface the connect fails at once
