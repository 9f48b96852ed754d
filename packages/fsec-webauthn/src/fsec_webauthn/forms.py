"""The WebAuthn forms (upstream Flask-Security 5.x names and fields)."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_security import current_datastore, current_security, current_user
from flask_security.babel import lazy_gettext
from flask_security.forms import Form, NextFormMixin
from flask_security.utils import config_value, get_message
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import StopValidation

from .store import find_credential_by_name


def _msg(key: str, **kwargs: Any) -> str:
    return get_message(key, **kwargs)[0]


def allowed_usages() -> list[str]:
    """The usages a passkey may be registered for now: ``"first"`` when
    ``SECURITY_WAN_ALLOW_AS_FIRST_FACTOR``, ``"secondary"`` when two-factor login is on
    (the ``two_factor`` plugin, fsec-two-factor, is enabled)."""
    usages = []
    if config_value("WAN_ALLOW_AS_FIRST_FACTOR"):
        usages.append("first")
    if two_factor_enabled():
        usages.append("secondary")
    return usages


def two_factor_enabled() -> bool:
    """Whether fsec-two-factor is enabled for this app (its plugin is registered)."""
    return "two_factor" in current_security.plugins.infos


def clean_name(value: str | None) -> str:
    """``value`` stripped and normalised (``SECURITY_INPUT_NORMALIZE_FORM``, NFKD by
    default, as upstream 5.9)."""
    text = (value or "").strip()
    form = config_value("INPUT_NORMALIZE_FORM", default="NFKD")
    return unicodedata.normalize(form, text) if form else text


def _check_name(form: Any, field: Any) -> None:
    name = clean_name(field.data)
    if not name:
        raise StopValidation(_msg("WEBAUTHN_NAME_REQUIRED"))
    limit = int(config_value("WAN_NAME_MAX_LENGTH") or 64)
    if len(name) > limit:
        raise StopValidation(_msg("WEBAUTHN_NAME_TOO_LONG", length=limit))
    allowed = tuple(config_value("WAN_NAME_ALLOWED_CHARS") or ())
    for ch in name:
        if unicodedata.combining(ch):
            continue  # accents split off by NFKD belong to the letter before them
        if not unicodedata.category(ch).startswith(allowed):
            raise StopValidation(_msg("WEBAUTHN_NAME_DISALLOWED_CHARACTERS"))
    field.data = name


class WebAuthnRegisterForm(Form):
    """Step 1 of registering a passkey: ``name`` (unique for the user) and ``usage``
    (``"first"`` or ``"secondary"``, see :func:`allowed_usages`)."""

    name = StringField(lazy_gettext("Name of the passkey"), validators=[_check_name])
    usage = StringField(lazy_gettext("Use it to"), default="first")
    submit = SubmitField(lazy_gettext("Add a passkey"))

    def validate_name(self, field: Any) -> None:
        if find_credential_by_name(current_datastore, current_user, field.data) is not None:
            raise StopValidation(_msg("WEBAUTHN_NAME_INUSE", name=field.data))

    def validate_usage(self, field: Any) -> None:
        if not field.data:
            field.data = "first"
        if field.data not in allowed_usages():
            raise StopValidation(_msg("WEBAUTHN_USAGE_NOT_ALLOWED"))


class WebAuthnRegisterResponseForm(Form):
    """Step 2 of registering: ``credential``, the browser's answer as JSON."""

    credential = HiddenField()
    submit = SubmitField(lazy_gettext("Save the passkey"))

    def validate_credential(self, field: Any) -> None:
        if not field.data:
            raise StopValidation(_msg("WEBAUTHN_CREDENTIAL_INVALID"))


class WebAuthnSigninForm(Form, NextFormMixin):
    """Step 1 of signing in with a passkey: an optional ``identity`` (used only with
    ``SECURITY_WAN_ALLOW_USER_HINTS``) and ``remember``."""

    identity = StringField(lazy_gettext("Email address (optional)"))
    remember = BooleanField(lazy_gettext("Remember me"))
    submit = SubmitField(lazy_gettext("Sign in with a passkey"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_from_query()  # the login page links here with ?next=


class WebAuthnSigninResponseForm(Form, NextFormMixin):
    """Step 2 of signing in: ``credential`` (the browser's assertion as JSON) and
    ``remember``."""

    credential = HiddenField()
    remember = BooleanField(lazy_gettext("Remember me"))
    submit = SubmitField(lazy_gettext("Sign in"))

    def validate_credential(self, field: Any) -> None:
        if not field.data:
            raise StopValidation(_msg("WEBAUTHN_CREDENTIAL_INVALID"))


class WebAuthnVerifyForm(Form, NextFormMixin):
    """Step 1 of confirming it is you with a passkey (``/wan-verify``, upstream 5.x's
    form name): no field but ``next``; the options list the signed-in user's
    passkeys allowed by ``SECURITY_WAN_ALLOW_AS_VERIFY``."""

    submit = SubmitField(lazy_gettext("Confirm with your passkey"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_from_query()  # /verify links here with ?next=


class WebAuthnDeleteForm(Form):
    """Delete a passkey of the signed-in user by ``name``."""

    name = StringField(lazy_gettext("Name of the passkey"))
    submit = SubmitField(lazy_gettext("Remove"))

    def validate_name(self, field: Any) -> None:
        name = clean_name(field.data)
        if not name:
            raise StopValidation(_msg("WEBAUTHN_NAME_REQUIRED"))
        self.credential = find_credential_by_name(current_datastore, current_user, name)
        if self.credential is None:
            raise StopValidation(_msg("WEBAUTHN_NAME_NOT_FOUND", name=name))
        field.data = name

    credential: Any = None
