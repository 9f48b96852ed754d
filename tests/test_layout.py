"""The module map (docs/layout.md) and import-linter's layers contract
(pyproject.toml) name the same modules of ``flask_security`` in the same order, and
every module of the package is in them, so no module escapes the contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import flask_security

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(flask_security.__file__).resolve().parent


def _contract_layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    assert contract["containers"] == ["flask_security"]
    return [set(re.split(r"\s*[:|]\s*", layer.strip())) for layer in contract["layers"]]


def _documented_layers() -> list[set[str]]:
    text = (ROOT / "docs" / "layout.md").read_text()
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", text, flags=re.MULTILINE)
    assert [int(n) for n, _ in rows] == list(range(1, len(rows) + 1))
    return [set(re.findall(r"`([\w.]+)`", modules)) for _, modules in rows]


def _package_modules() -> set[str]:
    names = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    names |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    return names


def test_module_map_matches_the_contract() -> None:
    assert _documented_layers() == _contract_layers()


def test_every_core_module_is_in_a_layer() -> None:
    layered = set().union(*_contract_layers())
    assert _package_modules() - layered == set()
    assert layered - _package_modules() == set()


def test_code_links_into_the_migration_notes_resolve() -> None:
    """Comments cite ``docs/migration.md#<section>`` (not a document the repository
    lacks); each anchor is a heading of that page (mkdocs' toc slugs)."""
    headings = re.findall(r"^#+ (.+)$", (ROOT / "docs" / "migration.md").read_text(), re.M)
    slugs = {re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", h.lower()).strip()) for h in headings}
    cited: dict[str, str] = {}
    for folder in ("packages", "examples", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for anchor in re.findall(r"docs/migration\.md#([\w-]+)", path.read_text()):
                cited[anchor] = str(path.relative_to(ROOT))
            assert "compat-notes" not in path.read_text() or path.name == "test_layout.py", path
    assert cited, "no code cites the migration notes"
    assert {a: p for a, p in cited.items() if a not in slugs} == {}


#: fsec's own feature distributions: import package -> its domain module.
FEATURES = {
    "fsec_registerable": "registerable",
    "fsec_confirmable": "confirmable",
    "fsec_recoverable": "recoverable",
    "fsec_passwordless": "passwordless",
    "fsec_trackable": "trackable",
    "fsec_two_factor": "twofactor",
    "fsec_webauthn": "webauthn",
}


def test_feature_distributions_have_one_shape() -> None:
    """plugin.py the door, the domain logic in a module named after the feature,
    config.py where the feature has settings, views.py/forms.py where it has pages;
    hookimpl imported one way (docs/layout.md, "Where things go")."""
    for package, domain in FEATURES.items():
        folder = next(ROOT.glob(f"packages/*/src/{package}"))
        modules = {p.stem for p in folder.glob("*.py")}
        assert {"plugin", domain} <= modules, (package, modules)
        plugin = (folder / "plugin.py").read_text()
        assert "from flask_security import hookimpl\n" in plugin, package
        if "def fsec_config_defaults" in plugin:
            assert "config" in modules and "from .config import" in plugin, package
        if "def fsec_views" in plugin:
            assert {"views", "forms"} <= modules, package
            views = (folder / "views.py").read_text()
            # the views answer requests; the domain module does the work
            assert "create_user(" not in views and ".compare_and_set(" not in views, package
