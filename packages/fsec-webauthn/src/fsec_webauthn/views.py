"""The WebAuthn views: ``wan_register`` (+ ``wan_register_response``), ``wan_signin``
(+ ``wan_signin_response``), ``wan_delete``, ``wan_verify`` (+ ``wan_verify_response``)
and the script the pages load.

The views answer requests; the work (ceremonies, py_webauthn, the datastore) is done
by the domain modules :mod:`fsec_webauthn.webauthn` (registering, deleting) and
:mod:`fsec_webauthn.assertion` (signing in, confirming it is you).

JSON requests get upstream Flask-Security 5.x's documented fields
(``credential_options``, a JSON object as 5.9.2 sends it, ``wan_state``,
``registered_credentials``, ``is_secondary``, ``remember``); errors are ``400``
with field errors. HTML forms that the page's script submits by itself (the step-2
forms) flash their error and redirect back to step 1, as upstream documents.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import redirect, request, send_from_directory
from flask_login import login_required
from flask_security import current_user
from flask_security.babel import format_period
from flask_security.decorators import anonymous_user_required, fresh_login_required
from flask_security.utils import (
    config_value,
    do_flash,
    get_message,
    get_post_login_redirect,
    get_post_redirect,
    get_url,
    is_json_request,
    safe_redirect_target,
    url_for_security,
)
from flask_security.views import (
    build_form,
    form_errors,
    form_response,
    json_error,
    json_response,
    login_outcome_response,
    request_json,
    user_payload,
)
from flask_wtf.csrf import generate_csrf

from .assertion import (
    begin_signin,
    begin_verify,
    finish_signin,
    finish_verify,
    pending_second_factor,
    verify_credentials,
)
from .forms import allowed_usages
from .webauthn import (
    begin_registration,
    delete_credential,
    finish_registration,
    registered_credentials,
    registration_state,
    seconds,
)

_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def _period(key: str) -> str:
    """``SECURITY_<key>`` (a ``timedelta`` or seconds) worded for ``%(within)s``, in
    the request's language (:func:`flask_security.babel.format_period`)."""
    value = config_value(key)
    count = int(seconds(key))
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        if count > 0 and count % size == 0:
            value = f"{count // size} {unit}"
            break
    return format_period(value)


def _step2_problem(key: str, endpoint: str, field: str = "credential", **kwargs: Any) -> Any:
    text, category = get_message(key, **kwargs)
    if is_json_request():
        return json_error({field: [text]})
    do_flash(text, category)
    return redirect(url_for_security(endpoint))


def _post_register_url() -> str:
    target = config_value("WAN_POST_REGISTER_VIEW")
    if target in (".wan-register", ".wan_register", None, ""):
        return url_for_security("wan_register")
    return get_url(target) or url_for_security("wan_register")


# --------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------


@fresh_login_required
def wan_register() -> Any:
    """``/wan-register`` (``SECURITY_WAN_REGISTER_URL``): list the signed-in user's
    passkeys (GET) and start registering one (POST ``name``, ``usage``).

    POST answers ``credential_options`` (the options for
    ``navigator.credentials.create``, a JSON object as upstream 5.9.2 sends them) and
    ``wan_state`` (the token for step 2); the HTML page hands them to the page's
    script, which calls the browser and posts the answer to
    ``/wan-register/<wan_state>``. Bad input: ``400`` with field errors
    (JSON), the page with errors (HTML).
    """
    user = current_user._get_current_object()
    form = build_form("wan_register_form")
    options_json = state = None
    if form.validate_on_submit():
        options_json, state = begin_registration(user, form.name.data, form.usage.data)
        if is_json_request():
            return json_response(
                {"credential_options": json.loads(options_json), "wan_state": state}
            )
    # HTML shows the page again after an accepted request too (the options for the
    # page's script); an accepted JSON request has been answered above.
    credentials = registered_credentials(user)
    return form_response(
        form,
        "WAN_REGISTER_TEMPLATE",
        "wan_register",
        csrf_payload={"registered_credentials": credentials},
        wan_register_form=form,
        wan_register_response_form=build_form("wan_register_response_form"),
        wan_delete_form=build_form("wan_delete_form"),
        registered_credentials=credentials,
        allowed_usages=allowed_usages(),
        credential_options=options_json,
        wan_state=state,
    )


@fresh_login_required
def wan_register_response(token: str) -> Any:
    """``/wan-register/<token>``: finish a registration with the browser's answer
    (``credential``, JSON).

    Refused: a token not started in this session, used, or older than
    ``SECURITY_WAN_REGISTER_WITHIN`` (WEBAUTHN_EXPIRED); a token of another user;
    an answer py_webauthn does not verify against the challenge, the trusted origin
    and RP ID (and user verification when required) (WEBAUTHN_CREDENTIAL_INVALID);
    a credential id already stored (WEBAUTHN_CREDENTIAL_ID_INUSE); a name taken
    meanwhile (:func:`fsec_webauthn.webauthn.finish_registration`). Success: the
    passkey is stored, ``wan_registered(app, user, name)`` is sent; JSON: the user;
    HTML: WEBAUTHN_REGISTER_SUCCESSFUL and ``SECURITY_WAN_POST_REGISTER_VIEW``.
    """
    user = current_user._get_current_object()
    form = build_form("wan_register_response_form")
    key, data = registration_state(token, user)
    if key == "WEBAUTHN_EXPIRED" or data is None:
        within = _period("WAN_REGISTER_WITHIN")
        return _step2_problem("WEBAUTHN_EXPIRED", "wan_register", within=within)
    if key is not None:
        return _step2_problem(key, "wan_register")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_register")
    name = str(data["name"])
    key = finish_registration(user, data, form.credential.data)
    if key == "WEBAUTHN_NAME_INUSE":
        return _step2_problem(key, "wan_register", name=name)
    if key is not None:
        return _step2_problem(key, "wan_register")
    if is_json_request():
        return json_response(user_payload(user))
    do_flash(*get_message("WEBAUTHN_REGISTER_SUCCESSFUL", name=name))
    return redirect(_post_register_url())


@fresh_login_required
def wan_delete() -> Any:
    """``/wan-delete`` (``SECURITY_WAN_DELETE_URL``): remove the signed-in user's
    passkey ``name``.

    Success: ``wan_deleted(app, user, name)``; JSON ``200`` with an empty response;
    HTML: WEBAUTHN_CREDENTIAL_DELETED and back to ``/wan-register``. Unknown name:
    ``400`` (JSON) or the message flashed. GET: back to ``/wan-register``.
    """
    if request.method == "GET":
        if is_json_request():
            return json_response({})
        return redirect(url_for_security("wan_register"))
    form = build_form("wan_delete_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        for errors in form_errors(form).values():
            for text in errors:
                do_flash(text, "error")
        return redirect(url_for_security("wan_register"))
    name = form.name.data
    delete_credential(current_user._get_current_object(), form.credential, name)
    if is_json_request():
        return json_response({})
    do_flash(*get_message("WEBAUTHN_CREDENTIAL_DELETED", name=name))
    return redirect(url_for_security("wan_register"))


# --------------------------------------------------------------------------------------
# Sign-in
# --------------------------------------------------------------------------------------


def _remember_value(form_value: Any) -> bool | None:
    body = request_json() if request.is_json else None
    if isinstance(body, dict) and "remember" not in body:
        return None
    return bool(form_value)


@anonymous_user_required
def wan_signin() -> Any:
    """``/wan-signin`` (``SECURITY_WAN_SIGNIN_URL``): start signing in with a passkey.

    POST ``identity`` (optional) and ``remember``. With
    ``SECURITY_WAN_ALLOW_USER_HINTS`` and a known identity, the options list that
    user's first-factor passkeys (``allowCredentials``); otherwise they list none and
    the browser offers the discoverable passkeys it holds for this site (usernameless
    sign-in). An unknown identity gets the usernameless options: the answer does not
    tell whether the account exists (:func:`fsec_webauthn.assertion.begin_signin`).
    JSON: ``credential_options``, ``wan_state``, ``is_secondary`` (false), ``remember``.
    """
    pending = pending_second_factor()
    if pending is None and not config_value("WAN_ALLOW_AS_FIRST_FACTOR"):
        return _step2_problem("WEBAUTHN_CREDENTIAL_WRONG_USAGE", "login", field="identity")
    form = build_form("wan_signin_form")
    options_json = state = None
    if form.validate_on_submit():
        remember = _remember_value(form.remember.data)
        options_json, state = begin_signin(pending, form.identity.data or "", remember)
        if is_json_request():
            return json_response(
                {
                    "credential_options": json.loads(options_json),
                    "wan_state": state,
                    "is_secondary": pending is not None,
                    "remember": bool(remember),
                }
            )
    # HTML shows the page again after an accepted request too (see wan_register).
    return form_response(
        form,
        "WAN_SIGNIN_TEMPLATE",
        "wan_signin",
        wan_signin_form=form,
        wan_signin_response_form=build_form("wan_signin_response_form"),
        credential_options=options_json,
        wan_state=state,
        allow_user_hints=bool(config_value("WAN_ALLOW_USER_HINTS")) and pending is None,
        is_secondary=pending is not None,
    )


def wan_signin_response(token: str) -> Any:
    """``/wan-signin/<token>``: finish signing in with the browser's assertion
    (``credential``, JSON; ``remember``).

    See :func:`fsec_webauthn.assertion.finish_signin` for every check and how the
    login seam is gone through (first factor, second factor of a pending login,
    a multi-factor passkey). When a plugin requires a further step the client is
    told the step (JSON ``tf_required``...; HTML a redirect), as after a password.

    Logged in: JSON the user with an ``authentication_token``; HTML a safe ``next`` or
    ``SECURITY_POST_LOGIN_VIEW``. A refusal: ``400`` with ``errors.credential`` (JSON),
    flashed and back to ``/wan-signin`` (HTML).
    """
    if current_user.is_authenticated:
        if is_json_request():
            return json_response(user_payload(current_user))
        return redirect(get_post_login_redirect())
    form = build_form("wan_signin_response_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_signin")
    remember = _remember_value(form.remember.data)
    key, user, outcome = finish_signin(token, form.credential.data, remember, form.next.data)
    if key is not None or outcome is None:
        within = _period("WAN_SIGNIN_WITHIN")
        return _step2_problem(key or "WEBAUTHN_EXPIRED", "wan_signin", within=within)
    if outcome.step is None and not outcome.logged_in:
        refusal = outcome.refusal or "DISABLED_ACCOUNT"
        return _step2_problem(refusal, "wan_signin", email=getattr(user, "email", ""))
    if outcome.logged_in and not is_json_request():
        do_flash(*get_message("WEBAUTHN_LOGIN_SUCCESSFUL"))
    return login_outcome_response(outcome, form.next.data or None)


# --------------------------------------------------------------------------------------
# Confirming it is you (freshness)
# --------------------------------------------------------------------------------------


@login_required
def wan_verify() -> Any:
    """``/wan-verify`` (``SECURITY_WAN_VERIFY_URL``): start confirming it is you with
    a passkey, to make a session fresh again (upstream 5.x).

    POST answers ``credential_options`` (a JSON object listing only the signed-in
    user's passkeys allowed by ``SECURITY_WAN_ALLOW_AS_VERIFY``) and ``wan_state``;
    the page script then posts the assertion to ``/wan-verify/<wan_state>``. A user
    without such a passkey gets ``400`` (``WEBAUTHN_NO_VERIFY``).
    """
    wants_json = is_json_request()
    user = current_user._get_current_object()
    form = build_form("wan_verify_form")
    response_form = build_form("wan_signin_response_form")
    options_json = state = None
    if form.validate_on_submit():
        allow = verify_credentials(user)
        if not allow:
            text = get_message("WEBAUTHN_NO_VERIFY")[0]
            if wants_json:
                return json_error({"credential": [text]})
            form.form_errors.append(text)
        else:
            options_json, state = begin_verify(user, allow)
            if wants_json:
                return json_response(
                    {"credential_options": json.loads(options_json), "wan_state": state}
                )
            response_form.next.data = form.next.data
    return form_response(
        form,
        "WAN_VERIFY_TEMPLATE",
        "wan_verify",
        wan_verify_form=form,
        wan_signin_response_form=response_form,
        credential_options=options_json,
        wan_state=state,
    )


@login_required
def wan_verify_response(token: str) -> Any:
    """``/wan-verify/<token>``: finish confirming it is you with the browser's
    assertion (``credential``, JSON; ``next``).

    Every check of :func:`fsec_webauthn.assertion.finish_verify` (the ceremony token
    is this session's, of purpose ``"wan-verify"``, unused and recent; signature,
    origin, RP ID, sign counter; the passkey must be the **signed-in user's**, of a
    usage ``SECURITY_WAN_ALLOW_AS_VERIFY`` allows, and the account allowed to
    authenticate). Then the session is fresh again: JSON ``200`` with the user
    and a new ``authentication_token``; HTML ``REAUTHENTICATION_SUCCESSFUL`` and a
    redirect to a safe ``next``, else ``SECURITY_POST_VERIFY_URL``. A refusal:
    ``400`` with ``errors.credential`` (JSON), flashed and back to ``/wan-verify``.
    """
    user = current_user._get_current_object()
    form = build_form("wan_signin_response_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_verify")
    key = finish_verify(token, user, form.credential.data)
    if key is not None:
        return _step2_problem(key, "wan_verify", within=_period("WAN_SIGNIN_WITHIN"))
    if is_json_request():
        payload = user_payload(user, include_token=True)
        payload["csrf_token"] = generate_csrf()
        return json_response(payload)
    do_flash(*get_message("REAUTHENTICATION_SUCCESSFUL"))
    target = safe_redirect_target(form.next.data)
    return redirect(target or get_post_redirect("POST_VERIFY_URL"))


def webauthn_js() -> Any:
    """The page script (``static/webauthn.js``), served by the plugin: no build step,
    no third-party host."""
    return send_from_directory(_STATIC, "webauthn.js", mimetype="text/javascript", max_age=300)
