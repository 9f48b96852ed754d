"""The registration itself: :func:`register_user` and what a registration does
(the ``register`` view in :mod:`fsec_registerable.views` answers around it).

Flow of a valid registration (documented Flask-Security 3.0 behaviour, made safe):

1. the user is created with a hashed password and committed; a duplicate address
   (ignoring case) is refused before, and a concurrent duplicate is refused by the
   datastore (``UserExistsError``, backed by the database's unique index): both are
   answered ``400`` with ``EMAIL_ALREADY_ASSOCIATED`` on the ``email`` field;
2. ``fsec_user_registered(user, data)`` runs; the mappings it returns (confirmable
   returns ``confirm_token`` and ``confirmation_link``) are merged into the
   ``user_registered`` signal's arguments and the ``welcome`` mail's context;
3. ``user_registered(app, user=..., confirm_token=..., **extra)`` is sent;
4. the ``welcome`` mail is sent (``SECURITY_SEND_REGISTER_EMAIL``);
5. the user is logged in (``login_user(user, method="register")``) unless a plugin
   refuses (e.g. confirmation pending); JSON clients get an auth token only then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, request
from flask_security import current_datastore, current_security
from flask_security.signals import user_not_registered, user_registered
from flask_security.utils import (
    config_value,
    do_flash,
    external_url_for_security,
    get_message,
    hash_password,
    is_json_request,
)
from werkzeug.routing import BuildError

#: Form fields never handed to ``fsec_user_registered`` (secrets and form plumbing).
_PRIVATE_FIELDS = frozenset({"password", "password_confirm", "csrf_token", "submit", "next"})


def register_form_name() -> str:
    """The registered form name the view uses for this request.

    ``"confirm_register_form"`` when ``SECURITY_CONFIRMABLE`` is on or the request
    carries a JSON body, else ``"register_form"`` (documented 3.0 behaviour). Either
    can be replaced with ``Security(register_form=...)`` /
    ``Security(confirm_register_form=...)`` or ``SECURITY_REGISTER_FORM`` /
    ``SECURITY_CONFIRM_REGISTER_FORM``.
    """
    if config_value("CONFIRMABLE") or request.is_json:
        return "confirm_register_form"
    return "register_form"


def register_user(form: Any) -> tuple[Any, dict[str, Any]]:
    """Create and commit the user described by a validated registration form.

    Every form field that is an attribute of the user model reaches
    ``datastore.create_user`` (extended register forms); ``password`` is hashed with
    :func:`flask_security.utils.hash_password` first. Then ``fsec_user_registered``,
    the ``user_registered`` signal and the ``welcome`` mail follow (see the module
    docstring). Does not log the user in.

    :param form: a validated :class:`~fsec_registerable.forms.ConfirmRegisterForm`
        (or subclass).
    :returns: ``(user, extra)``: the new user and the merged mappings returned by
        ``fsec_user_registered`` (always holding ``confirm_token``, ``None`` when no
        plugin supplied one).
    :raises flask_security.datastore.UserExistsError: a user with this email (or
        another identity value) exists already, e.g. created by a concurrent request
        after the form was validated. Nothing was written.
    """
    return register_user_data(form.to_dict(only_user=True), form.to_dict(only_user=False))


def register_user_data(
    data: Mapping[str, Any], submitted: Mapping[str, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """Create and commit a user from its fields (what :func:`register_user` does with
    a form; 3.0's ``register_user(**kwargs)`` is ``flask_security.registerable``'s).

    :param data: user model fields for ``create_user``; ``password`` in clear text.
    :param submitted: every submitted value for ``fsec_user_registered`` (secrets and
        form plumbing are dropped); ``data`` when ``None``.
    :returns: ``(user, extra)`` as :func:`register_user`.
    :raises flask_security.datastore.UserExistsError: as :func:`register_user`.
    """
    data = dict(data)
    submitted = data if submitted is None else submitted
    public = {k: v for k, v in submitted.items() if k not in _PRIVATE_FIELDS}
    data["password"] = hash_password(data["password"])
    user = current_datastore.create_user(**data)
    current_datastore.commit()

    extra: dict[str, Any] = {"confirm_token": None}
    results = current_security.plugins.hook.fsec_user_registered(user=user, data=public)
    for result in results:
        if isinstance(result, Mapping):
            extra.update({k: v for k, v in result.items() if k != "user"})

    app = current_app._get_current_object()
    user_registered.send(app, user=user, **extra)
    current_security.send_mail_kind("welcome", user.email, user=user, **extra)
    return user, extra


def notify_existing_account(form: Any, user: Any) -> None:
    """Tell the owner of ``user`` that somebody tried to register their address.

    Used with ``SECURITY_RETURN_GENERIC_RESPONSES`` instead of answering "already
    associated" (OWASP Authentication Cheat Sheet, "Authentication and Error
    Messages"; Flask-Security 5.x behaviour). Hashes the submitted password (a new
    registration hashes one too, so both take about as long), mails
    ``welcome_existing`` to the account's address (``SECURITY_SEND_REGISTER_EMAIL``;
    context: ``user`` and ``recovery_link``, the absolute URL of the forgot-password
    page or ``None`` without fsec-recoverable), sends ``user_not_registered(app,
    user=..., existing_email=True, existing_username=False, form_data={...})`` and
    flashes ``CONFIRM_REGISTRATION`` to browsers when ``SECURITY_CONFIRMABLE`` is on,
    as a new registration does.

    :param form: the registration form (``email``, ``password``...).
    :param user: the account that has the submitted address.
    """
    hash_password(form.password.data or "")
    public = {k: v for k, v in form.to_dict(only_user=False).items() if k not in _PRIVATE_FIELDS}
    try:
        recovery_link: str | None = external_url_for_security("forgot_password")
    except BuildError:
        recovery_link = None
    current_security.send_mail_kind(
        "welcome_existing", user.email, user=user, recovery_link=recovery_link
    )
    user_not_registered.send(
        current_app._get_current_object(),
        user=user,
        existing_email=True,
        existing_username=False,
        form_data=public,
    )
    if config_value("CONFIRMABLE") and not is_json_request():
        do_flash(*get_message("CONFIRM_REGISTRATION", email=form.email.data))
