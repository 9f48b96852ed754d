"""The model mixin and the start-up check of the models (upstream 5.x's documented
WebAuthn model)."""

from __future__ import annotations

from typing import Any

from .config import MODEL_FIELDS, USER_FIELDS


class WebAuthnMixin:
    """Mixin for the application's WebAuthn model (upstream Flask-Security 5.x name).

    The model needs the fields in :data:`fsec_webauthn.config.MODEL_FIELDS` and a
    reference to its user; :meth:`get_user_mapping` tells how to find that user.
    """

    def get_user_mapping(self) -> dict[str, Any]:
        """``{field: value}`` finding this credential's user with
        ``datastore.find_user(**mapping)``; by default ``{"id": self.user_id}``
        (SQL models), else ``{"id": self.user.id}``."""
        user_id = getattr(self, "user_id", None)
        if user_id is None:
            user_id = self.user.id  # type: ignore[attr-defined]
        return {"id": user_id}


def missing_fields(datastore: Any) -> list[str]:
    """What the models lack for passkeys: ``"User.<field>"`` and ``"WebAuthn.<field>"``
    entries, or ``["webauthn_model"]`` when the datastore was given none.

    :returns: a list of strings, empty when everything is there.
    """
    model = getattr(datastore, "webauthn_model", None)
    user_model = datastore.user_model
    missing = [f"{user_model.__name__}.{f}" for f in USER_FIELDS if not hasattr(user_model, f)]
    if model is None:
        return ["webauthn_model", *missing]
    missing += [f"{model.__name__}.{f}" for f in MODEL_FIELDS if not hasattr(model, f)]
    if not hasattr(model, "user") and not hasattr(model, "get_user_mapping"):
        missing.append(f"{model.__name__}.user")
    return missing
