"""Views: ``send_confirmation`` (``/confirm``) and ``confirm_email`` (``/confirm/<token>``).

Both answer JSON to JSON requests (``{"meta": {"code": N}, "response": {...}}``).
"""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask_security import current_datastore
from flask_security.babel import format_period
from flask_security.login_steps import login_user_from_link
from flask_security.utils import (
    config_value,
    do_flash,
    get_message,
    get_post_redirect,
    get_url,
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

from .confirmable import check_confirmation_token, confirm_user, send_confirmation_instructions


def send_confirmation() -> Any:
    """``/confirm`` (``SECURITY_CONFIRM_URL``), endpoint ``send_confirmation``.

    ``GET``: the page ``SECURITY_SEND_CONFIRMATION_TEMPLATE`` with
    ``send_confirmation_form`` (JSON: ``{"csrf_token": ...}``). ``POST`` (form or
    JSON, field ``email``): new confirmation instructions are mailed when an active
    account whose address is not confirmed yet has that address.

    The answer is the same for every well-formed address, unknown, confirmed,
    disabled or waiting for confirmation (as ``/reset`` answers): HTML renders the
    page again with ``200`` and the flashed ``CONFIRMATION_REQUEST`` (documented 3.0
    answer); JSON answers ``200`` with an empty response (no user: this endpoint is
    anonymous). Invalid input (no address, a malformed one, another field of an
    overriding form): ``400`` with field errors.
    """
    form = build_form("send_confirmation_form")
    if form.validate_on_submit():
        user = form.user
        if (
            user is not None
            and getattr(user, "confirmed_at", None) is None
            and getattr(user, "is_active", False)
        ):
            send_confirmation_instructions(user)
        if is_json_request():
            return json_response({})
        do_flash(*get_message("CONFIRMATION_REQUEST", email=(form.email.data or "").strip()))
    # HTML shows the page again also after an accepted request (the flashed notice).
    return form_response(
        form, "SEND_CONFIRMATION_TEMPLATE", "send_confirmation", send_confirmation_form=form
    )


def _failure(key: str, wants_json: bool, **kwargs: Any) -> Any:
    target = get_url(config_value("CONFIRM_ERROR_VIEW")) or url_for_security("send_confirmation")
    return token_failure(key, target, **kwargs)


def _already_confirmed(wants_json: bool) -> Any:
    return token_failure("ALREADY_CONFIRMED", get_post_redirect("POST_CONFIRM_VIEW"))


def confirm_email(token: str) -> Any:
    """``/confirm/<token>``, endpoint ``confirm_email``: confirm and log in.

    * valid token of an unconfirmed user: ``confirmed_at`` is set and committed,
      ``user_confirmed`` is sent, the user is logged in
      (``login_user_from_link(user, method="confirm")``: not when another account is
      signed in here, which stays signed in and is told so with
      ``SIGNED_IN_AS_ANOTHER_USER``), ``EMAIL_CONFIRMED`` is flashed and the
      browser goes to a safe ``next`` or ``SECURITY_POST_CONFIRM_VIEW`` (``None``:
      ``SECURITY_POST_LOGIN_VIEW``); JSON: ``200`` with the user and an auth token
      (when the login was allowed);
    * the user is confirmed already (the link was used, also by a request at the same
      instant: the confirmation is an atomic compare-and-set): ``ALREADY_CONFIRMED``,
      **nobody is logged in**, redirect to ``SECURITY_POST_CONFIRM_VIEW``; JSON ``400``;
    * the account is deactivated: ``DISABLED_ACCOUNT``, ``confirmed_at`` stays unset
      and nothing is mailed;
    * expired token of an unconfirmed, active user: new instructions are mailed and
      ``CONFIRMATION_EXPIRED`` is shown;
    * anything else (tampered, unknown user, address changed since):
      ``INVALID_CONFIRMATION_TOKEN``.

    Failures redirect to ``SECURITY_CONFIRM_ERROR_VIEW`` (``None``: the
    ``send_confirmation`` page); JSON failures are ``400`` with
    ``{"errors": {"token": [message]}}``.
    """
    wants_json = is_json_request()
    check = check_confirmation_token(token)
    user = check.user
    if check.invalid or user is None:
        return _failure("INVALID_CONFIRMATION_TOKEN", wants_json)
    if getattr(user, "confirmed_at", None) is not None:
        return _already_confirmed(wants_json)
    if not getattr(user, "is_active", False):
        # A deactivated account stays unconfirmed: confirming is an account change
        # like any other, refused to inactive accounts (issue 10 section 5).
        return _failure("DISABLED_ACCOUNT", wants_json)
    if check.expired:
        send_confirmation_instructions(user)
        return _failure(
            "CONFIRMATION_EXPIRED",
            wants_json,
            email=user.email,
            within=format_period(config_value("CONFIRM_EMAIL_WITHIN")),
        )
    if not confirm_user(user):  # another request used the link at the same instant
        return _already_confirmed(wants_json)
    outcome = login_user_from_link(user, method="confirm")
    logged_in = bool(outcome)
    current_datastore.commit()
    if outcome.step is not None:  # a second factor first (flask_security.login_steps)
        do_flash(*get_message("EMAIL_CONFIRMED"))
        return login_outcome_response(outcome)
    if wants_json:
        return json_response(user_payload(user, include_token=logged_in))
    do_flash(*get_message("EMAIL_CONFIRMED"))
    return redirect(get_post_redirect("POST_CONFIRM_VIEW"))


__all__ = ["confirm_email", "send_confirmation"]
