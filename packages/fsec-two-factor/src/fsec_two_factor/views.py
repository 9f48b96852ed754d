"""Two-factor views, with upstream Flask-Security 5.x's endpoints, URLs and JSON.

* ``two_factor_setup`` (``/tf-setup``): GET the current setup and the methods; POST
  ``setup`` (and ``phone``) to propose one (or ``"disable"``). Reached by a signed-in
  user, or by a pending login whose user must set two-factor up first
  (``SECURITY_TWO_FACTOR_REQUIRED``, ``tf_state == "setup_from_login"``).
* ``two_factor_setup_validate`` (``/tf-setup/<token>``): POST ``code`` to confirm and
  store a proposed setup; during a pending login this also completes the login.
* ``two_factor_token_validation`` (``/tf-validate``): POST ``code`` during a pending
  login.
* ``two_factor_rescue`` (``/tf-rescue``): POST ``help_setup`` during a pending login.
* ``mf_recovery_codes`` (``/mf-recovery-codes``): signed-in users generate codes.
* ``mf_recovery`` (``/mf-recovery``): POST ``code`` (a recovery code) during a
  pending login.

JSON errors are ``400`` with ``{"errors": {field: [message]}}``; a pending login that
expired answers ``400`` with ``errors.code`` = ``PENDING_LOGIN_EXPIRED`` (HTML: a
redirect to ``SECURITY_TWO_FACTOR_ERROR_VIEW``, the login page).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from flask_security import current_user
from flask_security.answers import stale_authn_response
from flask_security.login_steps import complete_login_step, fail_login_step, pending_login
from flask_security.utils import (
    config_value,
    do_flash,
    get_message,
    get_url,
    is_json_request,
)
from flask_security.views import (
    build_form,
    csrf_json_response,
    form_errors,
    form_failure_status,
    form_response,
    json_error,
    json_response,
    login_outcome_response,
    render_page,
    user_payload,
)

from . import twofactor
from .signals import tf_code_confirmed


def _redirect_config(key: str) -> Any:
    value = config_value(key)
    if isinstance(value, str) and value.startswith("."):
        value = f"{config_value('BLUEPRINT_NAME')}{value}"
    return redirect(get_url(value) or "/")


def _expired(field: str = "code") -> Any:
    """The answer when no (valid) login is pending."""
    text, category = get_message("PENDING_LOGIN_EXPIRED")
    if is_json_request():
        return json_error({field: [text]})
    do_flash(text, category)
    return _redirect_config("TWO_FACTOR_ERROR_VIEW")


def _setup_user() -> tuple[Any, bool] | None:
    """``(user, during_login)`` allowed to use ``/tf-setup``: the signed-in user, or
    the user of a login pending on the setup step."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    pending = pending_login()
    if pending is not None and pending.step == twofactor.SETUP_STEP:
        return pending.user, True
    return None


def _login_done(message_key: str) -> Any:
    outcome = complete_login_step()
    if not outcome.logged_in and outcome.step is None:
        return _expired()
    if outcome.logged_in and not is_json_request():
        do_flash(*get_message(message_key))
    return login_outcome_response(outcome)


def two_factor_setup() -> Any:
    """``/tf-setup`` (see the module documentation)."""
    found = _setup_user()
    if found is None:
        return _expired("setup")
    user, during_login = found
    if not during_login and (refused := stale_authn_response()) is not None:
        return refused  # freshness (upstream 5.x): a recent authentication first
    wants_json = is_json_request()
    form = build_form("two_factor_setup_form")
    if form.validate_on_submit():
        method = form.setup.data
        if method == "disable":
            twofactor.disable(user)
            if wants_json:
                return json_response({})
            do_flash(*get_message("TWO_FACTOR_DISABLED"))
            return _redirect_config("TWO_FACTOR_POST_SETUP_VIEW")
        phone = twofactor.normalize_phone(form.phone.data) if method == "sms" else None
        payload = twofactor.begin_setup(user, method, phone)
        if wants_json:
            return csrf_json_response(payload)
        return _setup_page(user, during_login, form, payload)
    method = twofactor.user_method(user)
    return form_response(
        form,
        "TWO_FACTOR_SETUP_TEMPLATE",
        "two_factor_setup",
        csrf_payload={
            "tf_required": twofactor.tf_required_for(user),
            "tf_primary_method": method,
            "tf_method": method,
            "tf_available_methods": twofactor.available_methods(with_disable=True),
            "tf_phone_number": getattr(user, twofactor.SMS_FIELD, None),
        },
        **_setup_context(user, during_login, form, None),
    )


def _setup_page(
    user: Any,
    during_login: bool,
    form: Any,
    proposal: dict[str, Any] | None,
    verify_form: Any = None,
) -> Any:
    context = _setup_context(user, during_login, form, proposal, verify_form)
    return render_page(
        "TWO_FACTOR_SETUP_TEMPLATE", "two_factor_setup", form_failure_status(), **context
    )


def _setup_context(
    user: Any,
    during_login: bool,
    form: Any,
    proposal: dict[str, Any] | None,
    verify_form: Any = None,
) -> dict[str, Any]:
    """The setup page's template variables (with a QR code for a TOTP proposal)."""
    qrcode = None
    if proposal and proposal.get("tf_authr_uri"):
        from .totp import qrcode_svg

        qrcode = qrcode_svg(proposal["tf_authr_uri"])
    current = twofactor.user_method(user)
    return dict(
        two_factor_setup_form=form,
        two_factor_verify_code_form=verify_form
        or (build_form("two_factor_verify_code_form") if proposal else None),
        # "turn it off" only when it is on
        choices=twofactor.available_methods(with_disable=not during_login and bool(current)),
        current_method=current,
        proposal=proposal,
        qrcode_svg=qrcode,
        during_login=during_login,
    )


def two_factor_setup_validate(token: str) -> Any:
    """``/tf-setup/<token>``: confirm a proposed setup with its code."""
    found = _setup_user()
    if found is None:
        return _expired()
    user, during_login = found
    if not during_login and (refused := stale_authn_response()) is not None:
        return refused
    wants_json = is_json_request()
    proposal = twofactor.load_setup_token(token, user)
    if proposal is None:
        text, category = get_message("TWO_FACTOR_SETUP_EXPIRED")
        if wants_json:
            return json_error({"code": [text]})
        do_flash(text, category)
        return _redirect_config(
            "TWO_FACTOR_POST_SETUP_VIEW" if not during_login else "TWO_FACTOR_ERROR_VIEW"
        )
    form = build_form("two_factor_verify_code_form")
    if form.validate_on_submit():
        method, stored_value, phone = proposal
        if twofactor.finish_setup(user, method, stored_value, phone, form.code.data):
            if during_login:
                return _login_done("TWO_FACTOR_CHANGE_METHOD_SUCCESSFUL")
            if wants_json:
                payload = {"tf_method": method, "tf_primary_method": method}
                payload.update(user_payload(user))
                return json_response(payload)
            do_flash(*get_message("TWO_FACTOR_CHANGE_METHOD_SUCCESSFUL"))
            return _redirect_config("TWO_FACTOR_POST_SETUP_VIEW")
        if during_login and not fail_login_step("invalid_code"):
            return _expired()
        form.code.errors.append(get_message("TWO_FACTOR_INVALID_TOKEN")[0])
    # Not form_response: the HTML answer is the setup page rebuilt around the
    # proposal (its QR code), work a JSON answer must not pay for.
    if wants_json:
        if request.method == "GET":
            return csrf_json_response()
        return json_error(form_errors(form))
    # HTML: the setup page again, with the same proposal (QR code) and the error.
    method, stored_value, _phone = proposal
    payload = twofactor.proposal_payload(user, token, method, stored_value)
    return _setup_page(user, during_login, build_form("two_factor_setup_form"), payload, form)


def two_factor_token_validation() -> Any:
    """``/tf-validate``: the code of the pending login's user."""
    pending = pending_login()
    if pending is None or pending.step != twofactor.VALIDATE_STEP:
        return _expired()
    user = pending.user
    method = twofactor.user_method(user)
    form = build_form("two_factor_verify_code_form")
    if form.validate_on_submit():
        from . import totp

        # A rescue mail adds the email code to what is accepted (tf_rescue).
        kinds = [method] if method else []
        if pending.data.get("rescue_email") and "email" not in kinds:
            kinds.append("email")
        used = next((k for k in kinds if totp.verify_and_use(user, k, form.code.data)), None)
        if used is not None:
            tf_code_confirmed.send(_app(), user=user, method=used)
            return _login_done("TWO_FACTOR_LOGIN_SUCCESSFUL")
        going_on = fail_login_step("invalid_code")
        if not going_on:
            return _expired()
        spent = "authenticator" in kinds and totp.already_used(user, form.code.data)
        key = "TWO_FACTOR_CODE_ALREADY_USED" if spent else "TWO_FACTOR_INVALID_TOKEN"
        form.code.errors.append(get_message(key)[0])
    return form_response(
        form,
        "TWO_FACTOR_VERIFY_CODE_TEMPLATE",
        "two_factor_token_validation",
        csrf_payload={
            "tf_method": method,
            "tf_primary_method": method,
            "recovery_options": twofactor.rescue_options(),
        },
        two_factor_verify_code_form=form,
        two_factor_rescue_form=build_form("two_factor_rescue_form"),
        rescue_options=twofactor.rescue_options(),
        method=method,
    )


def two_factor_rescue() -> Any:
    """``/tf-rescue``: ``help_setup`` = ``email`` (mail a code; then ``/tf-validate``
    accepts it), ``help`` (mail ``SECURITY_TWO_FACTOR_RESCUE_MAIL``) or
    ``recovery_code`` (go to ``/mf-recovery``)."""
    pending = pending_login()
    if pending is None or pending.step != twofactor.VALIDATE_STEP:
        return _expired("help_setup")
    user = pending.user
    wants_json = is_json_request()
    form = build_form("two_factor_rescue_form")
    if form.validate_on_submit():
        choice = form.help_setup.data
        if choice == "recovery_code":
            if wants_json:
                return json_response({})
            from flask_security.utils import url_for_security

            return redirect(url_for_security("mf_recovery"))
        if choice == "email":
            from flask_security.login_steps import update_pending_login

            update_pending_login({"rescue_email": True})
            twofactor.send_code(user, "email", user.tf_totp_secret)
            message = get_message("TWO_FACTOR_CODE_SENT")
        else:
            from flask import current_app
            from flask_security import current_security

            current_security.send_mail_kind(
                "two_factor_rescue",
                str(config_value("TWO_FACTOR_RESCUE_MAIL")),
                user=user,
                app_name=current_app.name,
            )
            message = get_message("TWO_FACTOR_RESCUE_SENT")
        if wants_json:
            return json_response({})
        do_flash(*message)
        from flask_security.utils import url_for_security

        return redirect(url_for_security("two_factor_token_validation"))
    return form_response(
        form,
        "TWO_FACTOR_VERIFY_CODE_TEMPLATE",
        "two_factor_token_validation",
        csrf_payload={"recovery_options": twofactor.rescue_options()},
        two_factor_verify_code_form=build_form("two_factor_verify_code_form"),
        two_factor_rescue_form=form,
        rescue_options=twofactor.rescue_options(),
        method=twofactor.user_method(user),
    )


def mf_recovery_codes() -> Any:
    """``/mf-recovery-codes`` (signed-in users): POST generates a new set that
    replaces the old one and is shown once (JSON ``recovery_codes``). Codes are
    stored hashed, so GET never shows them again (5.x's ``show_codes`` is not
    supported)."""
    if not current_user.is_authenticated:
        from flask_security.decorators import handle_unauthenticated

        return handle_unauthenticated()
    if (refused := stale_authn_response()) is not None:
        return refused  # freshness (upstream 5.x)
    user = current_user._get_current_object()
    wants_json = is_json_request()
    form = build_form("mf_recovery_codes_form")
    codes = None
    if form.validate_on_submit():
        if twofactor.user_method(user) is None:
            text = get_message("TWO_FACTOR_NOT_SET_UP")[0]
            if wants_json:
                return json_error({"recovery_codes": [text]})
            form.form_errors.append(text)
        else:
            codes = twofactor.generate_recovery_codes(user)
            if codes is None:
                text = get_message("TWO_FACTOR_NOT_SET_UP")[0]
                if wants_json:
                    return json_error({"recovery_codes": [text]})
                form.form_errors.append(text)
            elif wants_json:
                return json_response({"recovery_codes": codes})
            else:
                do_flash(*get_message("RECOVERY_CODES_GENERATED"))
    return form_response(
        form,
        "MULTI_FACTOR_RECOVERY_CODES_TEMPLATE",
        "mf_recovery_codes",
        mf_recovery_codes_form=form,
        recovery_codes=codes,
        has_codes=bool(getattr(user, twofactor.RECOVERY_FIELD, None)),
    )


def mf_recovery() -> Any:
    """``/mf-recovery``: a recovery code completes the pending login."""
    pending = pending_login()
    if pending is None or pending.step != twofactor.VALIDATE_STEP:
        return _expired()
    form = build_form("mf_recovery_form")
    if form.validate_on_submit():
        if twofactor.use_recovery_code(pending.user, form.code.data):
            tf_code_confirmed.send(_app(), user=pending.user, method="recovery_code")
            return _login_done("TWO_FACTOR_LOGIN_SUCCESSFUL")
        if not fail_login_step("invalid_recovery_code"):
            return _expired()
        form.code.errors.append(get_message("INVALID_RECOVERY_CODE")[0])
    return form_response(
        form, "MULTI_FACTOR_RECOVERY_TEMPLATE", "mf_recovery", mf_recovery_form=form
    )


def _app() -> Any:
    from flask import current_app

    return current_app._get_current_object()
