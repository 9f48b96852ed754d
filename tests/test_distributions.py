"""Every distribution is found, carries the one fsec version, and requires versions
of its first-party dependencies that admit the versions in this repository."""

from __future__ import annotations

import tomllib
from pathlib import Path

import flask_security
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dists(isolated):
    return isolated.discover()


def _pyproject(path: Path) -> dict:
    with open(path / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def _requirements(data: dict) -> list[str]:
    project = data["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    for group in data.get("dependency-groups", {}).values():
        reqs += [item for item in group if isinstance(item, str)]
    return reqs


def test_discovery_finds_every_distribution(dists):
    folders = {p.parent for p in ROOT.glob("packages/*/pyproject.toml")}
    folders |= {
        p.parent
        for p in ROOT.glob("examples/*/pyproject.toml")
        if "project" in _pyproject(p.parent)
    }
    assert {d.path for d in dists} == folders
    names = {d.name for d in dists}
    assert {"fsec-core", "fsec-store-sqlalchemy", "fsec-lockout"} <= names


def version_problems(dists) -> list[str]:
    """Drift between first-party versions (distributions under ``packages/``)."""
    first_party = {d.name: d.version for d in dists if d.path.parent.name == "packages"}
    if len(set(first_party.values())) > 1:
        return [f"first-party versions drifted: {first_party}"]
    return []


def requirement_problems(dists) -> list[str]:
    """First-party requirements (any section) that exclude the version found here."""
    version_of = {canonicalize_name(d.name): d.version for d in dists}
    problems = []
    for dist in dists:
        for line in _requirements(_pyproject(dist.path)):
            req = Requirement(line)
            name = canonicalize_name(req.name)
            if name not in version_of:
                continue
            if req.specifier and not req.specifier.contains(version_of[name], prereleases=True):
                problems.append(f"{dist.name}: {line} excludes {req.name} {version_of[name]}")
    return problems


def test_first_party_distributions_share_one_version(dists):
    assert version_problems(dists) == []
    core = next(d for d in dists if d.name == "fsec-core")
    assert flask_security.__version__ == core.version


def test_every_first_party_requirement_admits_the_repository_version(dists):
    """``fsec-core>=X,<Y`` (and any first-party requirement) must accept what is here."""
    assert requirement_problems(dists) == []


def test_every_plugin_depends_on_core_by_a_range(dists):
    for dist in dists:
        if dist.name == "fsec-core":
            continue
        deps = [Requirement(r) for r in _pyproject(dist.path)["project"].get("dependencies", [])]
        core = [r for r in deps if canonicalize_name(r.name) == "fsec-core"]
        assert core, f"{dist.name} does not declare fsec-core"
        spec = str(core[0].specifier)
        assert "==" not in spec and ">=" in spec and "<" in spec, (
            f"{dist.name} must require fsec-core by a range, not {spec!r}"
        )


def test_every_distribution_declares_test_requirements_and_has_tests(dists):
    for dist in dists:
        assert dist.test_extra or dist.test_group, (
            f"{dist.name} declares no 'test' extra or dependency group for its isolated run"
        )
        assert list(dist.tests.glob("test_*.py")), f"{dist.name} has no tests/test_*.py"


def test_drift_and_excluding_requirements_are_detected(isolated, tmp_path):
    """The same checks on a repository copy where a plugin moved on alone."""
    for name, version, deps in (
        ("fsec-core", "0.1.0", []),
        ("fsec-drifted", "0.2.0", ["fsec-core>=0.2,<1"]),
    ):
        folder = tmp_path / "packages" / name
        folder.mkdir(parents=True)
        listed = ", ".join(f'"{d}"' for d in deps)
        (folder / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{listed}]\n'
        )
    found = isolated.discover(tmp_path)
    assert [d.name for d in found] == ["fsec-core", "fsec-drifted"]
    assert version_problems(found)
    assert requirement_problems(found) == [
        "fsec-drifted: fsec-core>=0.2,<1 excludes fsec-core 0.1.0"
    ]
