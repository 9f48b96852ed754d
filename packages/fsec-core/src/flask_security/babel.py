"""Translation of fsec's messages and labels.

Flask-Babel is optional: when it is installed and initialised on the application,
messages are translated in the domain ``SECURITY_I18N_DOMAIN`` with catalogues from
``SECURITY_I18N_DIRNAME``; otherwise text is returned unchanged.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

_domains: dict[tuple[str, str], Any] = {}


def _domain() -> Any | None:
    if not has_app_context() or "babel" not in current_app.extensions:
        return None
    try:
        from flask_babel import Domain
    except ImportError:  # pragma: no cover - Flask-Babel without Domain
        return None
    name = current_app.config.get("SECURITY_I18N_DOMAIN", "flask_security")
    dirname = current_app.config.get("SECURITY_I18N_DIRNAME") or ""
    key = (name, dirname)
    domain = _domains.get(key)
    if domain is None:
        domain = Domain(translation_directories=[dirname] if dirname else None, domain=name)
        _domains[key] = domain
    return domain


def gettext(text: str, **variables: Any) -> str:
    """Translate ``text`` (then ``%``-format it with ``variables`` when given)."""
    domain = _domain()
    translated = domain.gettext(text) if domain is not None else text
    return translated % variables if variables else translated


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
    """A :class:`LazyString` for ``text``."""
    return LazyString(text)


_ = gettext
