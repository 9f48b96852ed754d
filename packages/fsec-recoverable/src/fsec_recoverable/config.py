"""Configuration defaults and messages contributed by fsec-recoverable.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Defaults of
documented keys are the documented Flask-Security 3.0 defaults.
"""

from __future__ import annotations

from typing import Any

#: key (without ``SECURITY_``) -> default.
DEFAULTS: dict[str, Any] = {
    "RESET_URL": "/reset",
    "RESET_PASSWORD_WITHIN": "5 days",
    "RESET_SALT": "reset-salt",
    "POST_RESET_VIEW": None,
    "FORGOT_PASSWORD_TEMPLATE": "security/forgot_password.html",
    "RESET_PASSWORD_TEMPLATE": "security/reset_password.html",
    "SEND_PASSWORD_RESET_EMAIL": True,
    "SEND_PASSWORD_RESET_NOTICE_EMAIL": True,
    "EMAIL_SUBJECT_PASSWORD_RESET": "Password reset instructions",
    "EMAIL_SUBJECT_PASSWORD_NOTICE": "Your password has been reset",
}

#: message key -> (text, flash category). Override with ``SECURITY_MSG_<KEY>``.
MESSAGES: dict[str, tuple[str, str]] = {
    "PASSWORD_RESET_REQUEST": (
        "If %(email)s belongs to an account, a link to choose a new password is on its "
        "way to that address.",
        "info",
    ),
    "PASSWORD_RESET_EXPIRED": (
        "That password reset link is older than %(within)s and no longer works. A fresh "
        "link is on its way to %(email)s.",
        "error",
    ),
    "INVALID_RESET_PASSWORD_TOKEN": (
        "That password reset link does not work: it is damaged or was already used.",
        "error",
    ),
    "PASSWORD_RESET": ("Your new password is saved.", "success"),
    "FORGOT_PASSWORD": ("Forgot password?", "info"),
}
