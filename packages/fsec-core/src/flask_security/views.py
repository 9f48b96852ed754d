"""Core views (login, logout, change password) and the helpers every feature's views use.

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
    Response,
    abort,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template_string,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.security import safe_join

from ._lazy import lazy_getattr
from .changeable import change_user_password
from .forms import focus_first_error, formdata_from_mapping
from .forms import form_errors as form_errors
from .freshness import mark_authn_fresh
from .login_steps import begin_login, cancel_pending_login
from .state import _datastore, _security, current_user
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


class InvalidJSONBody(Exception):
    """A JSON body that is not an object or holds values that are not strings.

    Answered with ``400`` and ``{"errors": {field: [message]}}`` by the blueprint's
    error handler.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


# --------------------------------------------------------------------------------------
# Helpers for feature views
# --------------------------------------------------------------------------------------


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


def request_json() -> Any:
    """The request's JSON body, parsed once (Werkzeug caches it), or ``None`` when it is
    not JSON at all.

    Unlike ``request.get_json(silent=True)``, a body nested too deeply for the parser
    (``[[[[...]]]]``: Python's decoder raises ``RecursionError``) also gives ``None``
    instead of a ``500``; so do bodies that are not valid JSON or not UTF-8.

    :returns: the parsed body (any JSON value), or ``None``.
    """
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _json_formdata() -> MultiDict[str, str]:
    data = request_json()
    if not isinstance(data, dict):
        raise InvalidJSONBody({"json": [get_message("INVALID_JSON")[0]]})
    formdata, errors = formdata_from_mapping(data)
    if errors:
        raise InvalidJSONBody(errors)
    if "csrf_token" not in formdata:
        header = request.headers.get(config_value("CSRF_HEADER") or "X-CSRFToken")
        if header:
            formdata["csrf_token"] = header
    return formdata


def build_form(name_or_class: str | type, **kwargs: Any) -> Any:
    """Instantiate a security form from the request (form post or JSON body).

    :param name_or_class: a registered form name (``"login_form"``, resolved with the
        app's overrides) or a form class.
    :raises InvalidJSONBody: the JSON body is not an object of strings (answered 400).

    :param kwargs: more keyword arguments for the form's constructor.
    :returns: the form, bound to the request's data (call ``validate_on_submit()``).
    """
    cls = _security.form_class(name_or_class) if isinstance(name_or_class, str) else name_or_class
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        return cls(formdata=_json_formdata(), **kwargs)
    return cls(**kwargs)


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


def view_links(view: str) -> list[tuple[str, str]]:
    """Links contributed by plugins for the page ``view`` (``fsec_view_links``).

    :param view: the page name (``"login"``, ``"register"``, a plugin's own).
    :returns: ``[(label, url), ...]`` in plugin order.
    """
    results = _security.plugins.hook.fsec_view_links(view=view, state=_security)
    return [link for result in results if result for link in result]


def render_page(template_key: str, view: str, status: int = 200, **context: Any) -> Any:
    """Render the security page configured by ``SECURITY_<template_key>``.

    The context holds ``security``, ``view_links`` (from plugins), every
    ``@security.context_processor`` / ``@security.<view>_context_processor`` value and
    ``context`` (e.g. ``login_user_form=form``). In every form of ``context`` the
    first refused visible field gets ``autofocus``
    (:func:`flask_security.forms.focus_first_error`).

    :param template_key: the config key (without ``SECURITY_``) naming the template,
        so that applications can replace it (``"LOGIN_USER_TEMPLATE"``; a plugin
        registers its own, ``"ACCEPT_INVITE_TEMPLATE"``).
    :param view: the view name selecting the ``<view>_context_processor`` functions
        and the ``fsec_view_links`` links (``"login"``, ``"accept_invite"``).
    :param status: the HTTP status of the page.
    :param context: template variables (``login_user_form=form``...).
    :returns: ``(html, status)``, a Flask view return value.
    """
    ctx = _security._run_context_processors(view)
    ctx.update(context)
    for value in context.values():
        focus_first_error(value)  # the first refused field gets autofocus
    ctx.setdefault("security", _security)
    ctx.setdefault("view_links", view_links(view))
    return _security.render_template(config_value(template_key), **ctx), status


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


def form_failure_status() -> int:
    """The HTTP status of an HTML page showing a form: always ``200``, also when a
    submitted form failed validation and is shown again with its errors (3.0 did so;
    browsers and apps' tests expect it). JSON answers keep ``400`` (:func:`json_error`).

    :returns: ``200``.
    """
    return 200


def form_response(
    form: Any,
    template_key: str,
    view: str,
    *,
    csrf_payload: dict[str, Any] | None = None,
    **context: Any,
) -> Any:
    """The common end of a form view: the answer when the form was not accepted, and
    the HTML page that shows the form.

    * JSON ``GET``: ``200`` with ``{"csrf_token": ..., **csrf_payload}``
      (:func:`csrf_json_response`);
    * JSON ``POST`` (any other method): ``400`` with
      ``{"errors": {field: [message]}}`` from ``form`` (:func:`json_error`,
      :func:`form_errors`);
    * HTML: the page ``SECURITY_<template_key>`` with ``context``, status
      :func:`form_failure_status` (``200``; :func:`render_page`).

    A view handles an accepted form first (its JSON answer, its redirect) and ends
    with this call; a view whose HTML answer after success is the same page again
    (with a flashed message or new data in ``context``) ends with it as well, since
    an accepted JSON request has been answered before. This is the documented 3.0
    shape of every form endpoint (``{"meta": {"code": N}, "response": {...}}``).

    :param form: the form built by :func:`build_form`, validated (or not submitted).
    :param template_key: the config key naming the template, without ``SECURITY_``
        (``"LOGIN_USER_TEMPLATE"``, ``"INVITE_USER_TEMPLATE"``).
    :param view: the view name for context processors and plugin links (``"login"``).
    :param csrf_payload: more keys for a JSON ``GET``'s ``response`` (``None``: only
        ``csrf_token``), e.g. ``user_payload(current_user)``.
    :param context: the template variables, the form among them under the name its
        template reads (``login_user_form=form``).
    :returns: a Flask view return value (a response, or ``(html, status)``).
    """
    if is_json_request():
        if request.method == "GET":
            return csrf_json_response(csrf_payload)
        return json_error(form_errors(form))
    return render_page(template_key, view, form_failure_status(), **context)


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


def handle_invalid_json(exc: InvalidJSONBody) -> Response:
    """Blueprint error handler for :class:`InvalidJSONBody`: ``400`` with field errors."""
    return json_error(exc.errors)


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
