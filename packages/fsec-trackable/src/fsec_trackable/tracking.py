"""Recording logins on the user model (documented 3.0 trackable fields)."""

from __future__ import annotations

import datetime
from typing import Any

from flask import has_request_context, request
from flask_security.core import _datastore
from flask_security.utils import config_value

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


def record_login(user: Any) -> None:
    """Update ``user``'s login statistics for a login happening now.

    ``current_*`` take the time (``SECURITY_DATETIME_FACTORY()``) and the client
    address; ``last_*`` take the previous ``current_*`` values (on a first login,
    the new ones, as 3.0 did); ``login_count`` goes up by one. The user is put in
    the datastore; the caller commits.
    """
    now = config_value("DATETIME_FACTORY")()
    address = client_address()
    previous_at, previous_ip = user.current_login_at, user.current_login_ip
    user.last_login_at = previous_at or now
    user.current_login_at = now
    user.last_login_ip = previous_ip or address
    user.current_login_ip = address
    user.login_count = (user.login_count or 0) + 1
    _datastore.put(user)


def login_state(user: Any) -> str:
    """``"<login_count>|<current_login_at>"``: changes at every recorded login."""
    at = user.current_login_at
    stamp = at.isoformat() if isinstance(at, datetime.datetime) else str(at)
    return f"{user.login_count or 0}|{stamp}"


__all__ = ["TRACKABLE_FIELDS", "client_address", "login_state", "missing_fields", "record_login"]
