"""The ``register`` view: form or JSON in, the answers of a registration out. The
registration itself (creating the user, the hook, the signal, the mails) is in
:mod:`fsec_registerable.registerable`, whose names this module re-exports.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from flask_security import current_datastore
from flask_security.datastore import UserExistsError
from flask_security.decorators import anonymous_user_required
from flask_security.login_steps import begin_login
from flask_security.utils import (
    config_value,
    get_message,
    get_post_redirect,
    is_json_request,
)
from flask_security.views import (
    build_form,
    form_response,
    json_response,
    login_outcome_response,
    user_payload,
)

from .registerable import notify_existing_account as notify_existing_account
from .registerable import register_form_name as register_form_name
from .registerable import register_user as register_user
from .registerable import register_user_data as register_user_data


def _refuse_duplicate(form: Any) -> None:
    message = get_message("EMAIL_ALREADY_ASSOCIATED", email=form.email.data)[0]
    form.email.errors = [*form.email.errors, message]


def _generic_existing_account(form: Any) -> Any | None:
    """With ``SECURITY_RETURN_GENERIC_RESPONSES``: drop the "already associated"
    error from a failed registration, and return the existing account when that was
    the only problem (``None`` otherwise: other errors are answered as usual)."""
    duplicate = get_message("EMAIL_ALREADY_ASSOCIATED", email=form.email.data)[0]
    if duplicate not in form.email.errors:
        return None
    form.email.errors = [e for e in form.email.errors if e != duplicate]
    if any(field.errors for field in form) or getattr(form, "form_errors", None):
        return None
    user = getattr(form, "existing_email_user", None)
    if user is None:  # the race: the database refused the row after validation
        user = current_datastore.find_user_by_identity(form.email.data or "", ["email"])
    return user


def _registered(user: Any | None, logged_in: bool) -> Any:
    """The answer to a registration that worked (or, generically, seemed to)."""
    if is_json_request():
        if user is None or (config_value("RETURN_GENERIC_RESPONSES") and not logged_in):
            return json_response({})
        return json_response(user_payload(user, include_token=logged_in))
    return redirect(get_post_redirect("POST_REGISTER_VIEW"))


@anonymous_user_required
def register() -> Any:
    """``/register`` (``SECURITY_REGISTER_URL``), endpoint ``register``.

    ``GET``: the page ``SECURITY_REGISTER_USER_TEMPLATE`` with ``register_user_form``
    (JSON: ``{"csrf_token": ...}``). ``POST`` (form or JSON): register.

    Success: HTML redirects to a safe ``next`` or ``SECURITY_POST_REGISTER_VIEW``
    (``None``: ``SECURITY_POST_LOGIN_VIEW``); JSON answers ``200`` with
    ``{"user": {...}}``, plus ``authentication_token`` when the user was logged in.
    Failure: JSON ``400`` with field errors; HTML shows the form again (``200``, as
    3.0), never a ``500``.
    Logged-in users are sent to ``SECURITY_POST_LOGIN_VIEW`` (JSON: ``400``).

    With ``SECURITY_RETURN_GENERIC_RESPONSES``, an address that has an account is
    answered exactly like a successful registration that signed nobody in (HTML: the
    same redirect and flash; JSON: ``200`` with an empty response, which is also the
    JSON answer to a new registration that signed nobody in) and its owner gets the
    ``welcome_existing`` mail instead (:func:`notify_existing_account`). Other errors
    (a short password...) are still reported, without the "already associated" one.
    """
    form = build_form(register_form_name())
    if form.validate_on_submit():
        try:
            user, _extra = register_user(form)
        except UserExistsError:
            # Lost a race with a concurrent registration: the database's unique
            # constraint refused the row; answer like the validator would have.
            _refuse_duplicate(form)
        else:
            outcome = begin_login(user, method="register")
            if outcome.step is not None:  # a second factor first (flask_security.login_steps)
                current_datastore.commit()
                return login_outcome_response(outcome)
            logged_in = bool(outcome)
            if logged_in:
                # Only a login changed anything (login tracking). A refused login
                # (confirmation pending) commits nothing: another commit would expire
                # the user object that user_registered receivers kept (3.0 did not).
                current_datastore.commit()
            return _registered(user, logged_in)
    if request.method == "POST" and config_value("RETURN_GENERIC_RESPONSES"):
        existing = _generic_existing_account(form)
        if existing is not None:
            notify_existing_account(form, existing)
            return _registered(None, False)
    return form_response(form, "REGISTER_USER_TEMPLATE", "register", register_user_form=form)


__all__ = [
    "notify_existing_account",
    "register",
    "register_form_name",
    "register_user",
    "register_user_data",
]
