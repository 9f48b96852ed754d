"""Entry point ``invite`` (group ``flask_security``): the hook implementations.

Enabled with ``SECURITY_PLUGINS = ["invite"]``. Only fsec's public names are used;
the rest of the package is imported inside the hooks, so an installed but disabled
plugin costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask_security import hookimpl
from flask_security.utils import config_value

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

# --8<-- [start:config]
#: Configuration defaults (keys without ``SECURITY_``), all prefixed ``INVITE_``.
DEFAULTS: dict[str, Any] = {
    "INVITE_URL": "/invite",  # the administrators' page; links are INVITE_URL/<token>
    "INVITE_SALT": "invite-salt",  # itsdangerous salt of invitation tokens
    "INVITE_WITHIN": "3 days",  # how long a link works
    "INVITE_ROLES": "admin",  # who may use the /invite page (ConfigRoles)
    "INVITE_EMAIL_SUBJECT": "You are invited",
    "INVITE_USER_TEMPLATE": "security/invite_user.html",
    "ACCEPT_INVITE_TEMPLATE": "security/accept_invite.html",
    "INVITE_POST_ACCEPT_VIEW": None,  # None: SECURITY_POST_LOGIN_VIEW
}

#: Messages (keys without ``MSG_``); override with ``SECURITY_MSG_<KEY>``.
MESSAGES: dict[str, tuple[str, str]] = {
    "INVITE_SENT": ("An invitation was sent to %(email)s.", "success"),
    "INVITE_ACCEPTED": ("Welcome! Your password is set and you are signed in.", "success"),
    "INVITE_INVALID": ("This invitation link is not valid or was already used.", "error"),
    "INVITE_EXPIRED": (
        "This invitation expired after %(within)s. Ask for a new one.",
        "error",
    ),
}
# --8<-- [end:config]


# --8<-- [start:contributions]
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
    """``invite_form`` (an address) and ``accept_invite_form`` (a new password);
    apps replace them with ``SECURITY_INVITE_FORM`` / ``SECURITY_ACCEPT_INVITE_FORM``."""
    from .forms import AcceptInviteForm, InviteForm

    register("invite_form", InviteForm)
    register("accept_invite_form", AcceptInviteForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    """``/invite`` (administrators) and ``/invite/<token>`` (the mailed link)."""
    from . import views

    url = str(config_value("INVITE_URL", state.app)).rstrip("/")
    register("invite", url, views.invite, methods=["GET", "POST"])
    register("accept_invite", url + "/<token>", views.accept_invite, methods=["GET", "POST"])


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    """The two pages and the ``invite`` mail under ``templates/security/``."""
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    """The ``invite`` mail; it carries a link into the site (``links=True``)."""
    register("invite", "INVITE_EMAIL_SUBJECT", None, links=True)


@hookimpl
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    """Make ``user_invited`` and ``invite_accepted`` known to fsec."""
    from .signals import invite_accepted, user_invited

    register("user_invited", user_invited)
    register("invite_accepted", invite_accepted)


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """The plugin's catalogues (``translations/<locale>/LC_MESSAGES/fsec_invite.mo``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_invite"
    )


@hookimpl
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    """``flask users invite EMAIL``."""
    from .cli import invite_command

    register("users", invite_command)


# --8<-- [end:contributions]


# --8<-- [start:init_app]
@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Check the expiry setting at start-up, not at the first invitation.

    :raises RuntimeError: ``SECURITY_INVITE_WITHIN`` is not like ``"3 days"``.
    """
    from flask_security.utils import get_within_delta

    try:
        get_within_delta("INVITE_WITHIN", app=app)
    except ValueError as exc:
        raise RuntimeError(f"fsec-invite: {exc}") from exc


# --8<-- [end:init_app]
