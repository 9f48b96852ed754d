"""The application's other lifecycle hooks: ``fsec_init_app`` and the events after it
that are not about a login (a changed password, a registered user, a mail's context,
a page's links, the blueprint, a JSON answer); see :mod:`flask_security.hookspecs`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .markers import hookspec

if TYPE_CHECKING:  # pragma: no cover
    from flask import Blueprint, Flask

    from ..state import SecurityState


@hookspec
def fsec_init_app(app: Flask, state: SecurityState) -> None:
    """Finish setting up a plugin for one application.

    Called at the end of ``init_app``, after every contribution was collected. This
    is the place to validate the models (raise ``RuntimeError`` with a clear message
    when a required field is missing) or connect request hooks.

    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_password_changed(user: Any, reason: str) -> None:
    """Called after a user's password hash changed and was committed.

    Called through :func:`flask_security.utils.announce_password_changed`, by core's
    change password, by password recovery, and by any plugin that sets a password in
    a flow of its own (an invitation accepted), so implementations hear of every new
    password, whoever set it.

    :param reason: ``"change"`` (the change-password view), ``"reset"`` (password
        recovery), ``"cli"`` or a plugin's own word (``"invite"``).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_user_registered(user: Any, data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Called after a new user was created by registration (and committed).

    :param data: the validated registration data (form fields).
    :returns: a mapping of extra values for the ``user_registered`` signal and the
        welcome mail context (confirmable returns ``{"confirm_token": ...,
        "confirmation_link": ...}``), or ``None``. All results are merged.
    """


@hookspec
def fsec_mail_context(name: str, user: Any | None, context: dict[str, Any]) -> None:
    """Adjust the context of a mail before it is rendered.

    :param name: the mail's template base name (``"welcome"``).
    :param user: the recipient user, when known.
    :param context: the context dict; modify it in place.
    :returns: ``None``.
    """


@hookspec
def fsec_view_links(view: str, state: SecurityState) -> list[tuple[str, str]] | None:
    """Contribute links shown under a security page's form.

    :param view: the page, e.g. ``"login"``, ``"register"``; ``"login.password"``
        asks for links that become the login form's password field description
        (shown under the field; 3.0's place for "Forgot password?").
    :returns: a list of ``(label, url)`` pairs, or ``None``. Recoverable adds
        "Forgot password?" to the login form's password field this way.
    """


@hookspec
def fsec_blueprint_created(blueprint: Blueprint, state: SecurityState) -> None:
    """Called once the security blueprint holds every view, before it is registered.

    :returns: ``None``. Use it for ``before_request`` handlers scoped to the
        blueprint or error handlers.
    """


@hookspec
def fsec_json_response(endpoint: str | None, payload: dict[str, Any], status: int) -> None:
    """Adjust the ``response`` part of a JSON answer before it is sent.

    Called by :func:`flask_security.views.json_response` (and so by
    :func:`~flask_security.views.json_error`), which every built-in and feature view
    uses for its JSON answers, success and error alike. A plugin adds its own keys
    (the lockout example adds ``"lockout": {"locked_until": ..., "retry_after": ...}``
    to a refused login); it should not remove or rename keys other plugins put there.

    :param endpoint: the request's endpoint (``"security.login"``), or ``None``
        outside a request routed to a view.
    :param payload: the dict sent as ``response`` (``{"errors": {...}}`` for an
        error); modify it in place.
    :param status: the HTTP status about to be sent (also ``meta.code``).
    :returns: ``None``; all implementations are called.
    """
