"""fsec-recoverable's hook implementations: the ``recoverable`` entry point.

Imported only when ``SECURITY_RECOVERABLE`` is true. Everything else in the package
is imported inside the hooks, when they run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask_security import hookimpl
from flask_security.utils import config_value

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@hookimpl
def fsec_config_defaults(register: Callable[[str, Any], None]) -> None:
    from .config import DEFAULTS

    for key, value in DEFAULTS.items():
        register(key, value)


@hookimpl
def fsec_messages(register: Callable[[str, tuple[str, str]], None]) -> None:
    from .config import MESSAGES

    for key, value in MESSAGES.items():
        register(key, value)


@hookimpl
def fsec_forms(register: Callable[[str, type], None]) -> None:
    from .forms import ForgotPasswordForm, ResetPasswordForm

    register("forgot_password_form", ForgotPasswordForm)
    register("reset_password_form", ResetPasswordForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    from . import views

    url = str(config_value("RESET_URL", state.app))
    register("forgot_password", url, views.forgot_password, methods=["GET", "POST"])
    register(
        "reset_password",
        url.rstrip("/") + "/<token>",
        views.reset_password,
        methods=["GET", "POST"],
    )


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    register(
        "reset_instructions",
        "EMAIL_SUBJECT_PASSWORD_RESET",
        "SEND_PASSWORD_RESET_EMAIL",
        links=True,
    )
    register("reset_notice", "EMAIL_SUBJECT_PASSWORD_NOTICE", "SEND_PASSWORD_RESET_NOTICE_EMAIL")


@hookimpl
def fsec_view_links(view: str, state: Any) -> list[tuple[str, str]] | None:
    """The login form's password field gets a "Forgot password?" link (message
    FORGOT_PASSWORD) as its description (view ``"login.password"``), where 3.0 put it."""
    if view != "login.password":
        return None
    from flask_security.utils import get_message, url_for_security

    return [(get_message("FORGOT_PASSWORD")[0], url_for_security("forgot_password"))]


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_recoverable``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_recoverable"
    )
