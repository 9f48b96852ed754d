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

from typing import Any

from flask import current_app
from flask_security import current_security
from flask_security.signals import login_instructions_sent
from flask_security.utils import (
    TokenStatus,
    check_bound_token,
    config_value,
    generate_bound_token,
    login_state,
    url_for_security,
)


def _password(user: Any) -> Any:
    return user.password


def generate_login_token(user: Any) -> str:
    """A signed login token for ``user`` (URL-safe ASCII), bound to its password hash
    and its login state.

    :param user: a user with ``id`` and ``password`` (the hash; may be ``None``).
    """
    return generate_bound_token("login", user, user.password, login_state(user))


def login_token_status(token: str) -> TokenStatus:
    """Check a login token.

    :returns: a :class:`~flask_security.utils.TokenStatus` ``(expired, invalid, user)``.
        ``invalid`` is true when the signature is bad, the user no longer exists or is
        inactive, or the user signed in or changed password since the token was made.
        ``expired`` is true for an otherwise valid token older than
        ``SECURITY_LOGIN_WITHIN``. ``user`` is ``None`` when invalid.
    """
    return check_bound_token(token, "login", "LOGIN", _password, login_state, require_active=True)


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
    current_security.send_mail_kind(
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
