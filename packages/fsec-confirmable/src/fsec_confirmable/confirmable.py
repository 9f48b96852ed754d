"""Confirmation tokens, the confirmation mail and the confirmation itself.

A confirmation token is ``[user id, token_fingerprint(user.email)]`` signed with
``SECRET_KEY`` and ``SECURITY_CONFIRM_SALT`` (itsdangerous, HMAC-SHA256, with a
timestamp). It is therefore

* bound to the address it was issued for: after the user's email changes, the token
  is invalid;
* usable once: it confirms only while ``user.confirmed_at`` is unset, so a second
  use neither confirms nor logs anybody in (3.0 logged the user in again on every
  use: docs/migration.md#links-that-act-work-once); the confirmation is an atomic
  compare-and-set, so this holds for simultaneous uses too;
* valid for ``SECURITY_CONFIRM_EMAIL_WITHIN`` ("5 days").
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_security import current_datastore, current_security
from flask_security.signals import confirm_instructions_sent, user_confirmed
from flask_security.utils import (
    TokenStatus,
    check_bound_token,
    config_value,
    generate_bound_token,
    url_for_security,
)


def generate_confirmation_token(user: Any) -> str:
    """A signed, timestamped confirmation token for ``user`` (see the module docstring).

    :param user: a user with ``id`` and ``email``.
    :returns: a URL-safe string.
    """
    return generate_bound_token("confirm", user, user.email)


def generate_confirmation_link(user: Any) -> tuple[str, str]:
    """An absolute confirmation URL for ``user`` and the token inside it.

    :returns: ``(link, token)``; ``link`` is ``url_for(..., _external=True)`` of the
        ``confirm_email`` endpoint, so it works from a mail client.
    """
    token = generate_confirmation_token(user)
    return url_for_security("confirm_email", token=token, _external=True), token


def requires_confirmation(user: Any) -> bool:
    """Whether ``user`` may not log in yet: confirmation on, not confirmed, and
    ``SECURITY_LOGIN_WITHOUT_CONFIRMATION`` off (documented 3.0 rule)."""
    if config_value("LOGIN_WITHOUT_CONFIRMATION"):
        return False
    return getattr(user, "confirmed_at", None) is None


def send_confirmation_instructions(user: Any) -> str:
    """Mail ``confirmation_instructions`` to ``user.email`` and send the
    ``confirm_instructions_sent(app, user=..., token=...)`` signal.

    The mail's context holds ``user``, ``confirmation_link`` (absolute) and
    ``confirm_token``.

    :returns: the new token.
    """
    link, token = generate_confirmation_link(user)
    current_security.send_mail_kind(
        "confirmation_instructions",
        user.email,
        user=user,
        confirmation_link=link,
        confirm_token=token,
    )
    confirm_instructions_sent.send(current_app._get_current_object(), user=user, token=token)
    return token


#: The result of :func:`check_confirmation_token`: core's one token-check type
#: (``.user``, ``.invalid``, ``.expired``).
TokenCheck = TokenStatus


def check_confirmation_token(token: str) -> TokenStatus:
    """Verify a confirmation token: signature, age, user and email fingerprint.

    The fingerprint comparison is constant-time (``hmac.compare_digest``).
    """
    expired, invalid, user = check_bound_token(
        token, "confirm", "CONFIRM_EMAIL", lambda user: getattr(user, "email", None)
    )
    return TokenStatus(expired, invalid, user)


def confirm_user(user: Any) -> bool:
    """Mark ``user``'s address confirmed now (``SECURITY_DATETIME_FACTORY``), commit,
    and send ``user_confirmed(app, user=...)``.

    The write is one :meth:`~flask_security.datastore.Datastore.compare_and_set`
    expecting the stored row to be unconfirmed and to still have ``user.email``, so
    of several requests using the same link at the same instant exactly one
    confirms (and may log in); the others get ``False``.

    :returns: ``False`` when the user was confirmed already (nothing changes),
        ``True`` otherwise.
    """
    if getattr(user, "confirmed_at", None) is not None:
        return False
    now = config_value("DATETIME_FACTORY")()
    expected = {"confirmed_at": None, "email": user.email}
    if not current_datastore.compare_and_set(user, expected, {"confirmed_at": now}):
        current_datastore.commit()
        return False
    current_datastore.commit()
    user_confirmed.send(current_app._get_current_object(), user=user)
    return True


__all__ = [
    "TokenCheck",
    "check_confirmation_token",
    "confirm_user",
    "generate_confirmation_link",
    "generate_confirmation_token",
    "requires_confirmation",
    "send_confirmation_instructions",
]
