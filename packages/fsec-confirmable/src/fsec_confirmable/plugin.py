"""Entry point ``confirmable``: fsec-confirmable's hook implementations.

Enabled by ``SECURITY_CONFIRMABLE = True``. Everything else in the package is
imported inside the hooks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from flask_security import hookimpl
from flask_security.utils import config_value

from .config import DEFAULTS, MESSAGES

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@hookimpl
def fsec_config_defaults(register: Callable[[str, Any], None]) -> None:
    """Register :data:`DEFAULTS`."""
    for key, value in DEFAULTS.items():
        register(key, value)


@hookimpl
def fsec_messages(register: Callable[[str, tuple[str, str]], None]) -> None:
    """Register :data:`MESSAGES`."""
    for key, value in MESSAGES.items():
        register(key, value)


@hookimpl
def fsec_forms(register: Callable[[str, type], None]) -> None:
    """``send_confirmation_form`` (overridable by the app)."""
    from .forms import SendConfirmationForm

    register("send_confirmation_form", SendConfirmationForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    """``send_confirmation`` at ``SECURITY_CONFIRM_URL`` and ``confirm_email`` below it."""
    from . import views

    url = config_value("CONFIRM_URL", state.app)
    register("send_confirmation", url, views.send_confirmation, methods=["GET", "POST"])
    register("confirm_email", url.rstrip("/") + "/<token>", views.confirm_email, methods=["GET"])


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    """``security/send_confirmation.html`` and ``security/email/confirmation_instructions.*``."""
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    """The ``confirmation_instructions`` mail (always sent when asked for)."""
    register("confirmation_instructions", "EMAIL_SUBJECT_CONFIRM", links=True)


@hookimpl
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    """``flask users confirm IDENTITY``."""
    from .cli import users_confirm

    register("users", users_confirm)


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Fail start-up clearly when the user model cannot record confirmation, or when
    ``SECURITY_CONFIRM_EMAIL_WITHIN`` cannot be read.

    :raises RuntimeError: the user model has no ``confirmed_at`` attribute.
    :raises ValueError: ``SECURITY_CONFIRM_EMAIL_WITHIN`` is not like ``"5 days"``.
    """
    from flask_security.utils import get_within_delta

    model = state.datastore.user_model
    if not hasattr(model, "confirmed_at"):
        raise RuntimeError(
            f"SECURITY_CONFIRMABLE is on but the user model {model.__name__} has no "
            "'confirmed_at' field: add a nullable date-time field named confirmed_at "
            "(e.g. confirmed_at = db.Column(db.DateTime()))"
        )
    get_within_delta("CONFIRM_EMAIL_WITHIN", app=app)


@hookimpl
def fsec_login_refusal(user: Any, method: str) -> str | None:
    """Refuse unconfirmed users on every path (form, JSON, session, token, basic,
    register, reset, passwordless...) unless ``SECURITY_LOGIN_WITHOUT_CONFIRMATION``."""
    from .confirmable import requires_confirmation

    return "CONFIRMATION_REQUIRED" if requires_confirmation(user) else None


@hookimpl
def fsec_user_registered(user: Any, data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Give the ``user_registered`` signal and the welcome mail ``confirm_token`` and
    ``confirmation_link``; flash ``CONFIRM_REGISTRATION`` to browsers."""
    from flask_security.utils import do_flash, get_message, is_json_request

    from .confirmable import generate_confirmation_link

    link, token = generate_confirmation_link(user)
    if not is_json_request():
        do_flash(*get_message("CONFIRM_REGISTRATION", email=user.email))
    return {"confirm_token": token, "confirmation_link": link}


@hookimpl
def fsec_view_links(view: str, state: Any) -> list[tuple[str, str]] | None:
    """A "resend confirmation" link under the login form."""
    if view != "login":
        return None
    from flask_security.babel import gettext
    from flask_security.utils import url_for_security

    return [(gettext("Resend confirmation instructions"), url_for_security("send_confirmation"))]


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_confirmable``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_confirmable"
    )
