"""The documentation covers the code: every hook, every SECURITY_* key, every message.

* each ``fsec_*`` hook spec has an entry in the hook reference page and is named in at
  least one test file (datasette's rule: a hook without docs or a test is a defect);
* every ``SECURITY_*`` key the code of any distribution reads or registers is in the
  generated configuration reference (``docs/_hooks/fsec_docs.py``), with a meaning,
  and the meanings file documents no key that no longer exists;
* every message key the code asks for is registered by some plugin;
* every first-party feature and store has its page.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_security import hookspecs
from flask_security.plugins import FIRST_PARTY_FEATURES, FIRST_PARTY_STORES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def plugin_refs(docs_module):
    return docs_module.collect_plugins()


def hook_names() -> list[str]:
    """Every hook spec: functions marked by ``flask_security.hookspec``."""
    return sorted(
        name
        for name, fn in vars(hookspecs).items()
        if name.startswith("fsec_") and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")
    )


def source_files(suffixes: tuple[str, ...] = (".py",)) -> list[Path]:
    """The source of every distribution (packages and examples), not their tests."""
    files: list[Path] = []
    for src in sorted([*ROOT.glob("packages/*/src"), *ROOT.glob("examples/*/src")]):
        files += [p for p in src.rglob("*") if p.suffix in suffixes and p.is_file()]
    return files


def all_test_files() -> list[Path]:
    found: list[Path] = []
    for folder in [ROOT / "tests", *ROOT.glob("packages/*/tests"), *ROOT.glob("examples/*/tests")]:
        found += [p for p in folder.rglob("*.py") if p.resolve() != Path(__file__).resolve()]
    return found


def test_there_are_hooks_to_check():
    names = hook_names()
    assert len(names) >= 19
    assert "fsec_login_refusal" in names and "fsec_json_response" in names


@pytest.mark.parametrize("hook", hook_names())
def test_hook_has_docs_entry(hook):
    page = (DOCS / "plugins" / "hooks.md").read_text()
    assert f"| `{hook}` |" in page, f"{hook} has no row in docs/plugins/hooks.md"
    # The generated reference renders every fsec_* spec of the module.
    assert "::: flask_security.hookspecs" in page
    fn = getattr(hookspecs, hook)
    assert fn.__doc__ and ":returns:" in fn.__doc__, f"{hook}'s docstring lacks :returns:"


def real_references(path: Path) -> set[str]:
    """The ``fsec_*`` names a Python file really uses: a function defined under that
    name (a hook implementation), an attribute (``hook.fsec_x(...)``), a name, a
    keyword argument, or a string that is exactly the name (``"fsec_x"`` in a
    ``parametrize`` list or a recorder). A mention in a comment or inside a longer
    string (a docstring, a message) does not count."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(errors="replace"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name)
    return {name for name in found if name.startswith("fsec_")}


@pytest.mark.parametrize("hook", hook_names())
def test_hook_is_named_in_a_test(hook):
    users = [p for p in all_test_files() if hook in real_references(p)]
    assert users, f"no test file implements, calls or names {hook} (comments do not count)"


def test_hook_reference_counts_no_comment(tmp_path):
    """The rule above is not fooled by a comment or a docstring."""
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        '"""Mentions fsec_only_in_docstring."""\n'
        "# fsec_only_in_comment\n"
        "def fsec_impl(user): ...\n"
        "hook.fsec_called(user=1)\n"
        'NAMES = ["fsec_listed"]\n'
    )
    assert real_references(sample) == {"fsec_impl", "fsec_called", "fsec_listed"}


def test_hook_table_names_only_real_hooks():
    """Every row of the overview table is a hook spec (a renamed or removed hook
    leaves no row behind), and every spec has a row (test_hook_has_docs_entry)."""
    page = (DOCS / "plugins" / "hooks.md").read_text()
    rows = re.findall(r"^\| `(fsec_\w+)` \|", page, flags=re.MULTILINE)
    assert sorted(rows) == sorted(hook_names())


_LITERAL = re.compile(r"\bSECURITY_([A-Z0-9_]*[A-Z0-9])\b")
_CALL = re.compile(r"\b(?:config|config_value)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def used_config_keys() -> dict[str, set[str]]:
    """``{SECURITY_KEY: {files}}`` for every key the sources name or read."""
    used: dict[str, set[str]] = {}
    for path in source_files((".py", ".html", ".txt")):
        text = path.read_text(errors="replace")
        for match in _LITERAL.finditer(text):
            used.setdefault("SECURITY_" + match.group(1), set()).add(str(path))
        for match in _CALL.finditer(text):
            used.setdefault("SECURITY_" + match.group(1), set()).add(str(path))
    return used


def test_every_used_config_key_is_in_the_reference(docs_module, plugin_refs):
    documented = docs_module.documented_keys()
    messages = {key for ref in plugin_refs for key in ref.messages}
    missing = {}
    for key, files in used_config_keys().items():
        if key.startswith("SECURITY_MSG_") and key[len("SECURITY_MSG_") :] in messages:
            continue  # SECURITY_MSG_<KEY> is documented generically with every message
        if key not in documented:
            missing[key] = sorted(files)
    assert not missing, f"keys used in code but missing from docs/_data/config.toml: {missing}"


def test_every_registered_key_has_a_meaning_and_no_meaning_is_stale(docs_module, plugin_refs):
    meanings, other = docs_module.load_meanings()
    registered = {key for ref in plugin_refs for key in ref.config}
    without = sorted(k for k in registered if not meanings.get(k, "").strip())
    assert not without, f"registered keys without a meaning in config.toml: {without}"
    stale = sorted(set(meanings) - registered)
    assert not stale, f"config.toml documents keys no installed plugin registers: {stale}"
    assert all(entry.get("meaning") for entry in other.values())
    assert not set(other) & registered, "a key is both registered and listed as 'other'"


def test_core_defaults_are_those_documented_by_3_0(plugin_refs):
    core = next(ref for ref in plugin_refs if ref.name == "core")
    assert core.config["LOGIN_URL"] == "/login"
    assert core.config["TOKEN_AUTHENTICATION_HEADER"] == "Authentication-Token"
    assert core.config["UNAUTHORIZED_VIEW"] is None


def test_rendered_reference_lists_every_key(docs_module, plugin_refs):
    page = docs_module.render_config()
    for ref in plugin_refs:
        for key in ref.config:
            assert f"`SECURITY_{key}`" in page
    messages = docs_module.render_messages()
    for ref in plugin_refs:
        for key in ref.messages:
            assert f"| `{key}` |" in messages


_MESSAGE_USE = re.compile(r"\b(?:get_message|_msg|Required)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def test_every_message_key_used_in_code_is_registered(plugin_refs):
    registered = {key for ref in plugin_refs for key in ref.messages}
    missing = {}
    for path in source_files():
        for match in _MESSAGE_USE.finditer(path.read_text(errors="replace")):
            if match.group(1) not in registered:
                missing.setdefault(match.group(1), set()).add(str(path))
    assert not missing, f"message keys used but registered by no plugin: {missing}"


def test_every_feature_and_store_has_a_page():
    for name in FIRST_PARTY_FEATURES:
        assert (DOCS / "features" / f"{name}.md").exists(), name
    store_pages = {
        "store-sqlalchemy": "sqlalchemy.md",
        "store-mongo": "mongoengine.md",
        "store-peewee": "peewee.md",
        "store-pony": "pony.md",
    }
    assert set(store_pages) == set(FIRST_PARTY_STORES)
    for page in store_pages.values():
        assert (DOCS / "quickstart" / page).exists(), page


def test_every_page_is_in_the_navigation():
    config = (ROOT / "mkdocs.yml").read_text()
    for page in DOCS.rglob("*.md"):
        rel = page.relative_to(DOCS).as_posix()
        assert rel in config, f"{rel} is not in mkdocs.yml's nav"


def test_migration_notes_cover_every_unsafe_point():
    text = (DOCS / "migration.md").read_text()
    for heading in (
        "Redirects stay on your site",
        "Deactivated accounts are refused everywhere",
        "No account enumeration by timing",
        "Links that act work once",
        "Fast, constant-time token checks",
        "A number is not a login name",
        "Sessions and remember cookies die with the password",
        "Reset instructions only for active accounts",
        "Malformed JSON is a 400",
        "`UNAUTHORIZED_VIEW = None` means 403",
    ):
        assert f"### {heading}" in text, heading


def workspace_distributions() -> dict[str, str]:
    """``{distribution: entry-point name}`` of every distribution folder in the repository."""
    import tomllib

    found = {}
    for folder in sorted([*ROOT.glob("packages/*"), *ROOT.glob("examples/*")]):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        points = project.get("entry-points", {}).get("flask_security", {})
        if project.get("name") and points:
            found[project["name"]] = next(iter(points))
    return found


def test_every_distribution_is_in_the_configuration_reference(docs_module, caplog):
    dists = workspace_distributions()
    assert {"fsec-core", "fsec-trackable", "fsec-store-pony", "fsec-lockout"} <= set(dists)
    with caplog.at_level("WARNING", logger="mkdocs.plugins.fsec_docs"):
        page = docs_module.render_config()
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    sections = re.split(r"^## ", page, flags=re.M)
    for dist, name in dists.items():
        section = next((s for s in sections if s.startswith(f"{dist} {{#{name}}}")), None)
        assert section is not None, f"{dist} has no section in the configuration reference"
        body = section.split("\n", 1)[1].strip()
        assert body and "(undocumented)" not in body, f"{dist}'s section is empty"
    trackable = next(s for s in sections if s.startswith("fsec-trackable "))
    assert "SECURITY_TRACKABLE" in trackable and "login_count" in trackable


def test_a_distribution_without_keys_or_note_fails_the_reference(docs_module, monkeypatch, caplog):
    notes = docs_module.distribution_notes()
    del notes["fsec-trackable"]
    monkeypatch.setattr(docs_module, "distribution_notes", lambda: notes)
    with caplog.at_level("WARNING", logger="mkdocs.plugins.fsec_docs"):
        page = docs_module.render_config()
    assert any("fsec-trackable" in r.getMessage() for r in caplog.records)
    assert "## fsec-trackable {#trackable}\n\n(undocumented)" in page
