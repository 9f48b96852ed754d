"""Translation of fsec's messages, labels, pages and mails.

Every distribution ships its own gettext catalogues (``<package>/translations/<locale>/
LC_MESSAGES/<domain>.mo``) and makes them known through the
``fsec_translation_directories`` hook; core merges them for the request's locale.

Flask-Babel is optional (``pip install "fsec-core[babel]"``). When it is installed and
initialised on the application (``flask_babel.Babel(app, locale_selector=...)``), text is
translated into ``flask_babel.get_locale()``; otherwise it is returned unchanged, and the
templates' ``_fsdomain`` still works (it then only formats).

Which catalogues are merged (documented 3.0 settings, with upstream 5.x's list form):

* ``SECURITY_I18N_DIRNAME`` is a folder or a list of folders. The special value
  ``"builtin"`` (upstream 5.x) and core's own ``translations`` folder (3.0's default,
  which ``init_app`` still puts there when the setting is ``None``) stand for *every
  distribution's built-in catalogues*: core's (domain ``flask_security``) and those
  each enabled plugin registers, each in its own domain.
* Any other folder is read in the domain ``SECURITY_I18N_DOMAIN``.
* Catalogues are merged in list order and a later one wins for a message both hold
  (Flask-Babel's rule for several translation directories), so
  ``["builtin", "translations"]`` overrides a few built-in translations with the app's
  own; a single folder of the app's replaces the built-in catalogues (3.0 behaviour).
  Within ``"builtin"``, core comes first and plugins after it (a plugin's translation of
  a message core also has wins, like its other contributions).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context

#: Core's gettext domain (documented 3.0 default of ``SECURITY_I18N_DOMAIN``).
DOMAIN = "flask_security"

#: The folder of core's catalogues (3.0's default ``SECURITY_I18N_DIRNAME``).
TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")

#: Special ``SECURITY_I18N_DIRNAME`` entry: every distribution's built-in catalogues.
BUILTIN = "builtin"

#: The locales every first-party distribution ships, as folder names (Babel's names:
#: ``str(babel.Locale.parse("zh_CN"))`` is ``"zh_Hans_CN"``, which is what
#: Flask-Babel looks up for a selector answering ``"zh_CN"`` or ``"zh_Hans_CN"``).
#: Offer them to ``request.accept_languages.best_match`` in a locale selector.
LOCALES: tuple[str, ...] = ("da", "de", "es", "fr", "ja", "nl", "pt_BR", "ru", "zh_Hans_CN")

_cache: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def N_(text: str) -> str:
    """Mark ``text`` for extraction without translating it now (gettext's ``N_``).

    For strings kept in tables and translated where they are shown (field labels).

    :param text: the English text (the catalogues' ``msgid``).
    :returns: ``text`` unchanged.
    """
    return text


def builtin_sources() -> list[tuple[str, str]]:
    """The built-in catalogues of the current app: core's, then each plugin's.

    :returns: ``[(folder, domain), ...]`` in merge order (later wins); core's alone when
        no security state is set up yet.
    """
    state = current_app.extensions.get("security") if has_app_context() else None
    found = getattr(state, "translation_directories", None)
    if found:
        return list(found)
    return [(TRANSLATIONS_DIR, DOMAIN)]


def translation_sources() -> list[tuple[str, str]]:
    """Every catalogue merged for the current app, from ``SECURITY_I18N_DIRNAME`` and
    ``SECURITY_I18N_DOMAIN`` (rules in the module docstring).

    :returns: ``[(folder, domain), ...]`` in merge order (later wins).
    """
    config = current_app.config
    dirname = config.get("SECURITY_I18N_DIRNAME")
    domain = config.get("SECURITY_I18N_DOMAIN") or DOMAIN
    entries: Iterable[Any]
    if dirname is None:
        entries = [BUILTIN]
    elif isinstance(dirname, str | os.PathLike):
        entries = [dirname]
    else:
        entries = dirname
    sources: list[tuple[str, str]] = []
    core_dir = os.path.normcase(os.path.abspath(TRANSLATIONS_DIR))
    for entry in entries:
        path = os.fspath(entry)
        if path == BUILTIN or os.path.normcase(os.path.abspath(path)) == core_dir:
            sources.extend(builtin_sources())
        else:
            sources.append((path, domain))
    return sources


def _current_locale() -> Any | None:
    if not has_app_context() or "babel" not in current_app.extensions:
        return None
    try:
        from flask_babel import get_locale
    except ImportError:  # pragma: no cover - extension registered without the package
        return None
    try:
        return get_locale()
    except RuntimeError:
        # A locale selector reading ``request`` (the documented Accept-Language one)
        # called outside a request (CLI commands, tasks): the texts stay English.
        return None


def load_translations(locale: Any, sources: Iterable[tuple[str, str]]) -> Any:
    """Merge the catalogues ``sources`` for ``locale`` into one ``babel.support.Translations``.

    Cached per process (catalogues are files installed with the distributions).

    :param locale: a ``babel.Locale`` or a locale name (``"de"``, ``"zh_Hans_CN"``);
        gettext's fallbacks apply (``de_AT`` finds ``de``).
    :param sources: ``(folder, domain)`` pairs, later ones winning.
    :returns: the merged translations (empty when no catalogue exists for ``locale``).
    """
    from babel.support import Translations

    key = (str(locale), tuple((os.fspath(d), n) for d, n in sources))
    merged = _cache.get(key)
    if merged is None:
        merged = Translations()
        for folder, domain in key[1]:
            found = Translations.load(folder, [locale], domain=domain)
            if isinstance(found, Translations):
                merged.merge(found)
        _cache[key] = merged
    return merged


def get_translations() -> Any | None:
    """The merged translations for the current request's locale.

    :returns: a ``babel.support.Translations``, or ``None`` when Flask-Babel is not
        installed or not initialised on the app, or there is no locale (no app context).
    """
    locale = _current_locale()
    if locale is None:
        return None
    return load_translations(locale, translation_sources())


def gettext(text: str, **variables: Any) -> str:
    """Translate ``text`` (then ``%``-format it with ``variables`` when given).

    :param text: the English text, the catalogues' ``msgid``.
    :param variables: values for the ``%(name)s`` placeholders.
    :returns: the translation into the request's locale, or ``text`` itself when
        there is none (or no Flask-Babel), formatted.
    """
    translations = get_translations()
    translated = translations.gettext(text) if translations is not None else text
    return translated % variables if variables else translated


def current_language() -> str:
    """The language the security pages are shown in, as a BCP 47 tag for ``<html lang>``
    (template global ``fsec_language``).

    :returns: the request's locale (``"de"``, ``"pt-BR"``, ``"zh-Hans-CN"``) when some
        catalogue translates into it, else ``"en"`` (the texts stay English).
    """
    translations = get_translations()
    if translations is None or not getattr(translations, "_catalog", None):
        return "en"
    return str(_current_locale()).replace("_", "-")


_PERIOD_UNITS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def format_period(value: Any) -> str:
    """A period setting (``"5 days"``, ``"30 minutes"``, or a ``timedelta``) in the
    request's language, for ``%(within)s`` in messages and mails (template global
    ``fsec_period``).

    :param value: ``"<amount> <unit>"`` as the ``*_WITHIN`` settings take it, or a
        ``datetime.timedelta``.
    :returns: with a catalogue for the request's locale, the period in its exact
        largest unit, worded by Babel's CLDR data (``"5 Tage"``, ``"5天"``); else
        ``str(value)`` unchanged (English text stays as configured).
    """
    import datetime

    translations = get_translations()
    if translations is None or not getattr(translations, "_catalog", None):
        return str(value)
    delta = value
    if not isinstance(delta, datetime.timedelta):
        try:
            amount, unit = str(value).split()
            delta = datetime.timedelta(**{unit: int(amount)})
        except (ValueError, TypeError):
            return str(value)
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return str(value)
    from babel.units import format_unit

    for unit, size in _PERIOD_UNITS:
        if seconds % size == 0:
            return str(
                format_unit(
                    seconds // size, f"duration-{unit}", length="long", locale=_current_locale()
                )
            )
    return str(value)  # pragma: no cover - the seconds unit always divides


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Translate a text whose form depends on the number ``num`` (``%(num)s`` is set).

    :returns: the translated form for ``num``, formatted with ``num`` and ``variables``.

    :param singular: the text for one (``"%(num)s attempt"``).
    :param plural: the text for several.
    :param num: the number choosing the form.
    :param variables: more ``%`` formatting values.
    """
    translations = get_translations()
    if translations is not None:
        translated = translations.ngettext(singular, plural, num)
    else:
        translated = singular if num == 1 else plural
    return translated % {"num": num, **variables}


class LazyString:
    """A string translated when rendered (form labels are built at import time)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return gettext(self.text)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.text)

    def __len__(self) -> int:
        return len(str(self))

    def __repr__(self) -> str:
        return f"LazyString({self.text!r})"


def lazy_gettext(text: str) -> LazyString:
    """A :class:`LazyString` for ``text``, translated each time it is rendered.

    :param text: the English text (extracted by ``scripts/i18n.py``).
    :returns: the lazy string.
    """
    return LazyString(text)


def _fsdomain(text: str, **variables: Any) -> str:
    """The templates' translation function (upstream 5.x's name ``_fsdomain``):
    ``{{ _fsdomain("Hello %(email)s,", email=user.email) }}``.

    :returns: as :func:`gettext`; autoescaping applies to the result in HTML templates.
    """
    return gettext(text, **variables)


_ = gettext

__all__ = [
    "BUILTIN",
    "DOMAIN",
    "LOCALES",
    "N_",
    "TRANSLATIONS_DIR",
    "LazyString",
    "builtin_sources",
    "current_language",
    "format_period",
    "get_translations",
    "gettext",
    "lazy_gettext",
    "load_translations",
    "ngettext",
    "translation_sources",
]
