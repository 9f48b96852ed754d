"""Core views (login, logout, change password, verify, plugins' static files), and the
helpers every feature's views use, importable from here: the answers
(:mod:`flask_security.responses`) and the form side of a view
(:mod:`flask_security.form_pages`).

JSON API (documented 3.0 shape): a request with a JSON body (or ``Accept:
application/json``) gets ``{"meta": {"code": N}, "response": {...}}`` with HTTP status
``N``. Errors: ``{"meta": {"code": 400}, "response": {"errors": {field: [msg]}}}``.
CSRF: JSON clients read ``response.csrf_token`` from ``GET /login`` (JSON) and send it
back as ``csrf_token`` in the body or the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import os
from typing import Any

import flask_login
from flask import (
    abort,
    current_app,
    redirect,
    render_template_string,
    request,
    send_from_directory,
)
from flask_wtf.csrf import generate_csrf
from werkzeug.security import safe_join

from ._lazy import lazy_getattr
from .changeable import change_user_password
from .form_pages import InvalidJSONBody as InvalidJSONBody
from .form_pages import build_form as build_form
from .form_pages import form_failure_status as form_failure_status
from .form_pages import form_response as form_response
from .form_pages import handle_invalid_json as handle_invalid_json
from .form_pages import render_page as render_page
from .form_pages import request_json as request_json
from .form_pages import view_links as view_links
from .forms import form_errors as form_errors
from .freshness import mark_authn_fresh
from .login_steps import begin_login, cancel_pending_login
from .responses import csrf_json_response as csrf_json_response
from .responses import json_error as json_error
from .responses import json_response as json_response
from .responses import login_outcome_response as login_outcome_response
from .responses import login_step_response as login_step_response
from .responses import refresh_session as refresh_session
from .responses import token_failure as token_failure
from .responses import user_payload as user_payload
from .state import _datastore, current_user
from .utils import (
    config_value,
    do_flash,
    get_message,
    get_post_login_redirect,
    get_post_logout_redirect,
    get_post_redirect,
    is_json_request,
    logout_user,
    safe_redirect_target,
)

# --------------------------------------------------------------------------------------
# Core views
# --------------------------------------------------------------------------------------


def login() -> Any:
    """``/login``: the login form (GET), log in (POST, form or JSON).

    JSON ``GET`` answers ``{"csrf_token": ...}`` (and ``user`` when logged in); JSON
    ``POST`` success answers ``{"user": {"id": ..., "authentication_token": ...}}``.
    The login goes through :func:`flask_security.login_steps.begin_login`: when a
    plugin requires a further factor, nobody is logged in yet and the answer is the
    step's (HTML: a redirect to its page; JSON: ``200`` with its fields).
    """
    wants_json = is_json_request()
    if request.method == "GET" and current_user.is_authenticated and not wants_json:
        return redirect(get_post_login_redirect())
    form = build_form("login_form")
    if form.validate_on_submit():
        # A JSON client that does not send "remember" gets SECURITY_DEFAULT_REMEMBER_ME;
        # an HTML form always sends its checkbox state (absent = unchecked).
        remember = form.remember.data
        if wants_json and "remember" not in (request_json() or {}):
            remember = None
        outcome = begin_login(
            form.user,
            method="form",
            remember=remember,
            next_url=form.next.data,
            # the form asked fsec_login_refusal before the password counted
            refusal_checked=bool(getattr(form, "refusal_checked", False)),
        )
        if outcome.step is not None:  # a further factor first (flask_security.login_steps)
            _datastore.commit()
            return login_outcome_response(outcome)
        # The JSON payload is built before the commit, which expires the user: read
        # after it, the user would be loaded again (a second SELECT per login).
        payload = user_payload(form.user, include_token=True) if wants_json else None
        _datastore.commit()
        if payload is not None:
            payload["csrf_token"] = generate_csrf()
            return json_response(payload)
        return redirect(get_post_login_redirect(form.next.data))
    return form_response(
        form,
        "LOGIN_USER_TEMPLATE",
        "login",
        csrf_payload=user_payload(current_user) if current_user.is_authenticated else None,
        login_user_form=form,
    )


def _logout_csrf_ok() -> bool:
    """Whether a POST to ``/logout`` carries a valid CSRF token (Flask-WTF), from the
    form field ``csrf_token``, the JSON body or the ``SECURITY_CSRF_HEADER`` header.
    Always ``True`` when ``WTF_CSRF_ENABLED`` is off."""
    from flask_wtf.csrf import ValidationError, validate_csrf

    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    body = request.get_json(silent=True) if request.is_json else None
    token = (
        request.form.get(field)
        or (body.get(field) if isinstance(body, dict) else None)
        or request.headers.get(config_value("CSRF_HEADER") or "X-CSRFToken")
    )
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def logout() -> Any:
    """``/logout`` (methods ``SECURITY_LOGOUT_METHODS``, GET and POST by default):
    log out, then a safe ``next`` or ``SECURITY_POST_LOGOUT_VIEW``. A login pending
    on a further factor (:mod:`flask_security.login_steps`) is forgotten too.

    A POST by a signed-in user must carry the CSRF token (field ``csrf_token``, JSON
    ``csrf_token`` or the ``X-CSRFToken`` header; not when ``WTF_CSRF_ENABLED`` is
    off): without it the answer is ``400`` (``LOGOUT_CSRF``) and the user stays
    signed in. The default templates log out this way
    (``render_logout_form`` in ``security/_macros.html``). GET stays allowed by
    default for 3.0 applications; ``SECURITY_LOGOUT_METHODS = ["POST"]`` turns it off
    (then a link or image on another site cannot sign the user out).
    """
    if current_user.is_authenticated:
        if request.method == "POST" and not _logout_csrf_ok():
            text = get_message("LOGOUT_CSRF")[0]
            if is_json_request():
                return json_error({"csrf_token": [text]})
            return render_template_string(_LOGOUT_REFUSED_PAGE, message=text), 400
        logout_user()
    cancel_pending_login()
    if is_json_request():
        return json_response({})
    return redirect(get_post_logout_redirect())


# A refused sign-out (stale or missing CSRF token) is a page in the security layout
# with a fresh sign-out button, not bare text: a tab opened before the latest sign-in
# holds an old token, and its user must be able to try again from here. ("Log out" is
# extracted from security/_macros.html.)
_LOGOUT_REFUSED_PAGE = """{% extends "security/base.html" %}
{% from "security/_macros.html" import render_logout_form %}
{% block title %}{{ _fsdomain("Log out") }}{% endblock %}
{% block content %}<h1>{{ _fsdomain("Log out") }}</h1>
<p class="fsec-errors" role="alert">{{ message }}</p>
{{ render_logout_form() }}{% endblock %}"""


@flask_login.login_required
def change_password() -> Any:
    """``/change`` (``SECURITY_CHANGEABLE``): change the current user's password.

    Success: the new hash is committed, ``fsec_password_changed(reason="change")``
    and the ``password_changed`` signal fire, the notice mail is sent
    (``SECURITY_SEND_PASSWORD_CHANGE_EMAIL``), every other session, remember cookie
    and auth token of the user stops working; this session continues.
    """
    wants_json = is_json_request()
    form = build_form("change_password_form")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        change_user_password(user, form.new_password.data)
        refresh_session(user)
        if wants_json:
            return json_response(user_payload(user, include_token=True))
        do_flash(*get_message("PASSWORD_CHANGE"))
        return redirect(get_post_redirect("POST_CHANGE_VIEW"))
    return form_response(
        form, "CHANGE_PASSWORD_TEMPLATE", "change_password", change_password_form=form
    )


@flask_login.login_required
def verify() -> Any:
    """``/verify`` (``SECURITY_VERIFY_URL``, upstream 5.x; not registered when
    ``SECURITY_FRESHNESS`` is negative): the signed-in user re-enters the password
    to make the session fresh again (:mod:`flask_security.freshness`).

    Success: the session's authentication time is now; JSON gets ``200`` with the
    user, a new ``authentication_token`` (fresh too) and a ``csrf_token``; HTML gets
    ``REAUTHENTICATION_SUCCESSFUL`` flashed and a redirect to a safe ``next``, else
    ``SECURITY_POST_VERIFY_URL``, else ``SECURITY_POST_LOGIN_VIEW``. A wrong
    password or a refused account (:class:`flask_security.forms.VerifyForm`): JSON
    ``400`` with the field error, HTML the page again.
    """
    wants_json = is_json_request()
    form = build_form("verify_form")
    if form.validate_on_submit():
        mark_authn_fresh()
        payload = user_payload(form.user, include_token=True) if wants_json else None
        _datastore.commit()
        if payload is not None:
            payload["csrf_token"] = generate_csrf()
            return json_response(payload)
        do_flash(*get_message("REAUTHENTICATION_SUCCESSFUL"))
        target = safe_redirect_target(form.next.data)
        return redirect(target or get_post_redirect("POST_VERIFY_URL"))
    return form_response(form, "VERIFY_TEMPLATE", "verify", verify_form=form)


def static_file(filename: str, folders: tuple[str, ...] = ()) -> Any:
    """``SECURITY_STATIC_FOLDER_URL/<filename>`` (upstream 5.x: ``/fs-static``): a
    static file of an enabled plugin (hook ``fsec_static_folders``), from the first
    folder holding it; ``404`` otherwise, and for a name leaving the folder
    (Werkzeug's ``safe_join``). Cached by browsers for 5 minutes.

    :param filename: the path below the folder (``"webauthn.js"``).
    :param folders: the folders contributed through ``fsec_static_folders``, in plugin
        order (bound when the view is registered).
    :returns: the file's response.
    :raises werkzeug.exceptions.NotFound: no folder holds such a file.
    """
    for folder in folders:
        path = safe_join(folder, filename)
        if path is not None and os.path.isfile(path):
            return send_from_directory(folder, filename, max_age=300)
    abort(404)


#: The helpers a plugin's views may use (this module's views are fsec's own).
__all__ = [
    "InvalidJSONBody",
    "build_form",
    "csrf_json_response",
    "form_errors",
    "form_failure_status",
    "form_response",
    "json_error",
    "json_response",
    "refresh_session",
    "render_page",
    "request_json",
    "user_payload",
    "view_links",
]


def __getattr__(name: str) -> Any:
    # 3.0's feature views (register, forgot_password...), from their distributions.

    return lazy_getattr(__name__, name)
