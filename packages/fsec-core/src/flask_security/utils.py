"""Documented helper functions (``flask_security.utils``, Flask-Security 3.0 API) and
the small shared pieces every feature uses: messages, safe redirects, tokens."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import flask_login
from flask import current_app, flash, g, has_request_context, request, session, url_for
from flask_principal import AnonymousIdentity, identity_changed
from itsdangerous import BadSignature, SignatureExpired
from werkzeug.routing import BuildError

from .babel import gettext
from .config import config_value as config_value
from .config import get_identity_attributes as get_identity_attributes
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
from .identity import _LazyIdentity
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
    """
    text, category = current_app.config.get("SECURITY_MSG_" + key) or _security.messages[key]
    filled = _security.message_fills.get(key)
    if filled is not None and text == filled[0]:
        text = filled[1]  # the default with placeholders: the catalogues' msgid
    return gettext(text, **kwargs), category


def do_flash(message: str, category: str | None = None) -> None:
    """Flash ``message`` when ``SECURITY_FLASH_MESSAGES`` is on."""
    if config_value("FLASH_MESSAGES"):
        flash(message, category or "message")


def get_within_delta(key: str, app: Any = None) -> datetime.timedelta:
    """Parse a ``"<amount> <unit>"`` setting (``"5 days"``) into a ``timedelta``.

    :param key: config key without ``SECURITY_`` (``"RESET_PASSWORD_WITHIN"``).
    :raises ValueError: the value is not of that shape or the unit is unknown.
    """
    value = config_value(key, app=app)
    try:
        amount, unit = str(value).split()
        return datetime.timedelta(**{unit: int(amount)})
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"SECURITY_{key} must look like '5 days' or '30 minutes', not {value!r}"
        ) from exc


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
    hooks = _security.plugins.hook
    hasher = _security.password_hasher
    user = _datastore.find_user_by_identity(identity)
    if user is None:
        hasher.dummy_verify(password)
        hooks.fsec_login_failed(user=None, identity=identity, method=method)
        return None, "INVALID_PASSWORD"
    refusal = _security.login_refusal(user, method)
    if refusal is not None:
        # The work of a failed verification, whatever the password: a real check
        # would return sooner for the right one (it stops at the first match).
        hasher.dummy_verify(password)
        hooks.fsec_login_failed(user=user, identity=identity, method=method)
        hooks.fsec_login_refused(user=user, method=method, reason=refusal)
        return None, refusal
    before = getattr(user, "password", None)
    if not verify_and_update_password(password, user):
        hooks.fsec_login_failed(user=user, identity=identity, method=method)
        return None, "INVALID_PASSWORD"
    if user.password != before:
        _datastore.commit()  # the re-hash (HTTP Basic has no view that commits)
    return user, None


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
# Login / logout
# ---------------------------------------------------------------------------------


#: Session keys a login keeps (:func:`regenerate_session`): where to go next
#: (Flask-Login's ``USE_SESSION_FOR_NEXT``), messages flashed for the next page, and
#: whether the session is permanent. Everything else is dropped.
SESSION_KEYS_KEPT_AT_LOGIN: tuple[str, ...] = ("next", "_flashes", "_permanent")


def regenerate_session(keep: Iterable[str] = SESSION_KEYS_KEPT_AT_LOGIN) -> None:
    """Start a fresh session for this request, keeping only the keys ``keep``.

    Called by :func:`login_user` at every successful login, whatever the path (form,
    JSON, register, confirm, reset, passwordless, and any later one that logs in
    through :func:`login_user`), against session fixation and login CSRF (OWASP
    Session Management cheat sheet: renew the session at every privilege change):

    * every other session key is dropped, among them Flask-WTF's raw CSRF token
      (``session[WTF_CSRF_FIELD_NAME]``, ``"csrf_token"`` by default); its signed
      copy cached on ``g`` under the same name goes too, so the next
      ``generate_csrf()`` makes a new token and one issued before the login no
      longer validates;
    * with a server-side session interface offering ``regenerate(session)``
      (Flask-Session 0.6+), the session gets a new identifier too, and the old one
      is deleted from the store. Flask's default cookie session has no identifier:
      the new contents are signed into a new cookie.

    :param keep: session keys to carry over (default
        :data:`SESSION_KEYS_KEPT_AT_LOGIN`).
    :returns: ``None``.
    """
    kept = {key: session[key] for key in keep if key in session}
    session.clear()
    session.update(kept)
    session.modified = True
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if callable(regenerate):
        regenerate(session._get_current_object())  # type: ignore[attr-defined]


def login_user(user: Any, remember: bool | None = None, method: str = "form") -> bool:
    """Log ``user`` in for this session (documented 3.0 API).

    :param remember: set the remember cookie; ``None`` uses
        ``SECURITY_DEFAULT_REMEMBER_ME``.
    :param method: the login path, passed to ``fsec_after_login`` (``"form"``,
        ``"passwordless"``, ``"confirm"``, ``"reset"``, ``"register"``...).
    :returns: ``False`` when the user is refused (inactive, or a plugin's
        ``fsec_login_refusal`` said no), ``True`` otherwise.

    A successful login starts a fresh session (:func:`regenerate_session`: only
    ``next``, flashed messages and permanence are kept, the CSRF token is new), so
    nothing planted in the session before the login survives it.

    Changes made by ``fsec_after_login`` (login tracking) are put in the datastore;
    commit afterwards (the built-in views do).
    """
    if remember is None:
        remember = bool(config_value("DEFAULT_REMEMBER_ME"))
    refusal = _security.login_refusal(user, method)
    if refusal is not None:
        _security.plugins.hook.fsec_login_refused(user=user, method=method, reason=refusal)
        return False
    regenerate_session()
    if not flask_login.login_user(user, remember=remember):
        return False
    _security.plugins.hook.fsec_after_login(user=user, method=method)
    identity_changed.send(current_app._get_current_object(), identity=_LazyIdentity())
    return True


def login_user_from_link(user: Any, method: str, remember: bool | None = None) -> bool:
    """Sign ``user`` in because a mailed link of theirs was followed (confirmation,
    and any other link that signs in), unless someone else is signed in here.

    A link opened while another account is signed in in this browser never switches
    accounts (issue 15 item 4, login CSRF): otherwise an attacker embeds their own
    unused link in a page (``<img src=...>``) and a signed-in victim who opens the page
    ends up in the attacker's account, typing their data into it. Then nobody is
    signed in and ``SIGNED_IN_AS_ANOTHER_USER`` is flashed; the caller still does what
    the link is for (confirming the address...). When ``user`` is the one signed in,
    nothing changes.

    :param user: the link's owner.
    :param method: the path, for ``fsec_login_refusal`` and ``fsec_after_login``
        (``"confirm"``...).
    :param remember: as for :func:`login_user`.
    :returns: whether ``user`` is signed in now.
    """
    current = flask_login.current_user
    if getattr(current, "is_authenticated", False):
        if str(getattr(current, "id", None)) == str(user.id):
            return True
        do_flash(*get_message("SIGNED_IN_AS_ANOTHER_USER", email=getattr(current, "email", "")))
        return False
    return login_user(user, remember=remember, method=method)


def login_state(user: Any) -> str | None:
    """What the enabled plugins record about ``user``'s logins (``fsec_login_state``),
    as one string that changes at every :func:`login_user`.

    Bind a token to ``token_fingerprint(login_state(user))`` to make it stop working
    at the user's next login (one-time login links).

    :returns: the combined string, or ``None`` when no enabled plugin records
        logins (then there is no such state to bind to).
    """
    results = _security.plugins.hook.fsec_login_state(user=user)
    parts = [str(r) for r in results if r is not None]
    return "\x1f".join(parts) if parts else None


def consume_login_state(user: Any, expected: dict[str, Any] | None = None) -> bool:
    """Consume a one-time credential bound to :func:`login_state`: record the login
    about to happen only if ``user``'s stored login state (and the ``expected``
    fields) are still what ``user`` was loaded with, atomically
    (``fsec_consume_login_state``, implemented by the plugin recording logins).

    Call it after the token check and before :func:`login_user`; the login is not
    recorded twice.

    :param expected: further ``{field: value}`` the stored row must still hold (the
        password hash a token was bound to).
    :returns: ``True`` for exactly one of several simultaneous uses; ``False`` when
        the state moved on (the credential was used).
    :raises RuntimeError: no enabled plugin records logins (a one-time link bound to
        the login state cannot be made single-use without one).
    """
    result = _security.plugins.hook.fsec_consume_login_state(
        user=user, expected=dict(expected or {})
    )
    if result is None:
        raise RuntimeError(
            "consume_login_state needs a plugin recording logins (fsec_consume_login_state)"
        )
    return bool(result)


def logout_user() -> None:
    """Log the current user out and remove the remember cookie.

    ``fsec_after_logout(user)`` is called once the session no longer holds the user
    (not for anonymous visitors).
    """
    user = flask_login.current_user._get_current_object()
    for key in ("identity.name", "identity.auth_type"):
        session.pop(key, None)
    identity_changed.send(current_app._get_current_object(), identity=AnonymousIdentity())
    flask_login.logout_user()
    if getattr(user, "is_authenticated", False):
        _security.plugins.hook.fsec_after_logout(user=user)


# ---------------------------------------------------------------------------------
# URLs and redirects
# ---------------------------------------------------------------------------------


def url_for_security(endpoint: str, **values: Any) -> str:
    """``url_for`` inside the security blueprint: ``url_for_security("login")``.

    With ``_external=True`` the URL is built by :func:`external_url_for`, from a host
    the application trusts, never from the request's ``Host`` header alone.
    """
    name = f"{config_value('BLUEPRINT_NAME')}.{endpoint}"
    if values.pop("_external", False):
        return external_url_for(name, **values)
    return url_for(name, **values)


def external_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint`` that is safe to mail: the one helper every
    feature and plugin uses for links leaving the site (reset, confirmation and
    login links...).

    The scheme and host come from, in this order:

    1. ``SECURITY_EXTERNAL_BASE_URL`` (``"https://accounts.example.com"``, optionally
       with the path the application is mounted under): the link is that URL
       followed by the endpoint's path inside the application;
    2. ``SERVER_NAME``: Flask builds the URL on it whatever ``Host`` the request
       carried;
    3. ``TRUSTED_HOSTS`` (Flask 3.1): a request whose ``Host`` is not listed is
       answered 400 before any view runs, so the request's host is trusted;
    4. otherwise the request's ``Host`` header, which the client chooses. Start-up
       refuses this case when a feature mailing links is on, outside debug and
       testing (:func:`check_link_host`).

    Why: a link built from ``Host`` lets an attacker have the victim mailed a reset
    link pointing to the attacker's site (OWASP "Host header injection",
    password-reset poisoning).

    :param endpoint: a full endpoint name (``"security.reset_password"``).
    :param values: URL values, as for ``flask.url_for`` (``_external`` is ignored).
    :returns: an absolute ``http(s)`` URL (``str``).
    :raises werkzeug.routing.BuildError: the endpoint or its values do not match.
    :raises RuntimeError: outside a request context when ``SERVER_NAME`` is not set
        (Flask cannot build a URL there).
    """
    values.pop("_external", None)
    base = config_value("EXTERNAL_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    if "://" in path:  # another (sub)domain: Flask made it absolute on SERVER_NAME
        return path
    root = request.script_root if has_request_context() else ""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    return str(base).rstrip("/") + path


def external_url_for_security(endpoint: str, **values: Any) -> str:
    """:func:`external_url_for` inside the security blueprint
    (``external_url_for_security("reset_password", token=token)``)."""
    return external_url_for(f"{config_value('BLUEPRINT_NAME')}.{endpoint}", **values)


def validate_external_base_url(value: Any) -> str:
    """Check a ``SECURITY_EXTERNAL_BASE_URL`` value.

    :param value: the configured value.
    :returns: the value without a trailing ``/``.
    :raises RuntimeError: it is not an ``http``/``https`` URL with a host and without
        query or fragment.
    """
    parts = urlsplit(str(value)) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
    ):
        raise RuntimeError(
            "SECURITY_EXTERNAL_BASE_URL must be the URL your site is reached at, such as "
            f"'https://accounts.example.com' (scheme, host, optional path); got {value!r}"
        )
    return str(value).rstrip("/")


def check_link_host(app: Any, state: Any) -> None:
    """Refuse to start when mailed links would be built from the ``Host`` header.

    Runs at the end of ``Security.init_app``. When some enabled mail is registered
    with ``links=True`` (``fsec_mails``) and switched on, and neither
    ``SECURITY_EXTERNAL_BASE_URL``, ``SERVER_NAME`` nor ``TRUSTED_HOSTS`` is set, and
    the app is neither in debug nor in testing mode, start-up fails.

    :raises RuntimeError: naming the mails and the settings to choose from.
    """
    base = app.config.get("SECURITY_EXTERNAL_BASE_URL")
    if base:
        app.config["SECURITY_EXTERNAL_BASE_URL"] = validate_external_base_url(base)
        return
    if app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
        return
    if app.debug or app.testing:
        return
    mails = sorted(
        name
        for name in state.link_mails
        if state.mails[name][1] is None or app.config.get("SECURITY_" + state.mails[name][1])
    )
    if mails:
        raise RuntimeError(
            "fsec mails links (" + ", ".join(mails) + ") and would build them from the "
            "request's Host header, which any client chooses. Set "
            "SECURITY_EXTERNAL_BASE_URL = 'https://your.site' (or Flask's SERVER_NAME, or "
            "TRUSTED_HOSTS) before Security(app, ...)."
        )


def get_url(endpoint_or_url: str | None, **values: Any) -> str | None:
    """A URL for an endpoint name, or the value itself when it is not an endpoint."""
    if not endpoint_or_url:
        return None
    try:
        return url_for(endpoint_or_url, **values)
    except BuildError:
        return endpoint_or_url


def _is_blank_or_control(ch: str) -> bool:
    return ch == "\\" or unicodedata.category(ch)[0] in ("C", "Z")


_DOT_SEGMENTS = {".", "%2e"}
_DOUBLE_DOT_SEGMENTS = {"..", ".%2e", "%2e.", "%2e%2e"}


def _without_dot_segments(path: str) -> str:
    """``path`` with ``.`` and ``..`` segments resolved as a browser does (RFC 3986
    section 5.2.4; the WHATWG URL standard also reads ``%2e`` as a dot)."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT_SEGMENTS:
            if out:
                out.pop()
            if last:
                out.append("")
        elif lowered in _DOT_SEGMENTS:
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _is_local_path(value: str) -> bool:
    """Whether ``value`` is a relative reference that stays a path of this origin,
    also once normalised: it starts with one ``/`` not followed by another (``//host``
    is scheme-relative), still does after dot segments are resolved
    (``/.//host``), and holds no backslash, blank or control character."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    if any(_is_blank_or_control(ch) for ch in value):
        return False
    path = urlsplit(value).path
    return not _without_dot_segments(path).startswith("//")


def safe_redirect_target(target: Any) -> str | None:
    """``target`` as a same-origin path, or ``None`` when it could leave the site.

    :param target: a ``next`` value from the query string or a form (any type).
    :returns: the path (with query and fragment) to put into ``Location``, or
        ``None``.

    Accepted: paths starting with a single ``/`` and absolute ``http(s)`` URLs of the
    current host and scheme (reduced to their path). Refused
    (docs/migration.md#redirects-stay-on-your-site, OWASP Unvalidated Redirects
    cheat sheet): any backslash, blank or
    control character anywhere (browsers strip or reinterpret them: ``\\\\host``,
    ``/\\host``, `` //host``, tab/newline tricks), scheme-relative ``//host``, other
    schemes (``javascript:``), ``http:/host``, other hosts. The value returned is
    checked again as it will be sent: ``http://localhost//evil.example/x`` reduces to
    ``//evil.example/x``, which a browser reads as another host, and is refused.
    """
    if not isinstance(target, str) or not target:
        return None
    if any(_is_blank_or_control(ch) for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        if parts.scheme != request.scheme:
            return None
        target = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    # Whatever the input looked like, what goes into Location must itself be a
    # path of this origin.
    return target if _is_local_path(target) else None


def validate_redirect_url(url: Any) -> bool:
    """Whether ``url`` is a safe same-origin redirect target."""
    return safe_redirect_target(url) is not None


def find_redirect(key: str) -> str:
    """The URL for the config key ``key`` (``"POST_LOGIN_VIEW"``), else ``/``."""
    value = config_value(key)
    return get_url(value) or "/"


def get_post_redirect(default_key: str, fallback_key: str = "POST_LOGIN_VIEW") -> str:
    """Where to go after an action: a safe ``next`` from the query or form, else the
    config key ``default_key`` (a URL or endpoint), else ``fallback_key``."""
    for candidate in (request.args.get("next"), request.form.get("next")):
        target = safe_redirect_target(candidate)
        if target:
            return target
    value = config_value(default_key)
    if value:
        return get_url(value) or "/"
    return find_redirect(fallback_key)


def get_post_login_redirect(declared: str | None = None) -> str:
    """Where to go after login: safe ``declared`` or ``next``, else POST_LOGIN_VIEW."""
    target = safe_redirect_target(declared)
    return target or get_post_redirect("POST_LOGIN_VIEW")


def get_post_logout_redirect() -> str:
    """Where to go after logout: a safe ``next``, else ``SECURITY_POST_LOGOUT_VIEW``."""
    return get_post_redirect("POST_LOGOUT_VIEW", "POST_LOGOUT_VIEW")


# ---------------------------------------------------------------------------------
# Tokens and mail
# ---------------------------------------------------------------------------------


def get_max_age(key: str) -> float:
    """``SECURITY_<KEY>_WITHIN`` in seconds (``key`` = ``"RESET_PASSWORD"``...)."""
    return get_within_delta(key + "_WITHIN").total_seconds()


def get_token_status(
    token: str, serializer: str, max_age: str | None = None, return_data: bool = False
) -> tuple[Any, ...]:
    """Check a signed token of kind ``serializer`` (``"confirm"``, ``"login"``, ``"reset"``).

    The token's payload must name ``serializer`` as its purpose (see
    :meth:`SecurityState.dumps_token`); a payload without a purpose (issued before
    fsec put purposes into payloads) is accepted only while the kind's salt differs
    from every other ``SECURITY_*_SALT``. Signatures made with a key in
    ``SECRET_KEY_FALLBACKS`` verify.

    :param max_age: the name of the ``*_WITHIN`` setting without the suffix
        (``"CONFIRM_EMAIL"``, ``"LOGIN"``, ``"RESET_PASSWORD"``), or ``None`` for no
        expiry.
    :returns: ``(expired, invalid, user)`` or, with ``return_data``,
        ``(expired, invalid, user, data)``. ``data`` is the payload's list
        (``[user id, ...]``); ``user`` is the user it names, also for an expired
        token.
    """
    ser = _security.serializer(serializer)
    seconds = get_max_age(max_age) if max_age else None
    expired = invalid = False
    payload: Any = None
    try:
        payload = ser.loads(token, max_age=seconds)
    except SignatureExpired:
        _valid, payload = ser.loads_unsafe(token)
        expired = True
    except (BadSignature, TypeError, ValueError):
        invalid = True
    data: Any = None
    if payload is not None:
        data = _security.unwrap_payload(serializer, serializer, payload)
    user = None
    if isinstance(data, list) and data and isinstance(data[0], str):
        user = _datastore.load_user(data[0])
    elif payload is not None:
        invalid, expired, data = True, False, None
    expired = expired and user is not None
    if return_data:
        return expired, invalid, user, data
    return expired, invalid, user


def generate_bound_token(kind: str, user: Any, *state: str | bytes | None) -> str:
    """A signed token naming ``user`` and bound to the current ``state`` values.

    The payload is ``{"p": kind, "d": [str(user.id), token_fingerprint(v) for v in
    state]}``, signed by :meth:`SecurityState.serializer` (``SECRET_KEY`` +
    ``SECURITY_<KIND>_SALT``, HMAC-SHA256, timestamped). The purpose ``kind`` inside
    the payload keeps a token of one kind from passing as another even when two
    kinds share a salt. Bind a token to the state its use changes (the password hash
    for a reset) and it works once; bind it to state it must match (the email
    address for a confirmation) and it dies when that changes.

    :param kind: the serializer name (``"reset"``, ``"confirm"``, ``"login"``...).
    :returns: a URL-safe ASCII string.
    """
    payload = [str(user.id), *(token_fingerprint(value) for value in state)]
    return _security.dumps_token(kind, kind, payload)


def check_bound_token(
    token: str,
    kind: str,
    max_age: str | None,
    *state_of: Any,
    require_active: bool = False,
) -> tuple[bool, bool, Any | None]:
    """Check a :func:`generate_bound_token` token against the user's state now.

    :param max_age: the ``*_WITHIN`` setting without the suffix (``"RESET_PASSWORD"``).
    :param state_of: callables ``f(user) -> value``, in the order the token was bound.
    :param require_active: treat tokens of inactive users as invalid.
    :returns: ``(expired, invalid, user)``: ``invalid`` for a bad signature, payload
        or purpose, an unknown (or, with ``require_active``, inactive) user, or any
        bound value that changed (constant-time comparison, under ``SECRET_KEY`` or a
        fallback key); ``expired`` for an otherwise valid token older than
        ``SECURITY_<max_age>_WITHIN``; ``user`` is ``None`` when invalid.
    """
    expired, invalid, user, data = get_token_status(token, kind, max_age, return_data=True)
    if invalid or user is None:
        return False, True, None
    values = [fn(user) for fn in state_of]
    if not (
        isinstance(data, list)
        and len(data) == 1 + len(values)
        and all(
            _security.fingerprint_matches(value, fp)
            for value, fp in zip(values, data[1:], strict=True)
        )
    ):
        return False, True, None
    if require_active and not getattr(user, "is_active", False):
        return False, True, None
    return bool(expired), False, user


def send_mail(subject: str, recipient: str, template: str, **context: Any) -> None:
    """Send the mail ``security/email/<template>.txt|.html`` to ``recipient``.

    Goes through ``security.send_mail`` (replaceable), which renders the templates
    (``SECURITY_EMAIL_PLAINTEXT`` / ``SECURITY_EMAIL_HTML``), applies the mail context
    processors and hands a Flask-Mail ``Message`` to ``@security.send_mail_task`` or
    Flask-Mail.
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
    """Context manager collecting ``user_registered`` data dicts (user, confirm_token)."""
    return _capture(user_registered)


def capture_reset_password_requests(reset_password_sent_at: Any = None) -> Any:
    """Context manager collecting ``reset_password_instructions_sent`` data (user, token)."""
    return _capture(reset_password_instructions_sent)


def capture_passwordless_login_requests() -> Any:
    """Context manager collecting ``login_instructions_sent`` data (user, login_token)."""
    return _capture(login_instructions_sent)


def is_json_request() -> bool:
    """Whether the client sent JSON or asks for JSON (``Accept``) — answer in JSON."""
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
