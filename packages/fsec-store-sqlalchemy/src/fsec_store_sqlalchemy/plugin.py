"""Entry point ``store-sqlalchemy``: makes the SQLAlchemy datastores known to fsec."""

from __future__ import annotations

from collections.abc import Callable

from flask_security import hookimpl


@hookimpl
def fsec_datastores(register: Callable[[str, type], None]) -> None:
    from . import SQLAlchemySessionUserDatastore, SQLAlchemyUserDatastore

    register("SQLAlchemyUserDatastore", SQLAlchemyUserDatastore)
    register("SQLAlchemySessionUserDatastore", SQLAlchemySessionUserDatastore)
