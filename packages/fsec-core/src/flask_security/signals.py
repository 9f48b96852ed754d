"""The documented Flask-Security signals (blinker), sent with the app as sender.

Features fire them; plugins may define more and register them through the
``fsec_signals`` hook.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

#: ``user_registered(app, user=..., confirm_token=...)``: a user registered.
user_registered = _signals.signal("user-registered")

#: ``user_confirmed(app, user=...)``: a user confirmed their email address.
user_confirmed = _signals.signal("user-confirmed")

#: ``confirm_instructions_sent(app, user=..., token=...)``: confirmation mail sent.
confirm_instructions_sent = _signals.signal("confirm-instructions-sent")

#: ``login_instructions_sent(app, user=..., login_token=...)``: login link sent.
login_instructions_sent = _signals.signal("login-instructions-sent")

#: ``password_reset(app, user=...)``: a user completed a password reset.
password_reset = _signals.signal("password-reset")

#: ``password_changed(app, user=...)``: a user changed their password.
password_changed = _signals.signal("password-changed")

#: ``reset_password_instructions_sent(app, user=..., token=...)``: reset mail sent.
reset_password_instructions_sent = _signals.signal("password-reset-instructions-sent")

#: ``user_not_registered(app, user=..., existing_email=True, existing_username=False,
#: form_data={...})``: somebody tried to register an address that has an account, and
#: ``SECURITY_RETURN_GENERIC_RESPONSES`` answered as if it worked (Flask-Security 5.x
#: name and arguments; ``form_data`` holds the submitted fields, secrets removed).
user_not_registered = _signals.signal("user-not-registered")


def __getattr__(name: str) -> Any:
    # Signals of feature distributions (fsec-webauthn's wan_registered...).
    from ._lazy import lazy_getattr

    return lazy_getattr(__name__, name)


__all__ = [
    "confirm_instructions_sent",
    "login_instructions_sent",
    "password_changed",
    "password_reset",
    "reset_password_instructions_sent",
    "user_confirmed",
    "user_not_registered",
    "user_registered",
]
