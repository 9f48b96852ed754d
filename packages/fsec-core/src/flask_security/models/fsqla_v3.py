"""Upstream 5.x's ``flask_security.models.fsqla_v3`` (version 3 of the packaged models):
``FsModels``, ``FsRoleMixin``, ``FsUserMixin`` and ``FsWebAuthnMixin`` of
:mod:`fsec_store_sqlalchemy.models.fsqla_v3` (``ImportError`` naming
``pip install fsec-store-sqlalchemy`` when that distribution is missing;
``FsWebAuthnMixin`` is loaded on first use and needs fsec-webauthn too)."""

from __future__ import annotations

from .._lazy import import_feature_module

_impl = import_feature_module(
    "fsec_store_sqlalchemy.models.fsqla_v3", "fsec-store-sqlalchemy", __name__
)

FsModels = _impl.FsModels
FsRoleMixin = _impl.FsRoleMixin
FsUserMixin = _impl.FsUserMixin

__all__ = ["FsModels", "FsRoleMixin", "FsUserMixin"]


def __getattr__(name: str) -> object:
    """``FsWebAuthnMixin``, loaded on first use (it needs fsec-webauthn).

    :raises ImportError: fsec-webauthn is missing (the message names
        ``pip install fsec-webauthn``).
    :raises AttributeError: any other name.
    """
    return getattr(_impl, name)
