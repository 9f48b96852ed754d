"""Configuration defaults and messages contributed by fsec-two-factor.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Names and
defaults are upstream Flask-Security 5.x's documented ones, except where
``docs/features/two_factor.md`` says otherwise (``TWO_FACTOR_AUTHENTICATOR_VALIDITY``
is a small drift window; ``SMS_SENDER`` is fsec's).
"""

from __future__ import annotations

from typing import Any

#: The second-factor methods this distribution implements.
METHODS: tuple[str, ...] = ("authenticator", "email", "sms")

#: key (without ``SECURITY_``) -> default.
DEFAULTS: dict[str, Any] = {
    "TWO_FACTOR_REQUIRED": False,
    "TWO_FACTOR_ENABLED_METHODS": ["email", "authenticator", "sms"],
    # Seconds a code is accepted either side of now (authenticator: clock drift).
    "TWO_FACTOR_AUTHENTICATOR_VALIDITY": 30,
    "TWO_FACTOR_MAIL_VALIDITY": 300,
    "TWO_FACTOR_SMS_VALIDITY": 120,
    "TWO_FACTOR_SETUP_WITHIN": "30 minutes",
    "TWO_FACTOR_SETUP_SALT": "tf-setup-salt",
    "TWO_FACTOR_RESCUE_MAIL": "no-reply@localhost",
    "TWO_FACTOR_RESCUE_EMAIL": True,
    "EMAIL_SUBJECT_TWO_FACTOR": "Two-Factor Login",
    "EMAIL_SUBJECT_TWO_FACTOR_RESCUE": "Two-Factor Rescue",
    "TWO_FACTOR_VERIFY_CODE_TEMPLATE": "security/two_factor_verify_code.html",
    "TWO_FACTOR_SETUP_TEMPLATE": "security/two_factor_setup.html",
    "TWO_FACTOR_SETUP_URL": "/tf-setup",
    "TWO_FACTOR_TOKEN_VALIDATION_URL": "/tf-validate",
    "TWO_FACTOR_RESCUE_URL": "/tf-rescue",
    "TWO_FACTOR_ERROR_VIEW": ".login",
    "TWO_FACTOR_POST_SETUP_VIEW": ".two_factor_setup",
    "TOTP_SECRETS": None,
    "TOTP_ISSUER": None,
    "SMS_SENDER": None,
    "MULTI_FACTOR_RECOVERY_CODES": False,
    "MULTI_FACTOR_RECOVERY_CODES_N": 5,
    "MULTI_FACTOR_RECOVERY_CODES_URL": "/mf-recovery-codes",
    "MULTI_FACTOR_RECOVERY_CODES_TEMPLATE": "security/mf_recovery_codes.html",
    "MULTI_FACTOR_RECOVERY_URL": "/mf-recovery",
    "MULTI_FACTOR_RECOVERY_TEMPLATE": "security/mf_recovery.html",
}

#: message key -> (text, flash category). Override with ``SECURITY_MSG_<KEY>``.
MESSAGES: dict[str, tuple[str, str]] = {
    "TWO_FACTOR_INVALID_TOKEN": ("Invalid code.", "error"),
    "TWO_FACTOR_CODE_ALREADY_USED": (
        "This code was already used. Wait for the next code in your app.",
        "error",
    ),
    "TWO_FACTOR_LOGIN_SUCCESSFUL": ("Your code is confirmed.", "success"),
    "TWO_FACTOR_CHANGE_METHOD_SUCCESSFUL": ("Your two-factor method is set up.", "success"),
    "TWO_FACTOR_PERMISSION_DENIED": ("Sign in first to use this page.", "error"),
    "TWO_FACTOR_METHOD_NOT_AVAILABLE": ("This method is not available.", "error"),
    "TWO_FACTOR_SETUP_EXPIRED": (
        "The setup expired or is no longer valid. Please start again.",
        "error",
    ),
    "TWO_FACTOR_DISABLED": ("Two-factor sign-in is turned off.", "success"),
    "TWO_FACTOR_REQUIRED": ("This site requires two-factor sign-in.", "error"),
    "TWO_FACTOR_PHONE_REQUIRED": ("A phone number is required for text messages.", "error"),
    "TWO_FACTOR_CODE_SENT": ("A code was sent.", "info"),
    "TWO_FACTOR_RESCUE_SENT": ("Your request was sent to the site's administrators.", "info"),
    "TWO_FACTOR_NOT_SET_UP": ("Set up two-factor sign-in first.", "error"),
    "INVALID_RECOVERY_CODE": ("Invalid recovery code.", "error"),
    "RECOVERY_CODES_GENERATED": (
        "Your new recovery codes are shown below, once. Keep them in a safe place.",
        "success",
    ),
}
