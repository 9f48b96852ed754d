"""The answers every view sends (core's and every feature's): the JSON envelope
(documented 3.0 shape ``{"meta": {"code": N}, "response": {...}}`` with HTTP status
``N``, errors as ``{"response": {"errors": {field: [msg]}}}``), the CSRF token for a
JSON ``GET``, the user's payload, the answer to a login's outcome (a further step,
or signed in), the answer to a mailed link that does not work, and keeping this
session signed in after a password change. All importable from
:mod:`flask_security.views`, where plugins import them.
"""

from __future__ import annotations

from typing import Any

import flask_login
from flask import (
    Response,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf

from .utils import do_flash, get_message, get_post_login_redirect, is_json_request


def json_response(payload: dict[str, Any] | None = None, status: int = 200) -> Response:
    """``{"meta": {"code": status}, "response": payload}`` with HTTP ``status``.

    Plugins may add keys to ``payload`` first (hook ``fsec_json_response``).

    :param payload: the ``response`` object (``None``: ``{}``); copied, not changed.
    :param status: the HTTP status, also sent as ``meta.code``.
    :returns: the Flask response.
    """
    payload = dict(payload or {})
    state = current_app.extensions.get("security")
    if state is not None:
        state.plugins.hook.fsec_json_response(
            endpoint=request.endpoint if has_request_context() else None,
            payload=payload,
            status=status,
        )
    response = jsonify({"meta": {"code": status}, "response": payload})
    response.status_code = status
    return response


def json_error(errors: dict[str, list[str]], status: int = 400) -> Response:
    """A JSON error answer: ``{"response": {"errors": errors}}``.

    :param errors: ``{field name: [messages]}`` (``form_errors(form)``; ``"form"`` for
        form-level errors, or a name of your own such as ``"token"``).
    :param status: the HTTP status (``400``).
    :returns: the Flask response.
    """
    return json_response({"errors": errors}, status)


def csrf_json_response(payload: dict[str, Any] | None = None) -> Response:
    """The answer to a JSON ``GET`` of a form page: ``{"csrf_token": ...}`` (plus
    ``payload``) with ``200``.

    A JSON client reads the token here and sends it back with its ``POST`` (field
    ``csrf_token`` or the ``SECURITY_CSRF_HEADER`` header, ``X-CSRFToken`` by
    default), as for every fsec form (Flask-WTF's ``generate_csrf``).

    :param payload: more keys for ``response`` (``user_payload(current_user)``...).
    :returns: the JSON response (see :func:`json_response`).
    """
    return json_response({"csrf_token": generate_csrf(), **(payload or {})})


def user_payload(user: Any, include_token: bool = False) -> dict[str, Any]:
    """``{"user": user.get_security_payload()}``, plus ``authentication_token``.

    :param user: the user.
    :param include_token: add a fresh auth token (``user.get_auth_token()``).
    :returns: ``{"user": {...}}``.
    """
    payload = dict(user.get_security_payload())
    if include_token:
        payload["authentication_token"] = user.get_auth_token()
    return {"user": payload}


def login_step_response(step: Any) -> Any:
    """Tell the client which further login step comes
    (:class:`flask_security.login_steps.LoginStep`): JSON ``200`` with ``step.json``
    and a fresh ``csrf_token``; HTML a redirect to ``step.endpoint``."""
    if is_json_request():
        payload = dict(step.json)
        payload["csrf_token"] = generate_csrf()
        return json_response(payload)
    return redirect(url_for(step.endpoint))


def login_outcome_response(outcome: Any, next_url: str | None = None) -> Any:
    """Answer a :class:`flask_security.login_steps.LoginOutcome`.

    A pending step: :func:`login_step_response`. Logged in: JSON ``200`` with the
    user, an ``authentication_token`` and a ``csrf_token``; HTML a redirect to a safe
    ``next_url`` (else the one kept since the first factor), ``next`` or
    ``SECURITY_POST_LOGIN_VIEW``.

    :raises RuntimeError: nobody is logged in and no step is pending (the caller
        answers a refusal itself).
    """
    if outcome.step is not None:
        return login_step_response(outcome.step)
    if not outcome.logged_in:
        raise RuntimeError("login_outcome_response: the login was refused")
    if is_json_request():
        payload = user_payload(outcome.user, include_token=True)
        payload["csrf_token"] = generate_csrf()
        return json_response(payload)
    return redirect(get_post_login_redirect(next_url or outcome.next_url))


def token_failure(key: str, redirect_to: str, **kwargs: Any) -> Any:
    """The answer to a mailed link (reset, confirmation, login) that does not work.

    JSON clients get ``400`` with ``{"errors": {"token": [message]}}``; browsers get
    the message flashed (``SECURITY_FLASH_MESSAGES``) and a redirect to
    ``redirect_to``.

    :param key: the message key (``"INVALID_RESET_PASSWORD_TOKEN"``...).
    :param redirect_to: the URL browsers go to (the page to ask for a new link).
    :param kwargs: the message's placeholders (``email=...``, ``within=...``).
    :returns: a Flask response.
    """
    text, category = get_message(key, **kwargs)
    if is_json_request():
        return json_error({"token": [text]})
    do_flash(text, category)
    return redirect(redirect_to)


def refresh_session(user: Any) -> None:
    """Re-issue this session's login after ``user``'s password changed.

    Flask-Login's alternative token holds a fingerprint of the password, so every
    other session and remember cookie of the user stops working; this one carries on
    (and its remember cookie is renewed when it had one). Token-only clients get no
    session.

    :param user: the user whose password changed (already committed).
    """
    if "_user_id" not in session:
        return
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    flask_login.login_user(user, remember=remember_cookie in request.cookies, fresh=True)


__all__ = [
    "csrf_json_response",
    "json_error",
    "json_response",
    "login_outcome_response",
    "login_step_response",
    "refresh_session",
    "token_failure",
    "user_payload",
]
