"""A comparable description of the schema a set of models makes: what
``create_all`` leaves in a real database, read back with SQLAlchemy's inspector,
plus each column's declared type. fsec's tests compare it with the one measured on
upstream Flask-Security 5.9.2 (``scripts/fsqla_schema.py`` runs this module in a
5.9.2 virtualenv, so it imports nothing but SQLAlchemy)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def _declared_type(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):  # AsaList and the like: what it stores
        kind = kind.impl_instance
    length = getattr(kind, "length", None)
    return type(kind).__name__ + (f"({length})" if length else "")


def describe(metadata: sa.MetaData, engine: sa.Engine) -> dict[str, Any]:
    """Create ``metadata``'s tables in ``engine`` and describe what is there.

    :param metadata: the models' ``MetaData`` (``db.metadata``).
    :param engine: an empty database (SQLite in memory is enough).
    :returns: ``{table: {"columns": {name: [declared type such as "String(255)",
        reflected type, nullable, server default]}, "pk": [column...],
        "unique": [[column...]...], "indexes": [[name, [column...], unique]...],
        "fks": [[[column...], "table", [column...], ondelete]...]}}``, every list
        sorted, JSON-ready.
    """
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    out: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        declared = metadata.tables[name].c
        columns = {
            c["name"]: [
                _declared_type(declared[c["name"]]),
                str(c["type"]),
                bool(c["nullable"]),
                None if c.get("default") is None else str(c["default"]),
            ]
            for c in inspector.get_columns(name)
        }
        fks = [
            [
                fk["constrained_columns"],
                fk["referred_table"],
                fk["referred_columns"],
                (fk.get("options") or {}).get("ondelete"),
            ]
            for fk in inspector.get_foreign_keys(name)
        ]
        out[name] = {
            "columns": dict(sorted(columns.items())),
            "pk": inspector.get_pk_constraint(name)["constrained_columns"],
            "unique": sorted(u["column_names"] for u in inspector.get_unique_constraints(name)),
            "indexes": sorted(
                [i["name"], i["column_names"], bool(i["unique"])]
                for i in inspector.get_indexes(name)
            ),
            "fks": sorted(fks, key=repr),
        }
    return out
