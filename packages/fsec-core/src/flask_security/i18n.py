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

The work is done in :mod:`flask_security.i18n_extract` (layout and extraction) and
:mod:`flask_security.i18n_catalogs` (catalogues); their functions are importable from
here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .babel import LOCALES
from .i18n_catalogs import check, compile_catalogs, placeholders, update, write_pot
from .i18n_extract import KEYWORDS, Distribution, extract, literal_text, load_distribution

__all__ = [
    "KEYWORDS",
    "Distribution",
    "check",
    "compile_catalogs",
    "extract",
    "literal_text",
    "load_distribution",
    "main",
    "placeholders",
    "update",
    "write_pot",
]


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
