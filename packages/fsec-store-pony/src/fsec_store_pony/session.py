"""The Pony ``db_session`` a datastore call runs in: the one already active, else one
opened for the current Flask request or application context and ended when that
context tears down (committed, or rolled back after an unhandled exception). The
rules are those of the package documentation (:mod:`fsec_store_pony`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    appcontext_tearing_down,
    g,
    has_app_context,
    has_request_context,
    request,
    request_tearing_down,
)
from pony.orm import core as _pony_core
from pony.orm import db_session

__all__ = ["end_session", "ensure_session", "in_session"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _Opened(threading.local):
    """Sessions this module opened in this thread: a stack of (owner, marker)."""

    def __init__(self) -> None:
        self.stack: list[object] = []


_opened = _Opened()


def _pony_session_active() -> bool:
    # Pony keeps the active db_session in a thread-local; 0.7.x has no public accessor.
    return _pony_core.local.db_session is not None


def _context_owner() -> object | None:
    """The object whose teardown ends a session opened now: the request, else the
    application context's ``g``; ``None`` outside Flask contexts."""
    if has_request_context():
        return request._get_current_object()  # type: ignore[attr-defined]
    if has_app_context():
        return g._get_current_object()  # type: ignore[attr-defined]
    return None


def ensure_session() -> None:
    """Make sure a Pony ``db_session`` is active (see the module documentation).

    :raises RuntimeError: no ``db_session`` is active and there is no Flask request
        or application context to scope a new one to.
    """
    if _pony_session_active():
        return
    owner = _context_owner()
    if owner is None:
        raise RuntimeError(
            "PonyUserDatastore needs a Flask application context (with app.app_context():) "
            "or an active Pony db_session"
        )
    db_session.__enter__()
    _opened.stack.append(owner)


def _close(owner: object | None, exc: BaseException | None) -> bool:
    if owner is None or not _opened.stack or _opened.stack[-1] is not owner:
        return False
    _opened.stack.pop()
    if exc is None:
        db_session.__exit__(None, None, None)
    else:
        db_session.__exit__(type(exc), exc, exc.__traceback__)
    return True


def end_session(exc: BaseException | None = None) -> bool:
    """End the ``db_session`` the datastore opened for the current Flask context.

    :param exc: roll back because of this exception instead of committing.
    :returns: ``True`` when a session was closed; ``False`` when the datastore had
        opened none for this context (a session the application opened itself is
        never closed here).
    """
    return _close(_context_owner(), exc)


def _on_request_teardown(sender: Any, exc: BaseException | None = None, **extra: Any) -> None:
    _close(request._get_current_object(), exc)  # type: ignore[attr-defined]


def _on_appcontext_teardown(sender: Any, exc: BaseException | None = None, **extra: Any) -> None:
    _close(g._get_current_object(), exc)  # type: ignore[attr-defined]


# Signals reach every application, including those whose datastore was used before
# Security was set up on them. Module-level functions: blinker's weak references hold.
request_tearing_down.connect(_on_request_teardown)
appcontext_tearing_down.connect(_on_appcontext_teardown)


def in_session(method: _F) -> _F:
    """Decorate a datastore method to run :func:`ensure_session` first."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ensure_session()
        return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
