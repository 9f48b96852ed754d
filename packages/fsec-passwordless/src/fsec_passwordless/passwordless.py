"""Login tokens and the login-instructions mail.

A login token is ``[user id, fingerprint of the password hash, fingerprint of the
login state]`` signed with ``SECRET_KEY`` and ``SECURITY_LOGIN_SALT`` (itsdangerous,
HMAC-SHA256) and timed by ``SECURITY_LOGIN_WITHIN``. The login state
(:func:`flask_security.utils.login_state`, from plugins implementing
``fsec_login_state``, e.g. trackable's ``login_count`` and ``current_login_at``)
changes at every login, so a link stops working once it was used, or once the user
signed in any other way; a password change kills it too.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import current_app
from flask_security.core import _security
from flask_security.signals import login_instructions_sent
from flask_security.utils import (
    config_value,
    get_token_status,
    login_state,
    token_fingerprint,
    url_for_security,
)


def _bound_state(user: Any) -> list[str]:
    return [token_fingerprint(user.password), token_fingerprint(login_state(user))]


def generate_login_token(user: Any) -> str:
    """A signed login token for ``user`` (URL-safe ASCII).

    :param user: a user with ``id`` and ``password`` (the hash; may be ``None``).
    """
    return str(_security.serializer("login").dumps([str(user.id), *_bound_state(user)]))


def login_token_status(token: str) -> tuple[bool, bool, Any | None]:
    """Check a login token.

    :returns: ``(expired, invalid, user)``. ``invalid`` is true when the signature is
        bad, the user no longer exists or is inactive, or the user signed in or
        changed password since the token was made. ``expired`` is true for an
        otherwise valid token older than ``SECURITY_LOGIN_WITHIN``. ``user`` is
        ``None`` when invalid.
    """
    expired, invalid, user, data = get_token_status(token, "login", "LOGIN", return_data=True)
    if invalid or user is None:
        return False, True, None
    bound = _bound_state(user)
    if not (
        isinstance(data, list | tuple)
        and len(data) == 3
        and all(isinstance(x, str) for x in data[1:])
        and all(hmac.compare_digest(a, b) for a, b in zip(data[1:], bound, strict=True))
    ):
        return False, True, None
    if not user.is_active:
        return False, True, None
    return bool(expired), False, user


def send_login_instructions(user: Any) -> str | None:
    """Mail ``user`` a login link and send ``login_instructions_sent``.

    Inactive accounts get nothing. The mail is ``login_instructions``, context
    ``user``, ``login_link`` (absolute URL), ``login_token`` and ``within``.

    :returns: the token, or ``None`` when the account is inactive.
    """
    if not user.is_active:
        return None
    token = generate_login_token(user)
    link = url_for_security("token_login", token=token, _external=True)
    _security.send_mail_kind(
        "login_instructions",
        user.email,
        user=user,
        login_link=link,
        login_token=token,
        within=config_value("LOGIN_WITHIN"),
    )
    login_instructions_sent.send(current_app._get_current_object(), user=user, login_token=token)
    return token


__all__ = ["generate_login_token", "login_token_status", "send_login_instructions"]
