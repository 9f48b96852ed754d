"""Two-factor signals (upstream Flask-Security 5.x's documented names and arguments).
Each is sent with the application as sender."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A user completed two-factor login: ``user``, ``method``.
tf_code_confirmed = _signals.signal("tf-code-confirmed")

#: A user set up or changed a two-factor method: ``user``, ``method``.
tf_profile_changed = _signals.signal("tf-profile-changed")

#: A code was mailed or texted: ``user``, ``method``, ``login_token`` (the code)
#: and ``token`` (5.x's deprecated name, the same value).
tf_security_token_sent = _signals.signal("tf-security-token-sent")

#: A user turned two-factor off (or it was removed by ``flask users tf-reset``): ``user``.
tf_disabled = _signals.signal("tf-disabled")

__all__ = ["tf_code_confirmed", "tf_disabled", "tf_profile_changed", "tf_security_token_sent"]
