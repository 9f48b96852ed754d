"""Fixtures shared by the cross-package tests: the repository's own scripts loaded as
modules (they are files, not importable packages)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(path: Path, name: str) -> Iterator[ModuleType]:
    """Import the file ``path`` as module ``name`` for the duration of a fixture."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


@pytest.fixture(scope="module")
def isolated() -> Iterator[ModuleType]:
    """``scripts/isolated.py``."""
    yield from _load(ROOT / "scripts" / "isolated.py", "fsec_isolated_script_under_test")


@pytest.fixture(scope="module")
def ci() -> Iterator[ModuleType]:
    """``scripts/ci.py``."""
    yield from _load(ROOT / "scripts" / "ci.py", "fsec_ci_script_under_test")


@pytest.fixture(scope="module")
def docs_module() -> Iterator[ModuleType]:
    """``docs/_hooks/fsec_docs.py``."""
    yield from _load(ROOT / "docs" / "_hooks" / "fsec_docs.py", "fsec_docs_hooks_under_test")
