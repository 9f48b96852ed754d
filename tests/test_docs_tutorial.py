"""The tutorial (docs/plugins/tutorial-link-feature.md) shows the example's real code.

Its code blocks are included from ``examples/fsec-invite`` by pymdownx.snippets when
the site is built, so they cannot drift from the tested distribution. These checks
make sure they stay included: every snippet names an existing file and, for a
``file:section`` include, a section marked in that file (snippets would otherwise
include nothing without a warning); and every module of the example is shown.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "plugins" / "tutorial-link-feature.md"
EXAMPLE = ROOT / "examples" / "fsec-invite"
_SNIPPET = re.compile(r'^--8<-- "([^":]+)(?::([A-Za-z_][\w-]*))?"$', re.M)


def snippets() -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in _SNIPPET.finditer(TUTORIAL.read_text())]


def test_every_snippet_names_an_existing_file_and_section():
    found = snippets()
    assert len(found) >= 12
    for path, section in found:
        text = (ROOT / path).read_text()
        if section:
            assert f"--8<-- [start:{section}]" in text, (path, section)
            assert f"--8<-- [end:{section}]" in text, (path, section)


def test_every_module_and_template_of_the_example_is_shown():
    shown = {path for path, _ in snippets()}
    package = EXAMPLE / "src" / "fsec_invite"
    modules = {
        str(p.relative_to(ROOT)) for p in package.glob("*.py") if p.name not in ("__init__.py",)
    }
    assert modules <= shown, sorted(modules - shown)
    assert "examples/fsec-invite/tests/test_invite_contract.py" in shown
    assert "examples/fsec-invite/tests/test_invite_race.py" in shown
    assert any(p.endswith(".html") for p in shown) and any(p.endswith(".txt") for p in shown)


def test_the_example_imports_only_public_flask_security_names():
    """No ``flask_security.<module>._private`` name and no private module."""
    for path in (EXAMPLE / "src").rglob("*.py"):
        text = path.read_text()
        for module, names in re.findall(
            r"^from (flask_security[\w.]*) import \(?([^)]*?)\)?$", text, flags=re.M | re.S
        ):
            assert not any(part.startswith("_") for part in module.split(".")), (path, module)
            for name in re.findall(r"\w+", names):
                assert not name.startswith("_"), (path, module, name)
        assert "flask_security.core" not in text, path
