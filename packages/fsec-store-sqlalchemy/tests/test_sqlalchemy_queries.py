"""What the SQLAlchemy store costs the database, on SQLite and on PostgreSQL:

* a session-authenticated request that checks roles runs one SQL statement;
* the ``lower(email)`` expression index exists, is unique, is what identity lookups
  use (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``) and refuses two
  addresses that differ only in case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security.testing.app import add_user, create_app, db, login
from sqlalchemy.exc import IntegrityError


@pytest.fixture(scope="module")
def pg_url(fsec_postgres: Any) -> str:
    fsec_postgres.create_database("fsec_sqla_queries")
    return fsec_postgres.url("fsec_sqla_queries")


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    if request.param == "sqlite":
        app = create_app()
    else:
        app = create_app({"SQLALCHEMY_DATABASE_URI": request.getfixturevalue("pg_url")})
        with app.app_context():
            db.drop_all()
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class StatementLog:
    """Every statement the app's engine sends (``before_cursor_execute``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> StatementLog:
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        self.statements.append((statement, parameters))


def _engine(app: Flask) -> sa.Engine:
    with app.app_context():
        return db.engine


def test_session_request_checking_roles_costs_one_statement(app: Flask) -> None:
    add_user(app, "admin@example.com", roles=("admin", "editor", "viewer"))
    add_user(app, "joe@example.com", roles=("viewer",))
    admin, joe = app.test_client(), app.test_client()
    assert login(admin, "admin@example.com").status_code == 200
    assert login(joe, "joe@example.com").status_code == 200
    engine = _engine(app)
    for client, path, status in (
        (admin, "/admin", 200),
        (admin, "/editor", 200),
        (joe, "/admin", 403),
        (joe, "/editor", 403),
    ):
        with StatementLog(engine) as log:
            r = client.get(path)
        assert r.status_code == status, path
        assert len(log.statements) == 1, [s for s, _ in log.statements]
        assert "roles_users" in log.statements[0][0]


def test_token_request_costs_one_statement(app: Flask) -> None:
    add_user(app, "admin@example.com", roles=("admin",))
    token = login(app.test_client(), "admin@example.com").get_json()["response"]["user"][
        "authentication_token"
    ]
    with StatementLog(_engine(app)) as log:
        r = app.test_client().get("/token", headers={"Authentication-Token": token})
    assert r.status_code == 200
    assert len(log.statements) == 1


def _lookup_statement(app: Flask, email: str) -> tuple[str, Any]:
    """The statement ``find_user_by_identity`` sends, with its parameters."""
    with app.app_context():
        datastore = app.extensions["security"].datastore
        with StatementLog(db.engine) as log:
            datastore.find_user_by_identity(email)
        db.session.remove()
    selects = [s for s in log.statements if "lower" in s[0]]
    assert len(selects) == 1, log.statements
    return selects[0]


def test_lower_email_index_exists_is_unique_and_used(app: Flask) -> None:
    engine = _engine(app)
    rows = [{"email": f"user{i}@example.com", "active": True} for i in range(3000)]
    with engine.begin() as conn:
        conn.execute(sa.text('INSERT INTO "user" (email, active) VALUES (:email, :active)'), rows)
    statement, parameters = _lookup_statement(app, "User1234@Example.com")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_user_email_lower'"
            ).scalar_one()
            assert sql.upper().startswith("CREATE UNIQUE INDEX")
            assert "lower(email)" in sql
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = " ".join(str(row[-1]) for row in plan)
            assert "USING INDEX ix_user_email_lower" in details, details
        else:
            indexdef = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_user_email_lower'"
            ).scalar_one()
            assert indexdef.startswith("CREATE UNIQUE INDEX")
            assert "lower((email)::text)" in indexdef
            conn.exec_driver_sql("ANALYZE")
            plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
            text = "\n".join(plan)
            assert "ix_user_email_lower" in text, text
            assert "Seq Scan" not in text, text


def test_lower_email_index_refuses_case_variants(app: Flask) -> None:
    engine = _engine(app)
    insert = sa.text('INSERT INTO "user" (email, active) VALUES (:email, true)')
    with engine.begin() as conn:
        conn.execute(insert, {"email": "Matt@Example.com"})
    for variant in ("matt@example.com", "MATT@EXAMPLE.COM"):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert, {"email": variant})
    with engine.connect() as conn:
        assert conn.execute(sa.text('SELECT count(*) FROM "user"')).scalar_one() == 1
