"""fsec-invite: invitations by mailed single-use links, an fsec plugin.

An administrator invites an address (``flask users invite EMAIL`` or the ``/invite``
page); the invitee follows the mailed link, chooses a password and is signed in.
Built only on fsec-core's public names; switch it on with::

    pip install fsec-invite
    app.config["SECURITY_PLUGINS"] = ["invite"]

It is the example of fsec's tutorial "Write a link-based feature"
(``docs/plugins/tutorial-link-feature.md``).
"""

from __future__ import annotations

from .invite import accept_invitation, check_invite_token, invite_user
from .signals import invite_accepted, user_invited

__version__ = "0.1.0"

__all__ = [
    "accept_invitation",
    "check_invite_token",
    "invite_accepted",
    "invite_user",
    "user_invited",
]
