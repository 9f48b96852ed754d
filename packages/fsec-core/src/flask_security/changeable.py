"""3.0's module path ``flask_security.changeable`` (change password is part of
fsec-core): ``change_user_password`` and ``send_password_changed_notice``."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .hashing import hash_password
from .signals import password_changed
from .state import _datastore, _security
from .utils import announce_password_changed


def send_password_changed_notice(user: Any) -> bool:
    """Mail ``user`` the "your password was changed" notice (``change_notice``;
    switch ``SECURITY_SEND_PASSWORD_CHANGE_EMAIL``).

    :returns: whether a mail was handed to the sender.
    """
    return bool(_security.send_mail_kind("change_notice", user.email, user=user))


def change_user_password(user: Any, password: str) -> None:
    """Give ``user`` the new ``password`` (clear text, validated by the caller).

    The new hash is committed; ``fsec_password_changed(reason="change")`` is called,
    the notice mail sent and ``password_changed`` sent (3.0 order: hash, notice,
    signal). Every session, remember cookie and auth token of the user made before
    stops working (they carry a fingerprint of the old hash); ``/change`` then
    renews the current session.
    """
    user.password = hash_password(password)
    _datastore.put(user)
    _datastore.commit()
    announce_password_changed(user, "change")
    send_password_changed_notice(user)
    password_changed.send(current_app._get_current_object(), user=user)


__all__ = ["change_user_password", "send_password_changed_notice"]
