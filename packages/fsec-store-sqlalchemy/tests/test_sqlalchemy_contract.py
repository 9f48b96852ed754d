"""The datastore contract (flask_security.testing.datastore_contract) on SQLAlchemy:
Flask-SQLAlchemy (``SQLAlchemyUserDatastore``) and a plain SQLAlchemy 2 scoped session
(``SQLAlchemySessionUserDatastore``), each on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security import RoleMixin, Security, SQLAlchemySessionUserDatastore, UserMixin
from flask_security.testing.app import TEST_CONFIG, User, create_app, db, roles_users
from flask_security.testing.datastore_contract import DatastoreContract, DatastoreViewsContract
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, scoped_session
from sqlalchemy.orm import sessionmaker as make_sessionmaker
from sqlalchemy.pool import StaticPool

# --------------------------------------------------------------------------------------
# Plain SQLAlchemy 2 models for the session datastore
# --------------------------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


session_roles_users = sa.Table(
    "session_roles_users",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("session_user.id"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("session_role.id"), primary_key=True),
)


class SessionRole(Base, RoleMixin):
    __tablename__ = "session_role"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))


class SessionUser(Base, UserMixin):
    __tablename__ = "session_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    username: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    fs_uniquifier: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    password: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    confirmed_at: Mapped[Any | None] = mapped_column(sa.DateTime())
    login_count: Mapped[int | None] = mapped_column()
    # fsec-two-factor (upstream 5.x's names)
    tf_primary_method: Mapped[str | None] = mapped_column(sa.String(64))
    tf_totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    mf_recovery_codes: Mapped[Any | None] = mapped_column(sa.JSON)
    roles: Mapped[list[SessionRole]] = relationship(secondary=session_roles_users)
    fs_webauthn_user_handle: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    webauthn: Mapped[list[SessionWebAuthn]] = relationship(
        back_populates="user", cascade="all, delete", order_by="SessionWebAuthn.id"
    )


class SessionWebAuthn(Base):
    """Upstream 5.x's documented WebAuthn fields, in plain SQLAlchemy 2."""

    __tablename__ = "session_webauthn"
    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1024), index=True, unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(1024))
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[list[str] | None] = mapped_column(sa.JSON)
    extensions: Mapped[str | None] = mapped_column(sa.String(255))
    lastuse_datetime: Mapped[Any] = mapped_column(sa.DateTime())
    name: Mapped[str] = mapped_column(sa.String(64))
    usage: Mapped[str] = mapped_column(sa.String(64))
    backup_state: Mapped[bool] = mapped_column()
    device_type: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("session_user.id", ondelete="CASCADE"))
    user: Mapped[SessionUser] = relationship(back_populates="webauthn")

    def get_user_mapping(self) -> dict[str, Any]:
        return {"id": self.user_id}


def _session_app(url: str, config: dict[str, Any], engines: list[sa.Engine]) -> Flask:
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = sa.create_engine(url)
    engines.append(engine)
    session = scoped_session(make_sessionmaker(bind=engine))
    app = Flask("fsec_session_store_app")
    app.config.update(TEST_CONFIG)
    app.config.update(config)
    datastore = SQLAlchemySessionUserDatastore(session, SessionUser, SessionRole, SessionWebAuthn)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)  # after the datastore added the lower(email) index
    Security(app, datastore)

    @app.teardown_appcontext
    def remove_session(exc: BaseException | None) -> None:
        session.remove()

    return app


# --------------------------------------------------------------------------------------
# The four runs: {Flask-SQLAlchemy, session} x {SQLite, PostgreSQL}
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url(fsec_postgres: Any) -> str:
    fsec_postgres.create_database("fsec_sqla_contract")
    return fsec_postgres.url("fsec_sqla_contract")


class _FlaskSQLAlchemy:
    store = "sqlalchemy"

    def restart(self, datastore: Any) -> None:
        datastore.commit()
        db.session.remove()

    def count_users(self, datastore: Any) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))

    def count_role_links(self, datastore: Any) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(roles_users))


class _FlaskSQLAlchemySQLite(_FlaskSQLAlchemy):
    database = "sqlite"

    @pytest.fixture
    def make_app(self) -> Callable[[dict[str, Any]], Flask]:
        return lambda config: create_app(config)


class _FlaskSQLAlchemyPostgres(_FlaskSQLAlchemy):
    database = "postgresql"
    concurrent_writers = True

    @pytest.fixture
    def make_app(self, pg_url: str) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        apps: list[Flask] = []

        def factory(config: dict[str, Any]) -> Flask:
            app = create_app({**config, "SQLALCHEMY_DATABASE_URI": pg_url})
            with app.app_context():
                db.drop_all()
                db.create_all()
            apps.append(app)
            return app

        yield factory
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


class _Session:
    store = "sqlalchemy-session"

    def _session(self, datastore: Any) -> Any:
        return datastore.session

    def restart(self, datastore: Any) -> None:
        datastore.commit()
        datastore.session.remove()

    def count_users(self, datastore: Any) -> int:
        return datastore.session.scalar(sa.select(sa.func.count()).select_from(SessionUser))

    def count_role_links(self, datastore: Any) -> int:
        stmt = sa.select(sa.func.count()).select_from(session_roles_users)
        return datastore.session.scalar(stmt)


class _SessionSQLite(_Session):
    database = "sqlite"

    @pytest.fixture
    def make_app(self) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        engines: list[sa.Engine] = []
        yield lambda config: _session_app("sqlite://", config, engines)
        for engine in engines:
            engine.dispose()


class _SessionPostgres(_Session):
    database = "postgresql"
    concurrent_writers = True

    @pytest.fixture
    def make_app(self, pg_url: str) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        engines: list[sa.Engine] = []
        yield lambda config: _session_app(pg_url, config, engines)
        for engine in engines:
            engine.dispose()


class TestFlaskSQLAlchemySQLiteDatastore(_FlaskSQLAlchemySQLite, DatastoreContract):
    pass


class TestFlaskSQLAlchemySQLiteViews(_FlaskSQLAlchemySQLite, DatastoreViewsContract):
    pass


class TestFlaskSQLAlchemyPostgresDatastore(_FlaskSQLAlchemyPostgres, DatastoreContract):
    pass


class TestFlaskSQLAlchemyPostgresViews(_FlaskSQLAlchemyPostgres, DatastoreViewsContract):
    pass


class TestSessionSQLiteDatastore(_SessionSQLite, DatastoreContract):
    pass


class TestSessionSQLiteViews(_SessionSQLite, DatastoreViewsContract):
    pass


class TestSessionPostgresDatastore(_SessionPostgres, DatastoreContract):
    pass


class TestSessionPostgresViews(_SessionPostgres, DatastoreViewsContract):
    pass
