"""The passwordless login form (documented 3.0 name and fields).

``from flask_security import PasswordlessLoginForm`` resolves to this class through
core's lazy name table.
"""

from __future__ import annotations

from flask_security.forms import EmailLookupForm, get_form_field_label
from wtforms import SubmitField


class PasswordlessLoginForm(EmailLookupForm):
    """Ask for a login link: ``email``, ``submit``.

    Validation checks only that a syntactically valid address was given; it never
    says whether an account has that address or whether the account is active (the
    same answer for every address, OWASP Authentication Cheat Sheet). After
    ``validate()`` succeeds, ``user`` is the account with that email
    (case-insensitive) or ``None``.
    """

    submit = SubmitField(get_form_field_label("send_login_link"))


__all__ = ["PasswordlessLoginForm"]
