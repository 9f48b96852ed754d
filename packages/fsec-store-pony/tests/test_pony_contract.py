"""The datastore contract (flask_security.testing.datastore_contract) on Pony ORM
0.7: SQLite and a real PostgreSQL server (psycopg2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.datastore_contract import DatastoreContract, DatastoreViewsContract
from fsec_store_pony import end_session, ensure_session
from fsec_store_pony.testing import create_app, define_entities
from pony.orm import Database


@pytest.fixture(scope="module")
def pg_db(fsec_postgres: Any) -> Iterator[Database]:
    pytest.importorskip("psycopg2")
    fsec_postgres.create_database("fsec_pony_contract")
    db = Database()
    define_entities(db)
    db.bind(
        provider="postgres",
        host=fsec_postgres.host,
        port=fsec_postgres.port,
        user=fsec_postgres.user,
        database="fsec_pony_contract",
    )
    db.generate_mapping(create_tables=True)
    yield db
    db.disconnect()


class _Pony:
    store = "pony"

    def restart(self, datastore: Any) -> None:
        datastore.commit()
        end_session()

    def count_users(self, datastore: Any) -> int:
        ensure_session()
        return int(datastore.user_model.select().count())

    def count_role_links(self, datastore: Any) -> int:
        ensure_session()
        return sum(len(user.roles) for user in datastore.user_model.select())


class _SQLite(_Pony):
    database = "sqlite"

    @pytest.fixture
    def make_app(self) -> Callable[[dict[str, Any]], Flask]:
        return lambda config: create_app(config)


class _Postgres(_Pony):
    database = "postgresql"
    concurrent_writers = True

    @pytest.fixture
    def make_app(self, pg_db: Database) -> Callable[[dict[str, Any]], Flask]:
        return lambda config: create_app(config, pg_db)


class TestPonySQLiteDatastore(_SQLite, DatastoreContract):
    pass


class TestPonySQLiteViews(_SQLite, DatastoreViewsContract):
    pass


class TestPonyPostgresDatastore(_Postgres, DatastoreContract):
    pass


class TestPonyPostgresViews(_Postgres, DatastoreViewsContract):
    pass
