"""fsec-webauthn: passkeys (WebAuthn) for fsec, switched on by ``SECURITY_WEBAUTHN``.

Upstream Flask-Security 5.x's documented names: ``/wan-register``, ``/wan-signin``,
``/wan-delete``, the ``SECURITY_WAN_*`` settings, the signals ``wan_registered`` and
``wan_deleted``, the user's ``fs_webauthn_user_handle`` and the WebAuthn credential
model's fields. Registrations and assertions are verified by the ``webauthn``
package (py_webauthn). The plugin module (:mod:`fsec_webauthn.plugin`) is the
``webauthn`` entry point; the rest is imported only when the feature is on.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_NAMES = {
    "WebAuthnMixin": "fsec_webauthn.models",
    "WebauthnUtil": "fsec_webauthn.util",
    "wan_registered": "fsec_webauthn.signals",
    "wan_deleted": "fsec_webauthn.signals",
    "WebAuthnRegisterForm": "fsec_webauthn.forms",
    "WebAuthnRegisterResponseForm": "fsec_webauthn.forms",
    "WebAuthnSigninForm": "fsec_webauthn.forms",
    "WebAuthnSigninResponseForm": "fsec_webauthn.forms",
    "WebAuthnDeleteForm": "fsec_webauthn.forms",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_NAMES)
