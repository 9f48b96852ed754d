"""Configuration defaults and messages contributed by fsec-passwordless.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Defaults of
documented keys are the documented Flask-Security 3.0 defaults.
"""

from __future__ import annotations

from typing import Any

#: key (without ``SECURITY_``) -> default.
DEFAULTS: dict[str, Any] = {
    "LOGIN_WITHIN": "1 days",
    "LOGIN_SALT": "login-salt",
    "EMAIL_SUBJECT_PASSWORDLESS": "Login instructions",
    "SEND_LOGIN_TEMPLATE": "security/send_login.html",
}

#: message key -> (text, flash category). Override with ``SECURITY_MSG_<KEY>``.
MESSAGES: dict[str, tuple[str, str]] = {
    "LOGIN_EMAIL_SENT": (
        "If %(email)s belongs to an active account, a sign-in link is on its way to that address.",
        "success",
    ),
    "INVALID_LOGIN_TOKEN": (
        "That sign-in link does not work: it is damaged or was already used.",
        "error",
    ),
    "LOGIN_EXPIRED": (
        "That sign-in link is older than %(within)s and no longer works. A fresh link "
        "is on its way to %(email)s.",
        "error",
    ),
    "PASSWORDLESS_LOGIN_SUCCESSFUL": ("You are signed in.", "success"),
}
