"""The Plugin API page (docs/plugins/api.md) covers every public name (issue 16 §1).

The page is generated from the code (``render_plugin_api`` in
``docs/_hooks/fsec_docs.py``): one entry per name in the ``__all__`` of each module
of ``PLUGIN_API_MODULES``. These tests fail when a public name has no entry, when its
documentation lacks a ``:param x:`` for an argument or a ``:returns:``, and when an
example plugin imports a name of fsec that is not public.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "plugins" / "api.md"


@pytest.fixture(scope="module")
def entries(docs_module):
    return docs_module.plugin_api_entries()


def test_page_is_generated_and_in_the_nav():
    assert "<!-- fsec:plugin-api -->" in PAGE.read_text()
    assert "plugins/api.md" in (ROOT / "mkdocs.yml").read_text()


def test_every_public_name_has_an_entry(docs_module, entries):
    rendered = docs_module.render_plugin_api()
    listed = {(e.module, e.name) for e in entries}
    for module_name, _summary in docs_module.PLUGIN_API_MODULES:
        module = importlib.import_module(module_name)
        assert hasattr(module, "__all__"), f"{module_name} has no __all__"
        for name in module.__all__:
            assert (module_name, name) in listed, f"{module_name}.{name} has no entry"
    for e in entries:
        if e.kind == "see":
            assert f"(#{e.home}.{e.name})" in rendered, e
            assert (e.home, e.name) in listed
        elif e.kind == "data":
            assert f"{{#{e.module}.{e.name}}}" in rendered, e
        else:
            assert f"::: {e.module}.{e.name}\n" in rendered, e


def test_every_entry_documents_arguments_returns_and_data(entries):
    problems = [p for e in entries for p in e.problems]
    assert not problems, "\n".join(problems)


def test_the_names_the_issue_asks_for_are_there(entries):
    names = {(e.module, e.name) for e in entries}
    for wanted in [
        ("flask_security", "SecurityState"),
        ("flask_security", "current_security"),
        ("flask_security", "current_datastore"),
        ("flask_security", "ConfigRoles"),
        ("flask_security.views", "build_form"),
        ("flask_security.views", "render_page"),
        ("flask_security.views", "json_response"),
        ("flask_security.views", "json_error"),
        ("flask_security.views", "user_payload"),
        ("flask_security.views", "refresh_session"),
        ("flask_security.views", "form_failure_status"),
        ("flask_security.views", "csrf_json_response"),
        ("flask_security.views", "form_response"),
        ("flask_security.utils", "generate_bound_token"),
        ("flask_security.utils", "check_bound_token"),
        ("flask_security.utils", "get_token_status"),
        ("flask_security.utils", "announce_password_changed"),
        ("flask_security.forms", "validate_form_data"),
        ("flask_security.cli", "validate_cli_form"),
        ("flask_security.cli", "BadInput"),
        ("flask_security.datastore", "UserExistsError"),
        ("flask_security.datastore", "DatastoreError"),
    ]:
        assert wanted in names, wanted


def test_security_state_public_methods_are_documented(entries):
    state = next(e for e in entries if e.name == "SecurityState" and e.kind == "class")
    assert state.problems == []
    from flask_security import SecurityState

    for method in ("config", "form_class", "send_mail_kind", "add_context_processor"):
        assert getattr(SecurityState, method).__doc__


_IMPORT = re.compile(r"^from (flask_security[\w.]*) import \(?([^)]*?)\)?$", re.M | re.S)


@pytest.mark.parametrize("example", ["fsec-invite", "fsec-lockout"])
def test_example_plugins_import_only_public_names(docs_module, entries, example):
    """A third-party plugin written from the docs imports only names on the page (or
    fsec's pytest helpers, documented on the testing page)."""
    public = {(e.module, e.name) for e in entries}
    folder = ROOT / "examples" / example
    bad = []
    for path in [*(folder / "src").rglob("*.py"), *(folder / "tests").rglob("*.py")]:
        for module, names in _IMPORT.findall(path.read_text()):
            if module.startswith("flask_security.testing"):
                continue
            for item in re.sub(r"#.*", "", names).split(","):
                name = item.split()[0] if item.split() else ""
                if name and (module, name) not in public:
                    bad.append(f"{path.relative_to(ROOT)}: from {module} import {name}")
    assert not bad, "\n".join(bad)
