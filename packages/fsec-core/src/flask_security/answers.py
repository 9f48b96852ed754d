"""The answers to a refused request: not signed in (``401`` / redirect to log in),
lacking a role (``403`` / ``SECURITY_UNAUTHORIZED_VIEW``), wrong credentials
(``401``), not fresh enough (``401`` with ``reauth_required`` / redirect to verify).

The decorators (:mod:`flask_security.decorators`) and feature views answer through
these, so every refusal has one shape. JSON requests get JSON answers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, g, jsonify, redirect, request
from werkzeug.exceptions import Unauthorized

from .freshness import as_timedelta, check_and_update_authn_fresh
from .state import _security
from .utils import (
    config_value,
    do_flash,
    get_message,
    get_url,
    is_json_request,
    url_for_security,
)


def json_refusal(status: int, key: str, **extra: Any) -> Response:
    """A JSON refusal: ``{"meta": {"code": status}, "response": {"errors": {"auth":
    [message]}, **extra}}`` with HTTP ``status``.

    :param status: the HTTP status (``401``, ``403``, ``400``).
    :param key: the message key (``"LOGIN"``, ``"UNAUTHORIZED"``...).
    :param extra: more keys of ``response`` (``reauth_required=True``).
    :returns: the response.
    """
    text = get_message(key)[0]
    payload = {"errors": {"auth": [text]}, **extra}
    response = jsonify({"meta": {"code": status}, "response": payload})
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
        return json_refusal(401, "LOGIN")
    try:
        login_url = url_for_security("login")
    except Exception:  # no blueprint registered: nothing to redirect to
        abort(401)
    do_flash(*get_message(g.pop("_fsec_login_message", "LOGIN")))
    return redirect(f"{login_url}?{urlencode({'next': _here()})}")


def _here() -> str:
    """This request's path and query, the ``next`` of a redirect to log in or verify."""
    target = request.path
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return target


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
        return json_refusal(403, "UNAUTHORIZED")
    view = config_value("UNAUTHORIZED_VIEW")
    if view:
        if callable(view):
            view = view()
        do_flash(*get_message("UNAUTHORIZED"))
        return redirect(get_url(view) or "/")
    # Werkzeug's 403 page, saying the UNAUTHORIZED message (3.0's flash showed it).
    abort(403, description=get_message("UNAUTHORIZED")[0])


def credentials_refused(headers: dict[str, str] | None = None) -> Any:
    """Wrong or missing credentials for a token / Basic / ``auth_required`` view:
    ``@security.unauthorized_handler`` when set, else JSON ``401`` or Werkzeug's
    ``401`` page (as 3.0).

    :param headers: headers to add (``WWW-Authenticate`` for Basic).
    :returns: the response.
    """
    callback = _security._unauthorized_callback
    if callback is not None:
        return callback()
    if is_json_request():
        response = json_refusal(401, "UNAUTHORIZED")
    else:
        # Werkzeug's 401 page (``<h1>Unauthorized</h1>``), as 3.0 answered.
        response = Unauthorized().get_response()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_reauthentication(within: Any, grace: Any) -> Any:
    """Answer a signed-in user whose authentication is not fresh enough
    (``auth_required(within=...)``, upstream 5.x's default reauthentication handler).

    ``@security.reauthn_handler`` when set (``fn(within, grace)`` with both as
    ``timedelta``); else a JSON ``401`` with ``reauth_required: true`` and the
    ``REAUTHENTICATION_REQUIRED`` message under ``errors.auth``; else the message
    flashed and a redirect to ``SECURITY_VERIFY_URL`` with ``next`` set to this path.

    :param within: the freshness required (:data:`flask_security.freshness.Duration`).
    :param grace: the grace period (``None``: ``SECURITY_FRESHNESS_GRACE_PERIOD``).
    :returns: the response.
    :raises werkzeug.exceptions.Unauthorized: no verify endpoint is registered
        (no blueprint): answered ``401``.
    """
    callback = getattr(_security, "_reauthn_callback", None)
    if callback is not None:
        grace = config_value("FRESHNESS_GRACE_PERIOD") if grace is None else grace
        return callback(as_timedelta(within), as_timedelta(grace))
    if is_json_request():
        return json_refusal(401, "REAUTHENTICATION_REQUIRED", reauth_required=True)
    try:
        verify_url = url_for_security("verify")
    except Exception:  # no blueprint (or freshness off): nothing to redirect to
        abort(401)
    do_flash(*get_message("REAUTHENTICATION_REQUIRED"))
    return redirect(f"{verify_url}?{urlencode({'next': _here()})}")


def stale_authn_response() -> Any | None:
    """For the views fsec protects with freshness (``/wan-register``,
    ``/tf-setup``...): the :func:`handle_reauthentication` answer when the signed-in
    user's last authentication is older than ``SECURITY_FRESHNESS`` (grace period
    ``SECURITY_FRESHNESS_GRACE_PERIOD``), else ``None``.

    :returns: the response refusing the request, or ``None`` to go on.
    """
    within = config_value("FRESHNESS")
    grace = config_value("FRESHNESS_GRACE_PERIOD")
    if within is None or check_and_update_authn_fresh(within, grace):
        return None
    return handle_reauthentication(within, grace)


__all__ = [
    "credentials_refused",
    "handle_forbidden",
    "handle_reauthentication",
    "handle_unauthenticated",
    "json_refusal",
    "stale_authn_response",
]
