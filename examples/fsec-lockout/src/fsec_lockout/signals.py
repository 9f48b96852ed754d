"""The plugin's own blinker signal, registered with fsec through ``fsec_signals``."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: ``account_locked(app, user=..., locked_until=..., failed_attempts=...)``: sent once
#: when a failed sign-in locks an account. ``locked_until`` is a ``datetime`` from
#: ``SECURITY_DATETIME_FACTORY``; ``failed_attempts`` the count that reached
#: ``SECURITY_LOCKOUT_MAX_ATTEMPTS``. Also reachable as
#: ``app.extensions["security"].signals["account_locked"]``.
account_locked = _signals.signal("fsec-lockout-account-locked")

__all__ = ["account_locked"]
