"""Two-factor forms (Flask-WTF through :class:`flask_security.forms.Form`), with
upstream Flask-Security 5.x's field names: ``setup`` and ``phone`` (``/tf-setup``),
``code`` (``/tf-validate``, ``/tf-setup/<token>``, ``/mf-recovery``) and
``help_setup`` (``/tf-rescue``)."""

from __future__ import annotations

from typing import Any

from flask_security.babel import lazy_gettext
from flask_security.forms import Form, Required
from flask_security.utils import get_message
from wtforms import StringField, SubmitField
from wtforms.validators import StopValidation


class _Choice:
    """The field's value must be one of ``choices()`` (else message ``key``)."""

    def __init__(self, choices: Any, key: str) -> None:
        self.choices = choices
        self.key = key

    def __call__(self, form: Any, field: Any) -> None:
        if field.data not in self.choices():
            raise StopValidation(get_message(self.key)[0])


class TwoFactorSetupForm(Form):
    """``setup``: a method of :func:`fsec_two_factor.twofactor.available_methods`
    (``"disable"`` among them while two-factor is not required); ``phone``: required
    for ``"sms"``."""

    setup = StringField(
        lazy_gettext("Method"), validators=[Required("TWO_FACTOR_METHOD_NOT_AVAILABLE")]
    )
    phone = StringField(lazy_gettext("Phone number"))
    submit = SubmitField(lazy_gettext("Set up"))

    def validate_setup(self, field: Any) -> None:
        from .twofactor import available_methods

        _Choice(lambda: available_methods(with_disable=True), "TWO_FACTOR_METHOD_NOT_AVAILABLE")(
            self, field
        )

    def validate_phone(self, field: Any) -> None:
        if self.setup.data != "sms":
            return
        from .twofactor import normalize_phone

        if not normalize_phone(field.data):
            raise StopValidation(get_message("TWO_FACTOR_PHONE_REQUIRED")[0])


class TwoFactorVerifyCodeForm(Form):
    """``code``: the code from the authenticator app, mail or text message."""

    code = StringField(lazy_gettext("Code"), validators=[Required("TWO_FACTOR_INVALID_TOKEN")])
    submit = SubmitField(lazy_gettext("Verify"))


class TwoFactorRescueForm(Form):
    """``help_setup``: ``"email"`` (mail me a code), ``"help"`` (mail the site's
    administrators) or ``"recovery_code"`` (go to ``/mf-recovery``)."""

    help_setup = StringField(
        lazy_gettext("Help"), validators=[Required("TWO_FACTOR_METHOD_NOT_AVAILABLE")]
    )
    submit = SubmitField(lazy_gettext("Send"))

    def validate_help_setup(self, field: Any) -> None:
        from .twofactor import rescue_options

        _Choice(lambda: list(rescue_options()), "TWO_FACTOR_METHOD_NOT_AVAILABLE")(self, field)


class MfRecoveryForm(Form):
    """``code``: one of the user's recovery codes."""

    code = StringField(
        lazy_gettext("Recovery code"), validators=[Required("INVALID_RECOVERY_CODE")]
    )
    submit = SubmitField(lazy_gettext("Use code"))


class MfRecoveryCodesForm(Form):
    """Generate a new set of recovery codes (no field besides the CSRF token)."""

    submit = SubmitField(lazy_gettext("Generate new recovery codes"))


__all__ = [
    "MfRecoveryCodesForm",
    "MfRecoveryForm",
    "TwoFactorRescueForm",
    "TwoFactorSetupForm",
    "TwoFactorVerifyCodeForm",
]
