"""Entry point ``lockout`` (group ``flask_security``): fsec-lockout's hook implementations.

Enabled with ``SECURITY_PLUGINS = ["lockout"]``. Only public fsec API is used: the
``hookimpl`` marker, ``flask_security.utils`` and ``flask_security.babel``, the
``state`` objects the hooks receive, and ``app.extensions["security"]``. The rest of
the package is imported inside the hooks.

Per-request information for the JSON answer and the login template is kept on
``flask.g.fsec_lockout`` (this plugin's own name on ``g``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import g
from flask_security import hookimpl

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

#: Configuration defaults (keys without ``SECURITY_``). Every key of this plugin
#: starts with ``LOCKOUT_`` so it cannot collide with fsec's or another plugin's.
DEFAULTS: dict[str, Any] = {
    "LOCKOUT_MAX_ATTEMPTS": 5,
    "LOCKOUT_WINDOW": "15 minutes",
    "LOCKOUT_DURATION": "15 minutes",
    "LOCKOUT_SHOW_REMAINING": False,
    "LOCKOUT_SEND_EMAIL": True,
    "LOCKOUT_EMAIL_SUBJECT": "Your account is locked",
}

#: Messages (keys without ``MSG_``); override with ``SECURITY_MSG_ACCOUNT_LOCKED``.
MESSAGES: dict[str, tuple[str, str]] = {
    "ACCOUNT_LOCKED": (
        "This account is locked after too many failed sign-in attempts. Try again later.",
        "error",
    ),
}


@hookimpl
def fsec_config_defaults(register: Callable[[str, Any], None]) -> None:
    """Register :data:`DEFAULTS`."""
    for key, value in DEFAULTS.items():
        register(key, value)


@hookimpl
def fsec_messages(register: Callable[[str, tuple[str, str]], None]) -> None:
    """Register :data:`MESSAGES` (``ACCOUNT_LOCKED``)."""
    for key, value in MESSAGES.items():
        register(key, value)


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    """The ``security/email/lockout_notice.*`` mail templates."""
    register(_TEMPLATES)


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    """The ``lockout_notice`` mail, switched by ``SECURITY_LOCKOUT_SEND_EMAIL``."""
    register("lockout_notice", "LOCKOUT_EMAIL_SUBJECT", "LOCKOUT_SEND_EMAIL")


@hookimpl
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    """Make ``account_locked`` known to fsec (``state.signals["account_locked"]``)."""
    from .signals import account_locked

    register("account_locked", account_locked)


@hookimpl
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    """``flask users unlock IDENTITY``."""
    from .cli import unlock_command

    register("users", unlock_command)


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Check the settings and the user model; add ``lockout`` to the login page context.

    :raises RuntimeError: a setting is invalid or the user model lacks a field.
    """
    from .policy import check_user_model, settings

    try:
        settings(app)
    except ValueError as exc:
        raise RuntimeError(f"fsec-lockout: {exc}") from exc
    check_user_model(state.datastore.user_model)

    def lockout_context() -> dict[str, Any]:
        return {"lockout": g.get("fsec_lockout")}

    state.add_context_processor("login", lockout_context)


#: The authentication paths a lock applies to: the ones that take a password. A lock
#: is there to stop password guessing; sessions, remember cookies, auth tokens and
#: mailed links (confirmation, passwordless, reset) are not guesses, and refusing
#: them would let anyone sign a victim out by typing wrong passwords (issue 15 item 3).
#: ``"verify"`` is core's ``/verify`` (re-entering the password for freshness): a
#: locked account cannot make its session fresh there, and wrong passwords count.
PASSWORD_METHODS: frozenset[str] = frozenset({"form", "basic", "verify"})


@hookimpl
def fsec_login_refusal(user: Any, method: str) -> str | None:
    """Refuse new password logins (form, JSON, HTTP Basic) of a locked account.

    Core asks this before it looks at the password and gives the same answer for
    any password (see the hook's documentation), so the lock tells nobody whether a
    guess was right.
    """
    if method not in PASSWORD_METHODS:
        return None
    from flask_security.utils import config_value

    from .policy import lockout_status

    status = lockout_status(user)
    if not status.locked:
        return None
    g.fsec_lockout = status.as_json(bool(config_value("LOCKOUT_SHOW_REMAINING")))
    return "ACCOUNT_LOCKED"


@hookimpl
def fsec_login_failed(user: Any | None, identity: str, method: str) -> None:
    """Count a failed attempt on an existing account: a wrong password, or any
    password while the account is refused (unknown identities are not kept)."""
    if user is None:
        return
    from flask_security.utils import config_value

    from .policy import record_failure

    status = record_failure(user)
    show_remaining = bool(config_value("LOCKOUT_SHOW_REMAINING"))
    if show_remaining:
        g.fsec_lockout = status.as_json(True)


@hookimpl
def fsec_login_step_failed(user: Any, step: str, method: str, attempts: int, reason: str) -> None:
    """A wrong answer at a further login step (a two-factor code, through
    :func:`flask_security.login_steps.fail_login_step`) counts like a wrong password:
    whoever types it has the password, and guessing the code must lock the account
    as guessing the password does (core commits after this hook)."""
    from .policy import record_failure

    record_failure(user)


@hookimpl
def fsec_after_login(user: Any, method: str) -> None:
    """A successful session login clears the count (the login view commits)."""
    from .policy import unlock_user

    unlock_user(user, commit=False)


@hookimpl
def fsec_password_changed(user: Any, reason: str) -> None:
    """A new password (change, reset, CLI) ends the lock: the attacker's guesses are moot."""
    from .policy import unlock_user

    unlock_user(user, commit=True)


@hookimpl
def fsec_json_response(endpoint: str | None, payload: dict[str, Any], status: int) -> None:
    """Add ``"lockout"`` to a security view's JSON answer when this request has one."""
    info = g.get("fsec_lockout")
    if info is not None:
        payload.setdefault("lockout", info)


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_lockout``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_lockout"
    )
