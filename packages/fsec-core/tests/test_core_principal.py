"""Flask-Principal wiring: ``g.identity`` on every request, computed only when used.

fsec skips Principal's per-request ``identity_loaded`` work while nobody listens
(benchmarks/: unprotected routes must cost nothing); these tests pin down that the
documented Principal behaviour is unchanged for applications that do listen.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_principal import (
    Identity,
    Permission,
    RoleNeed,
    UserNeed,
    identity_changed,
    identity_loaded,
)
from flask_security.testing.app import db


def _count_sql(app: Any) -> list[str]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    return statements


def _add_probe_route(app: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    @app.route("/probe")
    def probe() -> str:
        seen["identity"] = g.identity
        seen["admin"] = Permission(RoleNeed("admin")).can()
        seen["editor"] = Permission(RoleNeed("editor")).can()
        return "probe"

    return seen


def _login(client: Any, email: str) -> None:
    r = client.post("/login", json={"email": email, "password": "password"})
    assert r.status_code == 200


def test_unprotected_route_loads_no_user_and_sends_no_identity_loaded(app):
    seen = _add_probe_route(app)

    @app.route("/plain")
    def plain() -> str:
        seen["plain_identity"] = g.identity
        return "plain"

    client = app.test_client()
    _login(client, "matt@example.com")
    sent: list[Any] = []

    def listener(sender: Any, identity: Any) -> None:
        sent.append(identity)

    statements = _count_sql(app)
    # A receiver for another sender does not count as listening to this app.
    identity_loaded.connect(listener, sender=object(), weak=False)
    try:
        assert client.get("/plain").status_code == 200
    finally:
        identity_loaded.disconnect(listener)
    assert statements == []
    assert sent == []
    assert seen["plain_identity"] is not None
    # Used, the same identity resolves to the logged-in user's needs (one SELECT).
    assert client.get("/probe").status_code == 200
    assert seen["admin"] is True and seen["editor"] is False
    assert len(statements) == 1


def test_anonymous_identity_grants_nothing(app):
    seen = _add_probe_route(app)
    assert app.test_client().get("/probe").status_code == 200
    assert seen["admin"] is False and seen["editor"] is False
    assert seen["identity"].id is None


def test_app_receiver_runs_on_every_request_and_its_needs_count(app):
    seen = _add_probe_route(app)
    calls: list[Any] = []

    @identity_loaded.connect_via(app)
    def add_editor(sender: Any, identity: Any) -> None:
        calls.append(identity)
        identity.provides.add(RoleNeed("editor"))

    client = app.test_client()
    _login(client, "matt@example.com")
    calls.clear()
    assert client.get("/probe").status_code == 200
    assert len(calls) == 1
    assert seen["admin"] is True  # fsec's own needs are still there
    assert seen["editor"] is True  # and the app's receiver added its own
    # Anonymous requests reach the receiver too (Principal's documented behaviour).
    assert app.test_client().get("/probe").status_code == 200
    assert len(calls) == 2 and seen["admin"] is False and seen["editor"] is True


def test_identity_set_by_the_app_gets_the_users_needs(app):
    seen: dict[str, Any] = {}

    @app.route("/switch")
    def switch() -> str:
        from flask_security import current_user

        seen["user_id"] = current_user.id
        identity_changed.send(app, identity=Identity(current_user.id))
        seen["provides"] = set(g.identity.provides)
        seen["admin"] = Permission(RoleNeed("admin")).can()
        return "ok"

    client = app.test_client()
    _login(client, "matt@example.com")
    assert client.get("/switch").status_code == 200
    assert seen["admin"] is True
    assert seen["provides"] == {UserNeed(seen["user_id"]), RoleNeed("admin")}


def test_app_identity_loader_takes_precedence(app):
    seen = _add_probe_route(app)
    principal = app.extensions["security"].principal

    @principal.identity_loader
    def everyone_is_editor() -> Identity:
        identity = Identity("robot")
        identity.provides.add(RoleNeed("editor"))
        return identity

    assert app.test_client().get("/probe").status_code == 200
    assert seen["identity"].id == "robot"
    assert seen["editor"] is True and seen["admin"] is False


def test_logout_leaves_no_needs_for_the_rest_of_the_request(app):
    from flask_security import logout_user

    seen: dict[str, Any] = {}

    @app.route("/bye")
    def bye() -> str:
        seen["before"] = Permission(RoleNeed("admin")).can()
        logout_user()
        seen["after"] = Permission(RoleNeed("admin")).can()
        return "bye"

    client = app.test_client()
    _login(client, "matt@example.com")
    assert client.get("/bye").status_code == 200
    assert seen == {"before": True, "after": False}
