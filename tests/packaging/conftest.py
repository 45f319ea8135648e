"""Fixtures for the packaging tests: the scripts in packaging/, loaded by path (a folder named
`packaging` would be shadowed by the PyPI package of that name)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from support import REPO

PACKAGING = REPO / "packaging"


def load_packaging_module(name: str) -> ModuleType:
    """packaging/<name>.py as the module `genedesk_packaging_<name>`."""
    module_name = f"genedesk_packaging_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


@pytest.fixture(scope="session")
def plan() -> ModuleType:
    return load_packaging_module("bundle_data")


@pytest.fixture(scope="session")
def strip_debug() -> ModuleType:
    return load_packaging_module("strip_debug")
