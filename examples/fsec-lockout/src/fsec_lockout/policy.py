"""The lockout policy: counting failed sign-ins, locking, unlocking.

Where the counters live
-----------------------
On the user record, in three fields the application adds to its user model
(:data:`FIELDS`). fsec's datastores know users and roles only; every store
(SQLAlchemy, MongoEngine, Peewee, Pony) can save a user through
``datastore.put(user)`` + ``datastore.commit()``, so keeping the counters on the user
works on all of them with no store-specific code, survives restarts and is shared by
every worker process. The plugin checks the fields at start-up
(:func:`check_user_model`) and names the missing ones.

Policy
------
* A failed sign-in of an existing account (a wrong password, or any password while
  the account is refused; form, JSON or HTTP Basic) adds one to
  ``failed_login_count``. The first failure opens a
  window of ``SECURITY_LOCKOUT_WINDOW``; a failure after the window closed starts a
  new count (fixed window).
* The failure that brings the count to ``SECURITY_LOCKOUT_MAX_ATTEMPTS`` sets
  ``locked_until = now + SECURITY_LOCKOUT_DURATION``, sends the ``account_locked``
  signal and the ``lockout_notice`` mail (``SECURITY_LOCKOUT_SEND_EMAIL``).
* While locked, further attempts still count but do not extend the lock (an attacker
  cannot keep an account locked by guessing on), and new **password** sign-ins (form,
  JSON, HTTP Basic) are refused with ``ACCOUNT_LOCKED`` whatever the password, so the
  answer never tells a right guess from a wrong one. Sessions, remember cookies and
  auth tokens that already exist keep working: a lock stops guessing, it does not sign
  the owner out (a password change or reset does that).
* When the lock has expired the next failure starts a fresh count.
* A successful session login, a password change or reset, and
  ``flask users unlock`` clear the three fields.

Times come from ``SECURITY_DATETIME_FACTORY`` (naive UTC by default); a naive value
is read as UTC when compared with an aware one.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_security.utils import config_value, get_within_delta

from .signals import account_locked

#: The user model fields the plugin reads and writes: an integer count, the time of
#: the first failure of the current window, and the end of the current lock.
FIELDS: tuple[str, str, str] = ("failed_login_count", "first_failed_login_at", "locked_until")

_UTC = datetime.UTC


def _state() -> Any:
    return current_app.extensions["security"]


def _now() -> datetime.datetime:
    return config_value("DATETIME_FACTORY")()


def _utc(value: datetime.datetime) -> datetime.datetime:
    """``value`` as an aware UTC date-time (naive values are taken to be UTC)."""
    return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)


def settings(app: Any = None) -> tuple[int, datetime.timedelta, datetime.timedelta]:
    """The policy settings: ``(max_attempts, window, duration)``.

    :param app: the Flask app (default ``current_app``).
    :raises ValueError: ``SECURITY_LOCKOUT_MAX_ATTEMPTS`` is not an integer >= 1, or
        ``SECURITY_LOCKOUT_WINDOW`` / ``SECURITY_LOCKOUT_DURATION`` is not a positive
        ``"<amount> <unit>"`` value (``"15 minutes"``).
    """
    max_attempts = config_value("LOCKOUT_MAX_ATTEMPTS", app=app)
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(
            f"SECURITY_LOCKOUT_MAX_ATTEMPTS must be an integer >= 1, not {max_attempts!r}"
        )
    window = get_within_delta("LOCKOUT_WINDOW", app=app)
    duration = get_within_delta("LOCKOUT_DURATION", app=app)
    for key, value in (("WINDOW", window), ("DURATION", duration)):
        if value <= datetime.timedelta(0):
            raise ValueError(f"SECURITY_LOCKOUT_{key} must be a positive duration")
    return max_attempts, window, duration


def check_user_model(user_model: type) -> None:
    """Fail start-up when the user model lacks one of :data:`FIELDS`.

    :raises RuntimeError: naming the model, the missing fields and what to add.
    """
    missing = [name for name in FIELDS if not hasattr(user_model, name)]
    if missing:
        raise RuntimeError(
            f"fsec-lockout (SECURITY_PLUGINS 'lockout') keeps its counters on the user "
            f"model, and {user_model.__name__} has no {', '.join(missing)}. Add "
            "failed_login_count (integer, default 0), first_failed_login_at and "
            "locked_until (nullable date-times), e.g. with Flask-SQLAlchemy: "
            "failed_login_count = db.Column(db.Integer, default=0); "
            "first_failed_login_at = db.Column(db.DateTime()); "
            "locked_until = db.Column(db.DateTime())"
        )


@dataclass(frozen=True)
class LockoutStatus:
    """Where an account stands, at the moment ``now``.

    :ivar failed_attempts: failures counted in the current window (0 when the window
        or an earlier lock is over).
    :ivar max_attempts: ``SECURITY_LOCKOUT_MAX_ATTEMPTS``.
    :ivar locked_until: the end of the current lock, ``None`` when not locked.
    :ivar now: the time the status was computed for.
    """

    failed_attempts: int
    max_attempts: int
    locked_until: datetime.datetime | None
    now: datetime.datetime

    @property
    def locked(self) -> bool:
        """Whether the account is locked now."""
        return self.locked_until is not None

    @property
    def remaining_attempts(self) -> int:
        """Failures left before the account locks (0 while locked)."""
        if self.locked:
            return 0
        return max(0, self.max_attempts - self.failed_attempts)

    @property
    def retry_after(self) -> int | None:
        """Whole seconds until the lock ends (rounded up), ``None`` when not locked."""
        if self.locked_until is None:
            return None
        seconds = (_utc(self.locked_until) - _utc(self.now)).total_seconds()
        return max(1, math.ceil(seconds))

    def as_json(self, show_remaining: bool) -> dict[str, Any]:
        """The ``lockout`` object of JSON answers and the ``lockout`` template value.

        ``{"locked": true, "locked_until": "<ISO 8601, UTC>", "retry_after": <s>}``
        while locked; ``remaining_attempts`` is added when ``show_remaining``.
        """
        data: dict[str, Any] = {"locked": self.locked}
        if self.locked_until is not None:
            data["locked_until"] = _utc(self.locked_until).isoformat().replace("+00:00", "Z")
            data["retry_after"] = self.retry_after
        if show_remaining:
            data["remaining_attempts"] = self.remaining_attempts
        return data


def lockout_status(user: Any, now: datetime.datetime | None = None) -> LockoutStatus:
    """The :class:`LockoutStatus` of ``user`` (reads the fields, writes nothing).

    :param now: the current time (default ``SECURITY_DATETIME_FACTORY()``).
    :raises ValueError: bad settings (see :func:`settings`).
    """
    now = now if now is not None else _now()
    max_attempts, window, _duration = settings()
    until = getattr(user, "locked_until", None)
    count = getattr(user, "failed_login_count", None) or 0
    first = getattr(user, "first_failed_login_at", None)
    if until is not None and _utc(until) > _utc(now):
        return LockoutStatus(count, max_attempts, until, now)
    if until is not None or first is None or _utc(now) - _utc(first) >= window:
        count = 0  # the lock or the window is over: a fresh start
    return LockoutStatus(count, max_attempts, None, now)


def is_locked(user: Any, now: datetime.datetime | None = None) -> bool:
    """Whether ``user`` is locked out now."""
    return lockout_status(user, now).locked


def record_failure(user: Any) -> LockoutStatus:
    """Count one failed sign-in of ``user``; lock the account when the count is reached.

    Saves and commits the user. On locking, sends :data:`~fsec_lockout.account_locked`
    and the ``lockout_notice`` mail. For a user already locked the count goes on
    but the lock keeps its end.

    :returns: the status after this failure.
    """
    now = _now()
    status = lockout_status(user, now)
    state = _state()
    if status.locked:
        # Guesses made while locked still count (an audit sees them, and the right
        # password gains nothing), but do not extend the lock: an attacker must not be
        # able to keep an account locked for ever.
        user.failed_login_count = status.failed_attempts + 1
        state.datastore.put(user)
        state.datastore.commit()
        return lockout_status(user, now)
    _max_attempts, _window, duration = settings()
    count = status.failed_attempts + 1
    if count == 1:
        user.first_failed_login_at = now
    user.failed_login_count = count
    user.locked_until = now + duration if count >= status.max_attempts else None
    state.datastore.put(user)
    state.datastore.commit()
    new = lockout_status(user, now)
    if new.locked:
        # The real app behind the proxy, as Flask's signal documentation does it.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        account_locked.send(app, user=user, locked_until=user.locked_until, failed_attempts=count)
        email = getattr(user, "email", None)
        if email:
            state.send_mail_kind(
                "lockout_notice",
                email,
                user=user,
                locked_until=_utc(user.locked_until).strftime("%Y-%m-%d %H:%M"),
                retry_after=new.retry_after,
            )
    return new


def unlock_user(user: Any, commit: bool = True) -> bool:
    """Clear ``user``'s failed-sign-in count and lock.

    :param commit: commit the datastore (``False`` when the caller commits, as the
        login views do after ``fsec_after_login``).
    :returns: whether anything changed (``False``: there was nothing to clear).
    """
    if (
        not getattr(user, "failed_login_count", None)
        and getattr(user, "first_failed_login_at", None) is None
        and getattr(user, "locked_until", None) is None
    ):
        return False
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    state = _state()
    state.datastore.put(user)
    if commit:
        state.datastore.commit()
    return True


__all__ = [
    "FIELDS",
    "LockoutStatus",
    "check_user_model",
    "is_locked",
    "lockout_status",
    "record_failure",
    "settings",
    "unlock_user",
]
