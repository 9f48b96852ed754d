"""The datastore contract (flask_security.testing.datastore_contract) on peewee 4:
SQLite and a real PostgreSQL server (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import peewee
import pytest
from flask import Flask
from flask_security.testing.datastore_contract import DatastoreContract, DatastoreViewsContract
from fsec_store_peewee.testing import create_app


@pytest.fixture(scope="module")
def pg_database(fsec_postgres: Any) -> Iterator[peewee.PostgresqlDatabase]:
    fsec_postgres.create_database("fsec_peewee_contract")
    database = peewee.PostgresqlDatabase(
        "fsec_peewee_contract",
        host=fsec_postgres.host,
        port=fsec_postgres.port,
        user=fsec_postgres.user,
        prefer_psycopg3=True,
    )
    yield database
    database.close()


class _Peewee:
    store = "peewee"

    def count_users(self, datastore: Any) -> int:
        return datastore.user_model.select().count()

    def count_role_links(self, datastore: Any) -> int:
        return datastore.UserRole.select().count()


class _SQLite(_Peewee):
    database = "sqlite"

    @pytest.fixture
    def make_app(self) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        databases: list[peewee.Database] = []

        def factory(config: dict[str, Any]) -> Flask:
            databases.append(peewee.SqliteDatabase(":memory:"))
            return create_app(config, databases[-1])

        yield factory
        for database in databases:
            database.close()


class _Postgres(_Peewee):
    database = "postgresql"
    concurrent_writers = True

    @pytest.fixture
    def make_app(self, pg_database: peewee.PostgresqlDatabase) -> Callable[[dict[str, Any]], Flask]:
        return lambda config: create_app(config, pg_database)


class TestPeeweeSQLiteDatastore(_SQLite, DatastoreContract):
    pass


class TestPeeweeSQLiteViews(_SQLite, DatastoreViewsContract):
    pass


class TestPeeweePostgresDatastore(_Postgres, DatastoreContract):
    pass


class TestPeeweePostgresViews(_Postgres, DatastoreViewsContract):
    pass
