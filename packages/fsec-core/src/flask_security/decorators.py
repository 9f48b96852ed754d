"""View decorators (documented 3.0 API) and the unauthorized / forbidden answers.

Every decorator checks the account through the same rules as login
(``fsec_login_refusal``: active, confirmed...). JSON requests get JSON answers:
``401`` when no credential was accepted, ``403`` when the user lacks a role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, abort, current_app, g, jsonify, redirect, request
from flask_login import login_required as _login_required
from flask_principal import Permission, RoleNeed
from werkzeug.exceptions import Unauthorized

from .identity import _LazyIdentity
from .login_steps import basic_step_refusal
from .state import _security, current_user
from .utils import (
    authenticate_password,
    config_value,
    do_flash,
    get_message,
    get_post_login_redirect,
    get_url,
    has_forbidden_characters,
    is_json_request,
    url_for_security,
)

F = TypeVar("F", bound=Callable[..., Any])

#: ``login_required`` is Flask-Login's: OPTIONS requests pass (CORS preflight), and
#: ``LOGIN_DISABLED`` turns it off.
login_required = _login_required


def _json_status(status: int, key: str) -> Response:
    text = get_message(key)[0]
    response = jsonify({"meta": {"code": status}, "response": {"errors": {"auth": [text]}}})
    response.status_code = status
    return response


def handle_unauthenticated() -> Any:
    """Answer a request that needs a logged-in user: JSON ``401``, else a redirect to
    the login page with ``next`` set to this path (Flask-Login's unauthorized handler).

    The flashed message is ``LOGIN``; ``UNAUTHORIZED`` when a role decorator sent the
    visitor (3.0 flashed that one there).

    :returns: the JSON ``401`` response, or the redirect to the login page.
    :raises werkzeug.exceptions.Unauthorized: no security blueprint is registered
        (nothing to redirect to): answered ``401``.
    """
    if is_json_request():
        return _json_status(401, "LOGIN")
    try:
        login_url = url_for_security("login")
    except Exception:  # no blueprint registered: nothing to redirect to
        abort(401)
    do_flash(*get_message(g.pop("_fsec_login_message", "LOGIN")))
    target = request.path
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(f"{login_url}?{_urlencode({'next': target})}")


def _urlencode(values: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def handle_forbidden() -> Any:
    """Answer an authenticated user without the required role.

    ``@security.unauthorized_handler`` when set; else, for a JSON request, a JSON
    ``403`` (docs/json-api.md); else a redirect to ``SECURITY_UNAUTHORIZED_VIEW``
    (URL, endpoint or callable) when set; else ``403``. Never redirects to the
    Referer (docs/migration.md#unauthorized_view-none-means-403).

    :returns: the response to send (the handler's, a JSON ``403`` or a redirect).
    :raises werkzeug.exceptions.Forbidden: none of those applies: answered ``403``.
    """
    callback = _security._unauthorized_callback
    if callback is not None:
        return callback()
    if is_json_request():
        # A JSON client gets JSON whatever page HTML clients are sent to.
        return _json_status(403, "UNAUTHORIZED")
    view = config_value("UNAUTHORIZED_VIEW")
    if view:
        if callable(view):
            view = view()
        do_flash(*get_message("UNAUTHORIZED"))
        return redirect(get_url(view) or "/")
    # Werkzeug's 403 page, saying the UNAUTHORIZED message (3.0's flash showed it).
    abort(403, description=get_message("UNAUTHORIZED")[0])


def _unauthorized_response(headers: dict[str, str] | None = None) -> Any:
    callback = _security._unauthorized_callback
    if callback is not None:
        return callback()
    if is_json_request():
        response = _json_status(401, "UNAUTHORIZED")
    else:
        # Werkzeug's 401 page (``<h1>Unauthorized</h1>``), as 3.0 answered.
        response = Unauthorized().get_response()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


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
            return _unauthorized_response(_basic_header(realm_name))

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
        return _unauthorized_response()

    return cast(F, wrapper)


_METHODS: dict[str, Callable[[], bool]] = {
    "token": _check_token,
    "basic": check_http_auth,
    "session": lambda: bool(current_user.is_authenticated),
}


def auth_required(*auth_methods: str) -> Callable[[F], F]:
    """Accept any of ``auth_methods`` (``"token"``, ``"basic"``, ``"session"``), tried
    in the given order. Failure: ``401``, with ``WWW-Authenticate`` when ``"basic"``
    is among them.

    :raises ValueError: an unknown method name.

    :param auth_methods: names among ``"token"``, ``"basic"``, ``"session"``.
    :returns: the decorator.
    """
    unknown = [m for m in auth_methods if m not in _METHODS]
    if unknown:
        raise ValueError(f"unknown auth methods {unknown!r}; use token, basic or session")
    methods = auth_methods or ("token", "basic", "session")

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for name in methods:
                if _METHODS[name]():
                    return current_app.ensure_sync(fn)(*args, **kwargs)
            headers = _basic_header(None) if "basic" in methods else None
            return _unauthorized_response(headers)

        return cast(F, wrapper)

    return decorator


def _identity() -> Any:
    identity = getattr(g, "identity", None)
    if identity is None:
        identity = g.identity = _LazyIdentity()
    return identity


_CONFIG_KEY = re.compile(r"[A-Z][A-Z0-9_]*")


class ConfigRoles:
    """Role names read from the application's configuration at request time, for
    :func:`roles_required` and :func:`roles_accepted`.

    ``@roles_required(ConfigRoles("INVITE_ROLES"))`` requires the roles in the
    setting ``INVITE_ROLES`` (``SECURITY_`` + key in ``app.config``) as it is when
    each request arrives, so a
    plugin can protect its view with a role the application chooses (and registers a
    default for with ``fsec_config_defaults``) without wrapping the view. A plain
    string given to the decorators is always a role *name*, never a key, so the two
    cannot be confused: ``roles_required("INVITE_ROLES")`` requires a role called
    ``INVITE_ROLES``. Both may be mixed: ``roles_required("staff",
    ConfigRoles("INVITE_ROLES"))``.

    The setting's value is one role name (``"admin"``) or a list of names
    (``["admin", "hr"]``: ``roles_required`` needs all of them, ``roles_accepted``
    any of them). **Fails closed:** when the key is missing or its value is empty or
    not text, nobody passes (signed-in users get the forbidden answer, visitors are
    sent to log in) and the application logger records an error naming the key.

    :param key: the setting without ``SECURITY_`` (``"INVITE_ROLES"``), upper case
        letters, digits and ``_``, as everywhere in the plugin API.
    :raises ValueError: ``key`` is not of that shape, or starts with ``SECURITY_``.
    """

    def __init__(self, key: str) -> None:
        if not isinstance(key, str) or not _CONFIG_KEY.fullmatch(key):
            raise ValueError(f"ConfigRoles needs a setting name like 'INVITE_ROLES', not {key!r}")
        if key.startswith("SECURITY_"):
            raise ValueError(
                f"give ConfigRoles the key without the SECURITY_ prefix: {key[9:]!r}, not {key!r}"
            )
        self.key = key

    def names(self) -> tuple[str, ...] | None:
        """The role names configured now (needs an application context).

        :returns: a tuple of one or more names, or ``None`` when the setting is
            missing, empty or not made of non-empty strings (then nobody passes).
        """
        value = current_app.config.get("SECURITY_" + self.key)
        names = (value,) if isinstance(value, str) else value
        if (
            not isinstance(names, list | tuple)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            current_app.logger.error(
                "fsec: SECURITY_%s must be a role name or a list of role names (got %r); "
                "nobody passes the views it protects",
                self.key,
                value,
            )
            return None
        return tuple(names)

    def __repr__(self) -> str:
        return f"ConfigRoles({self.key!r})"


def _role_names(roles: tuple[Any, ...]) -> list[Any] | None:
    """The roles of a decorator with every :class:`ConfigRoles` read now, or ``None``
    when one of them is misconfigured (the decorator then lets nobody in)."""
    names: list[Any] = []
    for role in roles:
        if isinstance(role, ConfigRoles):
            configured = role.names()
            if configured is None:
                return None
            names.extend(configured)
        else:
            names.append(role)
    return names


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
                names = _role_names(roles)
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
                names = _role_names(roles)
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
                return _json_status(400, "ANONYMOUS_REQUIRED")
            do_flash(*get_message("ANONYMOUS_REQUIRED"))
            return redirect(get_post_login_redirect())
        return current_app.ensure_sync(fn)(*args, **kwargs)

    return cast(F, wrapper)


__all__ = [
    "ConfigRoles",
    "anonymous_user_required",
    "auth_required",
    "auth_token_required",
    "handle_forbidden",
    "handle_unauthenticated",
    "http_auth_required",
    "login_required",
    "roles_accepted",
    "roles_required",
]
