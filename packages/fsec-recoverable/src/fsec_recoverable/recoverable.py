"""Reset tokens, the reset mails and the password update.

A reset token is ``[user id, fingerprint of the password hash]`` signed with
``SECRET_KEY`` and ``SECURITY_RESET_SALT`` (itsdangerous, HMAC-SHA256) and timed by
``SECURITY_RESET_PASSWORD_WITHIN``. Using it changes the password hash, so the
fingerprint no longer matches: a token works once, and any other password change
(change password, another reset, the CLI) kills every outstanding token too.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_security import current_datastore, current_security
from flask_security.signals import password_reset, reset_password_instructions_sent
from flask_security.utils import (
    TokenStatus,
    announce_password_changed,
    check_bound_token,
    config_value,
    generate_bound_token,
    hash_password,
    url_for_security,
)


def generate_reset_password_token(user: Any) -> str:
    """A signed reset token for ``user`` (URL-safe ASCII), bound to its password hash.

    :param user: a user with ``id`` and ``password`` (the hash; may be ``None``).
    """
    return generate_bound_token("reset", user, user.password)


def reset_password_token_status(token: str) -> TokenStatus:
    """Check a reset token.

    :returns: a :class:`~flask_security.utils.TokenStatus` ``(expired, invalid, user)``.
        ``invalid`` is true when the signature is bad, the user no longer exists or is
        inactive, or the password changed since the token was made (it was used).
        ``expired`` is true for an otherwise valid token older than
        ``SECURITY_RESET_PASSWORD_WITHIN``. ``user`` is the user the token names
        (``None`` when invalid).
    """
    return check_bound_token(
        token, "reset", "RESET_PASSWORD", lambda user: user.password, require_active=True
    )


def send_reset_password_instructions(user: Any) -> str | None:
    """Mail ``user`` a reset link and send ``reset_password_instructions_sent``.

    Inactive accounts get nothing
    (docs/migration.md#reset-instructions-only-for-active-accounts). The mail is
    ``reset_instructions`` (switch ``SECURITY_SEND_PASSWORD_RESET_EMAIL``), context
    ``user``, ``reset_link`` (absolute URL), ``token`` and ``within``.

    :returns: the token, or ``None`` when the account is inactive.
    """
    if not user.is_active:
        return None
    token = generate_reset_password_token(user)
    link = url_for_security("reset_password", token=token, _external=True)
    current_security.send_mail_kind(
        "reset_instructions",
        user.email,
        user=user,
        reset_link=link,
        token=token,
        within=config_value("RESET_PASSWORD_WITHIN"),
    )
    reset_password_instructions_sent.send(current_app._get_current_object(), user=user, token=token)
    return token


def update_password(user: Any, password: str) -> bool:
    """Consume the reset: replace ``user``'s password hash, commit, and announce it.

    The write is one :meth:`~flask_security.datastore.Datastore.compare_and_set`
    from the hash the token was checked against (``user.password`` as loaded) to
    the new one, so of several requests using the same link at the same instant
    exactly one gets through; the others get ``False`` and change nothing.

    Order on success: the new hash is committed;
    ``fsec_password_changed(reason="reset")`` is called; the ``reset_notice`` mail is
    sent (switch ``SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL``); ``password_reset``
    is sent. Every session, remember cookie, auth token and reset token of the user
    made before stops working (they carry a fingerprint of the old hash).

    :param password: the new password in clear text (validated by the form).
    :returns: ``True`` when the password was changed; ``False`` when the stored hash
        was no longer the one ``user`` was loaded with (the link was used, or the
        password changed, meanwhile).
    """
    new_hash = hash_password(password)
    if not current_datastore.compare_and_set(
        user, {"password": user.password}, {"password": new_hash}
    ):
        current_datastore.commit()
        return False
    current_datastore.commit()
    announce_password_changed(user, "reset")
    current_security.send_mail_kind("reset_notice", user.email, user=user)
    password_reset.send(current_app._get_current_object(), user=user)
    return True


__all__ = [
    "generate_reset_password_token",
    "reset_password_token_status",
    "send_reset_password_instructions",
    "update_password",
]
