"""Configuration defaults and messages contributed by fsec-confirmable.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Defaults of
documented keys are the documented Flask-Security 3.0 defaults.
"""

from __future__ import annotations

from typing import Any

#: Configuration defaults (key without ``SECURITY_``), documented 3.0 values.
DEFAULTS: dict[str, Any] = {
    "CONFIRM_URL": "/confirm",
    "CONFIRM_EMAIL_WITHIN": "5 days",
    "CONFIRM_SALT": "confirm-salt",
    "LOGIN_WITHOUT_CONFIRMATION": False,
    "CONFIRM_ERROR_VIEW": None,
    "POST_CONFIRM_VIEW": None,
    "EMAIL_SUBJECT_CONFIRM": "Please confirm your email",
    "SEND_CONFIRMATION_TEMPLATE": "security/send_confirmation.html",
}


#: Messages: key -> (text, flash category); categories as in 3.0.
MESSAGES: dict[str, tuple[str, str]] = {
    "CONFIRM_REGISTRATION": (
        "Thank you. We sent a link to %(email)s: open it to confirm your address.",
        "success",
    ),
    "EMAIL_CONFIRMED": ("Your email address is confirmed. Welcome!", "success"),
    "ALREADY_CONFIRMED": ("This email address is confirmed already.", "info"),
    "INVALID_CONFIRMATION_TOKEN": ("This confirmation link is not valid.", "error"),
    "CONFIRMATION_REQUEST": (
        "If %(email)s belongs to an account waiting for confirmation, new confirmation "
        "instructions are on their way to that address.",
        "info",
    ),
    "CONFIRMATION_EXPIRED": (
        "That confirmation link had expired (links work for %(within)s). "
        "We sent a new one to %(email)s.",
        "error",
    ),
    "CONFIRMATION_REQUIRED": ("Please confirm your email address before you sign in.", "error"),
}
