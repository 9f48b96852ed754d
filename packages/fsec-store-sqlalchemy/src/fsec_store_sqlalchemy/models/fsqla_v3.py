"""Upstream Flask-Security 5.x's packaged Flask-SQLAlchemy models, version 3
(``flask_security.models.fsqla_v3``, upstream 5.0): version 2 plus the WebAuthn
(passkeys) and recovery-code fields, ``password`` made optional and
``us_phone_number`` unique, and the WebAuthn model's mixin.

Use, as upstream documents it (the WebAuthn model only with passkeys, fsec-webauthn)::

    from flask_security.models import fsqla_v3 as fsqla

    fsqla.FsModels.set_db_info(db)

    class Role(db.Model, fsqla.FsRoleMixin):
        pass

    class User(db.Model, fsqla.FsUserMixin):
        pass

    class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
        pass

    user_datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)

``FsWebAuthnMixin`` is loaded on first use: it builds on fsec-webauthn's
``WebAuthnMixin`` (``ImportError`` naming ``pip install fsec-webauthn`` when that is
missing); the User and Role mixins need only this distribution.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.mutable import MutableList

from . import fsqla_v2
from ._base import FsModelsBase, link_webauthn, mapped_class
from .asalist import AsaList

__all__ = ["FsModels", "FsRoleMixin", "FsUserMixin"]


class FsModels(FsModelsBase):
    """Glue of version 3's mixins to the application's database."""

    @classmethod
    def set_db_info(
        cls,
        db: Any,
        user_table_name: str = "user",
        role_table_name: str = "role",
        webauthn_table_name: str = "web_authn",
    ) -> None:
        """Tell the mixins which database and table names to use; call it before
        declaring the models (upstream 5.x's documented entry point and defaults).

        :param db: the ``flask_sqlalchemy.SQLAlchemy`` object (``roles_users`` is
            made in its metadata).
        :param user_table_name: the User model's table (what the foreign keys of
            ``roles_users`` and of the WebAuthn model refer to; the class's
            ``__tablename__``, or Flask-SQLAlchemy's name for it, names the table).
        :param role_table_name: the Role model's table (likewise).
        :param webauthn_table_name: the WebAuthn model's table, kept for the
            application (as in 5.9.2 it names no table: ``WebAuthn``'s is
            ``web_authn`` unless the class sets ``__tablename__``).
        :raises TypeError: ``db`` has no SQLAlchemy ``MetaData`` at ``.metadata``.
        """
        cls._store(db, user_table_name, role_table_name, webauthn_table_name=webauthn_table_name)


class FsRoleMixin(fsqla_v2.FsRoleMixin):
    """The Role model's columns (as version 1)."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels


class FsUserMixin(fsqla_v2.FsUserMixin):
    """Version 2's User columns with ``password`` optional (nullable) and
    ``us_phone_number`` unique, plus ``fs_webauthn_user_handle`` (64, unique) and
    ``mf_recovery_codes`` (a list of strings, :class:`AsaList`); ``webauthn`` (the
    user's passkeys, deleted with the user) once a ``WebAuthn`` model is declared."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels

    password = sa.Column(sa.String(255), nullable=True)
    us_phone_number = sa.Column(sa.String(128), nullable=True, unique=True)
    fs_webauthn_user_handle = sa.Column(sa.String(64), unique=True, nullable=True)
    mf_recovery_codes = sa.Column(MutableList.as_mutable(AsaList()), nullable=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if mapped_class(cls, "WebAuthn") is not None:
            link_webauthn(cls)


def __getattr__(name: str) -> Any:
    """``FsWebAuthnMixin``, imported on first use (it needs fsec-webauthn).

    :raises ImportError: fsec-webauthn is not installed (the message names
        ``pip install fsec-webauthn``).
    :raises AttributeError: any other name.
    """
    if name == "FsWebAuthnMixin":
        return import_module(f"{__package__}.webauthn").FsWebAuthnMixin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
