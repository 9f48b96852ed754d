"""The GitHub Actions workflow: generated from the distributions, valid, and selective.

* the committed ``.github/workflows/ci.yml`` is what ``scripts/ci.py`` generates, so
  every distribution has its job (a new one fails here until the file is rewritten);
* ``actionlint`` (a dev dependency of the workspace) finds nothing in it;
* a change runs the jobs of the distributions it touches, and every job after a
  change to fsec-core or the shared build files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_committed_workflow_is_the_generated_one(ci):
    assert ci.WORKFLOW.read_text() == ci.render(ci.distributions()), (
        "run: python scripts/ci.py workflow --write"
    )


def test_one_job_per_distribution_plus_workspace_and_docs(ci):
    text = ci.WORKFLOW.read_text()
    dists = ci.distributions()
    assert {"fsec-core", "fsec-trackable", "fsec-store-pony", "fsec-lockout"} <= set(dists)
    for dist in dists:
        jid = ci.job_id(dist)
        assert f"\n  {jid}:\n" in text
        assert f"if: needs.changes.outputs.{jid} == 'true'" in text
        assert f"python scripts/isolated.py {dist}\n" in text
    assert "\n  workspace:\n" in text and "FSEC_TEST_PARTS: ruff workspace compat" in text
    assert "\n  docs:\n" in text and "FSEC_TEST_PARTS: docs" in text


def actionlint() -> str | None:
    """The actionlint binary of the workspace's dev tools (the virtualenv's bin/)."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_actionlint_finds_nothing():
    tool = actionlint()
    assert tool, "actionlint is missing: it is a dev dependency (uv sync --all-packages)"
    done = subprocess.run(
        [tool, "-no-color", str(ROOT / ".github" / "workflows" / "ci.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SHELLCHECK_OPTS": ""},
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    tool = actionlint()
    assert tool
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nosuchjob\n"
        "    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n"
    )
    done = subprocess.run([tool, "-no-color", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1 and "nosuchjob" in done.stdout


def test_changes_select_the_touched_distributions(ci):
    dists = ci.distributions()
    runs = ci.affected(["packages/fsec-trackable/src/fsec_trackable/plugin.py"], dists)
    assert runs["fsec-trackable"] is True
    assert not any(v for k, v in runs.items() if k != "fsec-trackable")
    runs = ci.affected(["examples/fsec-lockout/README.md", "docs/index.md"], dists)
    assert [k for k, v in runs.items() if v] == ["fsec-lockout"]
    # fsec-store-pony must not match fsec-store-pony-extra, nor fsec-core fsec-core2
    assert not any(ci.affected(["packages/fsec-store-ponyx/a.py"], dists).values())


@pytest.mark.parametrize(
    "changed",
    [
        ["packages/fsec-core/src/flask_security/core.py"],
        ["uv.lock"],
        ["scripts/isolated.py"],
        [".github/workflows/ci.yml"],
        None,
    ],
)
def test_core_or_shared_changes_run_every_distribution(ci, changed):
    assert all(ci.affected(changed, ci.distributions()).values())


def test_changes_command_prints_github_outputs(ci):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ci.py"), "changes", "0" * 40],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert len(lines) == len(ci.distributions()) and "fsec_core=true" in lines
