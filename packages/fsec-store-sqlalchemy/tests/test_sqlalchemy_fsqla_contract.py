"""The datastore contract (flask_security.testing.datastore_contract) on upstream
5.x's packaged models, ``flask_security.models.fsqla_v3`` (User, Role and WebAuthn
declared with nothing but the mixins, as upstream's quickstart does): Flask-SQLAlchemy
(``SQLAlchemyUserDatastore``) and a plain scoped session
(``SQLAlchemySessionUserDatastore``), each on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security import Security, SQLAlchemySessionUserDatastore, SQLAlchemyUserDatastore
from flask_security.models import fsqla_v3 as fsqla
from flask_security.testing.app import TEST_CONFIG, add_test_routes
from flask_security.testing.datastore_contract import DatastoreContract, DatastoreViewsContract
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

db = SQLAlchemy()
fsqla.FsModels.set_db_info(db)


class Role(db.Model, fsqla.FsRoleMixin):  # type: ignore[name-defined,misc]
    pass


class User(db.Model, fsqla.FsUserMixin):  # type: ignore[name-defined,misc]
    pass


class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):  # type: ignore[name-defined,misc]
    pass


ROLES_USERS = fsqla.FsModels.roles_users


@pytest.fixture(scope="module")
def pg_url(fsec_postgres: Any) -> str:
    fsec_postgres.create_database("fsec_fsqla_contract")
    return fsec_postgres.url("fsec_fsqla_contract")


def _flask_app(url: str, config: dict[str, Any], session: bool, cleanup: list[Any]) -> Flask:
    app = Flask("fsec_fsqla_app")
    app.config.update(TEST_CONFIG)
    app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if session:
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        engine = sa.create_engine(url, **(options if url.startswith("sqlite") else {}))
        scoped = scoped_session(sessionmaker(bind=engine))
        datastore: Any = SQLAlchemySessionUserDatastore(scoped, User, Role, WebAuthn)

        @app.teardown_appcontext
        def remove_session(exc: BaseException | None) -> None:
            scoped.remove()

        cleanup.append(engine.dispose)
    else:
        db.init_app(app)
        with app.app_context():
            engine = db.engine
        datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)

        def dispose() -> None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

        cleanup.append(dispose)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)  # after the datastore added the lower(email) index
    Security(app, datastore)
    add_test_routes(app)
    return app


class _Run:
    session_store = False

    @pytest.fixture
    def database_url(self) -> str:
        return "sqlite://"

    @pytest.fixture
    def make_app(self, database_url: str) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        cleanup: list[Any] = []
        yield lambda config: _flask_app(database_url, config, self.session_store, cleanup)
        for step in cleanup:
            step()

    def _session(self, datastore: Any) -> Any:
        return datastore.session

    def restart(self, datastore: Any) -> None:
        datastore.commit()
        datastore.session.remove()

    def count_users(self, datastore: Any) -> int:
        return datastore.session.scalar(sa.select(sa.func.count()).select_from(User))

    def count_role_links(self, datastore: Any) -> int:
        return datastore.session.scalar(sa.select(sa.func.count()).select_from(ROLES_USERS))


class _Postgres(_Run):
    database = "postgresql"
    concurrent_writers = True

    @pytest.fixture
    def database_url(self, pg_url: str) -> str:
        return pg_url


class _FlaskSQLite(_Run):
    store, database = "sqlalchemy+fsqla_v3", "sqlite"


class _FlaskPostgres(_Postgres):
    store = "sqlalchemy+fsqla_v3"


class _SessionSQLite(_Run):
    store, database, session_store = "sqlalchemy-session+fsqla_v3", "sqlite", True


class _SessionPostgres(_Postgres):
    store, session_store = "sqlalchemy-session+fsqla_v3", True


class TestFsqlaFlaskSQLiteDatastore(_FlaskSQLite, DatastoreContract):
    pass


class TestFsqlaFlaskSQLiteViews(_FlaskSQLite, DatastoreViewsContract):
    pass


class TestFsqlaFlaskPostgresDatastore(_FlaskPostgres, DatastoreContract):
    pass


class TestFsqlaFlaskPostgresViews(_FlaskPostgres, DatastoreViewsContract):
    pass


class TestFsqlaSessionSQLiteDatastore(_SessionSQLite, DatastoreContract):
    pass


class TestFsqlaSessionSQLiteViews(_SessionSQLite, DatastoreViewsContract):
    pass


class TestFsqlaSessionPostgresDatastore(_SessionPostgres, DatastoreContract):
    pass


class TestFsqlaSessionPostgresViews(_SessionPostgres, DatastoreViewsContract):
    pass
