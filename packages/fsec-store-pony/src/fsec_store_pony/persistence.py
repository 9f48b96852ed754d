"""Persistence for Pony entities: :class:`PonyDatastore`, the datastore primitives
(``put``, ``delete``, ``commit``, ``compare_and_set``, ``find_model``,
``find_models``, ``create_model``) on a ``pony.orm.Database``, each run in a
``db_session`` (:mod:`fsec_store_pony.session`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_security.datastore import Datastore, DatastoreError, check_cas_arguments
from pony.orm.core import CacheIndexError, TransactionIntegrityError

from .session import in_session

__all__ = ["PonyDatastore", "without_unsettable_none"]


def without_unsettable_none(entity: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values of attributes that cannot hold ``None`` (Pony's
    non-nullable ``Optional(str)``), so their default applies instead."""
    result = {}
    for key, value in kwargs.items():
        attr = entity._adict_.get(key)
        if value is None and attr is not None and not attr.nullable:
            continue
        result[key] = value
    return result


class PonyDatastore(Datastore):
    """Persistence for Pony entities of the ``pony.orm.Database`` ``db``."""

    @in_session
    def put(self, model: Any) -> Any:
        """Pony tracks changes to entities; returns ``model``."""
        return model

    @in_session
    def delete(self, model: Any) -> None:
        """Delete ``model`` (Pony removes its many-to-many links too)."""
        model.delete()

    @in_session
    def commit(self) -> None:
        """Commit the session's changes to ``db`` (the session stays open)."""
        self.db.commit()

    @in_session
    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """See :meth:`flask_security.datastore.Datastore.compare_and_set`.

        Pony has no conditional bulk update, so this runs one SQL ``UPDATE ... WHERE
        <pk> = ? AND <column> = ? [AND <column> IS NULL]`` through ``db.execute``
        (which flushes the session's pending changes first) and reads its row count;
        the change commits with the session (:meth:`commit`). On success the entity's
        loaded state takes the written values (and the incremented columns, read
        back), so Pony's optimistic check at commit sees the row as it now is.
        """
        cls = type(model)
        adict = cls._adict_
        columns = {
            name: attr for name, attr in adict.items() if attr.columns and not attr.is_collection
        }
        expected, values, increment = check_cas_arguments(columns, expected, values, increment)
        pk_attrs = cls._pk_attrs_
        key = [model._vals_.get(attr) for attr in pk_attrs]
        if any(part is None for part in key):
            raise DatastoreError("compare_and_set needs a stored model (no primary key)")
        quote = self.db.provider.quote_name
        params: dict[str, Any] = {}

        def param(value: Any) -> str:
            name = f"p{len(params)}"
            params[name] = value
            return f"${name}"

        def db_value(name: str, value: Any) -> Any:
            # The column's own representation (a Json attribute's list becomes its
            # JSON text), as Pony writes it when it saves the entity.
            if value is None or not columns[name].converters:
                return value
            converter = columns[name].converters[0]
            return converter.val2dbval(converter.validate(value, model), model)

        sets = [f"{quote(columns[n].column)} = {param(db_value(n, v))}" for n, v in values.items()]
        for name, amount in increment.items():
            column = quote(columns[name].column)
            sets.append(f"{column} = COALESCE({column}, 0) + {param(int(amount))}")
        where = [f"{quote(a.column)} = {param(k)}" for a, k in zip(pk_attrs, key, strict=True)]
        for name, value in expected.items():
            column = quote(columns[name].column)
            where.append(
                f"{column} IS NULL"
                if value is None
                else f"{column} = {param(db_value(name, value))}"
            )
        # Identifiers are quoted by Pony's provider; every value is a bound parameter.
        table = quote(cls._table_)
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(where)}"  # noqa: S608
        cursor = self.db.execute(sql, {}, params)
        if cursor.rowcount != 1:
            return False
        synced: dict[Any, Any] = {columns[n]: v for n, v in values.items()}
        if increment:
            names = list(increment)
            select = ", ".join(quote(columns[n].column) for n in names)
            pk_where = " AND ".join(where[: len(key)])
            sql = f"SELECT {select} FROM {table} WHERE {pk_where}"  # noqa: S608
            row = self.db.select(sql, {}, params)[0]
            if len(names) == 1:
                row = (row,)
            synced.update({columns[n]: v for n, v in zip(names, row, strict=True)})
        for attr, value in synced.items():
            model._vals_[attr] = value
            model._dbvals_[attr] = value
        return True

    @in_session
    def find_model(self, model: type, **filters: Any) -> Any | None:
        """See :meth:`flask_security.datastore.Datastore.find_model`."""
        return model.select().filter(**filters).first()  # type: ignore[attr-defined]

    @in_session
    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """See :meth:`flask_security.datastore.Datastore.find_models`."""
        query = model.select().filter(**filters)  # type: ignore[attr-defined]
        return list(query.order_by(*model._pk_attrs_))  # type: ignore[attr-defined]

    @in_session
    def create_model(self, model: type, **fields: Any) -> Any:
        """See :meth:`flask_security.datastore.Datastore.create_model`; flushed at
        once, so a unique constraint refuses it here (the session is rolled back).

        :raises flask_security.datastore.DatastoreError: a constraint refused it.
        """
        try:
            instance = model(**without_unsettable_none(model, fields))
            self.db.flush()
        except (CacheIndexError, TransactionIntegrityError) as exc:
            self.db.rollback()
            raise DatastoreError(f"the {model.__name__} could not be stored: {exc}") from exc
        return instance
