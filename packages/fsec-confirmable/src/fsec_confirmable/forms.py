"""The form asking for new confirmation instructions (documented 3.0 field names)."""

from __future__ import annotations

from typing import Any

from flask_security.forms import Form, UserEmailFormMixin, get_form_field_label
from flask_security.utils import get_message
from wtforms import SubmitField


class SendConfirmationForm(Form, UserEmailFormMixin):
    """``email`` and ``submit``.

    Valid when ``email`` names a user (ignoring case; ``form.user`` is set) whose
    address is not confirmed yet (else ``ALREADY_CONFIRMED``) and whose account is
    active (else ``DISABLED_ACCOUNT``: no mail goes to deactivated accounts, unlike
    3.0 whose reset mails did; compat-notes unsafe point 8).
    """

    submit = SubmitField(get_form_field_label("send_confirmation"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators=extra_validators):
            return False
        if getattr(self.user, "confirmed_at", None) is not None:
            self.email.errors.append(get_message("ALREADY_CONFIRMED")[0])
            return False
        if not getattr(self.user, "is_active", False):
            self.email.errors.append(get_message("DISABLED_ACCOUNT")[0])
            return False
        return True


__all__ = ["SendConfirmationForm"]
