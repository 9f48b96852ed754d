"""Configuration defaults and messages owned by fsec-core.

Every key is read as ``SECURITY_<KEY>`` from ``app.config``; the application's own
value always wins over the defaults below (documented Flask-Security 3.0 behaviour).
Features contribute their own keys through the ``fsec_config_defaults`` and
``fsec_messages`` hooks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from flask import current_app


def naive_utcnow() -> datetime.datetime:
    """Naive UTC now, the documented default of ``SECURITY_DATETIME_FACTORY`` (and of
    the packaged models' timestamps).

    ``datetime.utcnow`` is deprecated since Python 3.12; this gives the same value
    without the warning.

    :returns: a naive ``datetime`` in UTC.
    """
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


#: Core configuration defaults (key without the ``SECURITY_`` prefix).
CORE_DEFAULTS: dict[str, Any] = {
    "BLUEPRINT_NAME": "security",
    "CLI_USERS_NAME": "users",
    "CLI_ROLES_NAME": "roles",
    "URL_PREFIX": None,
    "SUBDOMAIN": None,
    "FLASH_MESSAGES": True,
    "I18N_DOMAIN": "flask_security",
    "I18N_DIRNAME": None,  # resolved to <package>/translations at init_app
    "PASSWORD_HASH": "bcrypt",
    "PASSWORD_SALT": None,
    "PASSWORD_SINGLE_HASH": False,
    "PASSWORD_SCHEMES": [
        "bcrypt",
        "des_crypt",
        "pbkdf2_sha256",
        "pbkdf2_sha512",
        "sha256_crypt",
        "sha512_crypt",
        "plaintext",
    ],
    "DEPRECATED_PASSWORD_SCHEMES": ["auto"],
    "PASSWORD_HASH_OPTIONS": {},
    "PASSWORD_NORMALIZE_FORM": "NFKD",
    "PASSWORD_MIN_LENGTH": 6,
    "PASSWORD_MAX_LENGTH": 128,
    "HASHING_SCHEMES": ["sha256_crypt", "hex_md5"],
    "DEPRECATED_HASHING_SCHEMES": ["hex_md5"],
    "EMAIL_SENDER": None,  # None: MAIL_DEFAULT_SENDER, else no-reply@localhost
    "EXTERNAL_BASE_URL": None,  # trusted base of links in mails (else SERVER_NAME...)
    "MAIL_DELIVERY": None,  # None: "inline" when TESTING, else "background"
    "TOKEN_AUTHENTICATION_KEY": "auth_token",
    "TOKEN_AUTHENTICATION_HEADER": "Authentication-Token",
    "TOKEN_MAX_AGE": None,
    "DEFAULT_HTTP_AUTH_REALM": "Login Required",
    "STATIC_FOLDER_URL": "/fs-static",
    "LOGIN_URL": "/login",
    "LOGOUT_URL": "/logout",
    "LOGOUT_METHODS": ["GET", "POST"],
    "CHANGE_URL": "/change",
    "POST_LOGIN_VIEW": "/",
    "POST_LOGOUT_VIEW": "/",
    "POST_CHANGE_VIEW": None,
    "UNAUTHORIZED_VIEW": None,
    "LOGIN_USER_TEMPLATE": "security/login_user.html",
    "CHANGE_PASSWORD_TEMPLATE": "security/change_password.html",
    "CHANGEABLE": False,
    "EMAIL_SUBJECT_PASSWORD_CHANGE_NOTICE": "Your password has been changed",
    "EMAIL_PLAINTEXT": True,
    "EMAIL_HTML": True,
    "USER_IDENTITY_ATTRIBUTES": ["email"],
    "SEND_PASSWORD_CHANGE_EMAIL": True,
    "REMEMBER_SALT": "remember-salt",
    "CHANGE_SALT": "change-salt",
    "DEFAULT_REMEMBER_ME": False,
    "DATETIME_FACTORY": naive_utcnow,
    "PLUGINS": [],
    "CSRF_HEADER": "X-CSRFToken",
    "RETURN_GENERIC_RESPONSES": False,
    # Multi-step login (flask_security.login_steps): lifetime and failed attempts of
    # a login pending on a further factor.
    "PENDING_LOGIN_WITHIN": "10 minutes",
    "PENDING_LOGIN_MAX_ATTEMPTS": 5,
    # Freshness (flask_security.freshness, upstream 5.x names and defaults): how
    # recent an authentication views protected with auth_required(within=...) need.
    "FRESHNESS": datetime.timedelta(hours=24),
    "FRESHNESS_GRACE_PERIOD": datetime.timedelta(hours=1),
    "FRESHNESS_ALLOW_AUTH_TOKEN": True,
    # Upstream 5.x's methods of a bare ``auth_required()`` (3.0 had no such form).
    "API_ENABLED_METHODS": ["session", "token"],
    "VERIFY_URL": "/verify",
    "VERIFY_TEMPLATE": "security/verify.html",
    "POST_VERIFY_URL": None,
}

#: Core messages: key -> (text, flash category). Override with SECURITY_MSG_<KEY>.
CORE_MESSAGES: dict[str, tuple[str, str]] = {
    "UNAUTHORIZED": ("You are not allowed to open this page.", "error"),
    "LOGIN": ("Please sign in to open this page.", "info"),
    "REFRESH": ("Please sign in again to open this page.", "info"),
    "DISABLED_ACCOUNT": ("This account is disabled.", "error"),
    "EMAIL_NOT_PROVIDED": ("An email address is required.", "error"),
    "INVALID_EMAIL_ADDRESS": ("That is not a valid email address.", "error"),
    "PASSWORD_NOT_PROVIDED": ("A password is required.", "error"),
    "PASSWORD_NOT_SET": ("This account has no password set.", "error"),
    "PASSWORD_INVALID_LENGTH": (
        "The password must be %(min)s to %(max)s characters long.",
        "error",
    ),
    "PASSWORD_INVALID_CHARACTERS": ("The password must not contain a NUL character.", "error"),
    "PASSWORD_MISMATCH": ("The current password is wrong.", "error"),
    "INVALID_PASSWORD": ("Wrong email address or password.", "error"),
    "USER_DOES_NOT_EXIST": ("No account uses this email address.", "error"),
    "RETYPE_PASSWORD_MISMATCH": ("The two passwords differ.", "error"),
    "PASSWORD_IS_THE_SAME": ("The new password must differ from the current one.", "error"),
    "PASSWORD_CHANGE": ("Your password is changed.", "success"),
    "INVALID_REDIRECT": ("Redirections outside this site are not allowed.", "error"),
    "ANONYMOUS_REQUIRED": ("You are already signed in.", "error"),
    "LOGOUT_CSRF": ("Signing out needs a valid CSRF token; reload the page and retry.", "error"),
    "SIGNED_IN_AS_ANOTHER_USER": (
        "You are signed in as %(email)s, so this link signed nobody in. To use the "
        "other account, sign out and then sign in to it.",
        "info",
    ),
    "EMAIL_ALREADY_ASSOCIATED": ("%(email)s is already associated with an account.", "error"),
    "LOGIN_STEP_REQUIRED": ("This account needs a second step to sign in.", "error"),
    "PENDING_LOGIN_EXPIRED": ("Your sign-in has expired. Please sign in again.", "error"),
    "INVALID_JSON": ("The request body must be a JSON object.", "error"),
    "REAUTHENTICATION_REQUIRED": (
        "For your security, please confirm it is you to continue.",
        "info",
    ),
    "REAUTHENTICATION_SUCCESSFUL": ("Thank you, it is confirmed.", "success"),
    "INVALID_JSON_VALUE": ("This value must be a string.", "error"),
    "INVALID_CHARACTERS": (
        "This value contains characters that are not allowed (NUL or unpaired surrogates).",
        "error",
    ),
}


#: Spellings of a boolean setting given as a string (compared case-insensitively,
#: surrounding blanks ignored), as env-var loaders such as ``Flask.config.from_prefixed_env``
#: without JSON, python-dotenv or Kubernetes config maps produce them.
TRUE_STRINGS = frozenset({"true", "1", "yes", "on", "t", "y"})
FALSE_STRINGS = frozenset({"false", "0", "no", "off", "f", "n", ""})


#: Boolean keys that also take a list (kept as it is): ``PASSWORD_SINGLE_HASH`` names
#: the schemes hashed once (upstream 5.x).
BOOL_OR_LIST_KEYS = frozenset({"PASSWORD_SINGLE_HASH"})


class ConfigError(RuntimeError, ValueError):
    """A ``SECURITY_*`` setting has a value fsec cannot use; the message names the key.

    A subclass of ``RuntimeError`` (start-up errors) and ``ValueError`` (bad value).
    """


def parse_bool_setting(key: str, value: Any) -> bool | None:
    """The boolean meant by ``value``, the setting of boolean key ``key``.

    Flask-Security 3.0 tested these settings for truth, so ``"False"`` from an
    environment variable switched a feature *on*. fsec reads them strictly:

    :param key: the full config key (``"SECURITY_REGISTERABLE"``), for the error.
    :param value: a ``bool``; the ints ``0`` / ``1``; ``None`` (kept: off); or a string
        among :data:`TRUE_STRINGS` / :data:`FALSE_STRINGS`, any case, blanks ignored.
    :returns: ``True`` or ``False`` (``None`` for ``None``).
    :raises ConfigError: any other value (``"maybe"``, ``2``, a list...), naming ``key``.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_STRINGS:
            return True
        if word in FALSE_STRINGS:
            return False
    raise ConfigError(
        f"{key} must be a boolean: True or False, or one of the strings "
        f"'true'/'false', '1'/'0', 'yes'/'no', 'on'/'off' (any case); got {value!r}"
    )


def read_bool_settings(config: MutableMapping[str, Any], keys: Iterable[str]) -> None:
    """Replace every ``SECURITY_<KEY>`` among ``keys`` in ``config`` by its parsed boolean.

    The one place fsec reads boolean settings (``Security.init_app`` calls it for
    the feature flags before choosing plugins, then for every key whose registered
    default is a ``bool``), so every later ``config_value`` sees a real ``bool``.

    :param config: the application's config (changed in place).
    :param keys: keys without the ``SECURITY_`` prefix; absent keys are skipped.
    :raises ConfigError: a value is not a boolean spelling (see :func:`parse_bool_setting`).
    """
    for key in keys:
        full = "SECURITY_" + key
        if full not in config:
            continue
        if key in BOOL_OR_LIST_KEYS and isinstance(config[full], list | tuple | set | frozenset):
            continue
        config[full] = parse_bool_setting(full, config[full])


def unread_settings(config: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    """The ``SECURITY_*`` keys of ``config`` that nothing enabled reads: a typo, a key
    of a feature that is not switched on, or an upstream 5.x setting fsec does not
    support. Logged once at start-up (a setting that silently does nothing is how a
    security option gets lost).

    :param config: the application's ``config``.
    :param known: the keys without ``SECURITY_`` that core and the enabled plugins
        read (their registered defaults, feature flags, ``MSG_<key>`` of their
        messages, ``<NAME>_FORM`` of their forms).
    :returns: the unread full key names, sorted.
    """
    known = set(known)
    return sorted(
        key
        for key in config
        if isinstance(key, str) and key.startswith("SECURITY_") and key[9:] not in known
    )


def config_value(key: str, app: Any = None, default: Any = None) -> Any:
    """``app.config["SECURITY_" + key]`` (``app`` defaults to ``current_app``); the
    3.0 function of ``flask_security.utils``, which re-exports it.

    :param key: the key without ``SECURITY_``, any case (``"LOGIN_URL"``).
    :param app: a Flask application, or ``None`` for ``current_app``.
    :param default: returned when the key is absent.
    :returns: the value.
    """
    app = app or current_app
    return app.config.get("SECURITY_" + key.upper(), default)


def get_identity_attributes(app: Any = None) -> list[str]:
    """``SECURITY_USER_IDENTITY_ATTRIBUTES`` as a list of attribute names
    (``["email"]`` when unset; a single string is one name).

    :param app: the application (``None``: the current one).
    :returns: the attribute names, in lookup order.
    """
    attrs = config_value("USER_IDENTITY_ATTRIBUTES", app=app) or ["email"]
    return [attrs] if isinstance(attrs, str) else list(attrs)


def get_within_delta(key: str, app: Any = None) -> datetime.timedelta:
    """Parse a ``"<amount> <unit>"`` setting (``"5 days"``) into a ``timedelta``.

    :param key: config key without ``SECURITY_`` (``"RESET_PASSWORD_WITHIN"``).
    :raises ValueError: the value is not of that shape or the unit is unknown.

    :param app: the application (``None``: the current one).
    :returns: the duration.
    """
    value = config_value(key, app=app)
    try:
        amount, unit = str(value).split()
        return datetime.timedelta(**{unit: int(amount)})
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"SECURITY_{key} must look like '5 days' or '30 minutes', not {value!r}"
        ) from exc


def normalize_email(value: Any) -> Any:
    """An email address as typed, in the one form fsec compares, stores and mails.

    Surrounding blanks (any Unicode white space: a pasted address often carries one)
    are stripped, and the domain (after the last ``@``) is lower-cased: domain names
    are case-insensitive (RFC 1035 section 2.3.3, RFC 5321 section 2.4). The local
    part is kept as typed: RFC 5321 section 2.4 lets a mail server treat it
    case-sensitively (fsec's lookups ignore its case all the same). Text without
    ``@`` (a user name given as a login identity) is only stripped. Every form's email
    field (a WTForms filter), the login identity and the ``users`` CLI commands use
    this function, so an address is never "invalid" on one form and "already used"
    on another. Upstream 5.x normalises in ``MailUtil.normalize`` (with
    email-validator, which also rewrites the domain to its IDNA form).

    :param value: the submitted text; anything that is not a ``str`` (``None`` for
        an absent field) is returned unchanged.
    :returns: the normalised text.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{domain.lower()}"
