"""Upstream Flask-Security 5.x's packaged Flask-SQLAlchemy models, served to
applications as ``flask_security.models.fsqla``, ``fsqla_v2`` and ``fsqla_v3``
(fsec-core's module paths import these): ``FsModels.set_db_info(db)``,
``FsRoleMixin``, ``FsUserMixin`` and, in version 3, ``FsWebAuthnMixin``, with the
columns of every feature of that version, also those fsec does not use (unified
sign-in), so a 5.x application's schema stays as it is. :class:`AsaList` is the
column type of their list fields (``flask_security.AsaList``)."""

from __future__ import annotations

from .asalist import AsaList

__all__ = ["AsaList"]
