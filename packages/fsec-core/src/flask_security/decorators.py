"""View decorators (documented 3.0 API, and upstream 5.x's freshness arguments).

Every decorator checks the account through the same rules as login
(``fsec_login_refusal``: active, confirmed...). JSON requests get JSON answers:
``401`` when no credential was accepted, ``403`` when the user lacks a role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request
from flask_login import login_required as _login_required
from flask_principal import Permission, RoleNeed

from .answers import credentials_refused, json_refusal, stale_authn_response
from .answers import handle_forbidden as handle_forbidden
from .answers import handle_reauthentication as handle_reauthentication
from .answers import handle_unauthenticated as handle_unauthenticated
from .config import ConfigError
from .freshness import Duration, as_timedelta, check_and_update_authn_fresh, freshness_enabled
from .identity import _LazyIdentity
from .login_steps import basic_step_refusal
from .roles import ConfigRoles, configured_role_names
from .state import _security, current_user
from .utils import (
    authenticate_password,
    config_value,
    do_flash,
    get_message,
    get_post_login_redirect,
    has_forbidden_characters,
    is_json_request,
)

F = TypeVar("F", bound=Callable[..., Any])

#: ``login_required`` is Flask-Login's: OPTIONS requests pass (CORS preflight), and
#: ``LOGIN_DISABLED`` turns it off.
login_required = _login_required


def set_request_user(user: Any) -> None:
    """Make ``user`` the current user for this request only (token, basic auth)."""
    g._login_user = user
    g.identity = _LazyIdentity()


def _check_token() -> bool:
    user = _security._load_user_from_request(request)
    if user is None:
        return False
    set_request_user(user)
    return True


def check_http_auth() -> bool:
    """Authenticate this request with HTTP Basic credentials (RFC 7617).

    Checked by :func:`flask_security.utils.authenticate_password` (``"basic"``): the
    username is looked up in ``SECURITY_USER_IDENTITY_ATTRIBUTES``, the account
    checked with ``fsec_login_refusal`` and the password verified in every case, so a
    refused account answers ``401`` in the same time whatever the password. A user
    for whom a plugin requires a further login step (``fsec_login_next_step`` with
    ``"basic"``: two-factor) is refused too, since Basic cannot show the step
    (:func:`flask_security.login_steps.basic_step_refusal`).
    """
    try:
        auth = request.authorization
    except ValueError:
        # Werkzeug lets base64 raise on a non-ASCII header value: no credentials.
        return False
    if auth is None or auth.type != "basic":
        return False
    username, password = auth.username or "", auth.password or ""
    if has_forbidden_characters(username) or has_forbidden_characters(password):
        # A NUL cannot reach the store (PostgreSQL refuses it): no such user.
        _security.password_hasher.dummy_verify()
        _security.plugins.hook.fsec_login_failed(user=None, identity=username, method="basic")
        return False
    user, _refusal = authenticate_password(username, password, "basic")
    if user is None:
        return False
    if basic_step_refusal(user) is not None:
        # Basic cannot show a second step: a user who has one is refused (401).
        return False
    set_request_user(user)
    return True


def _basic_header(realm: str | None) -> dict[str, str]:
    realm = realm or config_value("DEFAULT_HTTP_AUTH_REALM")
    quoted = str(realm).replace("\\", "\\\\").replace('"', '\\"')
    return {"WWW-Authenticate": f'Basic realm="{quoted}"'}


def http_auth_required(realm: Any = None) -> Any:
    """Protect a view with HTTP Basic authentication.

    Usable bare (``@http_auth_required``) or called (``@http_auth_required("API")``).
    Failure: ``401`` with ``WWW-Authenticate: Basic realm="<realm>"`` (default
    ``SECURITY_DEFAULT_HTTP_AUTH_REALM``).

    :param realm: the realm name (``str``), or the view itself when used bare.
    :returns: the decorator, or the decorated view when used bare.
    """

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if check_http_auth():
                return current_app.ensure_sync(fn)(*args, **kwargs)
            return credentials_refused(_basic_header(realm_name))

        return cast(F, wrapper)

    if callable(realm):
        realm_name = None
        return decorator(realm)
    realm_name = realm
    return decorator


def auth_token_required(fn: F) -> F:
    """Protect a view with token authentication (header
    ``SECURITY_TOKEN_AUTHENTICATION_HEADER`` or query ``SECURITY_TOKEN_AUTHENTICATION_KEY``).

    :param fn: the view.
    :returns: the decorated view; without a valid token it answers ``401``.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _check_token():
            return current_app.ensure_sync(fn)(*args, **kwargs)
        return credentials_refused()

    return cast(F, wrapper)


_METHODS: dict[str, Callable[[], bool]] = {
    "token": _check_token,
    "basic": check_http_auth,
    "session": lambda: bool(current_user.is_authenticated),
}


def check_api_enabled_methods(app: Any) -> None:
    """Refuse at start-up a ``SECURITY_API_ENABLED_METHODS`` that a bare
    ``@auth_required()`` could not use.

    :param app: the Flask application being set up.
    :raises ConfigError: the value is not a non-empty list or tuple of names among
        ``"session"``, ``"token"`` and ``"basic"``.
    """
    value = config_value("API_ENABLED_METHODS", app)
    if (
        not isinstance(value, list | tuple)
        or not value
        or any(not isinstance(m, str) or m not in _METHODS for m in value)
    ):
        raise ConfigError(
            "SECURITY_API_ENABLED_METHODS must be a non-empty list of "
            f"'session', 'token' and 'basic' (got {value!r})"
        )


def auth_required(
    *auth_methods: str, within: Duration = -1, grace: Duration | None = None
) -> Callable[[F], F]:
    """Accept any of ``auth_methods`` (``"token"``, ``"basic"``, ``"session"``), tried
    in the given order. Failure: ``401``, with ``WWW-Authenticate`` when ``"basic"``
    is among them (documented 3.0 behaviour).

    Without ``auth_methods`` (upstream 5.x's ``@auth_required()``; in 3.0 that form
    refused every request) the methods are ``SECURITY_API_ENABLED_METHODS`` (default
    ``["session", "token"]``), read at each request, and a refusal is answered as
    5.x does: like ``login_required`` (a browser is redirected to log in with
    ``next``, a JSON request gets ``401``), or, when ``"basic"`` is listed, ``401``
    with ``WWW-Authenticate``.

    ``within`` and ``grace`` are upstream 5.x's freshness arguments (3.0 had none;
    without them nothing changes): with ``within`` not negative, the user must also
    have authenticated at most ``within`` ago
    (:func:`flask_security.freshness.check_and_update_authn_fresh`: the session's
    time, or the auth token's while ``SECURITY_FRESHNESS_ALLOW_AUTH_TOKEN``; HTTP
    Basic is always fresh); otherwise :func:`handle_reauthentication` answers (JSON
    ``401`` with ``reauth_required``, or a redirect to ``/verify``). A negative
    ``SECURITY_FRESHNESS`` turns every such check off.

    :param auth_methods: names among ``"token"``, ``"basic"``, ``"session"``.
    :param within: minutes (``int``/``float``), a ``timedelta`` or a callable
        returning one; negative (default ``-1``): no freshness check.
    :param grace: the grace period, same forms; ``None``:
        ``SECURITY_FRESHNESS_GRACE_PERIOD``.
    :returns: the decorator.
    :raises ValueError: an unknown method name.
    """
    unknown = [m for m in auth_methods if m not in _METHODS]
    if unknown:
        raise ValueError(f"unknown auth methods {unknown!r}; use token, basic or session")

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            methods = auth_methods or config_value("API_ENABLED_METHODS")
            for name in methods:
                if _METHODS[name]():
                    if not _fresh(name, within, grace):
                        return handle_reauthentication(within, grace)
                    return current_app.ensure_sync(fn)(*args, **kwargs)
            headers = _basic_header(None) if "basic" in methods else None
            if auth_methods or headers:
                return credentials_refused(headers)
            return _security.login_manager.unauthorized()

        return cast(F, wrapper)

    return decorator


def _fresh(method: str, within: Duration, grace: Duration | None) -> bool:
    if not callable(within) and as_timedelta(within).total_seconds() < 0:
        return True  # no freshness asked: 3.0's auth_required, config not even read
    if not freshness_enabled():
        return True
    # "session" may have been satisfied by an auth token (Flask-Login's request loader).
    return check_and_update_authn_fresh(within, grace, None if method == "session" else method)


def fresh_login_required(fn: F) -> F:
    """``login_required`` plus a freshness check with ``SECURITY_FRESHNESS`` and
    ``SECURITY_FRESHNESS_GRACE_PERIOD`` (upstream 5.x protects ``/wan-register``,
    ``/wan-delete``, ``/tf-setup``, ``/mf-recovery-codes`` so): a stale user gets
    :func:`flask_security.answers.handle_reauthentication`.

    :param fn: the view.
    :returns: the decorated view.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refused = stale_authn_response()
        if refused is not None:
            return refused
        return current_app.ensure_sync(fn)(*args, **kwargs)

    return cast(F, login_required(wrapper))


def _identity() -> Any:
    identity = getattr(g, "identity", None)
    if identity is None:
        identity = g.identity = _LazyIdentity()
    return identity


def roles_required(*roles: str | ConfigRoles) -> Callable[[F], F]:
    """The user must have **all** of ``roles`` (Flask-Principal ``RoleNeed``s).

    Anonymous users are sent to log in (``401`` for JSON); logged-in users without
    the roles get :func:`handle_forbidden`.

    :param roles: role names (``str``, documented 3.0 API) and/or
        :class:`ConfigRoles` naming a setting that holds role names, read at each
        request.
    :returns: the decorator.
    """
    fixed = not any(isinstance(r, ConfigRoles) for r in roles)
    perms = [Permission(RoleNeed(role)) for role in roles] if fixed else []

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                g._fsec_login_message = "UNAUTHORIZED"
                return _security.login_manager.unauthorized()
            if fixed:
                needed = perms
            else:
                names = configured_role_names(roles)
                needed = [Permission(RoleNeed(r)) for r in names] if names is not None else None
            identity = _identity()
            if needed is not None and all(p.allows(identity) for p in needed):
                return current_app.ensure_sync(fn)(*args, **kwargs)
            return handle_forbidden()

        return cast(F, wrapper)

    return decorator


def roles_accepted(*roles: str | ConfigRoles) -> Callable[[F], F]:
    """The user must have **at least one** of ``roles``.

    :param roles: role names and/or :class:`ConfigRoles` (see :func:`roles_required`).
    :returns: the decorator.
    """
    fixed = not any(isinstance(r, ConfigRoles) for r in roles)
    perm = Permission(*[RoleNeed(role) for role in roles]) if fixed else None

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                g._fsec_login_message = "UNAUTHORIZED"
                return _security.login_manager.unauthorized()
            needed = perm
            if not fixed:
                names = configured_role_names(roles)
                needed = Permission(*[RoleNeed(r) for r in names]) if names else None
            if needed is not None and needed.allows(_identity()):
                return current_app.ensure_sync(fn)(*args, **kwargs)
            return handle_forbidden()

        return cast(F, wrapper)

    return decorator


def anonymous_user_required(fn: F) -> F:
    """Only for visitors who are not logged in; others go to ``POST_LOGIN_VIEW`` and
    are told why (``ANONYMOUS_REQUIRED`` flashed; JSON: ``400`` with it).

    It guards the views of mailed links that sign in (password reset, passwordless
    link), so following such a link while signed in never switches accounts.

    :param fn: the view.
    :returns: the decorated view.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated:
            if is_json_request():
                return json_refusal(400, "ANONYMOUS_REQUIRED")
            do_flash(*get_message("ANONYMOUS_REQUIRED"))
            return redirect(get_post_login_redirect())
        return current_app.ensure_sync(fn)(*args, **kwargs)

    return cast(F, wrapper)


__all__ = [
    "ConfigRoles",
    "anonymous_user_required",
    "auth_required",
    "auth_token_required",
    "fresh_login_required",
    "handle_forbidden",
    "handle_reauthentication",
    "handle_unauthenticated",
    "http_auth_required",
    "login_required",
    "roles_accepted",
    "roles_required",
]
