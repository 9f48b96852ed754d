"""WebAuthn domain logic: registering a passkey, listing and deleting passkeys, and
the parts every ceremony shares (the app's :class:`~fsec_webauthn.util.WebauthnUtil`,
times, the credential descriptors of the options). Signing in and confirming it is
you with a passkey are in :mod:`fsec_webauthn.assertion`. Views
(:mod:`fsec_webauthn.views`) only translate requests.

A step that refuses returns the key of the message to show (``WEBAUTHN_*``); the
views word it for JSON or HTML.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from flask import current_app
from flask_security import current_datastore
from flask_security.datastore import DatastoreError
from flask_security.utils import config_value
from webauthn import generate_registration_options, options_to_json, verify_registration_response
from webauthn.helpers import parse_registration_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

from . import ceremony
from .signals import wan_deleted, wan_registered
from .store import (
    credentials_of,
    ensure_user_handle,
    find_credential,
    find_credential_by_name,
    transports_list,
)

log = logging.getLogger("fsec_webauthn")


def util() -> Any:
    """The app's :class:`~fsec_webauthn.util.WebauthnUtil` instance (built by the
    plugin's ``fsec_init_app``)."""
    return current_app.extensions["fsec_webauthn_util"]


def now() -> datetime.datetime:
    """The current time from ``SECURITY_DATETIME_FACTORY`` (what ``lastuse_datetime``
    and the ceremonies' ``issued`` times are measured in)."""
    return config_value("DATETIME_FACTORY")()


def seconds(key: str) -> float:
    """``SECURITY_<key>`` (a ``timedelta`` or a number of seconds) in seconds."""
    value = config_value(key)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value)


def descriptors(credentials: list[Any]) -> list[PublicKeyCredentialDescriptor]:
    """``credentials`` (stored passkeys) as the ``excludeCredentials`` /
    ``allowCredentials`` items of the options (W3C WebAuthn-2 §5.10.3): the id and
    the transports this py_webauthn knows (others are left out)."""
    result = []
    for cred in credentials:
        transports = []
        for t in transports_list(cred.transports):
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                continue  # a transport this py_webauthn does not know
        result.append(
            PublicKeyCredentialDescriptor(id=bytes(cred.credential_id), transports=transports)
        )
    return result


def registered_credentials(user: Any) -> list[dict[str, Any]]:
    """``user``'s passkeys as upstream's ``registered_credentials`` items: ``name``,
    ``credential_id`` (base64url), ``transports``, ``lastuse`` (ISO 8601), ``usage``."""
    return [
        {
            "name": cred.name,
            "credential_id": ceremony.b64url(bytes(cred.credential_id)),
            "transports": transports_list(cred.transports),
            "lastuse": cred.lastuse_datetime.isoformat() if cred.lastuse_datetime else None,
            "usage": cred.usage,
        }
        for cred in credentials_of(current_datastore, user)
    ]


def begin_registration(user: Any, name: str, usage: str) -> tuple[str, str]:
    """Step 1 of registering a passkey for ``user``: give the user a WebAuthn user
    handle when it has none (committed), build the creation options and start the
    ``"wan-register"`` ceremony (:func:`fsec_webauthn.ceremony.start`).

    The options exclude ``user``'s passkeys (an authenticator holding one says so
    instead of making a second), use ``SECURITY_WAN_RP_NAME``,
    ``SECURITY_WAN_REGISTER_TIMEOUT`` (milliseconds, as WebAuthn counts) and the
    authenticator selection of :meth:`~fsec_webauthn.util.WebauthnUtil.authenticator_selection`.

    :param user: the signed-in user.
    :param name: the passkey's name (checked by the form).
    :param usage: ``"first"`` or ``"secondary"`` (checked by the form).
    :returns: ``(credential_options, wan_state)``: the options as a JSON string for
        ``navigator.credentials.create`` and the token of step 2.
    """
    wan = util()
    ensure_user_handle(current_datastore, user)
    current_datastore.commit()
    challenge = wan.generate_challenge()
    options = generate_registration_options(
        rp_id=wan.rp_id(),
        rp_name=str(config_value("WAN_RP_NAME")),
        user_name=str(getattr(user, "email", None) or getattr(user, "username", "")),
        user_id=str(user.fs_webauthn_user_handle).encode("ascii"),
        user_display_name=str(getattr(user, "email", "") or ""),
        challenge=challenge,
        timeout=int(config_value("WAN_REGISTER_TIMEOUT")),
        authenticator_selection=wan.authenticator_selection(user, usage),
        exclude_credentials=descriptors(credentials_of(current_datastore, user)),
    )
    state = ceremony.start(
        "wan-register",
        {
            "challenge": ceremony.b64url(challenge),
            "name": name,
            "usage": usage,
            "user": str(user.fs_webauthn_user_handle),
        },
    )
    return options_to_json(options), state


def registration_state(token: str, user: Any) -> tuple[str | None, dict[str, Any] | None]:
    """Read and consume the ``"wan-register"`` ceremony ``token`` for ``user``
    (:func:`fsec_webauthn.ceremony.finish`; the token is used up whatever follows).

    :returns: ``(None, data)`` with step 1's data; ``("WEBAUTHN_EXPIRED", None)`` for a
        token not started in this session, used, or older than
        ``SECURITY_WAN_REGISTER_WITHIN``; ``("WEBAUTHN_MISMATCH_USER_HANDLE", None)`` for
        a token begun for another user.
    """
    status, data = ceremony.finish(token, "wan-register", seconds("WAN_REGISTER_WITHIN"))
    if status != "ok" or data is None:
        return "WEBAUTHN_EXPIRED", None
    if data.get("user") != getattr(user, "fs_webauthn_user_handle", None):
        return "WEBAUTHN_MISMATCH_USER_HANDLE", None
    return None, data


def finish_registration(user: Any, data: dict[str, Any], credential_json: str) -> str | None:
    """Step 2 of registering: verify the browser's answer and store the passkey.

    py_webauthn checks the answer against the challenge of ``data``, the trusted
    origin and RP ID, and user verification when
    :meth:`~fsec_webauthn.util.WebauthnUtil.require_user_verification` asks for it.
    The passkey is stored with the datastore's ``webauthn_model`` (committed) and
    ``wan_registered(app, user, name)`` is sent.

    :param user: the signed-in user the ceremony was begun for.
    :param data: step 1's data (:func:`registration_state`).
    :param credential_json: the browser's answer (JSON text).
    :returns: ``None`` when stored; else the refusal's message key:
        ``WEBAUTHN_CREDENTIAL_INVALID`` (not verified), ``WEBAUTHN_CREDENTIAL_ID_INUSE``
        (the credential id is stored already, also when a concurrent request stored it
        first) or ``WEBAUTHN_NAME_INUSE`` (``data["name"]`` taken meanwhile).
    """
    wan = util()
    usage = str(data["usage"])
    try:
        parsed = parse_registration_credential_json(credential_json)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=ceremony.unb64url(str(data["challenge"])),
            expected_rp_id=wan.rp_id(),
            expected_origin=wan.origin(),
            require_user_verification=wan.require_user_verification(usage),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        log.info("fsec-webauthn: registration refused for user %s: %s", user.id, exc)
        return "WEBAUTHN_CREDENTIAL_INVALID"
    if find_credential(current_datastore, verified.credential_id) is not None:
        return "WEBAUTHN_CREDENTIAL_ID_INUSE"
    name = str(data["name"])
    if find_credential_by_name(current_datastore, user, name) is not None:
        return "WEBAUTHN_NAME_INUSE"
    transports = [t.value for t in (parsed.response.transports or [])]
    extensions = json.dumps(getattr(parsed, "client_extension_results", None) or {})[:255]
    try:
        current_datastore.create_model(
            current_datastore.webauthn_model,
            user=user,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            extensions=extensions,
            lastuse_datetime=now(),
            name=name,
            usage=usage,
            backup_state=bool(verified.credential_backed_up),
            device_type=verified.credential_device_type.value,
        )
        current_datastore.commit()
    except DatastoreError:
        return "WEBAUTHN_CREDENTIAL_ID_INUSE"
    wan_registered.send(current_app._get_current_object(), user=user, name=name)
    return None


def delete_credential(user: Any, credential: Any, name: str) -> None:
    """Remove ``user``'s passkey ``credential`` (committed) and send
    ``wan_deleted(app, user, name)``.

    :param user: the signed-in user owning ``credential``.
    :param credential: the stored passkey (found by the delete form).
    :param name: its name, for the signal.
    """
    current_datastore.delete(credential)
    current_datastore.commit()
    wan_deleted.send(current_app._get_current_object(), user=user, name=name)
