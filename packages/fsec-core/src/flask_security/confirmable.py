"""3.0's module path ``flask_security.confirmable``: confirmation helpers from the
fsec-confirmable distribution (``ImportError`` naming it when it is missing).

``generate_confirmation_link``, ``generate_confirmation_token``,
``requires_confirmation``, ``send_confirmation_instructions`` and ``confirm_user``
are fsec-confirmable's own functions; ``confirm_email_token_status`` is 3.0's
triple over :func:`fsec_confirmable.confirmable.check_confirmation_token`.
"""

from __future__ import annotations

from typing import Any

from ._lazy import import_feature_module

_impl = import_feature_module("fsec_confirmable.confirmable", "fsec-confirmable", __name__)

generate_confirmation_link = _impl.generate_confirmation_link
generate_confirmation_token = _impl.generate_confirmation_token
requires_confirmation = _impl.requires_confirmation
send_confirmation_instructions = _impl.send_confirmation_instructions
confirm_user = _impl.confirm_user


def confirm_email_token_status(token: str) -> tuple[bool, bool, Any | None]:
    """3.0's ``(expired, invalid, user)`` for a confirmation token.

    :param token: the token of a confirmation link.
    :returns: ``invalid`` is true for a bad signature, an unknown user or an address
        that changed since (``user`` is then ``None``); ``expired`` for a valid token
        older than ``SECURITY_CONFIRM_EMAIL_WITHIN``.
    """
    check = _impl.check_confirmation_token(token)
    return check.expired, check.invalid, check.user


__all__ = [
    "confirm_email_token_status",
    "confirm_user",
    "generate_confirmation_link",
    "generate_confirmation_token",
    "requires_confirmation",
    "send_confirmation_instructions",
]
