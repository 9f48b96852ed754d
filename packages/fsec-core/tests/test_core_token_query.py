"""Tokens through Flask-Login's request loader (issue 15 item 11): ``auth_required
("session")`` and ``login_required`` accept an auth token as 3.0 did (documented), and
``SECURITY_TOKEN_AUTHENTICATION_KEY = None`` switches the query-string form off."""

from __future__ import annotations

from flask_security import auth_required
from flask_security.testing.app import add_user, login


def _app(make_app, **config):
    app = make_app(config)
    add_user(app, "matt@example.com")

    @app.route("/session-only")
    @auth_required("session")
    def session_only():
        return "session page"

    return app


def _token(app):
    r = login(app.test_client(), "matt@example.com")
    return r.get_json()["response"]["user"]["authentication_token"]


def test_session_only_views_accept_a_token_as_in_3_0(make_app):
    app = _app(make_app)
    token = _token(app)
    client = app.test_client()
    assert client.get("/session-only").status_code == 401
    assert client.get("/session-only", headers={"Authentication-Token": token}).status_code == 200
    assert client.get(f"/session-only?auth_token={token}").status_code == 200
    assert client.get(f"/?auth_token={token}").status_code == 200  # login_required
    assert client.get(f"/token?auth_token={token}").status_code == 200


def test_token_key_none_switches_the_query_string_off(make_app):
    app = _app(make_app, SECURITY_TOKEN_AUTHENTICATION_KEY=None)
    token = _token(app)
    client = app.test_client()
    for path in ("/session-only", "/token", "/api"):
        assert client.get(f"{path}?auth_token={token}").status_code == 401, path
        assert client.get(f"{path}?None={token}").status_code == 401, path
        r = client.get(path, headers={"Authentication-Token": token})
        assert r.status_code == 200, path
    assert client.get(f"/?auth_token={token}").status_code == 302
