"""scripts/isolated.py: its import guard, its reading of pytest's result, discovery.

The full isolated runs are part of ``sh scripts/test.sh``; these tests check the
pieces that decide whether such a run passes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_guarded(isolated, tmp_path: Path, source_roots: list[str]) -> subprocess.CompletedProcess:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "fsec_isolation_guard.py").write_text(isolated.GUARD_PLUGIN)
    (tmp_path / "pytest.ini").write_text(isolated.PYTEST_INI)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_uses_core.py").write_text(
        "import flask_security\n\ndef test_imports():\n    assert flask_security.Security\n"
    )
    report = tmp_path / "report.json"
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        "PYTHONPATH": str(guard),
        "FSEC_ISOLATION_SOURCE_ROOTS": json.dumps(source_roots),
        "FSEC_ISOLATION_PACKAGES": json.dumps(["flask_security"]),
        "FSEC_ISOLATION_REPORT": str(report),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tests),
            "-p",
            "fsec_isolation_guard",
            "-q",
            str(tests),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    proc.report = json.loads(report.read_text())  # type: ignore[attr-defined]
    return proc


def test_guard_fails_a_run_that_imported_first_party_code_from_source(isolated, tmp_path):
    """In the workspace fsec-core is an editable install: its modules come from src/."""
    import flask_security

    source = str(Path(flask_security.__file__).resolve().parent.parent)
    proc = _run_guarded(isolated, tmp_path, [source])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
    assert "modules imported from the source tree" in proc.stderr
    assert proc.report["loaded"] == ["flask_security"]
    assert proc.report["from_source"]


def test_guard_passes_when_nothing_comes_from_the_source_roots(isolated, tmp_path):
    proc = _run_guarded(isolated, tmp_path, [str(tmp_path / "elsewhere")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.report == {"loaded": ["flask_security"], "from_source": []}


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("..\n==== 40 passed, 2 skipped in 1.20s ====\n", (40, 0, 2)),
        ("== 3 failed, 40 passed in 1.2s ==", (40, 3, 0)),
        ("=== 110 passed, 110 errors in 11.50s ===", (110, 110, 0)),
        ("no tests ran in 0.00s", (0, 0, 0)),
        ("ImportError while loading conftest", (0, 0, 0)),
    ],
)
def test_pytest_summary(isolated, output, expected):
    assert isolated.pytest_summary(output)[1] == expected


def test_discover_reads_test_extra_and_group(isolated, tmp_path):
    for name, extra in (("fsec-a", True), ("fsec-b", False)):
        folder = tmp_path / "packages" / name
        folder.mkdir(parents=True)
        body = f'[project]\nname = "{name}"\nversion = "1.0"\n'
        if extra:
            body += '[project.optional-dependencies]\ntest = ["pytest"]\n'
        else:
            body += (
                '[dependency-groups]\nbase = ["pytest"]\n'
                'test = [{include-group = "base"}, "mongomock"]\n'
            )
        body += '[tool.hatch.build.targets.wheel]\npackages = ["src/fsec_x"]\n'
        (folder / "pyproject.toml").write_text(body)
    (tmp_path / "examples" / "notes").mkdir(parents=True)
    (tmp_path / "examples" / "notes" / "pyproject.toml").write_text("[tool.x]\n")
    a, b = isolated.discover(tmp_path)
    assert (a.name, a.test_extra, a.test_group, a.packages) == ("fsec-a", True, [], ["fsec_x"])
    assert (b.name, b.test_extra, b.test_group) == ("fsec-b", False, ["pytest", "mongomock"])


def _uv() -> str:
    import shutil

    uv = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".cache/tools/bin/uv")
    return uv if os.path.exists(uv) else "/work/main/.cache/tools/bin/uv"


def test_build_checks_the_index_metadata_with_twine(isolated, tmp_path):
    """A real build of one distribution passes ``twine check --strict`` and ours."""
    dists = {d.name: d for d in isolated.discover()}
    runner = isolated.Runner(_uv(), tmp_path, list(dists.values()), sys.executable)
    result = runner.build(dists["fsec-trackable"])
    assert result.ok, "\n".join(result.log)
    assert "twine" in result.times  # twine ran on the sdist and the wheel
    out = tmp_path / "build" / "fsec-trackable"
    built = [*out.glob("*.tar.gz"), *out.glob("*.whl")]
    assert len(built) == 2
    for path in built:
        meta = isolated.read_metadata(path)
        assert meta["License-Expression"] == "MIT"
        assert "Framework :: Flask" in meta.get_all("Classifier")
        assert isolated.metadata_problems(path) == []


def test_build_fails_on_incomplete_metadata_or_a_bad_description(isolated, tmp_path):
    src = tmp_path / "fsec-bare"
    (src / "src" / "fsec_bare").mkdir(parents=True)
    (src / "src" / "fsec_bare" / "__init__.py").write_text("")
    (src / "README.md").write_text("# bare\n")
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.25"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "fsec-bare"\nversion = "0.1"\nreadme = "README.md"\n'
        '[project.urls]\nSource = "http://example.invalid/src"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/fsec_bare"]\n'
    )
    dist = isolated.Dist("fsec-bare", "0.1", src, ["fsec_bare"], False, [])
    runner = isolated.Runner(_uv(), tmp_path / "work", [dist], sys.executable)
    result = runner.build(dist)
    assert not result.ok and result.step == "metadata"
    text = "\n".join(result.log)
    for problem in ("no Summary", "no License-Expression", "'Framework :: Flask'", "not https"):
        assert problem in text
    # A description twine cannot render fails at the twine step.
    (src / "README.rst").write_text("Title\n===\n\n.. bogus-directive::\n")
    pyproject = (src / "pyproject.toml").read_text().replace('"README.md"', '"README.rst"')
    (src / "pyproject.toml").write_text(pyproject)
    result = runner.build(dist)
    assert not result.ok and result.step == "twine", result.log
