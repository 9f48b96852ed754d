"""fsec datastores for SQLAlchemy 2: :class:`SQLAlchemyUserDatastore` (Flask-SQLAlchemy)
and :class:`SQLAlchemySessionUserDatastore` (a plain SQLAlchemy session).

Identity lookups compare ``lower(column) = lower(value)``; the datastore adds a
matching expression index (``ix_<table>_<column>_lower``, unique when the column is
unique) to the user table's metadata, so ``create_all`` builds it and lookups stay
index-backed and case-insensitively unique. For an existing database, create it with
``CREATE UNIQUE INDEX ix_user_email_lower ON "user" (lower(email))``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_security.datastore import (
    Datastore,
    DatastoreError,
    UserDatastore,
    check_cas_arguments,
    coerce_int_key,
    user_write_error,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

__all__ = [
    "SQLAlchemyDatastore",
    "SQLAlchemySessionUserDatastore",
    "SQLAlchemyUserDatastore",
    "add_identity_index",
]


def add_identity_index(model: type, attribute: str) -> sa.Index | None:
    """Add ``lower(<attribute>)`` as an expression index to ``model``'s table.

    Unique when the column is unique. Idempotent; returns the index, or ``None`` when
    the model has no such column.
    """
    table = getattr(model, "__table__", None)
    if table is None or attribute not in table.c:
        return None
    column = table.c[attribute]
    name = f"ix_{table.name}_{attribute}_lower"
    for index in table.indexes:
        if index.name == name:
            return index
    index = sa.Index(name, sa.func.lower(column), unique=bool(column.unique))
    if index.table is None:  # pragma: no cover - older SQLAlchemy
        table.append_constraint(index)
    return index


class SQLAlchemyDatastore(Datastore):
    """Persistence through ``db.session`` (Flask-SQLAlchemy's ``db`` or a shim)."""

    @property
    def session(self) -> Any:
        return self.db.session

    def commit(self) -> None:
        self.session.commit()

    def put(self, model: Any) -> Any:
        self.session.add(model)
        return model

    def delete(self, model: Any) -> None:
        self.session.delete(model)

    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """See :meth:`flask_security.datastore.Datastore.compare_and_set`.

        Runs one ``UPDATE ... WHERE <pk> = ? AND <col> = ? [AND <col> IS NULL]`` in
        the session's transaction (pending changes are flushed first) and reads its
        row count; the row stays locked until :meth:`commit`. On success the written
        values are put on ``model`` as loaded state (not pending changes, so a later
        flush does not write them again) and incremented columns are read back.
        """
        cls = type(model)
        mapper = sa.inspect(cls)
        expected, values, increment = check_cas_arguments(
            mapper.column_attrs.keys(), expected, values, increment
        )
        key = mapper.primary_key_from_instance(model)
        if any(part is None for part in key):
            raise DatastoreError("compare_and_set needs a stored model (no primary key)")
        where = [column == part for column, part in zip(mapper.primary_key, key, strict=True)]
        for name, value in expected.items():
            attr = getattr(cls, name)
            where.append(attr.is_(None) if value is None else attr == value)
        changes: dict[Any, Any] = {getattr(cls, name): value for name, value in values.items()}
        for name, amount in increment.items():
            attr = getattr(cls, name)
            changes[attr] = sa.func.coalesce(attr, 0) + amount
        stmt = (
            sa.update(cls)
            .where(*where)
            .values(changes)
            .execution_options(synchronize_session=False)
        )
        if self.session.execute(stmt).rowcount != 1:
            return False
        for name, value in values.items():
            set_committed_value(model, name, value)
        if increment:
            names = list(increment)
            row = self.session.execute(
                sa.select(*(getattr(cls, n) for n in names)).where(*where[: len(key)])
            ).one()
            for name, value in zip(names, row, strict=True):
                set_committed_value(model, name, value)
        return True

    def find_model(self, model: type, **filters: Any) -> Any | None:
        """See :meth:`flask_security.datastore.Datastore.find_model` (``filter_by``;
        a relationship compares with a stored instance)."""
        stmt = sa.select(model).filter_by(**filters).limit(1)
        return self.session.execute(stmt).scalars().first()

    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """See :meth:`flask_security.datastore.Datastore.find_models`."""
        mapper = sa.inspect(model)
        stmt = sa.select(model).filter_by(**filters).order_by(*mapper.primary_key)
        return list(self.session.execute(stmt).scalars().all())

    def create_model(self, model: type, **fields: Any) -> Any:
        """See :meth:`flask_security.datastore.Datastore.create_model`; the row is
        flushed at once, so a unique constraint refuses it here (the session is
        rolled back and :class:`~flask_security.datastore.DatastoreError` raised)."""
        instance = model(**fields)
        self.session.add(instance)
        try:
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            raise DatastoreError(f"the {model.__name__} could not be stored: {exc.orig}") from exc
        return instance


class SQLAlchemyUserDatastore(SQLAlchemyDatastore, UserDatastore):
    """Users and roles with Flask-SQLAlchemy 3.1 (documented 3.0 API).

    :param db: the ``flask_sqlalchemy.SQLAlchemy`` object.
    :param user_model: the user model (``UserMixin``), with a ``roles`` relationship.
    :param role_model: the role model (``RoleMixin``).
    :param webauthn_model: the WebAuthn credential model (upstream 5.x's fourth
        argument; fsec-webauthn), or ``None``.
    """

    def __init__(
        self, db: Any, user_model: type, role_model: type, webauthn_model: type | None = None
    ) -> None:
        SQLAlchemyDatastore.__init__(self, db)
        UserDatastore.__init__(self, user_model, role_model, webauthn_model)
        mapper = sa.inspect(user_model)
        self._pk = mapper.primary_key[0]
        self._pk_type: Any = None
        try:
            self._pk_type = self._pk.type.python_type
        except NotImplementedError:  # pragma: no cover - exotic key types
            self._pk_type = None
        self._eager = (joinedload(user_model.roles),) if "roles" in mapper.relationships else ()
        # The per-request lookups run prepared statements, built once: building a
        # select() and its cache key on every call cost more than running it
        # (benchmarks/: a session request is about 25% faster).
        self._load_stmt = (
            sa.select(user_model).options(*self._eager).where(self._pk == sa.bindparam("pk"))
        )
        self._ci_stmts: dict[str, Any] = {}
        add_identity_index(user_model, "email")

    def _coerce_pk(self, user_id: Any) -> Any:
        if self._pk_type is int:
            return coerce_int_key(user_id)
        if self._pk_type is str or self._pk_type is None:
            return str(user_id)
        try:
            return self._pk_type(user_id)
        except (TypeError, ValueError):
            return None

    def load_user(self, user_id: Any) -> Any | None:
        key = self._coerce_pk(user_id)
        if key is None:
            return None
        return self.session.execute(self._load_stmt, {"pk": key}).unique().scalar_one_or_none()

    def find_user_ci(self, attribute: str, value: str) -> Any | None:
        stmt = self._ci_stmts.get(attribute)
        if stmt is None:
            column = getattr(self.user_model, attribute, None)
            if column is None or not hasattr(column, "property"):
                return None
            value_param = sa.bindparam("value", type_=sa.String())
            stmt = (
                sa.select(self.user_model)
                .where(sa.func.lower(column) == sa.func.lower(value_param))
                .limit(1)
            )
            self._ci_stmts[attribute] = stmt
        return self.session.execute(stmt, {"value": value}).scalars().first()

    def find_user(self, **kwargs: Any) -> Any | None:
        stmt = sa.select(self.user_model).filter_by(**kwargs).limit(1)
        return self.session.execute(stmt).scalars().first()

    def find_role(self, role: str) -> Any | None:
        stmt = sa.select(self.role_model).filter_by(name=role).limit(1)
        return self.session.execute(stmt).scalars().first()

    def create_user(self, **kwargs: Any) -> Any:
        """See :meth:`UserDatastore.create_user`; the row is flushed at once so that a
        duplicate caught by the unique index becomes :class:`UserExistsError` (the
        session is rolled back) instead of an error at commit."""
        user = super().create_user(**kwargs)
        try:
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            raise user_write_error(exc, exc.orig) from exc
        return user


class _SessionHolder:
    def __init__(self, session: Any) -> None:
        self.session = session


class SQLAlchemySessionUserDatastore(SQLAlchemyUserDatastore):
    """Users and roles with a plain SQLAlchemy 2 (scoped) session.

    :param session: a ``Session`` or ``scoped_session``.
    :param webauthn_model: the WebAuthn credential model, or ``None``.
    """

    def __init__(
        self,
        session: Any,
        user_model: type,
        role_model: type,
        webauthn_model: type | None = None,
    ) -> None:
        super().__init__(_SessionHolder(session), user_model, role_model, webauthn_model)
