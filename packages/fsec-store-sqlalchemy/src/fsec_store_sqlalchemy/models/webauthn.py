"""The WebAuthn model's mixin of version 3 of the packaged models
(``flask_security.models.fsqla_v3.FsWebAuthnMixin``): upstream 5.x's documented
WebAuthn fields on fsec-webauthn's ``WebAuthnMixin``. Importing it needs
fsec-webauthn (the ``ImportError`` names ``pip install fsec-webauthn``)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from flask_security import WebAuthnMixin
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import declared_attr, relationship

from ._base import FsModelsBase, link_webauthn, mapped_class
from .asalist import AsaList
from .fsqla import created_at
from .fsqla_v3 import FsModels

__all__ = ["FsWebAuthnMixin"]


class FsWebAuthnMixin(WebAuthnMixin):
    """A passkey's columns (upstream 5.x's documented WebAuthn model): ``id``,
    ``credential_id`` (bytes, 1024, unique, indexed, required), ``public_key``
    (bytes, required), ``sign_count`` (0 when not given, nullable as in 5.9.2),
    ``transports`` (a list of strings, :class:`AsaList`), ``extensions`` (255),
    ``lastuse_datetime``, ``name``, ``usage`` and ``device_type`` (64, required),
    ``backup_state`` (required), ``create_datetime`` (naive UTC, set when the row is
    made), ``user_id`` (the user's ``id``, ``ON DELETE CASCADE``) and ``user`` (the
    relationship back to ``User.webauthn``). The class must be called ``WebAuthn``;
    Flask-SQLAlchemy names its table ``web_authn`` (5.x's name) unless the class
    sets ``__tablename__``."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels

    id = sa.Column(sa.Integer, primary_key=True)
    credential_id = sa.Column(sa.LargeBinary(1024), index=True, unique=True, nullable=False)
    public_key = sa.Column(sa.LargeBinary, nullable=False)
    sign_count = sa.Column(sa.Integer, default=0, nullable=True)
    transports = sa.Column(MutableList.as_mutable(AsaList()), nullable=True)
    extensions = sa.Column(sa.String(255))
    lastuse_datetime = sa.Column(sa.DateTime, nullable=False)
    name = sa.Column(sa.String(64), nullable=False)
    usage = sa.Column(sa.String(64), nullable=False)
    backup_state = sa.Column(sa.Boolean, nullable=False)
    device_type = sa.Column(sa.String(64), nullable=False)
    create_datetime = created_at()

    @declared_attr
    def user_id(cls):  # unannotated: SQLAlchemy would read a return type as a mapping
        models = cls._fs_models.require()
        return sa.Column(
            sa.Integer,
            sa.ForeignKey(f"{models.user_table_name}.id", ondelete="CASCADE"),
            nullable=False,
        )

    @declared_attr
    def user(cls):  # unannotated: SQLAlchemy would read a return type as a mapping
        return relationship("User", back_populates="webauthn")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "registry", None) is not None:
            link_webauthn(mapped_class(cls, "User"))
