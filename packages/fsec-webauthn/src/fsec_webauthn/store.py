"""Passkeys in the application's datastore, through the datastore's general
primitives (``find_model``, ``find_models``, ``create_model``, ``delete``,
``compare_and_set``): every fsec store keeps them without WebAuthn-specific code.

The model is the datastore's ``webauthn_model`` (upstream 5.x's fourth argument),
with upstream's documented fields (:data:`fsec_webauthn.config.MODEL_FIELDS`).
"""

from __future__ import annotations

import uuid
from typing import Any


def credentials_of(datastore: Any, user: Any) -> list[Any]:
    """Every passkey of ``user``, oldest first.

    :returns: a list of WebAuthn model instances.
    """
    return list(datastore.find_models(datastore.webauthn_model, user=user))


def find_credential_by_name(datastore: Any, user: Any, name: str | None) -> Any | None:
    """The passkey of ``user`` named ``name`` (exactly), or ``None``."""
    if not name:
        return None
    return datastore.find_model(datastore.webauthn_model, user=user, name=name)


def find_credential(datastore: Any, credential_id: bytes) -> Any | None:
    """The passkey whose ``credential_id`` is ``credential_id`` (any user), or ``None``."""
    if not credential_id:
        return None
    return datastore.find_model(datastore.webauthn_model, credential_id=bytes(credential_id))


def user_of(datastore: Any, credential: Any) -> Any | None:
    """The user owning ``credential`` (upstream's ``get_user_mapping()`` when the model
    has it, else its ``user`` reference), or ``None`` when the user is gone."""
    mapping = getattr(credential, "get_user_mapping", None)
    if callable(mapping):
        return datastore.find_user(**mapping())
    return getattr(credential, "user", None)


def ensure_user_handle(datastore: Any, user: Any) -> str:
    """``user.fs_webauthn_user_handle``, set to a new random value (``uuid4().hex``, 32
    characters; upstream: at most 64, unique) when empty and put into the datastore
    (the caller commits). It is the ``PublicKeyCredentialUserEntity`` ``id``: not the
    primary key or address, so authenticators learn nothing about the account."""
    handle = getattr(user, "fs_webauthn_user_handle", None)
    if not handle:
        handle = uuid.uuid4().hex
        user.fs_webauthn_user_handle = handle
        datastore.put(user)
    return str(handle)


def transports_list(value: Any) -> list[str]:
    """A credential's ``transports`` as a list (stores may keep it as a list or as a
    comma-separated text)."""
    if not value:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return [str(v) for v in value]
