"""The form asking for new confirmation instructions (documented 3.0 field names)."""

from __future__ import annotations

from flask_security.forms import EmailLookupForm, get_form_field_label
from wtforms import SubmitField


class SendConfirmationForm(EmailLookupForm):
    """``email`` and ``submit``.

    Valid for every well-formed address, whether an account uses it or not (the
    answer must not tell them apart: OWASP Authentication Cheat Sheet, "Authentication
    and Error Messages"; 3.0 said ``USER_DOES_NOT_EXIST`` or ``ALREADY_CONFIRMED``).
    After ``validate()`` succeeds, ``user`` is the account with that email (ignoring
    case) or ``None``; the view mails only an active account whose address is not
    confirmed yet.
    """

    submit = SubmitField(get_form_field_label("send_confirmation"))


__all__ = ["SendConfirmationForm"]
