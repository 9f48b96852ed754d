"""The passwordless login form (documented 3.0 name and fields).

``from flask_security import PasswordlessLoginForm`` resolves to this class through
core's lazy name table.
"""

from __future__ import annotations

from typing import Any

from flask_security.core import _datastore
from flask_security.forms import EmailFormMixin, Form, get_form_field_label
from wtforms import SubmitField


class PasswordlessLoginForm(Form, EmailFormMixin):
    """Ask for a login link: ``email``, ``submit``.

    Validation checks only that a syntactically valid address was given; it never
    says whether an account has that address or whether the account is active (the
    same answer for every address, OWASP Authentication Cheat Sheet). After
    ``validate()`` succeeds, ``user`` is the account with that email
    (case-insensitive) or ``None``.
    """

    submit = SubmitField(get_form_field_label("send_login_link"))

    user: Any = None

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields, then look the account up (sets ``user``).

        :returns: ``True`` when the address is well formed, known or not.
        """
        if not super().validate(extra_validators=extra_validators):
            return False
        self.user = _datastore.find_user_by_identity(self.email.data or "", ["email"])
        return True


__all__ = ["PasswordlessLoginForm"]
