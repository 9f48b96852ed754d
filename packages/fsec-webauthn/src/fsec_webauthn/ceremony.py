"""The state of one WebAuthn ceremony (a registration or a sign-in in two steps).

Step 1 answers ``wan_state``: a token signed with ``SECURITY_WAN_SALT`` (HMAC-SHA256
under ``SECRET_KEY``, itsdangerous) holding the challenge, what the ceremony is for
and a random nonce; the same nonce is kept in the session. Step 2 accepts the token
only

* within ``SECURITY_WAN_REGISTER_WITHIN`` / ``SECURITY_WAN_SIGNIN_WITHIN``,
* for the same purpose (a sign-in token never registers a key),
* in the session that started it (the nonce, compared in constant time), and
* once: the nonce leaves the session when step 2 reads it, whatever the outcome.

A cookie session can be replayed by whoever holds an old copy of the cookie, so a
sign-in is single-use in the database as well: an assertion is accepted only for a
challenge issued after the passkey's last use (``lastuse_datetime``), and the use is
recorded with a compare-and-set on ``sign_count`` and ``lastuse_datetime`` (of two
requests carrying the same assertion, one wins).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any

from flask import session
from flask_security import current_security
from itsdangerous import BadSignature, SignatureExpired

#: The session key holding the nonce of the ceremony in progress.
SESSION_KEY = "fs_wan_nonce"


def b64url(data: bytes) -> str:
    """``data`` as unpadded base64url (the encoding WebAuthn JSON uses)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """The bytes of unpadded base64url ``text``.

    :raises ValueError: not base64url.
    """
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def start(purpose: str, data: dict[str, Any]) -> str:
    """Begin a ceremony: keep a new nonce in the session and return the signed
    ``wan_state`` token carrying ``data`` (JSON-serialisable) and the nonce.

    :param purpose: ``"wan-register"`` or ``"wan-signin"``.
    """
    nonce = secrets.token_urlsafe(16)
    session[SESSION_KEY] = nonce
    return current_security.dumps_token("wan", purpose, [nonce, data])


def finish(token: str, purpose: str, max_age_seconds: float) -> tuple[str, dict[str, Any] | None]:
    """Read and consume ``token`` of ``purpose`` in this session.

    :returns: ``("ok", data)``; ``("expired", None)`` for a token older than
        ``max_age_seconds`` or whose nonce is not (or no longer) this session's;
        ``("invalid", None)`` for a token that is not ours.
    """
    expected = session.pop(SESSION_KEY, None)
    serializer = current_security.serializer("wan")
    try:
        payload = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        return "expired", None
    except (BadSignature, TypeError, ValueError):
        return "invalid", None
    data = current_security.unwrap_payload("wan", purpose, payload)
    if not data or len(data) != 2 or not isinstance(data[1], dict):
        return "invalid", None
    nonce = data[0]
    if (
        not isinstance(expected, str)
        or not isinstance(nonce, str)
        or not hmac.compare_digest(expected.encode(), nonce.encode())
    ):
        return "expired", None
    return "ok", data[1]
