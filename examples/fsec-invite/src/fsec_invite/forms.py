"""The plugin's two forms, built from fsec's form building blocks."""

from __future__ import annotations

from flask_security.babel import lazy_gettext
from flask_security.forms import (
    Form,
    NewPasswordFormMixin,
    PasswordConfirmFormMixin,
    UniqueEmailFormMixin,
)
from wtforms import SubmitField


# --8<-- [start:forms]
class InviteForm(Form, UniqueEmailFormMixin):
    """``email``: a valid address no account has yet (``EMAIL_ALREADY_ASSOCIATED``)."""

    submit = SubmitField(lazy_gettext("Invite"))


class AcceptInviteForm(Form, NewPasswordFormMixin, PasswordConfirmFormMixin):
    """``password`` (fsec's length rule) and ``password_confirm`` (must match)."""

    submit = SubmitField(lazy_gettext("Set password"))


# --8<-- [end:forms]


__all__ = ["AcceptInviteForm", "InviteForm"]
