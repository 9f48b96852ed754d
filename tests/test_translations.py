"""Every distribution's strings are in every catalogue it ships, translated.

For each distribution (``packages/*`` and the example plugin ``examples/fsec-lockout``)
``flask_security.i18n.check`` extracts its strings (Python gettext calls, templates'
``_fsdomain``, and the messages and mail subjects its plugin registers) and fails on a
string missing from, untranslated or fuzzy in any of the locales in
``flask_security.babel.LOCALES``, on placeholders that differ from the English, on
entries no longer in the code and on a ``.mo`` that is not the compiled ``.po``.
A distribution with catalogues must register them through
``fsec_translation_directories``. The tool itself is tested on a throwaway
third-party plugin (the path a plugin author follows).
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
from flask_security.babel import LOCALES
from flask_security.i18n import check, compile_catalogs, load_distribution, main, update

pytest.importorskip("babel")

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = sorted(
    p.parent
    for p in [*ROOT.glob("packages/*/pyproject.toml"), *ROOT.glob("examples/*/pyproject.toml")]
)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_catalogues_are_complete(folder):
    dist = load_distribution(folder)
    problems = check(dist)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_catalogues_are_registered_through_the_hook(folder):
    dist = load_distribution(folder)
    if not dist.locales():
        return
    registered: list[tuple[str, str]] = []
    for target in dist.plugins:
        module = importlib.import_module(target)
        hook = getattr(module, "fsec_translation_directories", None)
        if hook is not None:
            hook(register=lambda path, domain: registered.append((str(Path(path)), domain)))
    assert (str(dist.translations), dist.domain) in registered


@pytest.mark.parametrize(
    "folder",
    [
        "packages/fsec-core",
        "packages/fsec-registerable",
        "packages/fsec-confirmable",
        "packages/fsec-recoverable",
        "packages/fsec-passwordless",
        "examples/fsec-lockout",
        "examples/fsec-invite",
    ],
)
def test_distributions_with_user_visible_text_ship_every_locale(folder):
    dist = load_distribution(ROOT / folder)
    assert dist.locales() == sorted(LOCALES)
    assert dist.domain == ("flask_security" if dist.name == "fsec-core" else dist.package.name)


# -- the tool, on a third-party plugin --------------------------------------------------

_PLUGIN = """
from flask_security import hookimpl
from flask_security.babel import lazy_gettext

LABEL = lazy_gettext("Favourite colour")


@hookimpl
def fsec_config_defaults(register):
    register("COLOUR_SUBJECT", "Your colour")


@hookimpl
def fsec_messages(register):
    register("COLOUR_SAVED", ("%(colour)s is saved.", "success"))


@hookimpl
def fsec_mails(register):
    register("colour_notice", "COLOUR_SUBJECT")
"""


@pytest.fixture
def plugin_dist(tmp_path, monkeypatch):
    root = tmp_path / "fsec-colour"
    package = root / "src" / "fsec_colour_i18n_demo"
    (package / "templates" / "security").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [project]
            name = "fsec-colour"
            version = "1.0"
            [project.entry-points.flask_security]
            colour = "fsec_colour_i18n_demo.plugin"
            """
        )
    )
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(_PLUGIN)
    (package / "templates" / "security" / "colour.html").write_text(
        '<h1>{{ _fsdomain("Pick a colour") }}</h1>{{ _fsdomain("Hi %(name)s", name=n) }}'
    )
    monkeypatch.syspath_prepend(str(root / "src"))
    yield load_distribution(root)
    sys.modules.pop("fsec_colour_i18n_demo.plugin", None)
    sys.modules.pop("fsec_colour_i18n_demo", None)


def _translate(dist, table):
    from babel.messages.pofile import read_po, write_po

    for locale in dist.locales():
        path = dist.po(locale)
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for message in catalog:
            if message.id in table:
                message.string = table[message.id]
        with path.open("wb") as fh:
            write_po(fh, catalog)


def test_tool_extracts_updates_compiles_and_checks(plugin_dist, capsys):
    dist = plugin_dist
    assert dist.domain == "fsec_colour_i18n_demo"
    assert main(["update", str(dist.folder), "--locale", "de"]) == 0
    pot = dist.pot.read_text()
    for text in (
        "Favourite colour",
        "Your colour",
        "%(colour)s is saved.",
        "Pick a colour",
        "Hi %(name)s",
    ):
        assert f'msgid "{text}"' in pot
    assert dist.locales() == ["de"]
    problems = check(dist, ["de"])
    assert "fsec-colour de: untranslated 'Pick a colour'" in problems
    assert any("no catalogue" in p for p in check(dist))  # the default locales are required

    table = {
        "Favourite colour": "Lieblingsfarbe",
        "Your colour": "Ihre Farbe",
        "%(colour)s is saved.": "%(colour)s ist gespeichert.",
        "Pick a colour": "Farbe wählen",
        "Hi %(name)s": "Hallo %(name)s",
    }
    _translate(dist, table)
    assert any(".mo missing" in p for p in check(dist, ["de"]))
    compile_catalogs(dist)
    assert check(dist, ["de"]) == []
    assert main(["check", str(dist.folder), "--locale", "de"]) == 0

    # a translation that drops a placeholder
    _translate(dist, {"%(colour)s is saved.": "Gespeichert."})
    compile_catalogs(dist)
    assert check(dist, ["de"]) == [
        "fsec-colour de: placeholders of '%(colour)s is saved.' are ['%(colour)s'], "
        "the translation has []"
    ]
    _translate(dist, table)
    assert any("differs from its .po" in p for p in check(dist, ["de"]))  # stale .mo
    compile_catalogs(dist)

    # a string added to the code is missing until update; a removed one is stale
    template = dist.package / "templates" / "security" / "colour.html"
    template.write_text(
        '<h1>{{ _fsdomain("Choose a colour") }}</h1>{{ _fsdomain("Hi %(name)s", name=n) }}'
    )
    problems = check(dist, ["de"])
    assert "fsec-colour de: missing 'Choose a colour'" in problems
    assert "fsec-colour de: 'Pick a colour' is no longer in the code (run update)" in problems
    assert main(["check", str(dist.folder), "--locale", "de"]) == 1
    assert "missing 'Choose a colour'" in capsys.readouterr().out
    update(dist, ["de"])
    compile_catalogs(dist)
    assert check(dist, ["de"]) == ["fsec-colour de: untranslated 'Choose a colour'"]


def test_check_finds_template_text_not_marked_for_translation(plugin_dist):
    dist = plugin_dist
    update(dist, ["de"])
    (dist.package / "templates" / "security" / "more.html").write_text(
        '<h1>Welcome</h1>\n<p>{{ _fsdomain("Pick a colour") }}</p>\n'
        '<input type="submit" value="Go"><a title="Help {{ x }}">{{ y }}</a>\n'
        '<script>const label = "not shown";</script><p>{{ a }} &middot; {{ b }}</p>\n'
    )
    (dist.package / "templates" / "security" / "more.txt").write_text(
        'Hello {{ user.email }},\n{{ _fsdomain("Pick a colour") }}\n\n{{ link }}\n'
    )
    prefix = "fsec-colour: templates/security/more."
    found = [p[len(prefix) :] for p in check(dist, ["de"]) if "not marked" in p]
    assert found == [
        "html:1: text not marked with _fsdomain: 'Welcome'",
        "html:3: text not marked with _fsdomain: 'value=\"Go\"'",
        "html:3: text not marked with _fsdomain: 'title=\"Help {{...}}\"'",
        "txt:1: text not marked with _fsdomain: 'Hello ,'",
    ]


def test_compiled_plugin_catalogue_is_used_at_run_time(plugin_dist):
    """What the plugin registers through fsec_translation_directories is merged."""
    from flask_security.babel import load_translations

    dist = plugin_dist
    update(dist, ["fr"])
    _translate(dist, {"Pick a colour": "Choisissez une couleur"})
    compile_catalogs(dist)
    merged = load_translations("fr", [(str(dist.translations), dist.domain)])
    assert merged.gettext("Pick a colour") == "Choisissez une couleur"


def test_not_a_distribution_exits_1(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 1
    assert "has no pyproject.toml" in capsys.readouterr().err
