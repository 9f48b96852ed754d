"""The passwordless views: ``login`` (send a link) and ``token_login`` (use it).

JSON requests get the documented shape (see :mod:`flask_security.views`).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from flask_security import current_datastore, current_security, current_user
from flask_security.babel import format_period
from flask_security.decorators import anonymous_user_required
from flask_security.login_steps import begin_login
from flask_security.utils import (
    config_value,
    consume_login_state,
    do_flash,
    get_message,
    get_post_login_redirect,
    is_json_request,
    url_for_security,
)
from flask_security.views import (
    build_form,
    form_response,
    json_response,
    login_outcome_response,
    token_failure,
    user_payload,
)

from .passwordless import login_token_status, send_login_instructions


def send_login() -> Any:
    """``/login`` (``SECURITY_LOGIN_URL``) when passwordless is on: ask for a link.

    GET renders ``SECURITY_SEND_LOGIN_TEMPLATE`` with ``send_login_form`` (a signed-in
    user is redirected to ``POST_LOGIN_VIEW``; JSON: ``{"csrf_token": ...}`` plus the
    user when signed in). A valid POST answers the same for every well-formed
    address; only an active account is mailed. HTML: flash LOGIN_EMAIL_SENT and
    redirect back here; JSON: ``200`` with an empty response. Invalid input:
    ``400`` with field errors.
    """
    wants_json = is_json_request()
    if request.method == "GET" and current_user.is_authenticated and not wants_json:
        return redirect(get_post_login_redirect())
    form = build_form("passwordless_login_form")
    if form.validate_on_submit():
        if form.user is not None:
            # token, link, signal and mail after the response (background delivery):
            # a known address must not answer slower than an unknown one
            current_security.after_response(
                send_login_instructions, form.user, kind="login_instructions"
            )
        if wants_json:
            return json_response({})
        email = (form.email.data or "").strip()
        do_flash(*get_message("LOGIN_EMAIL_SENT", email=email))
        return redirect(url_for_security("login"))
    return form_response(
        form,
        "SEND_LOGIN_TEMPLATE",
        "send_login",
        csrf_payload=user_payload(current_user) if current_user.is_authenticated else None,
        send_login_form=form,
    )


def _token_problem(key: str, **kwargs: Any) -> Any:
    return token_failure(key, url_for_security("login"), **kwargs)


@anonymous_user_required
def token_login(token: str) -> Any:
    """``/login/<token>``: sign in with a mailed link.

    A bad or used token: INVALID_LOGIN_TOKEN, also when another request used the
    same link at the same instant (the login is recorded by an atomic
    compare-and-set on the login state, :func:`flask_security.utils.consume_login_state`,
    so a link logs in exactly once). An expired one: a new link is mailed
    (active accounts only) and LOGIN_EXPIRED shown. Both redirect to the login page
    (JSON: ``400`` with ``errors.token``). A refusal by ``fsec_login_refusal`` (e.g.
    an unconfirmed address) is shown the same way and leaves the link unused.
    Success: ``login_user(user, method="passwordless")``, the datastore is committed,
    PASSWORDLESS_LOGIN_SUCCESSFUL is flashed and the user goes to a safe ``next`` or
    ``SECURITY_POST_LOGIN_VIEW`` (JSON: the user and an ``authentication_token``).
    """
    expired, invalid, user = login_token_status(token)
    if invalid or user is None:
        return _token_problem("INVALID_LOGIN_TOKEN")
    if expired:
        send_login_instructions(user)
        return _token_problem(
            "LOGIN_EXPIRED", email=user.email, within=format_period(config_value("LOGIN_WITHIN"))
        )

    def use_link() -> str | None:
        # Once the login is allowed (a refused user's link stays unused): record it
        # atomically, so that of two requests at the same instant one logs in.
        if consume_login_state(user, {"password": user.password}):
            return None
        return "INVALID_LOGIN_TOKEN"

    outcome = begin_login(user, method="passwordless", claim=use_link)
    if outcome.step is not None:
        current_datastore.commit()  # a second factor first (flask_security.login_steps)
        return login_outcome_response(outcome)
    if not outcome:
        return _token_problem(outcome.refusal or "DISABLED_ACCOUNT", email=user.email)
    current_datastore.commit()
    if is_json_request():
        return json_response(user_payload(user, include_token=True))
    do_flash(*get_message("PASSWORDLESS_LOGIN_SUCCESSFUL"))
    return redirect(get_post_login_redirect())
