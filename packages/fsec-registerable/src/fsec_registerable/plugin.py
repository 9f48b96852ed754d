"""Entry point ``registerable``: fsec-registerable's hook implementations.

Enabled by ``SECURITY_REGISTERABLE = True``. Everything else in the package is
imported inside the hooks, so an installed but disabled feature costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask_security import hookimpl
from flask_security.utils import config_value

from .config import DEFAULTS

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@hookimpl
def fsec_config_defaults(register: Callable[[str, Any], None]) -> None:
    """Register :data:`DEFAULTS`."""
    for key, value in DEFAULTS.items():
        register(key, value)


@hookimpl
def fsec_forms(register: Callable[[str, type], None]) -> None:
    """``register_form`` and ``confirm_register_form`` (overridable by the app)."""
    from .forms import ConfirmRegisterForm, RegisterForm

    register("register_form", RegisterForm)
    register("confirm_register_form", ConfirmRegisterForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    """The ``register`` endpoint at ``SECURITY_REGISTER_URL``."""
    from .views import register as register_view

    register(
        "register", config_value("REGISTER_URL", state.app), register_view, methods=["GET", "POST"]
    )


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    """``security/register_user.html`` and ``security/email/welcome.*``."""
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    """The ``welcome`` and ``welcome_existing`` mails, switched by
    ``SECURITY_SEND_REGISTER_EMAIL``."""
    register("welcome", "EMAIL_SUBJECT_REGISTER", "SEND_REGISTER_EMAIL", links=True)
    # To the owner of an address somebody tried to register again
    # (SECURITY_RETURN_GENERIC_RESPONSES; Flask-Security 5.x name).
    register("welcome_existing", "EMAIL_SUBJECT_REGISTER", "SEND_REGISTER_EMAIL", links=True)


@hookimpl
def fsec_view_links(view: str, state: Any) -> list[tuple[str, str]] | None:
    """A "create an account" link under the login form."""
    if view != "login":
        return None
    from flask_security.babel import gettext
    from flask_security.utils import url_for_security

    return [(gettext("Create an account"), url_for_security("register"))]


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_registerable``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"),
        "fsec_registerable",
    )
