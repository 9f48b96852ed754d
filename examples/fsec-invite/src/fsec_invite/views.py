"""The plugin's two views: ``invite`` (administrators) and ``accept_invite`` (the link).

Both answer HTML forms and JSON alike with fsec's view helpers
(:mod:`flask_security.views`), so they behave like fsec's own views: ``400`` with
field errors for bad input, the CSRF token for a JSON ``GET``, pages rendered with
the context processors of their view name.
"""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask_security import ConfigRoles, current_datastore, roles_required
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
    json_error,
    json_response,
    login_outcome_response,
    user_payload,
)

from .invite import accept_invitation, check_invite_token, invite_user


# --8<-- [start:invite_view]
@roles_required(ConfigRoles("INVITE_ROLES"))
def invite() -> Any:
    """``/invite``: a signed-in user with the roles in ``SECURITY_INVITE_ROLES``
    invites an address (the same rules as ``flask users invite``).

    GET: the page ``SECURITY_INVITE_USER_TEMPLATE`` with ``invite_form`` (JSON:
    ``{"csrf_token": ...}``). A valid POST creates the account and mails the link;
    HTML: ``INVITE_SENT`` flashed and back to this page; JSON: ``200`` with
    ``{"user": {"id": ...}}``. Bad input: ``400`` with field errors (JSON) or the
    page with the errors.
    """
    form = build_form("invite_form")
    if form.validate_on_submit():
        user = invite_user(form.email.data)
        if is_json_request():
            return json_response(user_payload(user))
        do_flash(*get_message("INVITE_SENT", email=form.email.data))
        return redirect(url_for_security("invite"))
    return form_response(form, "INVITE_USER_TEMPLATE", "invite", invite_form=form)


# --8<-- [end:invite_view]


# --8<-- [start:accept_view]
def _link_problem(key: str, **kwargs: Any) -> Any:
    text, category = get_message(key, **kwargs)
    if is_json_request():
        return json_error({"token": [text]})
    do_flash(text, category)
    return redirect(url_for_security("login"))


@anonymous_user_required
def accept_invite(token: str) -> Any:
    """``/invite/<token>``: the invitee chooses a password and is signed in.

    A bad, used or expired link: ``INVITE_INVALID`` / ``INVITE_EXPIRED``, flashed on
    the way to the login page (JSON: ``400`` with ``errors.token``), also when
    another request used the same link between this one's check and its write.
    GET: the page ``SECURITY_ACCEPT_INVITE_TEMPLATE`` with ``accept_invite_form``
    and ``invite_token``. A valid POST sets the password once
    (:func:`~fsec_invite.invite.accept_invitation`), then signs the invitee in as
    every first factor does, through
    :func:`flask_security.login_steps.begin_login` (``method="invite"``), and
    redirects to ``SECURITY_INVITE_POST_ACCEPT_VIEW`` or ``SECURITY_POST_LOGIN_VIEW``
    (JSON: the user and an ``authentication_token``). When a plugin asks for another
    step first (fsec-two-factor: the invitee's code, or setting a second factor up
    when ``SECURITY_TWO_FACTOR_REQUIRED``), nobody is signed in yet: the answer is
    the step's (:func:`flask_security.views.login_outcome_response`: HTML a redirect
    to the step's page, JSON ``200`` with its fields such as ``tf_required``), and
    the step's view completes the login. When a plugin refuses the login
    (``fsec_login_refusal``), the password stays set, the refusal is flashed and the
    invitee is sent to the login page (JSON: ``200`` without a user).

    The link is used up by setting the password, before the sign-in and whatever
    its outcome (no ``claim=``, as for a password reset): choosing the password is
    what the link is for, and the invitee with a refused or pending login signs in
    later with it.
    """
    expired, invalid, user = check_invite_token(token)
    if invalid or user is None:
        return _link_problem("INVITE_INVALID")
    if expired:
        return _link_problem("INVITE_EXPIRED", within=format_period(config_value("INVITE_WITHIN")))
    form = build_form("accept_invite_form")
    if form.validate_on_submit():
        if not accept_invitation(user, form.password.data):
            return _link_problem("INVITE_INVALID")  # used by another request meanwhile
        outcome = begin_login(user, method="invite")
        current_datastore.commit()
        if outcome.step is not None:  # a second factor first (flask_security.login_steps)
            do_flash(*get_message("INVITE_ACCEPTED"))
            return login_outcome_response(outcome)
        if is_json_request():
            return json_response(user_payload(user, include_token=True) if outcome else {})
        do_flash(*get_message("INVITE_ACCEPTED"))
        if not outcome:  # another plugin refuses the account (fsec_login_refusal)
            do_flash(*get_message(outcome.refusal or "DISABLED_ACCOUNT", email=user.email))
            return redirect(url_for_security("login"))
        return redirect(get_post_redirect("INVITE_POST_ACCEPT_VIEW"))
    return form_response(
        form,
        "ACCEPT_INVITE_TEMPLATE",
        "accept_invite",
        accept_invite_form=form,
        invite_token=token,
    )


# --8<-- [end:accept_view]
