"""Registration forms (documented Flask-Security 3.0 field names).

* :class:`ConfirmRegisterForm`: ``email``, ``password``, ``submit``. Used when
  ``SECURITY_CONFIRMABLE`` is on and for JSON requests (documented 3.0 behaviour).
* :class:`RegisterForm`: adds ``password_confirm`` and ``next``.

Subclass either to collect more fields: every field whose name is an attribute of the
user model is passed to ``datastore.create_user`` (see
:meth:`flask_security.forms.RegisterFormMixin.to_dict`).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_security.forms import (
    Form,
    NewPasswordFormMixin,
    NextFormMixin,
    PasswordConfirmFormMixin,
    RegisterFormMixin,
    UniqueEmailFormMixin,
)
from flask_security.utils import safe_redirect_target


class ConfirmRegisterForm(Form, RegisterFormMixin, UniqueEmailFormMixin, NewPasswordFormMixin):
    """Register with ``email`` and ``password`` only.

    ``email`` must be a valid address that no user has yet, compared ignoring case
    (message ``EMAIL_ALREADY_ASSOCIATED``); ``password`` must be
    ``SECURITY_PASSWORD_MIN_LENGTH``..``SECURITY_PASSWORD_MAX_LENGTH`` characters
    (6..128 by default, message ``PASSWORD_INVALID_LENGTH``).
    """


class RegisterForm(ConfirmRegisterForm, PasswordConfirmFormMixin, NextFormMixin):
    """Register with ``email``, ``password``, ``password_confirm`` and ``next``.

    ``password_confirm`` must equal ``password`` (``RETYPE_PASSWORD_MISMATCH``);
    ``next`` must be a same-origin path (``INVALID_REDIRECT``) and defaults to the
    ``next`` query argument when that is one (an unsafe query value is dropped rather
    than copied into a hidden field the visitor could not correct).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.next.data and has_request_context():
            self.next.data = safe_redirect_target(request.args.get("next")) or ""


__all__ = ["ConfirmRegisterForm", "RegisterForm"]
