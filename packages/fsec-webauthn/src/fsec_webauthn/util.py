"""The relying party's choices: who we are (RP ID and origin, from the trusted host),
and what we ask of authenticators.

:class:`WebauthnUtil` carries upstream Flask-Security 5.x's name; subclass it and
pass the class as ``Security(app, datastore, webauthn_util_cls=MyUtil)`` or set
``SECURITY_WEBAUTHN_UTIL_CLS`` (a class or a dotted path) to change a choice.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_security.utils import config_value, external_url_for_security
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


def trusted_host_configured(app: Any) -> bool:
    """Whether ``app`` names the host it is reached at: ``SECURITY_EXTERNAL_BASE_URL``,
    ``SERVER_NAME`` or ``TRUSTED_HOSTS`` (Flask 3.1, which answers 400 to any other
    ``Host`` before a view runs)."""
    config = app.config
    return bool(
        config.get("SECURITY_EXTERNAL_BASE_URL")
        or config.get("SERVER_NAME")
        or config.get("TRUSTED_HOSTS")
    )


class WebauthnUtil:
    """Relying-party choices for registration and sign-in.

    :param app: the Flask application.

    Defaults (see ``docs/webauthn.md`` for how they differ from upstream's):

    * RP ID and origin come from the host the application trusts
      (:meth:`origin`, :meth:`rp_id`), never from the request's ``Host`` alone;
    * user verification (:meth:`user_verification`): ``"preferred"`` for passkeys
      used as the first factor, ``"discouraged"`` for second-factor keys
      (upstream's defaults); a passkey signs in alone only when it *did* verify
      the user, or ``SECURITY_WAN_ALLOW_AS_MULTI_FACTOR`` is off and a second factor
      follows;
    * discoverable credentials (resident keys): ``"required"`` for first-factor
      passkeys when ``SECURITY_WAN_ALLOW_USER_HINTS`` is off (the browser must then
      find the passkey without an account name), ``"preferred"`` otherwise;
    * no authenticator attachment is imposed: platform passkeys (phone, laptop) and
      security keys both work.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def generate_challenge(self, nbytes: int = 32) -> bytes:
        """A random challenge (``secrets.token_bytes``); the spec asks for at least
        16 bytes (W3C WebAuthn-2 §13.4.3)."""
        return secrets.token_bytes(nbytes)

    def origin(self) -> str:
        """``scheme://host[:port]`` of the trusted URL the site is reached at
        (:func:`flask_security.utils.external_url_for`: ``SECURITY_EXTERNAL_BASE_URL``,
        else ``SERVER_NAME``, else the ``Host`` that ``TRUSTED_HOSTS`` let through).

        :raises RuntimeError: none of them is configured.
        """
        if not trusted_host_configured(current_app):
            raise RuntimeError(
                "fsec-webauthn needs SECURITY_EXTERNAL_BASE_URL, SERVER_NAME or TRUSTED_HOSTS"
            )
        parts = urlsplit(external_url_for_security("wan_signin"))
        return f"{parts.scheme}://{parts.netloc}"

    def rp_id(self) -> str:
        """The relying party ID: the host name of :meth:`origin` (no port)."""
        return urlsplit(self.origin()).hostname or ""

    def user_verification(self, usage: str) -> UserVerificationRequirement:
        """What to ask of the authenticator for a credential of ``usage``
        (``"first"`` or ``"secondary"``)."""
        if usage == "first":
            return UserVerificationRequirement.PREFERRED
        return UserVerificationRequirement.DISCOURAGED

    def require_user_verification(self, usage: str) -> bool:
        """Whether a registration or assertion without the UV flag is refused: only
        when :meth:`user_verification` says ``"required"``."""
        return self.user_verification(usage) == UserVerificationRequirement.REQUIRED

    def authenticator_selection(self, user: Any, usage: str) -> AuthenticatorSelectionCriteria:
        """The ``authenticatorSelection`` of a registration for ``user``."""
        resident = ResidentKeyRequirement.PREFERRED
        if usage == "first" and not config_value("WAN_ALLOW_USER_HINTS"):
            resident = ResidentKeyRequirement.REQUIRED
        return AuthenticatorSelectionCriteria(
            resident_key=resident,
            require_resident_key=resident == ResidentKeyRequirement.REQUIRED,
            user_verification=self.user_verification(usage),
        )
