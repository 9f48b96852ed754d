"""Configuration defaults contributed by fsec-registerable.

Keys are read as ``SECURITY_<KEY>``; the application's own values win. Defaults of
documented keys are the documented Flask-Security 3.0 defaults.
"""

from __future__ import annotations

from typing import Any

#: Configuration defaults (key without ``SECURITY_``), documented 3.0 values.
DEFAULTS: dict[str, Any] = {
    "REGISTER_URL": "/register",
    "REGISTER_USER_TEMPLATE": "security/register_user.html",
    "POST_REGISTER_VIEW": None,
    "SEND_REGISTER_EMAIL": True,
    "EMAIL_SUBJECT_REGISTER": "Welcome",
}
