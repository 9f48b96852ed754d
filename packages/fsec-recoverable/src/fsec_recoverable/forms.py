"""The forms of password recovery (documented 3.0 names and fields).

``from flask_security import ForgotPasswordForm, ResetPasswordForm`` resolves to
these classes through core's lazy name table.
"""

from __future__ import annotations

from flask_security.forms import (
    EmailLookupForm,
    Form,
    NewPasswordFormMixin,
    PasswordConfirmFormMixin,
    get_form_field_label,
)
from wtforms import SubmitField


class ForgotPasswordForm(EmailLookupForm):
    """Ask for a reset link: ``email``, ``submit``.

    Validation checks only that a syntactically valid address was given; it never
    says whether an account has that address (OWASP Forgot Password Cheat Sheet:
    the same answer for every address). After ``validate()`` succeeds, ``user`` is
    the account with that email (case-insensitive) or ``None``.
    """

    submit = SubmitField(get_form_field_label("recover_password"))


class ResetPasswordForm(Form, NewPasswordFormMixin, PasswordConfirmFormMixin):
    """Choose the new password: ``password``, ``password_confirm``, ``submit``.

    ``password`` must be ``SECURITY_PASSWORD_MIN_LENGTH``..``_MAX_LENGTH`` characters
    (6..128 by default); ``password_confirm`` must equal it.
    """

    submit = SubmitField(get_form_field_label("reset_password"))


__all__ = ["ForgotPasswordForm", "ResetPasswordForm"]
