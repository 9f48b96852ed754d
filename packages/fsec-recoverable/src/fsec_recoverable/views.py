"""The two views of password recovery: ``forgot_password`` and ``reset_password``.

Both are for visitors who are not signed in (documented 3.0 behaviour); both answer
JSON requests in the documented shape (see :mod:`flask_security.views`).
"""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask_security import current_datastore, current_security
from flask_security.babel import format_period
from flask_security.decorators import anonymous_user_required
from flask_security.login_steps import begin_login
from flask_security.utils import (
    config_value,
    do_flash,
    get_message,
    get_post_redirect,
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

from .recoverable import (
    reset_password_token_status,
    send_reset_password_instructions,
    update_password,
)


@anonymous_user_required
def forgot_password() -> Any:
    """``/reset`` (``SECURITY_RESET_URL``): ask for a reset link.

    GET renders ``SECURITY_FORGOT_PASSWORD_TEMPLATE`` with ``forgot_password_form``
    (JSON: ``{"csrf_token": ...}``). A valid POST answers the same for every
    well-formed address, whether an active account has it or not; only an active
    account is mailed. HTML: flash PASSWORD_RESET_REQUEST and redirect back here;
    JSON: ``200`` with an empty response. Invalid input: ``400`` with field errors.
    """
    wants_json = is_json_request()
    form = build_form("forgot_password_form")
    if form.validate_on_submit():
        if form.user is not None:
            # token, link, signal and mail after the response (background delivery):
            # a known address must not answer slower than an unknown one
            current_security.after_response(
                send_reset_password_instructions, form.user, kind="reset_instructions"
            )
        if wants_json:
            return json_response({})
        email = (form.email.data or "").strip()
        do_flash(*get_message("PASSWORD_RESET_REQUEST", email=email))
        return redirect(url_for_security("forgot_password"))
    return form_response(
        form, "FORGOT_PASSWORD_TEMPLATE", "forgot_password", forgot_password_form=form
    )


def _token_problem(key: str, **kwargs: Any) -> Any:
    return token_failure(key, url_for_security("forgot_password"), **kwargs)


@anonymous_user_required
def reset_password(token: str) -> Any:
    """``/reset/<token>``: choose a new password with a mailed token.

    A bad or used token: INVALID_RESET_PASSWORD_TOKEN, also when another request
    used the same link between this one's check and its write (the password is
    replaced by an atomic compare-and-set, so a link works exactly once). An expired
    one: a new link is mailed (active accounts only) and PASSWORD_RESET_EXPIRED shown.
    Both redirect to the forgot-password page (JSON: ``400`` with ``errors.token``).

    GET renders ``SECURITY_RESET_PASSWORD_TEMPLATE`` with ``reset_password_form`` and
    ``reset_password_token``. A valid POST saves the password (see
    :func:`~fsec_recoverable.recoverable.update_password`), signs the user in
    (``login_user(user, method="reset")``) and redirects to a safe ``next``,
    ``SECURITY_POST_RESET_VIEW`` or ``SECURITY_POST_LOGIN_VIEW`` (JSON: the user and
    a new ``authentication_token``). When another plugin refuses the login
    (``fsec_login_refusal``, e.g. an unconfirmed address), the password is still
    saved, the refusal is shown and the user is sent to the login page.
    """
    wants_json = is_json_request()
    expired, invalid, user = reset_password_token_status(token)
    if invalid or user is None:
        return _token_problem("INVALID_RESET_PASSWORD_TOKEN")
    if expired:
        send_reset_password_instructions(user)
        return _token_problem(
            "PASSWORD_RESET_EXPIRED",
            email=user.email,
            within=format_period(config_value("RESET_PASSWORD_WITHIN")),
        )
    form = build_form("reset_password_form")
    if form.validate_on_submit():
        if not update_password(user, form.password.data):
            return _token_problem("INVALID_RESET_PASSWORD_TOKEN")  # used meanwhile
        outcome = begin_login(user, method="reset")
        logged_in, refusal = bool(outcome), outcome.refusal
        current_datastore.commit()
        if outcome.step is not None:  # a second factor first (flask_security.login_steps)
            do_flash(*get_message("PASSWORD_RESET"))
            return login_outcome_response(outcome)
        if wants_json:
            return json_response(user_payload(user, include_token=True) if logged_in else {})
        do_flash(*get_message("PASSWORD_RESET"))
        if not logged_in:
            do_flash(*get_message(refusal or "DISABLED_ACCOUNT", email=user.email))
            return redirect(url_for_security("login"))
        return redirect(get_post_redirect("POST_RESET_VIEW"))
    return form_response(
        form,
        "RESET_PASSWORD_TEMPLATE",
        "reset_password",
        reset_password_form=form,
        reset_password_token=token,
    )
