"""Signed tokens and access fingerprints: the token component of the state.

:class:`flask_security.state.SecurityState` inherits these two mixins; they need only
``self.app`` (the Flask application), ``self.datastore`` and
``self.login_refusal(user, method)``. Keys come from ``SECRET_KEY`` and Flask 3.1's
``SECRET_KEY_FALLBACKS`` on every call, so a key rotated at run time is used at once.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from flask import g, has_request_context, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .config import config_value

#: The session key holding when the session's user last authenticated (seconds since
#: the epoch; :func:`flask_security.freshness.mark_authn_fresh`).
AUTHN_TIME_SESSION_KEY = "fs_paa"
#: ``g`` attribute: when the current request's user last authenticated, as far as
#: this request knows (from its auth token, or set by a login or verify now).
AUTHN_TIME_G = "_fsec_authn_at"
#: ``g`` attribute: the current request's user was loaded from an auth token.
TOKEN_AUTHN_G = "_fsec_token_authn"


def _request_authn_time(user: Any) -> float:
    """When ``user`` last authenticated, for a token made for them now: the current
    request's knowledge when ``user`` is its user (so a token made by a session or
    token that is not fresh is not fresh either), else now (a token made right after a
    login, or outside a request: the CLI, tests). ``0`` when unknown."""
    if not has_request_context():
        return time.time()
    current = g.get("_login_user")
    if current is None or str(getattr(current, "id", "")) != str(user.id):
        return time.time()
    known = g.get(AUTHN_TIME_G)
    if known is None:
        known = session.get(AUTHN_TIME_SESSION_KEY) if "_user_id" in session else None
    if isinstance(known, int | float) and not isinstance(known, bool):
        return float(known)
    return 0.0


class TokenSigning:
    """Serializers and purpose-bound token payloads (itsdangerous, HMAC-SHA256)."""

    app: Any
    config: Callable[..., Any]
    _serializers: dict[str, tuple[Any, URLSafeTimedSerializer]]

    def secret_keys(self) -> tuple[str | bytes, ...]:
        """``SECRET_KEY`` then Flask 3.1's ``SECRET_KEY_FALLBACKS`` (most recent first).

        Read from ``app.config`` on every call, so a key changed at run time is used
        without a restart: the first key signs, every key verifies.

        :returns: the keys, ``SECRET_KEY`` first.
        """
        config = self.app.config
        return (config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ()))

    def serializer(self, name: str) -> URLSafeTimedSerializer:
        """The itsdangerous serializer for tokens of kind ``name``.

        Its salt is ``SECURITY_<NAME>_SALT`` (``confirm``, ``reset``, ``login``,
        ``remember`` ...); signatures are HMAC-SHA256 keyed by ``SECRET_KEY``, and
        tokens signed with a key in ``SECRET_KEY_FALLBACKS`` verify too (itsdangerous
        key rotation). Rebuilt when the salt or a key changes.

        :raises KeyError: no ``SECURITY_<NAME>_SALT`` is configured.

        :param name: the token kind (``"reset"``, a plugin's ``"invite"``).
        :returns: the serializer.
        """
        salt = self.app.config["SECURITY_" + name.upper() + "_SALT"]
        keys = self.secret_keys()
        cached = self._serializers.get(name)
        if cached is not None and cached[0] == (salt, keys):
            return cached[1]
        ser = URLSafeTimedSerializer(
            list(reversed(keys)),  # itsdangerous: oldest first, the last one signs
            salt=salt,
            signer_kwargs={"digest_method": hashlib.sha256},
        )
        self._serializers[name] = ((salt, keys), ser)
        return ser

    def legacy_payloads_allowed(self, name: str) -> bool:
        """Whether tokens of kind ``name`` may carry a payload without its purpose.

        Tokens issued before fsec put the purpose into every payload hold a bare list.
        Their kind is known only from the salt they were signed with, so they are
        accepted only while ``SECURITY_<NAME>_SALT`` differs from every other
        ``SECURITY_*_SALT`` (``PASSWORD_SALT`` aside): with two equal salts a token of
        one kind would pass as the other (issue: a reset link used as an auth token).

        :param name: the token kind.
        :returns: whether payloads without a purpose are still accepted for it.
        """
        own_key = "SECURITY_" + name.upper() + "_SALT"
        config = self.app.config
        own = config.get(own_key)
        return not any(
            value == own
            for key, value in config.items()
            if key.startswith("SECURITY_")
            and key.endswith("_SALT")
            and key not in (own_key, "SECURITY_PASSWORD_SALT")
        )

    def dumps_token(self, name: str, purpose: str, data: list[Any]) -> str:
        """Sign ``{"p": purpose, "d": data}`` with the serializer ``name``.

        :param purpose: what the token is for (``"auth"``, ``"reset"``...); checked by
            :meth:`loads_token`, so a token of one purpose never passes as another even
            when two kinds share a salt.
        :returns: a URL-safe ASCII string (itsdangerous, timestamped).

        :param name: the token kind (selects the salt).
        :param data: the JSON-serialisable list to sign.
        """
        return str(self.serializer(name).dumps({"p": purpose, "d": data}))

    def unwrap_payload(self, name: str, purpose: str, payload: Any) -> list[Any] | None:
        """The data of a loaded token payload when it is for ``purpose``, else ``None``.

        A bare list (a token from before purposes) is accepted when
        :meth:`legacy_payloads_allowed`.

        :param name: the token kind.
        :param purpose: the purpose the payload must name.
        :param payload: the verified payload.
        :returns: the data list, or ``None`` when the purpose does not match.
        """
        if isinstance(payload, dict):
            if payload.get("p") == purpose and isinstance(payload.get("d"), list):
                return list(payload["d"])
            return None
        if isinstance(payload, list) and self.legacy_payloads_allowed(name):
            return payload
        return None


class AccessFingerprints(TokenSigning):
    """Fingerprints of a user's access state and the auth tokens built on them."""

    datastore: Any
    login_refusal: Callable[[Any, str], str | None]
    _fingerprint_hmac: Any

    def _fingerprint_macs(self) -> list[Any]:
        # One keyed HMAC object per secret key, copied for each call: keying a new one
        # costs several times more (OpenSSL looks the digest up again), on every
        # authenticated request. Rebuilt when SECRET_KEY or its fallbacks change.
        keys = self.secret_keys()
        cached = self._fingerprint_hmac
        if cached is None or cached[0] != keys:
            macs = []
            for key in keys:
                raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
                derived = hmac.new(raw, b"fsec-password-fingerprint", hashlib.sha256).digest()
                macs.append(hmac.new(derived, digestmod=hashlib.sha256))
            cached = self._fingerprint_hmac = (keys, macs)
        return list(cached[1])

    @staticmethod
    def _mac_hex(mac: Any, value: str | bytes | None) -> str:
        mac = mac.copy()
        mac.update(value.encode("utf-8") if isinstance(value, str) else (value or b""))
        return str(mac.hexdigest()[:32])

    def fingerprint(self, value: str | bytes | None) -> str:
        """A 128-bit HMAC-SHA256 of ``value`` (``None`` counts as empty) keyed from
        ``SECRET_KEY``, as 32 hex characters. Reveals nothing about ``value``.

        :param value: the state to fingerprint (``None`` allowed).
        :returns: 32 hex characters.
        """
        return self._mac_hex(self._fingerprint_macs()[0], value)

    def fingerprint_key_index(self, value: str | bytes | None, expected: Any) -> int | None:
        """Which key's :meth:`fingerprint` of ``value`` equals ``expected``: ``0`` for
        ``SECRET_KEY``, ``1``... for ``SECRET_KEY_FALLBACKS``; ``None`` for none
        (constant-time comparisons).

        :param value: the state now.
        :param expected: the fingerprint carried by a token or session.
        :returns: the index of the secret key that matches (``0``: ``SECRET_KEY``), or ``None``.
        """
        if not isinstance(expected, str):
            return None
        for index, mac in enumerate(self._fingerprint_macs()):
            if hmac.compare_digest(self._mac_hex(mac, value), expected):
                return index
        return None

    def fingerprint_matches(self, value: str | bytes | None, expected: Any) -> bool:
        """Whether ``expected`` is the :meth:`fingerprint` of ``value`` under
        ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS``.

        :param value: the state now.
        :param expected: the fingerprint carried by a token or session.
        :returns: whether it matches under any of the secret keys.
        """
        return self.fingerprint_key_index(value, expected) is not None

    def access_state(self, user: Any) -> str:
        """What sessions, remember cookies and auth tokens of ``user`` are bound to:
        the password hash and, when the model has upstream's ``fs_uniquifier`` and it
        is set, that value. Changing either ends them all.

        :param user: the user.
        :returns: the string sessions and tokens are bound to.
        """
        value = getattr(user, "password", None) or ""
        uniquifier = getattr(user, "fs_uniquifier", None)
        if uniquifier:
            value = f"{value}\x1f{uniquifier}"
        return str(value)

    def password_fingerprint(self, user: Any) -> str:
        """:meth:`fingerprint` of :meth:`access_state`.

        Sessions, remember cookies and auth tokens carry it; any password change (or
        ``fs_uniquifier`` change, see ``UserDatastore.reset_user_access``) changes it,
        which ends them all.

        :param user: the user.
        :returns: 32 hex characters.
        """
        return self.fingerprint(self.access_state(user))

    def auth_token_for(self, user: Any) -> str:
        """A signed auth token for ``user`` (see :meth:`UserMixin.get_auth_token`).

        Payload ``{"p": "auth", "d": [user id, password fingerprint, authentication
        time]}``, signed by the ``remember`` serializer. The authentication time
        (whole seconds since the epoch) is when the user last proved who they are:
        now right after a login or verify, the session's or token's time when a user
        already signed in gets a new token (freshness, upstream 5.x:
        ``SECURITY_FRESHNESS_ALLOW_AUTH_TOKEN``).

        :param user: the user.
        :returns: the token (URL-safe ASCII).
        """
        data = [str(user.id), self.password_fingerprint(user), int(_request_authn_time(user))]
        return self.dumps_token("remember", "auth", data)

    def user_from_auth_token(self, token: str) -> Any | None:
        """The active user an auth token names, or ``None``.

        Cost: one HMAC verification and one primary-key lookup; no password hash.
        Checks the purpose (``"auth"``), ``SECURITY_TOKEN_MAX_AGE`` (seconds), the
        password fingerprint (constant-time, any of the secret keys) and
        :meth:`login_refusal` (``"token"``). In a request, the token's authentication
        time is kept on ``g`` for freshness checks (tokens made before fsec carried it
        have none: never fresh).

        :param token: the token as received.
        :returns: the user, or ``None``.
        """
        try:
            payload = self.serializer("remember").loads(
                token, max_age=config_value("TOKEN_MAX_AGE", self.app)
            )
        except (BadSignature, SignatureExpired, TypeError, ValueError):
            return None
        data = self.unwrap_payload("remember", "auth", payload)
        if not (
            isinstance(data, list)
            and len(data) in (2, 3)
            and all(isinstance(x, str) for x in data[:2])
        ):
            return None
        at = data[2] if len(data) == 3 else None
        if not isinstance(at, int) or isinstance(at, bool):
            at = None
        user = self.datastore.load_user(data[0])
        if user is None or not self.fingerprint_matches(self.access_state(user), data[1]):
            return None
        if self.login_refusal(user, "token") is not None:
            return None
        if has_request_context():
            setattr(g, TOKEN_AUTHN_G, True)
            setattr(g, AUTHN_TIME_G, at)
        return user


class RequestLoaders(AccessFingerprints):
    """Who the request's user is: Flask-Login's session loader and request (auth
    token) loader of the state (:func:`flask_security.identity._user_loader`)."""

    def _load_user_from_session(self, alternative_id: str) -> Any | None:
        user_id, sep, fingerprint = str(alternative_id).rpartition(":")
        if not sep or not user_id:
            return None
        user = self.datastore.load_user(user_id)
        if user is None:
            return None
        key_index = self.fingerprint_key_index(self.access_state(user), fingerprint)
        if key_index is None:
            return None
        if self.login_refusal(user, "session") is not None:
            return None
        if key_index > 0 and has_request_context() and session.get("_user_id") == alternative_id:
            # Signed with a key in SECRET_KEY_FALLBACKS: carry on under SECRET_KEY.
            session["_user_id"] = user.get_id()
        return user

    def _load_user_from_request(self, request: Any) -> Any | None:
        """The user of the auth token in the ``SECURITY_TOKEN_AUTHENTICATION_HEADER``
        header, else the ``SECURITY_TOKEN_AUTHENTICATION_KEY`` query argument, else
        that key of a JSON object body (the three places 3.0 read), or ``None``."""
        # Flask-Login's request loader: a token here also satisfies login_required and
        # auth_required("session") (3.0 behaviour). SECURITY_TOKEN_AUTHENTICATION_KEY =
        # None switches the query-string and JSON-body forms off (URLs end up in logs
        # and Referers).
        token = request.headers.get(config_value("TOKEN_AUTHENTICATION_HEADER", self.app))
        query_key = config_value("TOKEN_AUTHENTICATION_KEY", self.app)
        if not token and query_key:
            token = request.args.get(query_key)
        if not token and query_key and request.is_json:
            try:
                body = request.get_json(silent=True)
            except Exception:  # a body the parser gives up on (too deep...) holds none
                body = None
            token = body.get(query_key) if isinstance(body, dict) else None
        if not token or not isinstance(token, str):
            return None
        return self.user_from_auth_token(token)


#: Flask-Security 3.0's serializer attributes of the state -> the token kind
#: (``SECURITY_<KIND>_SALT``) of :meth:`TokenSigning.serializer`.
SERIALIZER_ATTRIBUTES: dict[str, str] = {
    "remember_token_serializer": "remember",
    "login_serializer": "login",
    "reset_serializer": "reset",
    "confirm_serializer": "confirm",
}


class SerializerAttribute:
    """Descriptor behind each name of :data:`SERIALIZER_ATTRIBUTES`: the serializer
    of its kind, or ``AttributeError`` when that kind has no salt configured."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return obj.serializer(self.kind)
        except KeyError:
            raise AttributeError(f"no SECURITY_{self.kind.upper()}_SALT is configured") from None


for _name, _kind in SERIALIZER_ATTRIBUTES.items():
    setattr(TokenSigning, _name, SerializerAttribute(_kind))
del _name, _kind
