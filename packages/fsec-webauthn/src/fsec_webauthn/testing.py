"""A software authenticator for tests: ES256 (P-256) passkeys made with
``cryptography``, answering the JSON options fsec-webauthn sends like a browser and
an authenticator together would (``"none"`` attestation).

Use it to drive ``/wan-register`` and ``/wan-signin`` from Python tests::

    auth = SoftAuthenticator(origin="http://localhost")
    options = response.json["response"]["credential_options"]
    credential_json = auth.create(options)
    ...
    assertion_json = auth.get(options)

It keeps one sign counter per passkey (``counter_step=0`` makes a passkey that does
not count, as synced passkeys do) and can be :meth:`cloned <SoftAuthenticator.clone>`
to play an attacker who copied the keys.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

#: Authenticator data flags (W3C WebAuthn-2 §6.1).
FLAG_UP, FLAG_UV, FLAG_BE, FLAG_BS, FLAG_AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    """Unpadded base64url of ``data``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """The bytes of unpadded base64url ``text``."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Passkey:
    """One credential held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0
    discoverable: bool = True


@dataclass
class SoftAuthenticator:
    """A platform authenticator plus the browser's part (client data, origin).

    :param origin: the origin the "browser" reports (``"http://localhost"``).
    :param user_verified: whether it sets the UV flag (screen lock passed).
    :param counter_step: how much the sign counter grows per use (0: no counter).
    :param backup_eligible: whether passkeys are synced (BE/BS flags).
    """

    origin: str = "http://localhost"
    user_verified: bool = True
    counter_step: int = 1
    backup_eligible: bool = False
    passkeys: list[Passkey] = field(default_factory=list)

    def clone(self) -> SoftAuthenticator:
        """A copy holding the same keys and counters (an attacker's clone)."""
        twin = copy.copy(self)
        twin.passkeys = [copy.copy(p) for p in self.passkeys]
        return twin

    def _flags(self, attested: bool) -> int:
        flags = FLAG_UP | (FLAG_UV if self.user_verified else 0)
        if self.backup_eligible:
            flags |= FLAG_BE | FLAG_BS
        return flags | (FLAG_AT if attested else 0)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        return json.dumps(data, separators=(",", ":")).encode()

    def create(
        self,
        options: dict[str, Any] | str,
        origin: str | None = None,
        rp_id: str | None = None,
        discoverable: bool = True,
    ) -> str:
        """Answer ``PublicKeyCredentialCreationOptions`` (JSON form) with a new
        passkey; returns the ``RegistrationResponseJSON`` string.

        :param origin: report another origin (a phishing site) instead.
        :param rp_id: sign for another RP ID than the options name.
        """
        if isinstance(options, str):
            options = json.loads(options)
        rp = rp_id or options["rp"]["id"]
        excluded = {unb64url(d["id"]) for d in options.get("excludeCredentials", [])}
        if any(p.credential_id in excluded for p in self.passkeys):
            raise ValueError("InvalidStateError: this authenticator already holds a passkey")
        key = ec.generate_private_key(ec.SECP256R1())
        cred_id = os.urandom(32)
        passkey = Passkey(
            credential_id=cred_id,
            private_key=key,
            rp_id=rp,
            user_handle=unb64url(options["user"]["id"]),
            discoverable=discoverable,
        )
        self.passkeys.append(passkey)
        numbers = key.public_key().public_numbers()
        cose = {
            1: 2,
            3: -7,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        attested = b"\x00" * 16 + struct.pack(">H", len(cred_id)) + cred_id + cbor2.dumps(cose)
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(True)])
            + struct.pack(">I", passkey.sign_count)
            + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return json.dumps(
            {
                "id": b64url(cred_id),
                "rawId": b64url(cred_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal", "hybrid"],
                },
            }
        )

    def get(
        self,
        options: dict[str, Any] | str,
        origin: str | None = None,
        passkey: Passkey | None = None,
        user_handle: bytes | None = None,
    ) -> str:
        """Answer ``PublicKeyCredentialRequestOptions`` (JSON form) with an
        assertion; returns the ``AuthenticationResponseJSON`` string.

        The passkey is ``passkey``, else the first one allowed by the options' list,
        else (usernameless) the first discoverable one for the RP ID.

        :raises LookupError: no passkey fits.
        """
        if isinstance(options, str):
            options = json.loads(options)
        rp = options["rpId"]
        allowed = {unb64url(d["id"]) for d in options.get("allowCredentials", [])}
        if passkey is None:
            for candidate in self.passkeys:
                if candidate.rp_id != rp:
                    continue
                if (allowed and candidate.credential_id in allowed) or (
                    not allowed and candidate.discoverable
                ):
                    passkey = candidate
                    break
        if passkey is None:
            raise LookupError("NotAllowedError: no passkey for this site")
        passkey.sign_count += self.counter_step
        auth_data = (
            hashlib.sha256(passkey.rp_id.encode()).digest()
            + bytes([self._flags(False)])
            + struct.pack(">I", passkey.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = passkey.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        handle = passkey.user_handle if user_handle is None else user_handle
        return json.dumps(
            {
                "id": b64url(passkey.credential_id),
                "rawId": b64url(passkey.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": b64url(handle) if handle else None,
                },
            }
        )


class JsonFlow:
    """Drives fsec-webauthn's JSON API with a Flask test ``client`` and ``auth``, as
    a page script and the browser would: ``register(name)``, ``signin(**fields)``,
    ``verify(**fields)`` (each returns the step-2 response), and their ``*_start``
    halves."""

    def __init__(self, client: Any, auth: SoftAuthenticator) -> None:
        self.client = client
        self.auth = auth

    def register_start(self, name: str = "laptop", usage: str = "first") -> Any:
        return self.client.post("/wan-register", json={"name": name, "usage": usage})

    def register(
        self,
        name: str = "laptop",
        usage: str = "first",
        auth: SoftAuthenticator | None = None,
        **create: Any,
    ) -> Any:
        start = self.register_start(name, usage)
        assert start.status_code == 200, start.json
        body = start.json["response"]
        options = body["credential_options"]
        credential = (auth or self.auth).create(options, **create)
        return self.client.post(
            f"/wan-register/{body['wan_state']}", json={"credential": credential}
        )

    def signin_start(self, **fields: Any) -> Any:
        return self.client.post("/wan-signin", json=fields)

    def signin(self, get: dict[str, Any] | None = None, **fields: Any) -> Any:
        start = self.signin_start(**fields)
        assert start.status_code == 200, start.json
        body = start.json["response"]
        assertion = self.auth.get(body["credential_options"], **(get or {}))
        return self.client.post(f"/wan-signin/{body['wan_state']}", json={"credential": assertion})

    def verify_start(self, **fields: Any) -> Any:
        return self.client.post("/wan-verify", json=fields)

    def verify(self, get: dict[str, Any] | None = None, **fields: Any) -> Any:
        start = self.verify_start(**fields)
        assert start.status_code == 200, start.json
        body = start.json["response"]
        assertion = self.auth.get(body["credential_options"], **(get or {}))
        return self.client.post(f"/wan-verify/{body['wan_state']}", json={"credential": assertion})


__all__ = ["JsonFlow", "Passkey", "SoftAuthenticator", "b64url", "unb64url"]
