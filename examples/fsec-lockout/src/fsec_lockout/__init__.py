"""fsec-lockout: lock an account after repeated failed sign-ins.

An fsec plugin built only on fsec-core's public hooks. Install it and switch it on::

    pip install fsec-lockout
    app.config["SECURITY_PLUGINS"] = ["lockout"]

The user model needs three fields (checked at start-up): ``failed_login_count``
(integer), ``first_failed_login_at`` and ``locked_until`` (date-times). See the
README for the policy and every setting.
"""

from __future__ import annotations

from .policy import (
    FIELDS,
    LockoutStatus,
    is_locked,
    lockout_status,
    record_failure,
    unlock_user,
)
from .signals import account_locked

__version__ = "0.1.0"

__all__ = [
    "FIELDS",
    "LockoutStatus",
    "account_locked",
    "is_locked",
    "lockout_status",
    "record_failure",
    "unlock_user",
]
