"""fsec-webauthn's hook implementations: the ``webauthn`` entry point.

Imported only when ``SECURITY_WEBAUTHN`` is true.
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

    register("wan_register_form", forms.WebAuthnRegisterForm)
    register("wan_register_response_form", forms.WebAuthnRegisterResponseForm)
    register("wan_signin_form", forms.WebAuthnSigninForm)
    register("wan_signin_response_form", forms.WebAuthnSigninResponseForm)
    register("wan_delete_form", forms.WebAuthnDeleteForm)
    register("wan_verify_form", forms.WebAuthnVerifyForm)


@hookimpl
def fsec_views(register: Callable[..., None], state: Any) -> None:
    from . import views
    from .assertion import verify_offered

    register_url = str(config_value("WAN_REGISTER_URL", state.app))
    signin_url = str(config_value("WAN_SIGNIN_URL", state.app))
    register("wan_register", register_url, views.wan_register, methods=["GET", "POST"])
    register(
        "wan_register_response",
        register_url.rstrip("/") + "/<token>",
        views.wan_register_response,
        methods=["POST"],
    )
    register("wan_signin", signin_url, views.wan_signin, methods=["GET", "POST"])
    register(
        "wan_signin_response",
        signin_url.rstrip("/") + "/<token>",
        views.wan_signin_response,
        methods=["POST"],
    )
    register(
        "wan_delete",
        str(config_value("WAN_DELETE_URL", state.app)),
        views.wan_delete,
        methods=["GET", "POST"],
    )
    register("wan_js", "/wan-static/webauthn.js", views.webauthn_js, methods=["GET"])
    if verify_offered(state):
        verify_url = str(config_value("WAN_VERIFY_URL", state.app))
        register("wan_verify", verify_url, views.wan_verify, methods=["GET", "POST"])
        register(
            "wan_verify_response",
            verify_url.rstrip("/") + "/<token>",
            views.wan_verify_response,
            methods=["POST"],
        )


@hookimpl
def fsec_static_folders(register: Callable[[str], None]) -> None:
    """``webauthn.js`` at core's ``SECURITY_STATIC_FOLDER_URL`` (``/fs-static``, as
    upstream 5.x ships it)."""
    register(os.path.join(os.path.dirname(os.path.abspath(__file__)), "static"))


@hookimpl
def fsec_template_folders(register: Callable[[str], None]) -> None:
    register(_TEMPLATES)


@hookimpl
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    from .signals import wan_deleted, wan_registered

    register("wan_registered", wan_registered)
    register("wan_deleted", wan_deleted)


@hookimpl
def fsec_view_links(view: str, state: Any) -> list[tuple[str, str]] | None:
    """ "Sign in with a passkey" under the login form; "Passkeys" on the passkey
    sign-in page leads back to the password form; /verify and /wan-verify link to
    each other. Each link carries the page's ``next`` on."""
    from flask_security.babel import gettext

    if view == "login" and config_value("WAN_ALLOW_AS_FIRST_FACTOR", state.app):
        return [(gettext("Sign in with a passkey"), _link_with_next("wan_signin"))]
    if view == "wan_signin":
        return [(gettext("Sign in with a password"), _link_with_next("login"))]
    if view == "verify":
        from flask_security import current_user

        from .assertion import verify_credentials, verify_offered

        if verify_offered(state) and verify_credentials(current_user._get_current_object()):
            return [(gettext("Confirm with a passkey instead"), _link_with_next("wan_verify"))]
    if view == "wan_verify":
        link = _link_with_next("verify")
        return [(gettext("Confirm with your password instead"), link)]
    return None


@hookimpl
def fsec_json_response(endpoint: str | None, payload: dict[str, Any], status: int) -> None:
    """``has_webauthn_verify_credential`` in core's ``/verify`` JSON answer (upstream
    5.x): whether the signed-in user has a passkey ``/wan-verify`` accepts."""
    from flask_security import current_security, current_user

    if endpoint != f"{current_security.blueprint_name}.verify" or not current_user.is_authenticated:
        return
    from .assertion import verify_credentials

    payload["has_webauthn_verify_credential"] = bool(
        verify_credentials(current_user._get_current_object())
    )


@hookimpl
def fsec_login_next_step(user: Any, method: str, completed: tuple[str, ...]) -> Any:
    """The ``webauthn`` step (a passkey as the second factor) for a user whose second
    factor is a passkey: fsec-two-factor is enabled, the user registered a
    ``"secondary"`` passkey, has no code method of fsec-two-factor (then its
    ``tf_validate`` step is asked for, and a passkey may answer it at ``/wan-signin``),
    and no second-factor step was completed yet. The step is answered with any passkey
    usable as a second factor (``"secondary"``, or ``"first"`` with
    ``SECURITY_WAN_ALLOW_AS_MULTI_FACTOR``). A user who signed in
    with a passkey as the first factor is asked for a second factor like any other
    (upstream 5.x); see :func:`fsec_webauthn.assertion.finish_signin` for the
    multi-factor case.

    JSON clients get upstream's ``tf_required``, ``tf_state`` (``"ready"``),
    ``tf_method`` (``"webauthn"``) and ``tf_signin_url``.
    """
    from flask_security import current_security

    if "two_factor" not in current_security.plugins.infos:
        return None
    if set(completed) & {"webauthn", "tf_validate", "tf_setup"}:
        return None
    if getattr(user, "tf_primary_method", None) and getattr(user, "tf_totp_secret", None):
        return None
    from flask_security.login_steps import LoginStep
    from flask_security.utils import url_for_security

    from .store import credentials_of

    if not [c for c in credentials_of(current_security.datastore, user) if c.usage == "secondary"]:
        return None  # a second factor is what the user registered a "secondary" passkey for
    bp = current_security.blueprint_name
    return LoginStep(
        "webauthn",
        f"{bp}.wan_signin",
        {
            "tf_required": True,
            "tf_state": "ready",
            "tf_method": "webauthn",
            "tf_signin_url": url_for_security("wan_signin"),
        },
    )


@hookimpl
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Register this distribution's catalogues (domain ``fsec_webauthn``)."""
    register(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations"), "fsec_webauthn"
    )


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Check the models and the trusted host; build the app's ``WebauthnUtil``.

    :raises RuntimeError: the datastore has no ``webauthn_model`` or a model lacks
        a field (all are named), or the app names no trusted host
        (``SECURITY_EXTERNAL_BASE_URL``, ``SERVER_NAME`` or ``TRUSTED_HOSTS``): the
        RP ID and origin must never come from the request's ``Host`` alone.
    """
    from werkzeug.utils import import_string

    from .models import missing_fields
    from .util import WebauthnUtil, trusted_host_configured

    missing = missing_fields(state.datastore)
    if missing:
        raise RuntimeError(
            "SECURITY_WEBAUTHN needs upstream Flask-Security 5.x's WebAuthn model: pass "
            "it to the datastore (SQLAlchemyUserDatastore(db, User, Role, WebAuthn)) and "
            "give the models these fields: " + ", ".join(missing)
        )
    if not trusted_host_configured(app):
        raise RuntimeError(
            "SECURITY_WEBAUTHN checks the origin and RP ID of every passkey against the "
            "host the site is reached at: set SECURITY_EXTERNAL_BASE_URL = "
            "'https://your.site' (on your own machine 'http://localhost:5000': passkeys "
            "refuse IP addresses such as 127.0.0.1), or Flask's SERVER_NAME or TRUSTED_HOSTS"
        )
    cls = config_value("WEBAUTHN_UTIL_CLS", state.app) or getattr(state, "init_options", {}).get(
        "webauthn_util_cls"
    )
    if isinstance(cls, str):
        cls = import_string(cls)
    app.extensions["fsec_webauthn_util"] = (cls or WebauthnUtil)(app)


def _link_with_next(endpoint: str) -> str:
    """The URL of security view ``endpoint`` with this request's ``next`` (query or
    form), which the next page's form checks like any ``next``."""
    from flask import request
    from flask_security.utils import url_for_security

    nxt = request.args.get("next") or request.form.get("next") or None
    return str(url_for_security(endpoint, **({"next": nxt} if nxt else {})))
