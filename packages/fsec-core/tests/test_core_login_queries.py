"""A JSON login reads the user once: its answer is built before the commit expires it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_security.testing.app import db


def test_json_login_costs_one_statement(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    client = app.test_client()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert r.status_code == 200
    user = r.get_json()["response"]["user"]
    assert user["authentication_token"] and user["id"]
    assert len(statements) == 1, statements
    # The token in the answer works (it was made from the committed user).
    r = client.get("/token", headers={"Authentication-Token": user["authentication_token"]})
    assert r.status_code == 200
