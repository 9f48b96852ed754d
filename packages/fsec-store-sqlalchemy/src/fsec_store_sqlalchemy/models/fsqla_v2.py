"""Upstream Flask-Security 5.x's packaged Flask-SQLAlchemy models, version 2
(``flask_security.models.fsqla_v2``, upstream 3.4): version 1 plus the unified
sign-in fields ``us_totp_secrets`` (text) and ``us_phone_number`` (128), and
``username`` made unique (still optional). Use as version 1
(:mod:`fsec_store_sqlalchemy.models.fsqla`), with ``fsqla_v2``'s names."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from . import fsqla
from ._base import FsModelsBase

__all__ = ["FsModels", "FsRoleMixin", "FsUserMixin"]


class FsModels(FsModelsBase):
    """Glue of version 2's mixins to the application's database."""

    @classmethod
    def set_db_info(
        cls, db: Any, user_table_name: str = "user", role_table_name: str = "role"
    ) -> None:
        """Tell the mixins which database and table names to use; call it before
        declaring the models.

        :param db: the ``flask_sqlalchemy.SQLAlchemy`` object (``roles_users`` is
            made in its metadata).
        :param user_table_name: the User model's table.
        :param role_table_name: the Role model's table.
        :raises TypeError: ``db`` has no SQLAlchemy ``MetaData`` at ``.metadata``.
        """
        cls._store(db, user_table_name, role_table_name)


class FsRoleMixin(fsqla.FsRoleMixin):
    """The Role model's columns (as version 1)."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels


class FsUserMixin(fsqla.FsUserMixin):
    """Version 1's User columns, ``username`` unique, plus ``us_totp_secrets``
    (text) and ``us_phone_number`` (128) for unified sign-in (which fsec does not
    offer; the columns keep a 5.x schema whole)."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels

    username = sa.Column(sa.String(255), unique=True, nullable=True)
    us_totp_secrets = sa.Column(sa.Text, nullable=True)
    us_phone_number = sa.Column(sa.String(128), nullable=True)
