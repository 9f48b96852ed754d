"""Upstream 5.x's ``flask_security.models.fsqla`` (version 1 of the packaged models):
``FsModels``, ``FsRoleMixin`` and ``FsUserMixin`` of
:mod:`fsec_store_sqlalchemy.models.fsqla` (``ImportError`` naming
``pip install fsec-store-sqlalchemy`` when that distribution is missing)."""

from __future__ import annotations

from .._lazy import import_feature_module

_impl = import_feature_module(
    "fsec_store_sqlalchemy.models.fsqla", "fsec-store-sqlalchemy", __name__
)

FsModels = _impl.FsModels
FsRoleMixin = _impl.FsRoleMixin
FsUserMixin = _impl.FsUserMixin

__all__ = ["FsModels", "FsRoleMixin", "FsUserMixin"]
