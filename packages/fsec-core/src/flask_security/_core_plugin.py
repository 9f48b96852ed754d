"""fsec-core's own plugin: login, logout, change password, core config, messages,
forms, templates, mails and CLI commands, registered through the public hooks
(``trylast``), so any plugin can replace them."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from . import signals, views
from .cli import CORE_COMMANDS
from .config import CORE_DEFAULTS, CORE_MESSAGES, config_value
from .form_pages import InvalidJSONBody, handle_invalid_json
from .forms import ChangePasswordForm, LoginForm, VerifyForm
from .freshness import freshness_enabled
from .hookspecs import hookimpl

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@hookimpl(trylast=True)
def fsec_config_defaults(register: Callable[[str, Any], None]) -> None:
    for key, value in CORE_DEFAULTS.items():
        register(key, value)


@hookimpl(trylast=True)
def fsec_messages(register: Callable[[str, tuple[str, str]], None]) -> None:
    for key, value in CORE_MESSAGES.items():
        register(key, value)


@hookimpl(trylast=True)
def fsec_forms(register: Callable[[str, type], None]) -> None:
    register("login_form", LoginForm)
    register("change_password_form", ChangePasswordForm)
    register("verify_form", VerifyForm)


@hookimpl(trylast=True)
def fsec_views(register: Callable[..., None], state: Any) -> None:
    register("login", config_value("LOGIN_URL", state.app), views.login, methods=["GET", "POST"])
    logout_methods = config_value("LOGOUT_METHODS", state.app)
    if logout_methods:
        register(
            "logout",
            config_value("LOGOUT_URL", state.app),
            views.logout,
            methods=list(logout_methods),
        )
    if config_value("CHANGEABLE", state.app):
        register(
            "change_password",
            config_value("CHANGE_URL", state.app),
            views.change_password,
            methods=["GET", "POST"],
        )
    folders = [str(c.args[0]) for c in state.plugins.collect_all("fsec_static_folders")]
    if folders:
        url = str(config_value("STATIC_FOLDER_URL", state.app)).rstrip("/")
        serve = functools.partial(views.static_file, folders=tuple(folders))
        register("static", url + "/<path:filename>", serve, methods=["GET"])
    if freshness_enabled(state.app):
        register(
            "verify", config_value("VERIFY_URL", state.app), views.verify, methods=["GET", "POST"]
        )


@hookimpl(trylast=True)
def fsec_template_folders(register: Callable[[str], None]) -> None:
    register(_TEMPLATES)


@hookimpl(trylast=True)
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    from .babel import DOMAIN, TRANSLATIONS_DIR

    register(TRANSLATIONS_DIR, DOMAIN)


@hookimpl(trylast=True)
def fsec_mails(register: Callable[..., None]) -> None:
    register("change_notice", "EMAIL_SUBJECT_PASSWORD_CHANGE_NOTICE", "SEND_PASSWORD_CHANGE_EMAIL")


@hookimpl(trylast=True)
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    for group, command in CORE_COMMANDS:
        register(group, command)


@hookimpl(trylast=True)
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    for name in signals.__all__:
        register(name, getattr(signals, name))


@hookimpl(tryfirst=True)
def fsec_login_refusal(user: Any, method: str) -> str | None:
    """Inactive accounts are refused on every path
    (docs/migration.md#deactivated-accounts-are-refused-everywhere)."""
    if not getattr(user, "is_active", False):
        return "DISABLED_ACCOUNT"
    return None


@hookimpl(trylast=True)
def fsec_blueprint_created(blueprint: Any, state: Any) -> None:
    blueprint.register_error_handler(InvalidJSONBody, handle_invalid_json)
