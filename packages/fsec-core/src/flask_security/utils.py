"""Documented helper functions (``flask_security.utils``, Flask-Security 3.0 API) and
the small shared pieces every feature uses: messages, safe redirects, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, flash, request

from .babel import gettext
from .bound_tokens import TokenStatus as TokenStatus
from .bound_tokens import check_bound_token as check_bound_token
from .bound_tokens import generate_bound_token as generate_bound_token
from .bound_tokens import get_max_age as get_max_age
from .bound_tokens import get_token_status as get_token_status
from .config import config_value as config_value
from .config import get_identity_attributes as get_identity_attributes
from .config import get_within_delta as get_within_delta
from .config import naive_utcnow as naive_utcnow
from .config import normalize_email as normalize_email
from .hashing import (  # 3.0's flask_security.utils names, defined there
    encrypt_password as encrypt_password,
)
from .hashing import get_hmac as get_hmac
from .hashing import hash_data as hash_data
from .hashing import hash_password as hash_password
from .hashing import token_fingerprint as token_fingerprint
from .hashing import verify_and_update_password as verify_and_update_password
from .hashing import verify_hash as verify_hash
from .hashing import verify_password as verify_password
from .login import SESSION_KEYS_KEPT_AT_LOGIN as SESSION_KEYS_KEPT_AT_LOGIN
from .login import _start_login_session as _start_login_session
from .login import consume_login_state as consume_login_state
from .login import login_already_recorded as login_already_recorded
from .login import login_state as login_state
from .login import login_user as login_user
from .login import logout_user as logout_user
from .login import mark_login_recorded as mark_login_recorded
from .login import refuse_login as refuse_login
from .login import regenerate_session as regenerate_session
from .login import try_login_user as try_login_user
from .redirects import check_link_host as check_link_host
from .redirects import external_url_for as external_url_for
from .redirects import external_url_for_security as external_url_for_security
from .redirects import find_redirect as find_redirect
from .redirects import get_post_login_redirect as get_post_login_redirect
from .redirects import get_post_logout_redirect as get_post_logout_redirect
from .redirects import get_post_redirect as get_post_redirect
from .redirects import get_url as get_url
from .redirects import safe_redirect_target as safe_redirect_target
from .redirects import url_for_security as url_for_security
from .redirects import validate_external_base_url as validate_external_base_url
from .redirects import validate_redirect_url as validate_redirect_url
from .signals import (
    login_instructions_sent,
    reset_password_instructions_sent,
    user_registered,
)
from .state import _datastore, _security

# ---------------------------------------------------------------------------------
# Configuration and messages
# ---------------------------------------------------------------------------------


def get_message(key: str, **kwargs: Any) -> tuple[str, str]:
    """The translated message ``key`` and its category, formatted with ``kwargs``.

    ``SECURITY_MSG_<KEY>`` in the app config overrides the default text.

    :returns: ``(text, category)``.
    :raises KeyError: no enabled plugin defines the message.

    :param key: the message key (``"INVALID_PASSWORD"``, a plugin's own).
    :param kwargs: ``%(name)s`` values for the text.
    """
    text, category = current_app.config.get("SECURITY_MSG_" + key) or _security.messages[key]
    filled = _security.message_fills.get(key)
    if filled is not None and text == filled[0]:
        text = filled[1]  # the default with placeholders: the catalogues' msgid
    return gettext(text, **kwargs), category


def do_flash(message: str, category: str | None = None) -> None:
    """Flash ``message`` when ``SECURITY_FLASH_MESSAGES`` is on.

    :param message: the text.
    :param category: the flash category (``None``: ``"message"``).
    """
    if config_value("FLASH_MESSAGES"):
        flash(message, category or "message")


# ---------------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------------


#: NUL and the UTF-16 surrogate code points (which, in a Python string, are unpaired).
_FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")


def has_forbidden_characters(value: str) -> bool:
    """Whether ``value`` holds text no store or codec can take.

    That is a NUL character (PostgreSQL text columns refuse it; bcrypt stops at it)
    or an unpaired UTF-16 surrogate such as the JSON string ``"\\ud800"``
    (RFC 8259 section 8.2 leaves its meaning undefined; it cannot be encoded as
    UTF-8, RFC 3629 section 3). Every fsec form refuses such values before any
    validator runs (:class:`flask_security.forms.Form`), and so does HTTP Basic
    authentication.

    :param value: the text to check.
    :returns: ``True`` when ``value`` contains one of those characters.
    """
    return _FORBIDDEN_TEXT.search(value) is not None


def authenticate_password(
    identity: str, password: str, method: str
) -> tuple[Any | None, str | None]:
    """Check a password login (login form, JSON login, HTTP Basic, and any later path
    that takes a password): the one place where the order of the checks is decided.

    1. The identity is looked up (``SECURITY_USER_IDENTITY_ATTRIBUTES``). Unknown:
       one dummy verification (same cost as a real one), ``fsec_login_failed(None)``,
       ``"INVALID_PASSWORD"``.
    2. ``fsec_login_refusal(user, method)`` is asked **before** the password counts.
       Refused (locked, disabled, unconfirmed...): the work of a failed verification
       of the password is still done (a dummy one: a real check would stop sooner for
       the right password), so the time spent does not depend on the password;
       ``fsec_login_failed(user)`` and ``fsec_login_refused(user, reason)`` are called
       whatever the password; the answer is the refusal key. So neither the answer nor
       its timing tells whether the password was right (issue 15 item 2: otherwise a
       lock is an oracle that confirms the right guess, and guesses made while it
       holds go uncounted).
    3. Wrong password: ``fsec_login_failed(user)``, ``"INVALID_PASSWORD"``.
    4. Right password: an outdated hash is re-hashed and committed.

    :param identity: the login name as typed (stripped by the caller).
    :param password: the password as typed.
    :param method: ``"form"`` (form and JSON login), ``"basic"`` or a plugin's path.
    :returns: ``(user, None)`` on success; ``(None, message_key)`` otherwise.
    """
    user = _datastore.find_user_by_identity(identity)
    if user is None:
        _security.password_hasher.dummy_verify(password)
        _security.plugins.hook.fsec_login_failed(user=None, identity=identity, method=method)
        return None, "INVALID_PASSWORD"
    refusal = check_user_password(user, password, method, identity)
    return (None, refusal) if refusal is not None else (user, None)


def check_user_password(user: Any, password: str, method: str, identity: str = "") -> str | None:
    """Steps 2 to 4 of :func:`authenticate_password` for a known ``user``: the
    refusal is asked first, the password verified (or a dummy verification done) in
    every case, ``fsec_login_failed`` / ``fsec_login_refused`` called as there, an
    outdated hash re-hashed and committed.

    Used where the user is already known: ``/verify`` (re-entering the password of
    the signed-in user, ``method="verify"``), so a locked or deactivated account
    cannot refresh its session and wrong passwords there count as failed logins.

    :param user: the user whose password is checked.
    :param password: the password as typed.
    :param method: the path (``"form"``, ``"basic"``, ``"verify"``...).
    :param identity: the login name as typed, for ``fsec_login_failed``.
    :returns: ``None`` when the password is right and the account allowed, else the
        message key (``"INVALID_PASSWORD"`` or the refusal's key).
    """
    hooks = _security.plugins.hook
    hasher = _security.password_hasher
    refusal = _security.login_refusal(user, method)
    if refusal is not None:
        # The work of a failed verification, whatever the password: a real check
        # would return sooner for the right one (it stops at the first match).
        hasher.dummy_verify(password)
        hooks.fsec_login_failed(user=user, identity=identity, method=method)
        hooks.fsec_login_refused(user=user, method=method, reason=refusal)
        return refusal
    before = getattr(user, "password", None)
    if not verify_and_update_password(password, user):
        hooks.fsec_login_failed(user=user, identity=identity, method=method)
        return "INVALID_PASSWORD"
    if user.password != before:
        _datastore.commit()  # the re-hash (HTTP Basic has no view that commits)
    return None


#: The reasons fsec itself gives to ``fsec_password_changed``; a plugin announcing a
#: password it set passes a word of its own (``"invite"``), see
#: :func:`announce_password_changed`.
CORE_PASSWORD_REASONS: tuple[str, ...] = ("change", "reset", "cli")


def announce_password_changed(user: Any, reason: str) -> None:
    """Tell every enabled plugin that ``user``'s password was set or changed.

    Call it from a plugin's own flow once the new hash is **committed** (an invitation
    accepted, an admin tool setting a password...): it calls the
    ``fsec_password_changed(user, reason)`` hook, so the plugins that act on a new
    password hear of it as they do for ``/change`` and ``/reset`` (the lockout
    example lifts a lock and clears the failed-login count). fsec's own change
    password and password reset go through this function too.

    It sends no blinker signal: ``password_changed`` and ``password_reset`` keep
    their documented 3.0 meaning (the change view, the reset view); send a signal of
    your own for your flow. Sessions, remember cookies and auth tokens made before
    the change already stop working through the password fingerprint; nothing more
    is needed for that.

    :param user: the user whose ``password`` now holds the new hash (or ``None``
        when a plugin removed the password).
    :param reason: a short word saying why, passed on as the hook's ``reason``:
        ``"change"``, ``"reset"`` and ``"cli"`` are fsec's (see
        :data:`CORE_PASSWORD_REASONS`); a plugin passes its own (``"invite"``).
    :returns: ``None``.
    :raises ValueError: ``reason`` is not a non-empty string without blanks.
    """
    if not isinstance(reason, str) or not reason or reason != "".join(reason.split()):
        raise ValueError(f"reason must be a non-empty word such as 'invite', not {reason!r}")
    _security.plugins.hook.fsec_password_changed(user=user, reason=reason)


# ---------------------------------------------------------------------------------
# Mail
# ---------------------------------------------------------------------------------


def send_mail(subject: str, recipient: str, template: str, **context: Any) -> None:
    """Send the mail ``security/email/<template>.txt|.html`` to ``recipient``.

    Goes through ``security.send_mail`` (replaceable), which renders the templates
    (``SECURITY_EMAIL_PLAINTEXT`` / ``SECURITY_EMAIL_HTML``), applies the mail context
    processors and hands a Flask-Mail ``Message`` to ``@security.send_mail_task`` or
    Flask-Mail.

    :param subject: the subject (already translated).
    :param recipient: the address.
    :param template: the template base name (``"reset_instructions"``).
    :param context: template variables.
    """
    _security.send_mail(subject, recipient, template, **context)


# ---------------------------------------------------------------------------------
# Test helpers (documented 3.0 API)
# ---------------------------------------------------------------------------------


@contextmanager
def _capture(signal: Any) -> Iterator[list[dict[str, Any]]]:
    captured: list[dict[str, Any]] = []

    def receiver(app: Any, **data: Any) -> None:
        captured.append(data)

    signal.connect(receiver)
    try:
        yield captured
    finally:
        signal.disconnect(receiver)


def capture_registrations() -> Any:
    """Context manager collecting ``user_registered`` data dicts (user, confirm_token).

    :returns: a context manager yielding the list the data dicts are appended to.
    """
    return _capture(user_registered)


def capture_reset_password_requests(reset_password_sent_at: Any = None) -> Any:
    """Context manager collecting ``reset_password_instructions_sent`` data (user, token).

    :param reset_password_sent_at: ignored (3.0's signature).
    :returns: a context manager yielding the list the data dicts are appended to.
    """
    return _capture(reset_password_instructions_sent)


def capture_passwordless_login_requests() -> Any:
    """Context manager collecting ``login_instructions_sent`` data (user, login_token).

    :returns: a context manager yielding the list the data dicts are appended to.
    """
    return _capture(login_instructions_sent)


def is_json_request() -> bool:
    """Whether the client sent JSON or asks for JSON (``Accept``) — answer in JSON.

    :returns: ``True`` when the answer should be JSON.
    """
    if request.is_json:
        return True
    best = request.accept_mimetypes.best
    return best == "application/json"


# ---------------------------------------------------------------------------------
# 3.0's Python 2/3 helpers (flask_security._compat), still imported by 3.0 apps
# ---------------------------------------------------------------------------------

#: The text types (3.0's Python 2/3 alias): ``(str,)``.
string_types: tuple[type, ...] = (str,)


def encode_string(string: str | bytes) -> bytes:
    """``string`` as bytes: text is encoded as UTF-8, bytes are returned unchanged
    (3.0's helper)."""
    return string.encode("utf-8") if isinstance(string, str) else string


#: The public names of this module (the plugin API): 3.0's documented helpers and the
#: shared pieces every feature and plugin uses. ``validate_external_base_url`` and
#: ``check_link_host`` (start-up checks) and 3.0's Python 2 helpers ``string_types`` and
#: ``encode_string`` stay importable for apps but are not part of it.
__all__ = [
    "CORE_PASSWORD_REASONS",
    "SESSION_KEYS_KEPT_AT_LOGIN",
    "announce_password_changed",
    "authenticate_password",
    "capture_passwordless_login_requests",
    "capture_registrations",
    "capture_reset_password_requests",
    "check_bound_token",
    "config_value",
    "consume_login_state",
    "do_flash",
    "encrypt_password",
    "external_url_for",
    "external_url_for_security",
    "find_redirect",
    "generate_bound_token",
    "get_hmac",
    "get_identity_attributes",
    "get_max_age",
    "get_message",
    "get_post_login_redirect",
    "get_post_logout_redirect",
    "get_post_redirect",
    "get_token_status",
    "get_url",
    "get_within_delta",
    "has_forbidden_characters",
    "hash_data",
    "hash_password",
    "is_json_request",
    "login_state",
    "login_user",
    "logout_user",
    "naive_utcnow",
    "refuse_login",
    "regenerate_session",
    "safe_redirect_target",
    "send_mail",
    "token_fingerprint",
    "try_login_user",
    "url_for_security",
    "validate_redirect_url",
    "verify_and_update_password",
    "verify_hash",
    "verify_password",
]
