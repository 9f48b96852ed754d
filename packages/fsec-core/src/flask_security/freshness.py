"""Freshness: how recently the current user proved who they are (upstream 5.x).

Every completed login records its time in the session
(:func:`mark_authn_fresh`, called by :func:`flask_security.utils.login_user`, the one
place every login path ends, and by the verify views). Auth tokens carry the same time
(:meth:`flask_security.tokens.AccessFingerprints.auth_token_for`). A view protected
with ``auth_required(within=...)`` (or a plugin calling
:func:`check_and_update_authn_fresh`) refuses a user whose last authentication is
older than ``within``; the user then re-enters a password at ``/verify``
(``SECURITY_VERIFY_URL``) or uses a passkey at ``/wan-verify``.

Settings (upstream 5.x names and defaults): ``SECURITY_FRESHNESS``
(``timedelta(hours=24)``; negative: no check anywhere and no verify endpoints),
``SECURITY_FRESHNESS_GRACE_PERIOD`` (``timedelta(hours=1)``: after a successful
check, further checks pass for this long, so that a multi-step operation is not
interrupted), ``SECURITY_FRESHNESS_ALLOW_AUTH_TOKEN`` (``True``: the time carried by
an auth token counts; no grace period for tokens).

Rule source: OWASP Authentication Cheat Sheet, "Reauthentication after risk events"
(changing credentials or second factors requires a recent authentication).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from flask import g, has_request_context, session

from .config import config_value
from .tokens import AUTHN_TIME_G, AUTHN_TIME_SESSION_KEY, TOKEN_AUTHN_G

#: The session key of the grace period's end (seconds since the epoch).
GRACE_SESSION_KEY = "fs_gexp"

#: What ``within`` / ``grace`` may be: minutes (``int``/``float``), a ``timedelta``,
#: or a callable returning one of those (read at each request).
Duration = int | float | datetime.timedelta | Callable[[], Any]


def as_timedelta(value: Any) -> datetime.timedelta:
    """``value`` as a ``timedelta``: a ``timedelta`` as is, a number as minutes (the
    unit of upstream 5.x's ``auth_required(within=...)``), a callable called first.

    :param value: a :data:`Duration`.
    :returns: the duration (may be negative).
    :raises TypeError: ``value`` is none of those.
    """
    if callable(value) and not isinstance(value, datetime.timedelta):
        value = value()
    if isinstance(value, datetime.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.timedelta(minutes=value)
    raise TypeError(f"a duration must be a timedelta or a number of minutes, not {value!r}")


def freshness_enabled(app: Any = None) -> bool:
    """Whether freshness is checked at all: ``SECURITY_FRESHNESS`` is not negative.

    When it is negative no check refuses anybody and the verify endpoints
    (``/verify``, ``/wan-verify``) are not registered (upstream 5.x).

    :param app: the application (``None``: the current one).
    :returns: ``True`` when checks are made.
    """
    value = config_value("FRESHNESS", app=app)
    return value is not None and as_timedelta(value).total_seconds() >= 0


def mark_authn_fresh() -> None:
    """Record that the current user authenticated now: the session's
    authentication time becomes now and any grace period ends (a later check starts
    a new one). Called at every completed login and successful verify.

    :returns: ``None``.
    """
    now = time.time()
    session[AUTHN_TIME_SESSION_KEY] = now
    session.pop(GRACE_SESSION_KEY, None)
    setattr(g, AUTHN_TIME_G, now)


def request_authn_method() -> str:
    """How the current request's user was authenticated: ``"token"`` when an auth
    token loaded it and the session holds no login, else ``"session"``.

    :returns: ``"token"`` or ``"session"``.
    """
    if g.get(TOKEN_AUTHN_G) and "_user_id" not in session:
        return "token"
    return "session"


def _timestamp(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def check_and_update_authn_fresh(
    within: Duration, grace: Duration | None = None, method: str | None = None
) -> bool:
    """Whether the current user authenticated recently enough (upstream 5.x's name).

    * ``within`` negative, or ``SECURITY_FRESHNESS`` negative: always ``True``.
    * ``method == "basic"``: ``True`` (HTTP Basic sends the password with every
      request).
    * ``method == "token"``: the time carried by the auth token must be at most
      ``within`` old, and ``SECURITY_FRESHNESS_ALLOW_AUTH_TOKEN`` must be on; no
      grace period.
    * a session: ``True`` while a grace period runs; else ``True`` when the
      session's authentication time is at most ``within`` old, and then a grace
      period of ``grace`` starts (it never extends itself: the next one starts only
      at the next check that passes on the authentication time).

    :param within: how recent the authentication must be (:data:`Duration`).
    :param grace: the grace period (:data:`Duration`); ``None``:
        ``SECURITY_FRESHNESS_GRACE_PERIOD``.
    :param method: ``"session"``, ``"token"`` or ``"basic"``; ``None``: from the
        request (:func:`request_authn_method`).
    :returns: ``True`` when fresh enough (the session may have been updated).
    """
    within_seconds = as_timedelta(within).total_seconds()
    if within_seconds < 0 or not freshness_enabled():
        return True
    if not has_request_context():
        return False
    method = method or request_authn_method()
    if method == "basic":
        return True
    now = time.time()
    if method == "token":
        if not config_value("FRESHNESS_ALLOW_AUTH_TOKEN"):
            return False
        at = _timestamp(g.get(AUTHN_TIME_G))
        return at is not None and 0 <= now - at <= within_seconds
    grace_end = _timestamp(session.get(GRACE_SESSION_KEY))
    if grace_end is not None and now < grace_end:
        return True
    at = _timestamp(session.get(AUTHN_TIME_SESSION_KEY))
    if at is None or not 0 <= now - at <= within_seconds:
        return False
    grace_seconds = as_timedelta(
        config_value("FRESHNESS_GRACE_PERIOD") if grace is None else grace
    ).total_seconds()
    if grace_seconds > 0:
        session[GRACE_SESSION_KEY] = now + grace_seconds
    return True


__all__ = [
    "GRACE_SESSION_KEY",
    "as_timedelta",
    "check_and_update_authn_fresh",
    "freshness_enabled",
    "mark_authn_fresh",
    "request_authn_method",
]
