"""fsec-two-factor's hook implementations: the ``two_factor`` entry point.

Imported only when ``SECURITY_TWO_FACTOR`` is true. Everything else is imported
inside the hooks.
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
    from . import forms

    register("two_factor_setup_form", forms.TwoFactorSetupForm)
    register("two_factor_verify_code_form", forms.TwoFactorVerifyCodeForm)
    register("two_factor_rescue_form", forms.TwoFactorRescueForm)
    register("mf_recovery_form", forms.MfRecoveryForm)
    register("mf_recovery_codes_form", forms.MfRecoveryCodesForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    from . import views

    setup_url = str(config_value("TWO_FACTOR_SETUP_URL", state.app))
    register("two_factor_setup", setup_url, views.two_factor_setup, methods=["GET", "POST"])
    register(
        "two_factor_setup_validate",
        setup_url.rstrip("/") + "/<token>",
        views.two_factor_setup_validate,
        methods=["GET", "POST"],
    )
    register(
        "two_factor_token_validation",
        str(config_value("TWO_FACTOR_TOKEN_VALIDATION_URL", state.app)),
        views.two_factor_token_validation,
        methods=["GET", "POST"],
    )
    register(
        "two_factor_rescue",
        str(config_value("TWO_FACTOR_RESCUE_URL", state.app)),
        views.two_factor_rescue,
        methods=["GET", "POST"],
    )
    if config_value("MULTI_FACTOR_RECOVERY_CODES", state.app):
        register(
            "mf_recovery_codes",
            str(config_value("MULTI_FACTOR_RECOVERY_CODES_URL", state.app)),
            views.mf_recovery_codes,
            methods=["GET", "POST"],
        )
        register(
            "mf_recovery",
            str(config_value("MULTI_FACTOR_RECOVERY_URL", state.app)),
            views.mf_recovery,
            methods=["GET", "POST"],
        )


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    register(_TEMPLATES)


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_two_factor``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_two_factor"
    )


@hookimpl
def fsec_mails(register: Callable[..., None]) -> None:
    register("two_factor_instructions", "EMAIL_SUBJECT_TWO_FACTOR")
    register("two_factor_rescue", "EMAIL_SUBJECT_TWO_FACTOR_RESCUE")


@hookimpl
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    from . import signals

    for name in signals.__all__:
        register(name, getattr(signals, name))


@hookimpl
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    from .cli import tf_reset_command

    register("users", tf_reset_command)


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Check ``SECURITY_TOTP_SECRETS`` and the user model's fields.

    :raises RuntimeError: the secrets are missing or unusable, or the user model lacks
        ``tf_primary_method`` / ``tf_totp_secret`` (``tf_phone_number`` with ``sms``,
        ``mf_recovery_codes`` with ``SECURITY_MULTI_FACTOR_RECOVERY_CODES``); the
        message names every missing field.
    """
    from .totp import TotpConfigError, totp_factory
    from .twofactor import FIELDS, RECOVERY_FIELD, SMS_FIELD

    try:
        totp_factory(app)
    except TotpConfigError as exc:
        raise RuntimeError(str(exc)) from exc
    needed = list(FIELDS)
    if "sms" in (config_value("TWO_FACTOR_ENABLED_METHODS", app) or ()) and config_value(
        "SMS_SENDER", app
    ):
        needed.append(SMS_FIELD)
    if config_value("MULTI_FACTOR_RECOVERY_CODES", app):
        needed.append(RECOVERY_FIELD)
    model = state.datastore.user_model
    missing = [name for name in needed if not _has_field(model, name)]
    if missing:
        raise RuntimeError(
            "SECURITY_TWO_FACTOR needs these fields on the user model "
            f"{getattr(model, '__name__', model)!s}: {', '.join(missing)} "
            "(tf_primary_method and tf_phone_number: strings; tf_totp_secret: a string of "
            "255 characters; mf_recovery_codes: a list of strings)"
        )


def _has_field(model: Any, name: str) -> bool:
    if hasattr(model, name):
        return True
    fields = getattr(model, "_fields", None)  # MongoEngine
    return isinstance(fields, dict) and name in fields


@hookimpl
def fsec_login_next_step(user: Any, method: str, completed: tuple[str, ...]) -> Any:
    """The ``tf_validate`` step for a user with a second factor, ``tf_setup`` for one
    who must set it up (``SECURITY_TWO_FACTOR_REQUIRED``); on HTTP Basic the same
    answer refuses the request."""
    from .twofactor import next_step

    return next_step(user, completed)


@hookimpl
def fsec_login_pending(user: Any, step: Any, method: str) -> None:
    """Mail or text the code when the pending step is ``tf_validate`` with the
    ``email`` or ``sms`` method."""
    from .twofactor import VALIDATE_STEP, send_code, user_method

    if step.name != VALIDATE_STEP:
        return
    tf_method = user_method(user)
    if tf_method in ("email", "sms"):
        send_code(user, tf_method, user.tf_totp_secret)


@hookimpl
def fsec_user_access_reset(user: Any) -> None:
    """``reset_user_access`` removes the second factor too (upstream 5.x): the reset
    is for a compromised account, whose authenticator may be in the wrong hands.
    Put into the datastore; the caller commits."""
    from flask_security import current_datastore

    from .twofactor import RECOVERY_FIELD, SMS_FIELD

    user.tf_primary_method = None
    user.tf_totp_secret = None
    for name in (SMS_FIELD, RECOVERY_FIELD):
        if hasattr(user, name):
            setattr(user, name, None)
    current_datastore.put(user)
