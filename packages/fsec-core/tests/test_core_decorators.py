"""Decorators: login_required, roles, token, basic, auth_required; unauthorized handling."""

from __future__ import annotations

import base64
import time

import pytest
from flask import Flask, jsonify
from flask_security import (
    anonymous_user_required,
    auth_required,
    current_user,
    http_auth_required,
    roles_required,
)
from flask_security.config import ConfigError
from flask_security.testing.app import add_user, login
from flask_security.utils import hash_password


def _basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def _token(client, email="matt@example.com", password="password") -> str:
    return login(client, email, password).json["response"]["user"]["authentication_token"]


# -- login_required -------------------------------------------------------------------


def test_login_required_redirects_to_login_with_relative_next(client):
    r = client.get("/?page=2")
    assert r.status_code == 302
    assert r.headers["Location"] == "/login?next=%2F%3Fpage%3D2"


def test_login_required_json_gets_401(client):
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 401
    assert r.json["meta"]["code"] == 401


def test_login_required_lets_options_through(client):
    assert client.options("/").status_code == 200


def test_login_disabled_turns_login_required_off(make_app):
    from flask_security import login_required

    app = make_app({"LOGIN_DISABLED": True})

    @app.route("/inside")
    @login_required
    def inside():
        return "inside"

    r = app.test_client().get("/inside")
    assert r.status_code == 200 and r.get_data(as_text=True) == "inside"


# -- roles ------------------------------------------------------------------------------


def test_roles_required_allows_role_and_forbids_others(client, app):
    login(client, "matt@example.com")
    assert client.get("/admin").status_code == 200
    other = app.test_client()
    login(other, "joe@example.com")
    assert other.get("/admin").status_code == 403


def test_roles_required_needs_all_roles(make_app):
    app = make_app()
    add_user(app, "both@example.com", roles=("a", "b"))
    add_user(app, "one@example.com", roles=("a",))

    @app.route("/ab")
    @roles_required("a", "b")
    def ab():
        return "ab"

    c = app.test_client()
    login(c, "both@example.com")
    assert c.get("/ab").status_code == 200
    c = app.test_client()
    login(c, "one@example.com")
    assert c.get("/ab").status_code == 403


def test_roles_accepted_needs_any_role(client, app):
    login(client, "joe@example.com")
    assert client.get("/editor").status_code == 200
    c = app.test_client()
    login(c, "matt@example.com")
    assert c.get("/editor").status_code == 200
    add_user(app, "none@example.com")
    c = app.test_client()
    login(c, "none@example.com")
    assert c.get("/editor").status_code == 403


def test_roles_anonymous_goes_to_login(client):
    r = client.get("/admin")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    assert client.get("/admin", headers={"Accept": "application/json"}).status_code == 401


def test_forbidden_json_is_403_json(app):
    c = app.test_client()
    login(c, "joe@example.com")
    r = c.get("/admin", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json["meta"]["code"] == 403


def test_forbidden_never_redirects_to_referer(app):
    """Unsafe point 10: UNAUTHORIZED_VIEW None means 403, whatever the Referer says."""
    c = app.test_client()
    login(c, "joe@example.com")
    r = c.get("/admin", headers={"Referer": "https://evil.example/"})
    assert r.status_code == 403
    assert "Location" not in r.headers


@pytest.mark.parametrize("view, expected", [("/public", "/public"), ("public", "/public")])
def test_unauthorized_view_url_or_endpoint(make_app, view, expected):
    app = make_app({"SECURITY_UNAUTHORIZED_VIEW": view})
    add_user(app, "joe@example.com", roles=("editor",))
    c = app.test_client()
    login(c, "joe@example.com")
    r = c.get("/admin")
    assert r.status_code == 302 and r.headers["Location"] == expected


def test_unauthorized_handler_overrides(make_app):
    app = make_app()
    add_user(app, "joe@example.com", roles=("editor",))
    app.extensions["security"].unauthorized_handler(lambda: ("nope", 418))
    c = app.test_client()
    login(c, "joe@example.com")
    assert c.get("/admin").status_code == 418
    assert c.get("/token").status_code == 418


def test_security_object_unauthorized_handler_before_init_app():
    from flask_security import Security, roles_required
    from flask_security.testing.app import TEST_CONFIG, Role, User, db
    from fsec_store_sqlalchemy import SQLAlchemyUserDatastore

    security = Security()

    @security.unauthorized_handler
    def handler():
        return "custom", 418

    app = Flask("factory")
    app.config.update(TEST_CONFIG)
    db.init_app(app)
    with app.app_context():
        db.create_all()

    @app.route("/admin")
    @roles_required("admin")
    def admin():
        return "admin area"

    security.init_app(app, SQLAlchemyUserDatastore(db, User, Role))
    add_user(app, "joe@example.com", roles=("editor",))
    c = app.test_client()
    login(c, "joe@example.com")
    r = c.get("/admin")
    # the handler registered before init_app answers the refused request
    assert (r.status_code, r.get_data(as_text=True)) == (418, "custom")


# -- token ------------------------------------------------------------------------------


def test_token_header_and_query(app):
    token = _token(app.test_client())
    c = app.test_client()
    assert c.get("/token", headers={"Authentication-Token": token}).json == {
        "email": "matt@example.com"
    }
    assert c.get(f"/token?auth_token={token}").status_code == 200
    assert c.get("/token").status_code == 401
    assert c.get("/token", headers={"Authentication-Token": token + "x"}).status_code == 401


def test_custom_token_header_and_key(make_app):
    app = make_app(
        {"SECURITY_TOKEN_AUTHENTICATION_HEADER": "X-Auth", "SECURITY_TOKEN_AUTHENTICATION_KEY": "k"}
    )
    add_user(app, "a@example.com")
    token = _token(app.test_client(), "a@example.com")
    c = app.test_client()
    assert c.get("/token", headers={"X-Auth": token}).status_code == 200
    assert c.get(f"/token?k={token}").status_code == 200
    assert c.get("/token", headers={"Authentication-Token": token}).status_code == 401


def test_token_also_satisfies_login_required(app):
    token = _token(app.test_client())
    assert app.test_client().get("/", headers={"Authentication-Token": token}).status_code == 200


def test_token_dies_with_password_change(app):
    """Documented: a password change invalidates the token."""
    token = _token(app.test_client())
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.find_user(email="matt@example.com").password = hash_password("changed-it")
        ds.commit()
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": token}).status_code == 401
    )


def test_token_refused_for_deactivated_user(app):
    token = _token(app.test_client())
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.deactivate_user(ds.find_user(email="matt@example.com"))
        ds.commit()
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": token}).status_code == 401
    )


def test_token_max_age(make_app, monkeypatch):
    app = make_app({"SECURITY_TOKEN_MAX_AGE": 60})
    add_user(app, "a@example.com")
    token = _token(app.test_client(), "a@example.com")
    c = app.test_client()
    assert c.get("/token", headers={"Authentication-Token": token}).status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    assert c.get("/token", headers={"Authentication-Token": token}).status_code == 401


def test_token_check_needs_no_password_hash(app, monkeypatch):
    """Unsafe point 5: a token check is an HMAC and one lookup, never a slow hash."""
    token = _token(app.test_client())
    ctx = app.extensions["security"].pwd_context

    def boom(*a, **kw):
        raise AssertionError("a password hash was computed for a token check")

    monkeypatch.setattr(ctx, "verify", boom)
    monkeypatch.setattr(ctx, "hash", boom)
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": token}).status_code == 200
    )


def test_get_auth_token_matches_login_token(app):
    c = app.test_client()
    token = _token(c)
    with app.test_request_context():
        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        assert app.extensions["security"].user_from_auth_token(user.get_auth_token()) == user
        assert app.extensions["security"].user_from_auth_token(token) == user


# -- basic ------------------------------------------------------------------------------


def test_basic_auth(app):
    c = app.test_client()
    r = c.get("/basic", headers=_basic("matt@example.com", "password"))
    assert r.status_code == 200 and r.json == {"email": "matt@example.com"}
    # per-request only: no session is created
    assert c.get("/").status_code == 302


def test_basic_auth_failure_has_realm_header(app):
    c = app.test_client()
    for headers in ({}, _basic("matt@example.com", "bad"), _basic("nobody@example.com", "x")):
        r = c.get("/basic", headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'


def test_basic_auth_custom_realm_and_called_form(make_app):
    app = make_app({"SECURITY_DEFAULT_HTTP_AUTH_REALM": "Staff"})

    @app.route("/api-realm")
    @http_auth_required("Robots")
    def api_realm():
        return "ok"

    @app.route("/api-called")
    @http_auth_required()
    def api_called():
        return "ok"

    c = app.test_client()
    assert c.get("/api-realm").headers["WWW-Authenticate"] == 'Basic realm="Robots"'
    assert c.get("/api-called").headers["WWW-Authenticate"] == 'Basic realm="Staff"'
    assert c.get("/basic").headers["WWW-Authenticate"] == 'Basic realm="Staff"'


def test_basic_auth_refuses_inactive_and_numeric_ids(app):
    c = app.test_client()
    assert c.get("/basic", headers=_basic("off@example.com", "password")).status_code == 401
    assert c.get("/basic", headers=_basic("1", "password")).status_code == 401


# -- auth_required ----------------------------------------------------------------------


def test_auth_required_accepts_each_method(app):
    token = _token(app.test_client())
    c = app.test_client()
    assert c.get("/api", headers={"Authentication-Token": token}).status_code == 200
    assert c.get("/api", headers=_basic("joe@example.com", "password")).json == {
        "email": "joe@example.com"
    }
    login(c, "matt@example.com")
    assert c.get("/api").status_code == 200
    r = app.test_client().get("/api")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'


def test_auth_required_without_basic_has_no_challenge(make_app):
    app = make_app()

    @app.route("/tok-only")
    @auth_required("token")
    def tok_only():
        return jsonify(email=current_user.email)

    r = app.test_client().get("/tok-only")
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers


def _bare_auth_route(app):
    @app.route("/bare")
    @auth_required()
    def bare():
        return jsonify(email=current_user.email)

    return app


def test_bare_auth_required_sends_a_browser_to_log_in_as_5x(make_app):
    """``@auth_required()`` is upstream 5.x's form (3.0's refused every request): a
    browser without a session is redirected to log in, never challenged for Basic
    (which made the browser's own password dialog appear)."""
    app = _bare_auth_route(make_app())
    add_user(app, "matt@example.com", "password")
    r = app.test_client().get("/bare?x=1")
    assert r.status_code == 302
    assert r.headers["Location"] == "/login?next=%2Fbare%3Fx%3D1"
    assert "WWW-Authenticate" not in r.headers
    r = app.test_client().get("/bare", headers={"Accept": "application/json"})
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers
    assert r.json["response"]["errors"]["auth"]


def test_bare_auth_required_takes_session_and_token_not_basic_by_default(make_app):
    app = _bare_auth_route(make_app())
    add_user(app, "matt@example.com", "password")
    token = _token(app.test_client())
    assert app.test_client().get("/bare", headers={"Authentication-Token": token}).json == {
        "email": "matt@example.com"
    }
    c = app.test_client()
    login(c, "matt@example.com")
    assert c.get("/bare").status_code == 200
    r = app.test_client().get("/bare", headers=_basic("matt@example.com", "password"))
    assert r.status_code == 302, "basic is not among 5.x's default API_ENABLED_METHODS"


def test_bare_auth_required_with_basic_enabled_challenges(make_app):
    app = _bare_auth_route(make_app({"SECURITY_API_ENABLED_METHODS": ["basic"]}))
    add_user(app, "matt@example.com", "password")
    ok = app.test_client().get("/bare", headers=_basic("matt@example.com", "password"))
    assert ok.json == {"email": "matt@example.com"}
    r = app.test_client().get("/bare")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'


@pytest.mark.parametrize("value", [[], ["session", "magic"], "session", None])
def test_api_enabled_methods_is_checked_at_start_up(make_app, value):
    with pytest.raises(ConfigError, match="SECURITY_API_ENABLED_METHODS"):
        make_app({"SECURITY_API_ENABLED_METHODS": value})


def test_auth_required_rejects_unknown_method():
    with pytest.raises(ValueError):
        auth_required("magic")


def test_anonymous_user_required(make_app):
    app = make_app()
    add_user(app, "a@example.com")

    @app.route("/signup")
    @anonymous_user_required
    def signup():
        return "welcome"

    c = app.test_client()
    assert c.get("/signup").status_code == 200
    login(c, "a@example.com")
    r = c.get("/signup")
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_anonymous_user_has_no_roles(app):
    with app.test_request_context():
        assert current_user.is_authenticated is False
        assert current_user.has_role("admin") is False


def test_has_role_by_name_and_object(app):
    with app.app_context():
        ds = app.extensions["security"].datastore
        user = ds.find_user(email="matt@example.com")
        role = ds.find_role("admin")
        assert user.has_role("admin") and user.has_role(role)
        assert not user.has_role("editor")
        assert role == "admin" and role == ds.find_role("admin") and role != "editor"
