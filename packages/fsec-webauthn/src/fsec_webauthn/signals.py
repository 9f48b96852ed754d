"""The WebAuthn signals (upstream Flask-Security 5.x names), sent with the app as
sender."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: ``wan_registered(app, user=..., name=...)``: a passkey was registered.
wan_registered = _signals.signal("wan-registered")

#: ``wan_deleted(app, user=..., name=...)``: a passkey was deleted.
wan_deleted = _signals.signal("wan-deleted")

__all__ = ["wan_deleted", "wan_registered"]
