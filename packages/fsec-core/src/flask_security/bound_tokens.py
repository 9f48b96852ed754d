"""Tokens bound to a user's state (reset, confirmation and login links): made with
:func:`generate_bound_token`, checked with :func:`check_bound_token` and
:func:`get_token_status`; they stop working once the state they carry a fingerprint
of changed. ``flask_security.utils`` re-exports every public name (3.0's module path)."""

from __future__ import annotations

from typing import Any, NamedTuple

from itsdangerous import BadSignature, SignatureExpired

from .config import get_within_delta
from .hashing import token_fingerprint
from .state import _datastore, _security


def get_max_age(key: str) -> float:
    """``SECURITY_<KEY>_WITHIN`` in seconds (``key`` = ``"RESET_PASSWORD"``...).

    :param key: the setting's name without ``_WITHIN`` (``"RESET_PASSWORD"``, ``"INVITE"``).
    :returns: the lifetime in seconds.
    :raises ValueError: the setting is not like ``"5 days"``.
    """
    return get_within_delta(key + "_WITHIN").total_seconds()


class TokenStatus(NamedTuple):
    """The result of checking a mailed token (reset, confirmation, login link); it
    unpacks as Flask-Security 3.0's ``(expired, invalid, user)`` triple.

    :ivar expired: signed correctly but older than its ``SECURITY_*_WITHIN``.
    :ivar invalid: bad signature, payload or purpose, an unknown user, or state the
        token is bound to that changed.
    :ivar user: the user the token names, ``None`` when invalid.
    """

    expired: bool
    invalid: bool
    user: Any | None


def get_token_status(
    token: str, serializer: str, max_age: str | None = None, return_data: bool = False
) -> tuple[Any, ...]:
    """Check a signed token of kind ``serializer`` (``"confirm"``, ``"login"``, ``"reset"``).

    The token's payload must name ``serializer`` as its purpose (see
    :meth:`SecurityState.dumps_token`); a payload without a purpose (issued before
    fsec put purposes into payloads) is accepted only while the kind's salt differs
    from every other ``SECURITY_*_SALT``. Signatures made with a key in
    ``SECRET_KEY_FALLBACKS`` verify.

    :param max_age: the name of the ``*_WITHIN`` setting without the suffix
        (``"CONFIRM_EMAIL"``, ``"LOGIN"``, ``"RESET_PASSWORD"``), or ``None`` for no
        expiry.
    :returns: ``(expired, invalid, user)`` or, with ``return_data``,
        ``(expired, invalid, user, data)``. ``data`` is the payload's list
        (``[user id, ...]``); ``user`` is the user it names, also for an expired
        token.

    :param token: the token from the link.
    :param serializer: the token kind (the serializer name).
    :param return_data: also return the payload's list.
    """
    ser = _security.serializer(serializer)
    seconds = get_max_age(max_age) if max_age else None
    expired = invalid = False
    payload: Any = None
    try:
        payload = ser.loads(token, max_age=seconds)
    except SignatureExpired:
        _valid, payload = ser.loads_unsafe(token)
        expired = True
    except (BadSignature, TypeError, ValueError):
        invalid = True
    data: Any = None
    if payload is not None:
        data = _security.unwrap_payload(serializer, serializer, payload)
    user = None
    if isinstance(data, list) and data and isinstance(data[0], str):
        user = _datastore.load_user(data[0])
    elif payload is not None:
        invalid, expired, data = True, False, None
    expired = expired and user is not None
    if return_data:
        return expired, invalid, user, data
    return expired, invalid, user


def generate_bound_token(kind: str, user: Any, *state: str | bytes | None) -> str:
    """A signed token naming ``user`` and bound to the current ``state`` values.

    The payload is ``{"p": kind, "d": [str(user.id), token_fingerprint(v) for v in
    state]}``, signed by :meth:`SecurityState.serializer` (``SECRET_KEY`` +
    ``SECURITY_<KIND>_SALT``, HMAC-SHA256, timestamped). The purpose ``kind`` inside
    the payload keeps a token of one kind from passing as another even when two
    kinds share a salt. Bind a token to the state its use changes (the password hash
    for a reset) and it works once; bind it to state it must match (the email
    address for a confirmation) and it dies when that changes.

    :param kind: the serializer name (``"reset"``, ``"confirm"``, ``"login"``...).
    :returns: a URL-safe ASCII string.

    :param user: the user the token names (``user.id``).
    :param state: the values to bind, each fingerprinted (``None`` allowed: a
        missing password is a state too).
    """
    payload = [str(user.id), *(token_fingerprint(value) for value in state)]
    return _security.dumps_token(kind, kind, payload)


def check_bound_token(
    token: str,
    kind: str,
    max_age: str | None,
    *state_of: Any,
    require_active: bool = False,
) -> TokenStatus:
    """Check a :func:`generate_bound_token` token against the user's state now.

    :param max_age: the ``*_WITHIN`` setting without the suffix (``"RESET_PASSWORD"``).
    :param state_of: callables ``f(user) -> value``, in the order the token was bound.
    :param require_active: treat tokens of inactive users as invalid.
    :returns: a :class:`TokenStatus` ``(expired, invalid, user)``: ``invalid`` for a bad
        signature, payload or purpose, an unknown (or, with ``require_active``,
        inactive) user, or any bound value that changed (constant-time comparison, under
        ``SECRET_KEY`` or a fallback key); ``expired`` for an otherwise valid token
        older than ``SECURITY_<max_age>_WITHIN``; ``user`` is ``None`` when invalid.

    :param token: the token from the link.
    :param kind: the token kind it was made with (``"reset"``, ``"invite"``).
    """
    expired, invalid, user, data = get_token_status(token, kind, max_age, return_data=True)
    if invalid or user is None:
        return TokenStatus(False, True, None)
    values = [fn(user) for fn in state_of]
    if not (
        isinstance(data, list)
        and len(data) == 1 + len(values)
        and all(
            _security.fingerprint_matches(value, fp)
            for value, fp in zip(values, data[1:], strict=True)
        )
    ):
        return TokenStatus(False, True, None)
    if require_active and not getattr(user, "is_active", False):
        return TokenStatus(False, True, None)
    return TokenStatus(bool(expired), False, user)
