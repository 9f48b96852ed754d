"""The extraction half of fsec's catalogue tool (:mod:`flask_security.i18n`): a
distribution's catalogue layout (:class:`Distribution`, read from its
``pyproject.toml`` by :func:`load_distribution`), every translatable string of it
(:func:`extract`: Python, templates and the plugin's registered messages and mail
subjects) and the literal text of a template that bypasses ``_fsdomain``
(:func:`literal_text`). Needs Babel and Jinja2 (``pip install "fsec-core[babel]"``)
when extracting."""

from __future__ import annotations

import datetime
import importlib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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
