"""Forms (Flask-WTF / WTForms): core's forms (login, verify, change password), the
field mixins features build their forms from, and every name of
:mod:`flask_security.form_base` (the base :class:`Form`, validators, form helpers),
importable from here as in 3.0.

Field names follow the documented 3.0 forms. Forms of features (``RegisterForm``,
``ForgotPasswordForm``...) live in their distributions and import from here;
``from flask_security.forms import RegisterForm`` keeps working through a lazy import
when the distribution is installed. The names imported below as ``name as name``
(``get_message``, ``FlaskForm``...) are there because apps imported them from this
module before the base machinery moved to ``form_base``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping as Mapping
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm as FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict as MultiDict
from wtforms import BooleanField, Field, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import StopValidation as StopValidation
from wtforms.validators import ValidationError

from ._lazy import lazy_getattr
from .babel import N_ as N_
from .babel import lazy_gettext as lazy_gettext
from .config import config_value
from .form_base import _UNFOCUSABLE_INPUTS as _UNFOCUSABLE_INPUTS
from .form_base import (
    EMAIL_FILTERS,
    Email,
    EqualTo,
    Form,
    PasswordLength,
    Required,
    _msg,
    email_required,
    email_validator,
    focus_first_error,
    form_errors,
    formdata_from_mapping,
    get_form_field_label,
    password_length,
    password_required,
    unique_user_email,
    valid_user_email,
    validate_form_data,
)
from .form_base import _default_field_labels as _default_field_labels
from .form_base import _submitted_text as _submitted_text
from .state import _datastore, _security, current_user
from .utils import (
    authenticate_password,
    check_user_password,
    safe_redirect_target,
    verify_and_update_password,
)
from .utils import get_message as get_message
from .utils import has_forbidden_characters as has_forbidden_characters
from .utils import normalize_email as normalize_email


class EmailFormMixin:
    """An ``email`` field: required, a valid address (``email_required``, ``email_validator``),
    normalised first (``EMAIL_FILTERS``)."""

    email = StringField(
        get_form_field_label("email"),
        validators=[email_required, email_validator],
        filters=EMAIL_FILTERS,
    )


class UserEmailFormMixin:
    """An ``email`` field naming an existing account: required, a valid address, and
    :func:`valid_user_email` (sets ``form.user``; ``USER_DOES_NOT_EXIST`` otherwise).
    Reveals whether an account exists: for pages that must not, use
    :class:`EmailLookupForm`.
    """

    user: Any = None
    email = StringField(
        get_form_field_label("email"),
        validators=[email_required, email_validator, valid_user_email],
        filters=EMAIL_FILTERS,
    )


class UniqueEmailFormMixin:
    """An ``email`` field for a new account: required, a valid address, and no account
    has it yet (:func:`unique_user_email`, ``EMAIL_ALREADY_ASSOCIATED``).
    """

    email = StringField(
        get_form_field_label("email"),
        validators=[email_required, email_validator, unique_user_email],
        filters=EMAIL_FILTERS,
    )


class PasswordFormMixin:
    """A required ``password`` field (no length rule: for checking an existing password)."""

    password = PasswordField(get_form_field_label("password"), validators=[password_required])


class NewPasswordFormMixin:
    """A ``password`` field for a new password: required and within
    ``SECURITY_PASSWORD_MIN_LENGTH``..``SECURITY_PASSWORD_MAX_LENGTH`` (:class:`PasswordLength`).
    """

    password = PasswordField(
        get_form_field_label("password"), validators=[password_required, password_length]
    )


class PasswordConfirmFormMixin:
    """A ``password_confirm`` field that must equal ``password`` (``RETYPE_PASSWORD_MISMATCH``)."""

    password_confirm = PasswordField(
        get_form_field_label("retype_password"), validators=[EqualTo("password")]
    )


class NextFormMixin:
    """A hidden ``next`` field: where to go afterwards; only a same-origin path is
    accepted (``INVALID_REDIRECT``, see :func:`flask_security.utils.safe_redirect_target`).
    """

    next = HiddenField()

    def validate_next(self, field: Field) -> None:
        """Refuse a ``next`` that could leave the site (and clear it).

        :param field: the ``next`` field.
        :raises wtforms.validators.ValidationError: ``INVALID_REDIRECT``.
        """
        if field.data and safe_redirect_target(field.data) is None:
            field.data = ""
            raise ValidationError(_msg("INVALID_REDIRECT"))

    def next_from_query(self) -> None:
        """Fill an empty ``next`` from the query string (``/login?next=/profile``, as
        3.0's login form did), so the page's form carries it on. Call it from the
        form's ``__init__``; it is checked like a posted one when validated."""
        field = getattr(self, "next", None)
        if field is not None and not field.data and has_request_context():
            field.data = request.args.get("next", "")


class EmailLookupForm(Form, EmailFormMixin):
    """A form asking only for an address, which must not reveal whether an account
    uses it (OWASP Forgot Password and Authentication cheat sheets: the same answer
    for every address).

    ``validate()`` checks that a syntactically valid address was given, then sets
    ``user`` to the account with that email (case-insensitive) or ``None``; the view
    decides what to do, answering identically either way. Base of recovery's
    ``ForgotPasswordForm`` and passwordless's ``PasswordlessLoginForm``.
    """

    user: Any = None

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields, then look the account up (sets ``user``).

        :returns: ``True`` when the address is well formed, known or not.

        :param extra_validators: ``{field name: [validators]}`` (WTForms).
        """
        if not super().validate(extra_validators=extra_validators):
            return False
        self.user = _datastore.find_user_by_identity(self.email.data or "", ["email"])
        return True


class RegisterFormMixin:
    """A ``submit`` button labelled "Register" and :meth:`to_dict`, which turns the
    submitted fields into ``create_user`` arguments.
    """

    submit = SubmitField(get_form_field_label("register"))

    def to_dict(self, only_user: bool = True) -> dict[str, Any]:
        """The submitted fields that exist on the user model (for ``create_user``).

        :param only_user: keep only attributes of ``datastore.user_model``.

        :returns: ``{field name: data}`` without ``submit``, ``csrf_token``, ``next`` and
            ``password_confirm``.
        """
        model = _datastore.user_model

        def is_field_and_user_attr(member: Any) -> bool:
            if not isinstance(member, Field):
                return False
            return not only_user or hasattr(model, member.name)

        fields = inspect.getmembers(self, is_field_and_user_attr)
        skip = {"submit", "csrf_token", "next", "password_confirm"}
        return {key: value.data for key, value in fields if key not in skip}


class LoginForm(Form, NextFormMixin):
    """The login form: ``email`` (any identity attribute), ``password``, ``remember``.

    ``validate()`` runs :func:`flask_security.utils.authenticate_password`: the
    identity is looked up in ``SECURITY_USER_IDENTITY_ATTRIBUTES``
    (case-insensitively, never as a primary key), ``fsec_login_refusal`` is asked,
    and the password is verified in every case (same time for unknown identities and
    refused accounts). A wrong password or unknown identity is ``INVALID_PASSWORD`` on
    ``password``; a refusal is its message on ``email``, whatever the password. On
    success ``form.user`` is the user. With ``SECURITY_RETURN_GENERIC_RESPONSES`` a
    refusal is reported exactly like a wrong password (``INVALID_PASSWORD`` on
    ``password``), so not even the account's state is told.

    ``refusal_checked`` is ``True`` once ``validate()`` accepted the login: the
    refusal hook was asked (and allowed it) for ``form.user`` with the method
    ``"form"``, so the login view passes it on to
    :func:`flask_security.login_steps.begin_login` (``refusal_checked=``) instead of
    asking the hook a second time. A form replacing ``validate()`` without calling
    this one leaves it ``False`` and the hook is asked there.
    """

    email = StringField(
        get_form_field_label("email"), validators=[email_required], filters=EMAIL_FILTERS
    )
    password = PasswordField(get_form_field_label("password"), validators=[password_required])
    remember = BooleanField(get_form_field_label("remember_me"))
    submit = SubmitField(get_form_field_label("login"))

    user: Any = None
    refusal_checked: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_from_query()
        if not self.is_submitted():
            # SECURITY_DEFAULT_REMEMBER_ME pre-checks the box on the page.
            self.remember.data = bool(config_value("DEFAULT_REMEMBER_ME"))
        if not self.password.description:
            # Links plugins give for the view "login.password" (recoverable's "Forgot
            # password?") are the password field's description, where 3.0 put it.
            links = _security.plugins.hook.fsec_view_links(view="login.password", state=_security)
            self.password.description = Markup(" ").join(
                Markup('<a href="{}">{}</a>').format(url, label)
                for result in links
                if result
                for label, url in result
            )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators=extra_validators):
            return False
        identity = self.email.data or ""  # normalised by EMAIL_FILTERS
        self.user, refusal = authenticate_password(identity, self.password.data or "", "form")
        if refusal == "INVALID_PASSWORD":
            # Same key, text and field for an unknown identity and a wrong password:
            # no account enumeration.
            self.password.errors.append(_msg("INVALID_PASSWORD"))
            return False
        if refusal is not None:
            if config_value("RETURN_GENERIC_RESPONSES"):
                # Upstream 5.x: a refused account answers like a wrong password.
                self.password.errors.append(_msg("INVALID_PASSWORD"))
            else:
                self.email.errors.append(_msg(refusal, email=identity))
            return False
        self.refusal_checked = True
        return True


class VerifyForm(Form, NextFormMixin):
    """Re-enter the signed-in user's password (``/verify``, upstream 5.x's form name).

    ``validate()`` runs :func:`flask_security.utils.check_user_password` for the
    current user with the method ``"verify"``: an account that
    ``fsec_login_refusal`` refuses (inactive, locked...) fails whatever the
    password (its message on ``password``), a wrong password is ``PASSWORD_MISMATCH``
    on ``password`` ("The current password is wrong.": the signed-in user typed no
    email address, so the login's ``INVALID_PASSWORD``, "Wrong email address or
    password.", does not fit; both keys are 3.0's and 5.x's) and counts as a failed
    login (``fsec_login_failed``). On success ``form.user`` is the user.
    """

    password = PasswordField(get_form_field_label("password"), validators=[password_required])
    submit = SubmitField(get_form_field_label("verify_password"))

    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_from_query()

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators=extra_validators):
            return False
        user = current_user._get_current_object()
        identity = str(getattr(user, "email", "") or "")
        refusal = check_user_password(user, self.password.data or "", "verify", identity)
        if refusal == "INVALID_PASSWORD":
            refusal = "PASSWORD_MISMATCH"  # the password alone was asked (see above)
        if refusal is not None:
            self.password.errors.append(_msg(refusal, email=identity))
            return False
        self.user = user
        return True


class ChangePasswordForm(Form):
    """Change password: current ``password``, ``new_password``, ``new_password_confirm``."""

    password = PasswordField(get_form_field_label("password"), validators=[password_required])
    new_password = PasswordField(
        get_form_field_label("new_password"), validators=[password_required, password_length]
    )
    new_password_confirm = PasswordField(
        get_form_field_label("retype_password"), validators=[EqualTo("new_password")]
    )
    submit = SubmitField(get_form_field_label("change_password"))

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, and the current password whenever one was given: a wrong
        current password is reported even when the new password is also refused (3.0
        stopped at the first failing field, so the user fixed the new password first
        and only then learned the current one was wrong).

        :param extra_validators: ``{field name: [validators]}`` (WTForms).
        :returns: whether the form is valid.
        """
        valid = super().validate(extra_validators=extra_validators)
        if self.password.data and not self.password.errors:
            if not verify_and_update_password(self.password.data, current_user):
                # 3.0's key on the ``password`` field (apps and their tests look for it).
                self.password.errors.append(_msg("INVALID_PASSWORD"))
                return False
        if not valid:
            return False
        if self.password.data == self.new_password.data:
            self.new_password.errors.append(_msg("PASSWORD_IS_THE_SAME"))
            return False
        return True


__all__ = [
    "EMAIL_FILTERS",
    "ChangePasswordForm",
    "Email",
    "EmailFormMixin",
    "EmailLookupForm",
    "EqualTo",
    "Form",
    "LoginForm",
    "NewPasswordFormMixin",
    "NextFormMixin",
    "PasswordConfirmFormMixin",
    "PasswordFormMixin",
    "PasswordLength",
    "RegisterFormMixin",
    "Required",
    "UniqueEmailFormMixin",
    "UserEmailFormMixin",
    "email_required",
    "email_validator",
    "focus_first_error",
    "form_errors",
    "formdata_from_mapping",
    "get_form_field_label",
    "password_length",
    "password_required",
    "unique_user_email",
    "valid_user_email",
    "validate_form_data",
]


def __getattr__(name: str) -> Any:
    return lazy_getattr(__name__, name)
