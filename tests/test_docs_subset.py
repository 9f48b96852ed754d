"""The documentation site builds without a warning whatever subset of fsec's
distributions is installed (issue 16 §3): built here in a fresh virtualenv, first with
fsec-core alone, then with a store, one feature and the tutorial's plugin added.

Before, a page linking to a plugin's section of the generated configuration reference
(``configuration.md#lockout``) warned, and ``mkdocs build --strict`` failed, wherever
that plugin was not installed. Now every plugin of the repository has its section and
anchor, saying when it was not installed. Bounded: one virtualenv (editable installs,
tool versions pinned to the workspace's), two builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".cache/tools/bin/uv")
    if not os.path.exists(uv):
        pytest.skip("uv is needed to build a virtualenv with a subset of distributions")
    return uv


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, **kwargs)


def _build(venv: Path, site: Path) -> tuple[int, str]:
    done = _run(
        [str(venv / "bin" / "mkdocs"), "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return done.returncode, done.stdout + done.stderr


def test_docs_build_with_a_subset_of_distributions(tmp_path):
    uv = _uv()
    venv = tmp_path / "venv"
    assert _run([uv, "venv", "-q", "--python", sys.executable, str(venv)]).returncode == 0
    python = str(venv / "bin" / "python")
    frozen = _run([uv, "pip", "freeze", "--python", sys.executable])
    pins = [
        line
        for line in frozen.stdout.splitlines()
        if line and not line.startswith(("-e", "fsec-", "fsec_")) and " @ " not in line
    ]
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n")

    def install(*args: str) -> None:
        done = _run([uv, "pip", "install", "-q", "--python", python, "-c", str(constraints), *args])
        assert done.returncode == 0, done.stderr

    # The docs tools, and pytest: the test-kit tables import flask_security.testing.
    install(
        "-e",
        "packages/fsec-core",
        "mkdocs",
        "mkdocstrings[python]",
        "pymdown-extensions",
        "pytest",
    )
    code, log = _build(venv, tmp_path / "site-core")
    assert code == 0 and "WARNING" not in log, log
    config = (tmp_path / "site-core" / "configuration" / "index.html").read_text()
    assert 'id="lockout"' in config and "was not installed where this site was built" in config
    assert 'id="recoverable"' in config

    install(
        "-e",
        "packages/fsec-store-sqlalchemy",
        "-e",
        "packages/fsec-recoverable",
        "-e",
        "examples/fsec-invite",
    )
    code, log = _build(venv, tmp_path / "site-some")
    assert code == 0 and "WARNING" not in log, log
    config = (tmp_path / "site-some" / "configuration" / "index.html").read_text()
    assert "SECURITY_RESET_URL" in config and "SECURITY_INVITE_WITHIN" in config
    assert 'id="lockout"' in config
