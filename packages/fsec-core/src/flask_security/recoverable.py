"""3.0's module path ``flask_security.recoverable``: password-reset helpers from the
fsec-recoverable distribution (``ImportError`` naming it when it is missing)."""

from __future__ import annotations

from typing import Any

from ._lazy import import_feature_module
from .state import _security

_impl = import_feature_module("fsec_recoverable.recoverable", "fsec-recoverable", __name__)

generate_reset_password_token = _impl.generate_reset_password_token
reset_password_token_status = _impl.reset_password_token_status
send_reset_password_instructions = _impl.send_reset_password_instructions
update_password = _impl.update_password


def send_password_reset_notice(user: Any) -> bool:
    """Mail ``user`` the "your password was reset" notice (``reset_notice``; switch
    ``SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL``), as 3.0's function did.

    :returns: whether a mail was handed to the sender.
    """
    return bool(_security.send_mail_kind("reset_notice", user.email, user=user))


__all__ = [
    "generate_reset_password_token",
    "reset_password_token_status",
    "send_password_reset_notice",
    "send_reset_password_instructions",
    "update_password",
]
