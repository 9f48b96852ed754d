"""What the versions of the packaged models share: the ``FsModels`` glue (the
database and the table names the mixins' foreign keys refer to, the ``roles_users``
association table), and linking ``User.webauthn`` to the
WebAuthn model whichever of the two classes an application declares first.

The mixins do not name their tables: as in upstream 5.x (measured on 5.9.2, see
``scripts/fsqla_schema.py``), Flask-SQLAlchemy names a model's table after its class
(``User`` -> ``user``, ``WebAuthn`` -> ``web_authn``) unless the class sets
``__tablename__``; the names given to ``set_db_info`` are only what the foreign keys
point at, so an application that renames a table gives the name to both."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import relationship

#: The association table's name (upstream 5.x's, as in its documented examples).
ROLES_USERS = "roles_users"


class FsModelsBase:
    """The glue between the packaged mixins of one model version and the application's
    database: set once by ``set_db_info`` before the models are declared, read when
    they are (each version's ``FsModels`` keeps its own values).

    :ivar db: the ``flask_sqlalchemy.SQLAlchemy`` object (anything with a
        ``metadata``).
    :ivar user_table_name: the User model's table, which ``roles_users.user_id``
        and ``web_authn.user_id`` refer to (``"user"``).
    :ivar role_table_name: the Role model's table, which ``roles_users.role_id``
        refers to (``"role"``).
    :ivar webauthn_table_name: the WebAuthn model's table as the application
        names it (``"web_authn"``, Flask-SQLAlchemy's name for ``WebAuthn``); kept
        for the application, no column refers to it.
    :ivar roles_users: the ``roles_users`` association table (``user_id``,
        ``role_id``), made in ``db.metadata``.
    """

    db: Any = None
    user_table_name: str = "user"
    role_table_name: str = "role"
    webauthn_table_name: str = "web_authn"
    roles_users: sa.Table | None = None

    @classmethod
    def _store(cls, db: Any, user_table_name: str, role_table_name: str, **names: str) -> None:
        metadata = getattr(db, "metadata", None)
        if not isinstance(metadata, sa.MetaData):
            raise TypeError(
                "FsModels.set_db_info needs the flask_sqlalchemy.SQLAlchemy object "
                f"(something with a MetaData at .metadata), not {type(db).__name__}"
            )
        cls.db = db
        cls.user_table_name = user_table_name
        cls.role_table_name = role_table_name
        for key, value in names.items():
            setattr(cls, key, value)
        cls.roles_users = sa.Table(
            ROLES_USERS,
            metadata,
            sa.Column("user_id", sa.Integer(), sa.ForeignKey(f"{user_table_name}.id")),
            sa.Column("role_id", sa.Integer(), sa.ForeignKey(f"{role_table_name}.id")),
            extend_existing=True,
        )

    @classmethod
    def require(cls) -> type[FsModelsBase]:
        """This version's glue, once ``set_db_info`` was called.

        :returns: ``cls``.
        :raises RuntimeError: ``set_db_info`` was not called for this version (the
            documented order: ``FsModels.set_db_info(db)``, then the models).
        """
        if cls.__dict__.get("db") is None:
            raise RuntimeError(
                f"call {cls.__module__.rsplit('.', 1)[-1]}.FsModels.set_db_info(db) "
                "before declaring the models that use its mixins"
            )
        return cls


def mapped_class(model: type, name: str) -> type | None:
    """The class called ``name`` mapped in ``model``'s declarative registry, if any.

    :param model: a declarative class (it has ``registry``), or a plain mixin.
    :param name: the class name (upstream requires ``User``, ``Role``, ``WebAuthn``).
    :returns: the mapped class, or ``None``.
    """
    registry = getattr(model, "registry", None)
    for mapper in getattr(registry, "mappers", ()):
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def webauthn_relationship() -> Any:
    """The User side of the passkeys relationship: ``User.webauthn``, deleted with
    the user (upstream 5.x's documented ``cascade="all, delete"``).

    :returns: a ``relationship`` to ``"WebAuthn"``.
    """
    return relationship(
        "WebAuthn", back_populates="user", cascade="all, delete", order_by="WebAuthn.id"
    )


def link_webauthn(user: type | None) -> None:
    """Give the application's User model its ``webauthn`` relationship when it has
    none yet (called when either of User and WebAuthn is declared, so the order of
    the two declarations does not matter, and a User without a WebAuthn model, as
    in upstream's quickstart, has none).

    :param user: the User model class, or ``None``.
    """
    if user is not None and not hasattr(user, "webauthn"):
        user.webauthn = webauthn_relationship()  # type: ignore[attr-defined]
