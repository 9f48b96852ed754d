"""The form machinery every fsec form builds on: the base :class:`Form` (Flask-WTF,
refusing text no store can hold), the validators and their message keys, the standard
field labels, and the helpers views and commands use around a form (errors as a dict,
focus on the first refused field, form data from a mapping, validating without a
request).

Error messages are message keys resolved at validation time, so ``SECURITY_MSG_*``
overrides and translations apply. Everything here is importable from
:mod:`flask_security.forms` (the 3.0 path), where core's forms and the field mixins are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms.validators import StopValidation, ValidationError

from .babel import N_, lazy_gettext
from .config import config_value
from .state import _datastore, _security
from .utils import get_message, has_forbidden_characters, normalize_email

_default_field_labels = {
    "email": N_("Email Address"),
    "password": N_("Password"),
    "remember_me": N_("Remember Me"),
    "login": N_("Login"),
    "register": N_("Register"),
    "send_confirmation": N_("Resend Confirmation Instructions"),
    "recover_password": N_("Recover Password"),
    "reset_password": N_("Reset Password"),
    "retype_password": N_("Retype Password"),
    "new_password": N_("New Password"),
    "change_password": N_("Change Password"),
    "send_login_link": N_("Send Login Link"),
    "verify_password": N_("Verify Password"),
}


def get_form_field_label(key: str) -> Any:
    """The (lazily translated) label for a standard field key.

    :param key: a key of the standard labels (``"email"``, ``"new_password"``...), or
        any text (used as the label itself).
    :returns: a lazy string, translated when rendered.
    """
    return lazy_gettext(_default_field_labels.get(key, key))


def _msg(key: str, **kwargs: Any) -> str:
    return get_message(key, **kwargs)[0]


class Required:
    """Stop validation with message ``key`` when the field is empty."""

    field_flags = {"required": True}

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()):
            field.errors[:] = []
            raise StopValidation(_msg(self.key))


class Email:
    """A syntactically valid email address (RFC 5321/5322 via ``email-validator``;
    no DNS lookups). Message key ``INVALID_EMAIL_ADDRESS``."""

    def __call__(self, form: Any, field: Field) -> None:
        # Imported on first use: its RFC tables cost ~15 ms at import, and login,
        # token and session requests never validate an address.
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(str(field.data or ""), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_msg("INVALID_EMAIL_ADDRESS")) from None


class PasswordLength:
    """Length between ``SECURITY_PASSWORD_MIN_LENGTH`` and ``_MAX_LENGTH`` (6..128
    characters, documented 3.0 rule), and no NUL character."""

    def __call__(self, form: Any, field: Field) -> None:
        low = config_value("PASSWORD_MIN_LENGTH", default=6)
        high = config_value("PASSWORD_MAX_LENGTH", default=128)
        if not (low <= len(field.data or "") <= high):
            raise ValidationError(_msg("PASSWORD_INVALID_LENGTH", min=low, max=high))
        if "\x00" in (field.data or ""):
            # bcrypt stops at a NUL byte; passlib refuses such secrets outright.
            raise ValidationError(_msg("PASSWORD_INVALID_CHARACTERS"))


class EqualTo:
    """The field equals the field ``other``; message key ``RETYPE_PASSWORD_MISMATCH``."""

    def __init__(self, other: str) -> None:
        self.other = other

    def __call__(self, form: Any, field: Field) -> None:
        if field.data != form[self.other].data:
            raise ValidationError(_msg("RETYPE_PASSWORD_MISMATCH"))


def unique_user_email(form: Any, field: Field) -> None:
    """No user has this email address, compared case-insensitively.

    When one has, the account is kept as ``form.existing_email_user`` (upstream 5.x
    name) for views answering generically (``SECURITY_RETURN_GENERIC_RESPONSES``).

    :param form: the form being validated.
    :param field: the email field.
    :raises wtforms.validators.ValidationError: ``EMAIL_ALREADY_ASSOCIATED``.
    """
    user = _datastore.find_user_by_identity(field.data, ["email"])
    if user is not None:
        form.existing_email_user = user
        raise ValidationError(_msg("EMAIL_ALREADY_ASSOCIATED", email=field.data))


def valid_user_email(form: Any, field: Field) -> None:
    """A user has this email address (case-insensitive); sets ``form.user``.

    :param form: the form being validated (gets ``user``).
    :param field: the email field.
    :raises wtforms.validators.ValidationError: ``USER_DOES_NOT_EXIST``.
    """
    form.user = _datastore.find_user_by_identity(field.data, ["email"])
    if form.user is None:
        raise ValidationError(_msg("USER_DOES_NOT_EXIST"))


#: Validator: the email field is not empty (message ``EMAIL_NOT_PROVIDED``).
email_required = Required("EMAIL_NOT_PROVIDED")
#: Validator: a syntactically valid address (:class:`Email`, ``INVALID_EMAIL_ADDRESS``).
email_validator = Email()
#: Validator: the password field is not empty (message ``PASSWORD_NOT_PROVIDED``).
password_required = Required("PASSWORD_NOT_PROVIDED")
#: Validator: fsec's password length rule (:class:`PasswordLength`).
password_length = PasswordLength()


def _submitted_text(field: Field) -> list[str]:
    values = [v for v in (getattr(field, "raw_data", None) or ()) if isinstance(v, str)]
    if isinstance(field.data, str):
        values.append(field.data)
    return values


class Form(FlaskForm):
    """Base of every fsec form (Flask-WTF, so CSRF protection is on by default).

    Every fsec form, form post or JSON body alike (both reach the form through
    :func:`flask_security.views.build_form`), refuses text that no store can hold
    before any validator runs: a field whose submitted value contains a NUL
    character or an unpaired UTF-16 surrogate (see
    :func:`flask_security.utils.has_forbidden_characters`) gets the error
    ``INVALID_CHARACTERS``, none of the form's validators run (so no such value
    reaches a database query, a hash or a mail), and ``validate()`` returns
    ``False``: the view answers ``400`` with that field error.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        """Refuse forbidden characters (see the class docstring), then validate as
        WTForms does.

        :param extra_validators: ``{field name: [validators]}`` (WTForms).
        :returns: whether every field is valid.
        """
        refused = [f for f in self if any(map(has_forbidden_characters, _submitted_text(f)))]
        if refused:
            message = _msg("INVALID_CHARACTERS")
            for field in self:
                field.errors = [message] if field in refused else []
            return False
        return bool(super().validate(extra_validators=extra_validators))


def form_errors(form: Any) -> dict[str, list[str]]:
    """``{field name: [messages]}`` for every field with errors (form-level errors under
    ``"form"``); also importable from :mod:`flask_security.views`, where views use it.

    :param form: a validated WTForms form.
    :returns: the errors; empty when there are none.
    """
    errors = {field.name: [str(e) for e in field.errors] for field in form if field.errors}
    form_level = getattr(form, "form_errors", None)
    if form_level:
        errors["form"] = [str(e) for e in form_level]
    return errors


#: Widget input types of fields the user does not see or type into.
_UNFOCUSABLE_INPUTS = frozenset({"hidden", "submit"})


def focus_first_error(form: Any) -> Any | None:
    """Give the first refused field the user can see the ``autofocus`` attribute, so a
    page shown again with errors puts the cursor (and a screen reader) on the field
    to fix (WCAG 2.2 success criterion 3.3.1, "Error Identification": errors are
    identified and described; this brings the user to the first one).

    Fields in the form's order; hidden fields (CSRF token, ``next``) and buttons are
    skipped. Called by :func:`flask_security.views.render_page` for every form in a
    page's context, after validation added its errors.

    :param form: a WTForms form (any other value is ignored).
    :returns: the field given focus, or ``None`` (no form, or no visible error).
    """
    if not hasattr(form, "_fields"):
        return None
    for field in form:
        if not field.errors:
            continue
        if getattr(field.widget, "input_type", None) in _UNFOCUSABLE_INPUTS:
            continue
        field.render_kw = {**(field.render_kw or {}), "autofocus": True}
        return field
    return None


def formdata_from_mapping(
    data: Mapping[str, Any],
) -> tuple[MultiDict[str, str], dict[str, list[str]]]:
    """Form data for a WTForms form from a mapping (a JSON object, CLI values).

    The one conversion of JSON bodies (:func:`flask_security.views.build_form`) and
    of :func:`validate_form_data`: a ``str`` is kept, ``True``/``False`` become
    ``"y"``/``""`` (what a checked/unchecked checkbox posts), ``None`` is left out
    (the field is absent); any other value (number, list, object) is an error.

    :param data: ``{field name: value}``.
    :returns: ``(formdata, errors)``: ``errors`` is ``{field: [INVALID_JSON_VALUE
        message]}`` for every value of another type (empty when all were usable).
    """
    formdata: MultiDict[str, str] = MultiDict()
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            formdata[key] = "y" if value else ""
        elif isinstance(value, str):
            formdata[key] = value
        else:
            errors[str(key)] = [_msg("INVALID_JSON_VALUE")]
    return formdata, errors


def validate_form_data(
    name_or_class: str | type, data: Mapping[str, Any], **kwargs: Any
) -> tuple[Any, dict[str, list[str]]]:
    """Validate ``data`` with a security form, as its web view would, without a request.

    For CLI commands and background jobs: the form is the registered one (after the
    application's overrides, ``SECURITY_<NAME>`` / ``Security(..., name=...)``), so
    the rules and messages are those of the web form (length rules, ``email``
    syntax, uniqueness, ``SECURITY_MSG_*`` overrides, translations). Needs an
    application context only (``flask`` CLI commands have one); CSRF is not checked
    (there is no browser session to protect). Inside a request it works the same and
    ignores the request's own form data.
    :func:`flask_security.cli.validate_cli_form` wraps it for click commands.

    :param name_or_class: a registered form name (``"register_form"``, a plugin's own
        ``"invite_form"``) or a form class.
    :param data: ``{field name: value}`` (see :func:`formdata_from_mapping`: text,
        booleans for checkboxes; ``None`` for an absent field).
    :param kwargs: more keyword arguments for the form's constructor.
    :returns: ``(form, errors)``: the bound form (``form.email.data``...; attributes
        set by its validators, such as ``form.user``) and ``{field: [message]}``
        (the shape of :func:`form_errors`, form-level errors
        under ``"form"``), empty when the data is valid.
    :raises RuntimeError: no enabled plugin registered a form ``name_or_class``
        (:meth:`flask_security.SecurityState.form_class`), or no application context.
    """
    cls = _security.form_class(name_or_class) if isinstance(name_or_class, str) else name_or_class
    formdata, errors = formdata_from_mapping(data)
    form = cls(formdata=formdata, meta={"csrf": False}, **kwargs)
    if errors:
        return form, errors
    form.validate()
    return form, form_errors(form)


#: WTForms filters of every email field: :func:`flask_security.utils.normalize_email`
#: runs on the submitted text before any validator, so the validators, the lookups,
#: the stored row and the mails all see the same address.
EMAIL_FILTERS = (normalize_email,)

__all__ = [
    "EMAIL_FILTERS",
    "Email",
    "EqualTo",
    "Form",
    "PasswordLength",
    "Required",
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
