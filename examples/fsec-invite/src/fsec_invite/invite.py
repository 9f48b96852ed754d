"""Inviting an address and accepting an invitation: the plugin's account work.

Only fsec's public names: ``current_security`` / ``current_datastore``, the token
helpers of :mod:`flask_security.utils` and ``announce_password_changed``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_security import current_datastore, current_security
from flask_security.utils import (
    announce_password_changed,
    check_bound_token,
    config_value,
    external_url_for_security,
    generate_bound_token,
    hash_password,
)

from .signals import invite_accepted, user_invited


# --8<-- [start:invite_user]
def invite_user(email: str) -> Any:
    """Create the account of ``email`` without a password and mail it an invitation.

    The account is active but has no password (``create_user(password=None)``: no
    password can match it, so nobody can sign in as it until the invitee chose one).
    The link holds a token bound to that missing password: once a password is set,
    the link stops working, so it works once.

    :param email: a valid address no account has (the ``invite_form`` checks both).
    :returns: the new user (committed).
    :raises flask_security.UserExistsError: an account has the address already
        (checked again by the store, in case of a race with the form's check).
    """
    user = current_datastore.create_user(email=email, password=None, active=True)
    current_datastore.commit()
    token = generate_bound_token("invite", user, user.password)
    link = external_url_for_security("accept_invite", token=token)
    current_security.send_mail_kind(
        "invite", email, user=user, invite_link=link, within=config_value("INVITE_WITHIN")
    )
    user_invited.send(current_app._get_current_object(), user=user, token=token, invite_link=link)
    return user


# --8<-- [end:invite_user]


# --8<-- [start:check_token]
def check_invite_token(token: str) -> tuple[bool, bool, Any | None]:
    """Check an invitation link's token.

    :returns: ``(expired, invalid, user)`` as
        :func:`flask_security.utils.check_bound_token` gives it: ``invalid`` for a bad
        signature, an inactive or unknown account, or an account that has a password
        now (the link was used); ``expired`` after ``SECURITY_INVITE_WITHIN``.
    """
    return check_bound_token(
        token, "invite", "INVITE", lambda user: user.password, require_active=True
    )


# --8<-- [end:check_token]


# --8<-- [start:accept]
def accept_invitation(user: Any, password: str) -> bool:
    """Set the first password of an invited ``user``, once.

    One atomic ``compare_and_set`` from "no password" to the new hash: of several
    requests using the same link at the same instant, exactly one sets its password;
    the others get ``False`` and change nothing. On success every plugin hears of the
    new password (``announce_password_changed(user, "invite")``: the lockout
    example clears its count) and ``invite_accepted`` is sent.

    :param password: the new password in clear text (validated by the form).
    :returns: whether this call set the password.
    """
    new_hash = hash_password(password)
    if not current_datastore.compare_and_set(user, {"password": None}, {"password": new_hash}):
        current_datastore.commit()
        return False
    current_datastore.commit()
    announce_password_changed(user, "invite")
    invite_accepted.send(current_app._get_current_object(), user=user)
    return True


# --8<-- [end:accept]


__all__ = ["accept_invitation", "check_invite_token", "invite_user"]
