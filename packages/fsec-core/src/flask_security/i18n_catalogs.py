"""The catalogue half of fsec's catalogue tool (:mod:`flask_security.i18n`): writing
the template catalogue (:func:`write_pot`), bringing every locale's ``.po`` in line
with it (:func:`update`), compiling ``.mo`` files (:func:`compile_catalogs`) and
:func:`check`, which lists every problem of a distribution's catalogues. Needs Babel
(``pip install "fsec-core[babel]"``)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .babel import LOCALES
from .i18n_extract import _FIXED_DATE, Distribution, extract, literal_text

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]|%%|%[sdrf]")


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
