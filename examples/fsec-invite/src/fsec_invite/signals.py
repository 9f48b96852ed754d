"""The plugin's own blinker signals, registered with fsec through ``fsec_signals``."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# --8<-- [start:signals]
#: ``user_invited(app, user=..., token=..., invite_link=...)``: sent when an
#: invitation was created and mailed (the account exists, without a password).
user_invited = _signals.signal("fsec-invite-user-invited")

#: ``invite_accepted(app, user=...)``: sent once, when the invitee set a password
#: through the link (before being signed in).
invite_accepted = _signals.signal("fsec-invite-accepted")
# --8<-- [end:signals]

__all__ = ["invite_accepted", "user_invited"]
