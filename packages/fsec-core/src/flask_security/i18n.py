"""Catalogue tooling for fsec distributions and third-party plugins (Babel).

``python -m flask_security.i18n COMMAND [FOLDER ...]`` (or ``scripts/i18n.py`` in the
fsec repository, whose default is every first-party distribution) where ``FOLDER`` is a
distribution's folder (the one holding its ``pyproject.toml``):

``extract``
    Collect the distribution's strings into ``<package>/translations/<domain>.pot``.
``update``
    Extract, then bring every ``<locale>/LC_MESSAGES/<domain>.po`` in line with it
    (new strings added untranslated, strings gone removed; no fuzzy guesses), creating
    the catalogue of each locale in :data:`flask_security.babel.LOCALES` (or
    ``--locale``) that is missing.
``compile``
    Write each ``.po`` as ``.mo`` next to it (the files the wheel ships).
``check``
    Exit 1 listing every problem: literal text in a template that does not go through
    ``_fsdomain`` (it could never be translated), a string missing from a catalogue, untranslated or
    fuzzy, a translation whose ``%(name)s`` placeholders differ from the English, a
    catalogue entry no longer in the code, a missing locale, a ``.mo`` older than its
    ``.po``. fsec's test suite runs it for every distribution.

What is extracted (the domain is the import package's name; core's is
``flask_security``, 3.0's domain):

* Python: calls of ``gettext``, ``_``, ``ngettext``, ``lazy_gettext``, ``N_`` and
  ``_fsdomain`` with literal strings;
* templates (``templates/**.html``, ``templates/**.txt``): ``_fsdomain("...")`` calls;
* the plugin's registrations, read by calling its hook implementations: every message
  of ``fsec_messages`` and the default subject (from ``fsec_config_defaults``) of every
  mail of ``fsec_mails``. They are plain strings in config (3.0 apps read and override
  ``SECURITY_MSG_*``), translated where they are shown.

Needs Babel and Jinja2 (``pip install "fsec-core[babel]"``).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .babel import LOCALES

#: Keywords extracted from Python code and templates (Babel's keyword spec).
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "N_": None,
    "_fsdomain": None,
}

#: Fixed header dates keep regenerated catalogues byte-identical (no date-only diffs).
_FIXED_DATE = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]|%%|%[sdrf]")


@dataclass(frozen=True)
class Distribution:
    """A distribution's catalogue layout.

    :ivar folder: the folder holding ``pyproject.toml``.
    :ivar name: the distribution name (``"fsec-recoverable"``).
    :ivar package: the import package's folder (``.../src/fsec_recoverable``).
    :ivar domain: the gettext domain (the import package's name).
    :ivar plugins: the modules of its ``flask_security`` entry points.
    """

    folder: Path
    name: str
    package: Path
    domain: str
    plugins: tuple[str, ...]

    @property
    def translations(self) -> Path:
        """``<package>/translations``: what ``fsec_translation_directories`` registers."""
        return self.package / "translations"

    @property
    def pot(self) -> Path:
        """The extracted template catalogue."""
        return self.translations / f"{self.domain}.pot"

    def po(self, locale: str) -> Path:
        """The catalogue of ``locale``."""
        return self.translations / locale / "LC_MESSAGES" / f"{self.domain}.po"

    def locales(self) -> list[str]:
        """Locales that have a ``.po`` in :attr:`translations`, sorted."""
        if not self.translations.is_dir():
            return []
        return sorted(p.name for p in self.translations.iterdir() if (p / "LC_MESSAGES").is_dir())


def load_distribution(folder: str | os.PathLike[str]) -> Distribution:
    """Read a distribution's layout from its ``pyproject.toml``.

    The import package is the first of hatch's wheel ``packages`` when set, else the
    one package folder under ``src/`` (or the folder itself).

    :raises ValueError: no ``pyproject.toml``, or no single import package found.
    """
    root = Path(folder).resolve()
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ValueError(f"{root} has no pyproject.toml")
    data = tomllib.loads(pyproject.read_text())
    project = data.get("project", {})
    wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    listed = wheel.get("wheel", {}).get("packages") or []
    if listed:
        package = root / listed[0]
    else:
        src = root / "src" if (root / "src").is_dir() else root
        found = [p for p in src.iterdir() if (p / "__init__.py").is_file()]
        if len(found) != 1:
            raise ValueError(f"{root}: cannot tell the import package (found {found})")
        package = found[0]
    eps = project.get("entry-points", {}).get("flask_security", {})
    plugins = tuple(str(v).split(":", 1)[0] for v in eps.values())
    return Distribution(root, project.get("name", root.name), package, package.name, plugins)


# ------------------------------------------------------------------------------------
# Extraction
# ------------------------------------------------------------------------------------


def _registered_strings(module_name: str) -> list[tuple[str, str]]:
    """``(text, where)`` for the messages and mail subjects a plugin module registers."""
    from flask import Flask

    module = importlib.import_module(module_name)
    found: list[tuple[str, str]] = []
    defaults: dict[str, Any] = {}
    subjects: list[str] = []

    def call(hookname: str, register: Callable[..., None]) -> None:
        impl = getattr(module, hookname, None)
        if impl is None:
            return
        import inspect

        params = inspect.signature(impl).parameters
        kwargs: dict[str, Any] = {"register": register}
        if "app" in params:
            kwargs["app"] = Flask(module_name)
        impl(**{k: v for k, v in kwargs.items() if k in params})

    call("fsec_config_defaults", lambda key, value: defaults.__setitem__(key, value))
    call(
        "fsec_messages",
        lambda key, value: found.append((value[0], f"fsec_messages:MSG_{key}")),
    )
    call(
        "fsec_mails",
        lambda name, subject_key, *a, **k: subjects.append(subject_key),
    )
    for key in subjects:
        text = defaults.get(key)
        if isinstance(text, str) and text:
            found.append((text, f"fsec_mails:SECURITY_{key}"))
    return found


def extract(dist: Distribution) -> Any:
    """Every translatable string of ``dist`` as a ``babel.messages.Catalog`` (the
    template: no translations).

    :returns: the catalogue; each message's ``locations`` say where it was found.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(
        project=dist.name,
        domain=dist.domain,
        copyright_holder=f"the {dist.name} authors",
        creation_date=_FIXED_DATE,
        revision_date=_FIXED_DATE,
        fuzzy=False,
    )
    method_map = [
        ("**/tests/**", "ignore"),
        ("**/testing/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2.ext:babel_extract"),
        ("**/templates/**.txt", "jinja2.ext:babel_extract"),
    ]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(dist.package), method_map=method_map, keywords=KEYWORDS
    ):
        path = f"{dist.package.name}/{filename}"
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    for module in dist.plugins:
        for text, where in _registered_strings(module):
            catalog.add(text, None, [(where, 0)])
    return catalog


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LETTER = re.compile(r"[^\W\d_]")
_TEXT_ATTRS = frozenset({"title", "placeholder", "aria-label", "alt"})


def _blank(match: re.Match[str]) -> str:
    return "\x00" + "\n" * match.group(0).count("\n")


class _Finder(HTMLParser):
    """Text nodes and visible attribute values of an HTML template whose Jinja
    constructs were blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            visible = name in _TEXT_ATTRS or (
                name == "value" and tag == "input" and values.get("type") in ("submit", "button")
            )
            if visible and value and _LETTER.search(value.replace("\x00", "")):
                shown = value.replace("\x00", "{{...}}").strip()
                self.found.append((self.getpos()[0], f'{name}="{shown}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.replace("\x00", " ").split())
        if not self._skip and _LETTER.search(text):
            self.found.append((self.getpos()[0], text))


def literal_text(path: Path) -> list[tuple[int, str]]:
    """Literal user-visible text of a template (``.html`` or ``.txt``) that does not go
    through ``_fsdomain``: text outside Jinja tags (in HTML: text nodes outside
    ``<script>``/``<style>``, and ``title``, ``placeholder``, ``aria-label``, ``alt``
    and submit buttons' ``value`` attributes) holding a letter.

    :returns: ``[(line, text), ...]``.
    """
    source = _JINJA.sub(_blank, path.read_text())
    if path.suffix == ".txt":
        return [
            (n, " ".join(line.replace("\x00", " ").split()))
            for n, line in enumerate(source.splitlines(), 1)
            if _LETTER.search(line.replace("\x00", ""))
        ]
    finder = _Finder()
    finder.feed(source)
    finder.close()
    return finder.found


def _write_po(path: Path, catalog: Any) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=88, sort_output=True, omit_header=False)
    if not path.exists() or path.read_bytes() != buf.getvalue():
        path.write_bytes(buf.getvalue())


def _read_po(path: Path, locale: str | None = None) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def write_pot(dist: Distribution) -> Any:
    """Extract ``dist`` and write :attr:`Distribution.pot`.

    :returns: the extracted catalogue.
    """
    template = extract(dist)
    _write_po(dist.pot, template)
    return template


def update(dist: Distribution, locales: Iterable[str] | None = None) -> list[Path]:
    """Extract, then update (or create) the ``.po`` of every locale.

    :param locales: locales to make sure exist; default :data:`LOCALES`. Existing
        catalogues of other locales are updated too.
    :returns: the ``.po`` files written.
    """
    from babel.messages.catalog import Catalog

    template = write_pot(dist)
    wanted = sorted(set(locales or LOCALES) | set(dist.locales()))
    written = []
    for locale in wanted:
        path = dist.po(locale)
        if path.exists():
            catalog = _read_po(path, locale)
        else:
            catalog = Catalog(
                locale=locale,
                domain=dist.domain,
                project=dist.name,
                copyright_holder=f"the {dist.name} authors",
            )
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.creation_date = _FIXED_DATE
        catalog.revision_date = _FIXED_DATE
        catalog.fuzzy = False
        _write_po(path, catalog)
        written.append(path)
    return written


def compile_catalogs(dist: Distribution) -> list[Path]:
    """Write every ``.po`` of ``dist`` as ``.mo`` (fuzzy entries left out).

    :returns: the ``.mo`` files written.
    """
    from babel.messages.mofile import write_mo

    written = []
    for locale in dist.locales():
        po = dist.po(locale)
        catalog = _read_po(po, locale)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != buf.getvalue():
            mo.write_bytes(buf.getvalue())
        written.append(mo)
    return written


def placeholders(text: str) -> list[str]:
    """The ``%``-placeholders of ``text``, sorted (``["%(email)s", "%%"]``)."""
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def check(dist: Distribution, locales: Sequence[str] | None = None) -> list[str]:
    """Every problem of ``dist``'s catalogues, one line each (empty: all good).

    :param locales: the locales every distribution must ship; default :data:`LOCALES`.
    :returns: lines naming the distribution, locale and string.
    """
    from babel.messages.mofile import read_mo

    template = extract(dist)
    wanted = {m.id for m in template if m.id}
    problems: list[str] = []
    templates = dist.package / "templates"
    for path in sorted(templates.rglob("*")) if templates.is_dir() else []:
        if path.suffix in (".html", ".txt") and path.is_file():
            for line, text in literal_text(path):
                where = path.relative_to(dist.package)
                problems.append(
                    f"{dist.name}: {where}:{line}: text not marked with _fsdomain: {text!r}"
                )
    if not wanted and not dist.locales():
        return problems  # nothing to translate (a store without user-visible text)
    for locale in sorted(set(locales or LOCALES) | set(dist.locales())):
        po = dist.po(locale)
        where = f"{dist.name} {locale}"
        if not po.exists():
            problems.append(f"{where}: no catalogue {po}")
            continue
        catalog = _read_po(po, locale)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted, key=str):
            message = have.get(msgid)
            if message is None:
                problems.append(f"{where}: missing {msgid!r}")
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            if not all(strings) or message.fuzzy:
                problems.append(
                    f"{where}: untranslated{' (fuzzy)' if message.fuzzy else ''} {msgid!r}"
                )
                continue
            expected = placeholders(ids[-1])
            for translated in strings:
                if placeholders(translated) != expected:
                    problems.append(
                        f"{where}: placeholders of {msgid!r} are {expected}, "
                        f"the translation has {placeholders(translated)}"
                    )
        for msgid in sorted(set(have) - wanted, key=str):
            problems.append(f"{where}: {msgid!r} is no longer in the code (run update)")
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"{where}: {mo.name} missing (run compile)")
            continue
        with mo.open("rb") as fh:
            compiled = {m.id: m.string for m in read_mo(fh) if m.id}
        source = {m.id: m.string for m in catalog if m.id and not m.fuzzy and m.string}
        if compiled != source:
            problems.append(f"{where}: {mo.name} differs from its .po (run compile)")
    return problems


# ------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, default_folders: Sequence[str] = (".",)) -> int:
    """The command line (see the module docstring).

    :param default_folders: the folders used when none is given.
    :returns: the exit status (0, or 1 when ``check`` found problems or a folder is
        not a distribution).
    """
    parser = argparse.ArgumentParser(
        prog="python -m flask_security.i18n",
        description="Extract, update, compile and check an fsec distribution's catalogues.",
    )
    parser.add_argument("command", choices=["extract", "update", "compile", "check"])
    parser.add_argument("folders", nargs="*", help="distribution folders (with pyproject.toml)")
    parser.add_argument(
        "--locale",
        action="append",
        help=f"locale to create/require (repeatable; default: {' '.join(LOCALES)})",
    )
    args = parser.parse_args(argv)
    status = 0
    for folder in args.folders or default_folders:
        try:
            dist = load_distribution(folder)
        except ValueError as exc:
            print(f"i18n: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.command == "extract":
            template = write_pot(dist)
            print(f"{dist.name}: {len([m for m in template if m.id])} strings -> {dist.pot}")
        elif args.command == "update":
            for path in update(dist, args.locale):
                print(f"{dist.name}: updated {path}")
        elif args.command == "compile":
            for path in compile_catalogs(dist):
                print(f"{dist.name}: compiled {path}")
        else:
            problems = check(dist, args.locale)
            for line in problems:
                print(line)
            if problems:
                status = 1
            else:
                print(f"{dist.name}: catalogues complete")
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
