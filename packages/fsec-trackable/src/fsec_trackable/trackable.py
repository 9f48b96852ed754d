"""Recording logins on the user model (documented 3.0 trackable fields)."""

from __future__ import annotations

import datetime
from typing import Any

from flask import has_request_context, request
from flask_security import current_datastore
from flask_security.utils import config_value, login_already_recorded

#: The fields the user model needs (documented Flask-Security 3.0 names).
TRACKABLE_FIELDS: tuple[str, ...] = (
    "last_login_at",
    "current_login_at",
    "last_login_ip",
    "current_login_ip",
    "login_count",
)


def missing_fields(user_model: type) -> list[str]:
    """The trackable fields ``user_model`` lacks (empty when it has them all)."""
    return [name for name in TRACKABLE_FIELDS if not hasattr(user_model, name)]


def client_address() -> str | None:
    """The client's IP address: ``request.remote_addr``, or ``None`` outside a request.

    Forwarding headers (``X-Forwarded-For``) are never read here: anyone can send
    them. Behind a proxy, wrap the app in Werkzeug's ``ProxyFix`` with the number of
    trusted proxies, which rewrites ``remote_addr`` from the headers those proxies set.
    """
    if not has_request_context():
        return None
    return request.remote_addr or None


def _new_values(user: Any) -> dict[str, Any]:
    now = config_value("DATETIME_FACTORY")()
    address = client_address()
    return {
        "last_login_at": user.current_login_at or now,
        "current_login_at": now,
        "last_login_ip": user.current_login_ip or address,
        "current_login_ip": address,
    }


def record_login(user: Any) -> None:
    """Update ``user``'s login statistics for a login happening now.

    ``current_*`` take the time (``SECURITY_DATETIME_FACTORY()``) and the client
    address; ``last_*`` take the previous ``current_*`` values (on a first login,
    the new ones, as 3.0 did); ``login_count`` goes up by one **in the database**
    (``SET login_count = COALESCE(login_count, 0) + 1`` through
    :meth:`~flask_security.datastore.Datastore.compare_and_set`), so simultaneous
    logins of one user are all counted. The caller commits. A login already
    recorded by :func:`consume_login` (its one-time link, in this request or in the
    first step of a two-factor login) is not recorded again
    (:func:`flask_security.utils.login_already_recorded`).
    """
    if login_already_recorded(user):
        return
    current_datastore.compare_and_set(user, {}, _new_values(user), increment={"login_count": 1})


def consume_login(user: Any, expected: dict[str, Any]) -> bool:
    """Record a login of ``user`` only if the stored ``login_count`` (and the
    ``expected`` fields) still hold what ``user`` was loaded with: one atomic
    compare-and-set, so one of several simultaneous uses of a one-time login link
    wins. The ``fsec_after_login`` that completes this login (in this request, or
    after a second factor) records nothing more.

    :returns: ``True`` when recorded; ``False`` when the state moved on.
    """
    conditions = {"login_count": user.login_count, **expected}
    applied = current_datastore.compare_and_set(
        user, conditions, _new_values(user), increment={"login_count": 1}
    )
    return applied


def login_state(user: Any) -> str:
    """``"<login_count>|<current_login_at>"``: changes at every recorded login."""
    at = user.current_login_at
    stamp = at.isoformat() if isinstance(at, datetime.datetime) else str(at)
    return f"{user.login_count or 0}|{stamp}"


__all__ = [
    "TRACKABLE_FIELDS",
    "client_address",
    "consume_login",
    "login_state",
    "missing_fields",
    "record_login",
]
