"""The pending login's record in the session: how a login waiting for a further factor
is stored, loaded (with its checks: expiry, the user's access fingerprint, a refusal
arisen meanwhile), updated and dropped. :mod:`flask_security.login_steps` begins,
advances and completes the login and documents the whole (every name here is
importable from there).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g, session

from .state import current_datastore, current_security
from .utils import get_within_delta

#: The session key of the pending-login record (one per session).
PENDING_SESSION_KEY = "_fsec_pending_login"


@dataclass
class PendingLogin:
    """The login waiting for a further factor in this session (:func:`pending_login`).

    :param user: the user whose first factor was proven (loaded for this request).
    :param method: the first factor's path (``"form"``, ``"passwordless"``...).
    :param remember: whether the completed login sets the remember cookie.
    :param step: the current step's name.
    :param completed: names of the steps already completed, in order.
    :param started_at: when the first factor succeeded (seconds since the epoch).
    :param attempts: failed attempts at the current step so far.
    :param next_url: the safe path to go to after the login, or ``None``.
    :param data: the step plugin's dict (change it with :func:`update_pending_login`).
    """

    user: Any
    method: str
    remember: bool
    step: str
    completed: tuple[str, ...]
    started_at: float
    attempts: int
    next_url: str | None
    data: dict[str, Any]


def _drop() -> None:
    session.pop(PENDING_SESSION_KEY, None)
    g._fsec_pending_login = None


def cancel_pending_login() -> None:
    """Forget this session's pending login, if any (logout does; a new first factor
    replaces it)."""
    if PENDING_SESSION_KEY in session:
        _drop()


def pending_login() -> PendingLogin | None:
    """This session's pending login, or ``None``.

    ``None`` (and the record is dropped) when there is none, it is malformed, older
    than ``SECURITY_PENDING_LOGIN_WITHIN``, its user is gone, the user's password or
    ``fs_uniquifier`` changed since the first factor (constant-time fingerprint
    check), or ``fsec_login_refusal`` now refuses the user on the first factor's
    method (deactivated meanwhile). Loaded once per request.

    :returns: the :class:`PendingLogin` of this session, or ``None``.
    """
    cached = g.get("_fsec_pending_login")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    record = session.get(PENDING_SESSION_KEY)
    if record is None:
        return None
    pending = _load(record)
    if pending is None:
        _drop()
        return None
    g._fsec_pending_login = pending
    return pending


def _load(record: Any) -> PendingLogin | None:
    if not isinstance(record, dict):
        return None
    try:
        uid, fp, method = str(record["uid"]), record["fp"], str(record["method"])
        started = float(record["at"])
        attempts = int(record["n"])
        step = str(record["step"])
        done = tuple(str(s) for s in record["done"])
        data = dict(record["data"])
    except (KeyError, TypeError, ValueError):
        return None
    within = get_within_delta("PENDING_LOGIN_WITHIN").total_seconds()
    if not 0 <= time.time() - started <= within:
        return None
    user = current_datastore.load_user(uid)
    if user is None:
        return None
    if not current_security.fingerprint_matches(current_security.access_state(user), fp):
        return None
    if current_security.login_refusal(user, method) is not None:
        return None
    next_url = record.get("next")
    return PendingLogin(
        user=user,
        method=method,
        remember=bool(record.get("remember")),
        step=step,
        completed=done,
        started_at=started,
        attempts=attempts,
        next_url=next_url if isinstance(next_url, str) else None,
        data=data,
    )


def update_pending_login(data: Mapping[str, Any]) -> None:
    """Merge ``data`` into the pending record's ``data`` dict (JSON-serialisable
    values; keep it small: it lives in the session cookie by default).

    :param data: keys and values to merge into the pending record's ``data``.
    :raises RuntimeError: no login is pending.
    """
    pending = pending_login()
    if pending is None:
        raise RuntimeError("update_pending_login: no login is pending")
    pending.data.update(data)
    record = dict(session[PENDING_SESSION_KEY])
    record["data"] = dict(pending.data)
    session[PENDING_SESSION_KEY] = record


__all__ = [
    "PENDING_SESSION_KEY",
    "PendingLogin",
    "cancel_pending_login",
    "pending_login",
    "update_pending_login",
]
