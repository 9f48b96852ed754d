"""Upstream Flask-Security 5.x's packaged Flask-SQLAlchemy models, version 1
(``flask_security.models.fsqla``): ``FsRoleMixin`` and ``FsUserMixin`` with the
columns of every feature of that version, and ``FsModels.set_db_info``.

Use, as upstream documents it::

    from flask_security.models import fsqla

    fsqla.FsModels.set_db_info(db)

    class Role(db.Model, fsqla.FsRoleMixin):
        pass

    class User(db.Model, fsqla.FsUserMixin):
        pass

The classes must be called ``User`` and ``Role``; Flask-SQLAlchemy names their
tables ``user`` and ``role``. To use other names, set ``__tablename__`` on the
classes and give the same names to ``set_db_info`` (its names are what
``roles_users``' foreign keys point at; the mixins do not name tables), as in 5.x.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from flask_security import RoleMixin, UserMixin
from flask_security.utils import naive_utcnow
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import backref, declared_attr, relationship

from ._base import FsModelsBase
from .asalist import AsaList

__all__ = ["FsModels", "FsRoleMixin", "FsUserMixin"]


class FsModels(FsModelsBase):
    """Glue of version 1's mixins to the application's database."""

    @classmethod
    def set_db_info(
        cls, db: Any, user_table_name: str = "user", role_table_name: str = "role"
    ) -> None:
        """Tell the mixins which database and table names to use; call it before
        declaring the models (upstream 5.x's documented entry point).

        :param db: the ``flask_sqlalchemy.SQLAlchemy`` object; the ``roles_users``
            association table is made in its metadata.
        :param user_table_name: the User model's table (what ``roles_users.user_id``
            refers to; the class's ``__tablename__`` names the table itself).
        :param role_table_name: the Role model's table (likewise).
        :raises TypeError: ``db`` has no SQLAlchemy ``MetaData`` at ``.metadata``.
        """
        cls._store(db, user_table_name, role_table_name)


def created_at() -> sa.Column[Any]:
    """A ``create_datetime`` column: naive UTC, set when the row is made (the
    database's ``CURRENT_TIMESTAMP`` when a row is written without fsec), required.

    :returns: a new ``Column``.
    """
    return sa.Column(
        sa.DateTime, nullable=False, default=naive_utcnow, server_default=sa.func.now()
    )


def _updated_at() -> sa.Column[Any]:
    return sa.Column(
        sa.DateTime,
        nullable=False,
        default=naive_utcnow,
        onupdate=naive_utcnow,
        server_default=sa.func.now(),
    )


class FsRoleMixin(RoleMixin):
    """The Role model's columns: ``id``, ``name`` (80, unique, required),
    ``description`` (255), ``permissions`` (a list of strings, :class:`AsaList`) and
    ``update_datetime`` (naive UTC, set on every change)."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(80), unique=True, nullable=False)
    description = sa.Column(sa.String(255))
    permissions = sa.Column(MutableList.as_mutable(AsaList()), nullable=True)
    update_datetime = _updated_at()


class FsUserMixin(UserMixin):
    """The User model's columns for every feature of version 1: ``id``, ``email``
    (255, unique, required), ``username`` (255), ``password`` (255, required),
    ``active``, ``fs_uniquifier`` (64, unique, required; fsec's datastore fills it
    in), ``confirmed_at``, the trackable fields (``last_login_at``,
    ``current_login_at``, ``last_login_ip``, ``current_login_ip`` (64),
    ``login_count``), the two-factor fields (``tf_primary_method`` (64),
    ``tf_totp_secret`` (255), ``tf_phone_number`` (128)), ``create_datetime`` and
    ``update_datetime`` (naive UTC), and ``roles`` (many-to-many through
    ``roles_users``; each role gets ``users``)."""

    _fs_models: ClassVar[type[FsModelsBase]] = FsModels

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(255), unique=True, nullable=False)
    username = sa.Column(sa.String(255), nullable=True)
    password = sa.Column(sa.String(255), nullable=False)
    active = sa.Column(sa.Boolean, nullable=False)
    fs_uniquifier = sa.Column(sa.String(64), unique=True, nullable=False)
    confirmed_at = sa.Column(sa.DateTime)
    last_login_at = sa.Column(sa.DateTime)
    current_login_at = sa.Column(sa.DateTime)
    last_login_ip = sa.Column(sa.String(64))
    current_login_ip = sa.Column(sa.String(64))
    login_count = sa.Column(sa.Integer)
    tf_primary_method = sa.Column(sa.String(64), nullable=True)
    tf_totp_secret = sa.Column(sa.String(255), nullable=True)
    tf_phone_number = sa.Column(sa.String(128), nullable=True)
    create_datetime = created_at()
    update_datetime = _updated_at()

    @declared_attr
    def roles(cls):  # unannotated: SQLAlchemy would read a return type as a mapping
        models = cls._fs_models.require()
        return relationship(
            "Role", secondary=models.roles_users, backref=backref("users", lazy="dynamic")
        )
