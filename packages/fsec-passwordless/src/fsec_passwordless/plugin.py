"""fsec-passwordless's hook implementations: the ``passwordless`` entry point.

Imported only when ``SECURITY_PASSWORDLESS`` is true. It registers its own
``login`` view, which replaces core's password form, and ``token_login``.
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
    from .forms import PasswordlessLoginForm

    register("passwordless_login_form", PasswordlessLoginForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    from . import views

    url = str(config_value("LOGIN_URL", state.app))
    # Same endpoint name as core's login view: this registration replaces it.
    register("login", url, views.send_login, methods=["GET", "POST"])
    register("token_login", url.rstrip("/") + "/<token>", views.token_login, methods=["GET"])


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    register("login_instructions", "EMAIL_SUBJECT_PASSWORDLESS", None, links=True)


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Refuse to start without a plugin recording logins (``fsec_login_state``).

    :raises RuntimeError: no enabled plugin implements ``fsec_login_state``; login
        links could then be used again and again until they expire.
    """
    providers = [
        name for name, hooks in state.plugins.implemented().items() if "fsec_login_state" in hooks
    ]
    if not providers:
        raise RuntimeError(
            "SECURITY_PASSWORDLESS needs a plugin that records logins, so that each "
            "login link works only once: set SECURITY_TRACKABLE = True (pip install "
            "fsec-trackable; the user model needs its fields) or enable a plugin "
            "implementing the fsec_login_state hook"
        )


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_passwordless``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"),
        "fsec_passwordless",
    )
