"""Logout: SECURITY_LOGOUT_METHODS (upstream 5.x's name) and a POST that carries the
CSRF token (issue 10 section 5)."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_security.testing.app import add_user, login


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _csrf_app(make_app, **config):
    app = make_app({"WTF_CSRF_ENABLED": True, **config})
    add_user(app, "a@example.com", "password")
    return app


def _login_with_csrf(client) -> str:
    token = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    r = client.post(
        "/login",
        json={"email": "a@example.com", "password": "password"},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200
    return r.json["response"]["csrf_token"]


def test_get_logout_stays_on_by_default(app, client):
    # 3.0 applications link to /logout.
    login(client, "matt@example.com")
    r = client.get("/logout")
    assert r.status_code == 302
    assert not _signed_in(client)


def test_post_logout_without_csrf_token_is_refused(make_app):
    app = _csrf_app(make_app)
    client = app.test_client()
    token = _login_with_csrf(client)
    r = client.post("/logout")
    assert r.status_code == 400
    assert _signed_in(client)
    # a page with a fresh sign-out button (a stale tab's user can retry), not bare text
    assert r.mimetype == "text/html"
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True))
    assert fresh and "CSRF" in r.get_data(as_text=True)
    r = client.post("/logout", json={})
    assert r.status_code == 400
    assert "csrf_token" in r.json["response"]["errors"]
    assert _signed_in(client)
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302
    assert not _signed_in(client)


def test_post_logout_accepts_the_csrf_header(make_app):
    app = _csrf_app(make_app)
    client = app.test_client()
    token = _login_with_csrf(client)
    r = client.post("/logout", json={}, headers={"X-CSRFToken": token})
    assert r.status_code == 200
    assert not _signed_in(client)


def test_logout_methods_post_only_refuses_get(make_app):
    app = _csrf_app(make_app, SECURITY_LOGOUT_METHODS=["POST"])
    client = app.test_client()
    token = _login_with_csrf(client)
    # A link or an <img src="/logout"> on another site no longer signs the user out.
    assert client.get("/logout").status_code == 405
    assert _signed_in(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(client)


def test_logout_methods_none_removes_the_view(make_app):
    app = make_app({"SECURITY_LOGOUT_METHODS": None})
    assert "security.logout" not in app.view_functions
    assert app.test_client().get("/logout").status_code == 404


def test_default_logout_form_posts_the_csrf_token(make_app):
    app = make_app({"WTF_CSRF_ENABLED": True})
    template = (
        '{% from "security/_macros.html" import render_logout_form %}{{ render_logout_form() }}'
    )
    app.add_url_rule("/page", "page", lambda: render_template_string(template))
    add_user(app, "a@example.com", "password")
    client = app.test_client()
    _login_with_csrf(client)
    html = client.get("/page").get_data(as_text=True)
    assert 'method="post"' in html and 'action="/logout"' in html
    (token,) = re.findall(r'name="csrf_token" value="([^"]+)"', html)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(client)
