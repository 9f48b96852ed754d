"""Configuration defaults and messages contributed by fsec-webauthn.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Names and
defaults are upstream Flask-Security 5.9's documented ones, except where a comment
says otherwise.
"""

from __future__ import annotations

import datetime
from typing import Any

#: key (without ``SECURITY_``) -> default.
DEFAULTS: dict[str, Any] = {
    "WAN_REGISTER_URL": "/wan-register",
    "WAN_SIGNIN_URL": "/wan-signin",
    "WAN_DELETE_URL": "/wan-delete",
    "WAN_VERIFY_URL": "/wan-verify",
    "WAN_POST_REGISTER_VIEW": ".wan_register",
    "WAN_REGISTER_TEMPLATE": "security/wan_register.html",
    "WAN_SIGNIN_TEMPLATE": "security/wan_signin.html",
    "WAN_VERIFY_TEMPLATE": "security/wan_verify.html",
    "WAN_RP_NAME": "My Flask App",
    "WAN_REGISTER_WITHIN": datetime.timedelta(minutes=30),
    "WAN_REGISTER_TIMEOUT": 60000,
    "WAN_SIGNIN_WITHIN": datetime.timedelta(minutes=1),
    "WAN_SIGNIN_TIMEOUT": 60000,
    "WAN_ALLOW_AS_FIRST_FACTOR": True,
    "WAN_ALLOW_AS_MULTI_FACTOR": True,
    "WAN_ALLOW_USER_HINTS": True,
    "WAN_ALLOW_AS_VERIFY": ["first", "secondary"],
    "WAN_NAME_ALLOWED_CHARS": ["L", "N", "Pc", "Pd", "Zs"],
    "WAN_NAME_MAX_LENGTH": 64,
    "WAN_SALT": "wan-salt",
    # A WebauthnUtil subclass or dotted path (the Security(webauthn_util_cls=...)
    # keyword does the same); None: fsec-webauthn's own.
    "WEBAUTHN_UTIL_CLS": None,
    # Upstream 5.9's normalisation of free-text names (passkey names).
    "INPUT_NORMALIZE_FORM": "NFKD",
}

#: message key -> (text, flash category). Override with ``SECURITY_MSG_<KEY>``.
MESSAGES: dict[str, tuple[str, str]] = {
    "WEBAUTHN_EXPIRED": (
        "This passkey request is older than %(within)s or was already used; start again.",
        "error",
    ),
    "WEBAUTHN_NAME_REQUIRED": ("Give the passkey a name.", "error"),
    "WEBAUTHN_NAME_INUSE": ("You already have a passkey named %(name)s.", "error"),
    "WEBAUTHN_NAME_NOT_FOUND": ("You have no passkey named %(name)s.", "error"),
    "WEBAUTHN_NAME_DISALLOWED_CHARACTERS": (
        "A passkey name may hold letters, digits, spaces, dashes and underscores only.",
        "error",
    ),
    "WEBAUTHN_NAME_TOO_LONG": (
        "A passkey name may be at most %(length)s characters long.",
        "error",
    ),
    "WEBAUTHN_CREDENTIAL_DELETED": ("The passkey %(name)s was removed.", "success"),
    "WEBAUTHN_REGISTER_SUCCESSFUL": ("The passkey %(name)s was added.", "success"),
    "WEBAUTHN_CREDENTIAL_ID_INUSE": ("This passkey is already registered.", "error"),
    "WEBAUTHN_UNKNOWN_CREDENTIAL_ID": ("This passkey is not registered here.", "error"),
    "WEBAUTHN_ORPHAN_CREDENTIAL_ID": ("This passkey belongs to no account.", "error"),
    "WEBAUTHN_NO_VERIFY": ("Passkeys cannot be used to confirm it is you.", "error"),
    "WEBAUTHN_CREDENTIAL_WRONG_USAGE": (
        "This passkey is not registered for this kind of sign-in.",
        "error",
    ),
    "WEBAUTHN_MISMATCH_USER_HANDLE": ("This passkey does not match the account.", "error"),
    "WEBAUTHN_CREDENTIAL_INVALID": ("The passkey's answer could not be verified.", "error"),
    "WEBAUTHN_USAGE_NOT_ALLOWED": ("Passkeys cannot be registered for this use.", "error"),
    "WEBAUTHN_LOGIN_SUCCESSFUL": ("You are signed in with your passkey.", "success"),
}

#: The fields the WebAuthn model needs (upstream 5.x's documented model).
MODEL_FIELDS: tuple[str, ...] = (
    "credential_id",
    "public_key",
    "sign_count",
    "transports",
    "extensions",
    "lastuse_datetime",
    "name",
    "usage",
    "backup_state",
    "device_type",
)

#: The fields the user model needs.
USER_FIELDS: tuple[str, ...] = ("fs_webauthn_user_handle", "webauthn")
