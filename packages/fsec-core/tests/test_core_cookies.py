"""Session and remember cookies get ``SameSite=Lax`` and ``HttpOnly`` unless the app
chose its own (issue 10 section 5); the remember cookie lasts Flask-Login's
``REMEMBER_COOKIE_DURATION`` (365 days) and is ``Secure`` only when configured."""

from __future__ import annotations

import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from flask_security.testing.app import add_user, create_app


def _set_cookies(response: Any) -> dict[str, str]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = header
    return cookies


def _attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def _login_cookies(config: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    app = create_app(config)
    add_user(app, "matt@example.com", "password")
    r = app.test_client().post(
        "/login", data={"email": "matt@example.com", "password": "password", "remember": "y"}
    )
    assert r.status_code == 302
    return {name: _attributes(h) for name, h in _set_cookies(r).items()}


def test_session_and_remember_cookies_are_lax_and_httponly() -> None:
    cookies = _login_cookies()
    for name in ("session", "remember_token"):
        assert cookies[name]["samesite"] == "Lax", name
        assert "httponly" in cookies[name], name
        assert "secure" not in cookies[name], name  # Secure is the app's choice (HTTPS)
    expires = parsedate_to_datetime(cookies["remember_token"]["expires"])
    left = expires - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=364) < left <= datetime.timedelta(days=365)


def test_the_apps_own_cookie_settings_win() -> None:
    cookies = _login_cookies(
        {
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_HTTPONLY": False,
            "REMEMBER_COOKIE_SAMESITE": None,
            "REMEMBER_COOKIE_HTTPONLY": False,
            "REMEMBER_COOKIE_SECURE": True,
            "REMEMBER_COOKIE_DURATION": datetime.timedelta(days=14),
        }
    )
    assert cookies["session"]["samesite"] == "Strict"
    assert "httponly" not in cookies["session"]
    remember = cookies["remember_token"]
    assert "samesite" not in remember and "httponly" not in remember
    assert "secure" in remember
    left = parsedate_to_datetime(remember["expires"]) - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=13) < left <= datetime.timedelta(days=14)


def test_none_set_after_init_app_drops_the_session_cookies_samesite() -> None:
    """Flask's own default is None, so before init_app None means "unset"; an app
    that wants no attribute sets None after init_app (documented)."""
    app = create_app()
    app.config["SESSION_COOKIE_SAMESITE"] = None
    add_user(app, "matt@example.com", "password")
    r = app.test_client().post("/login", data={"email": "matt@example.com", "password": "password"})
    assert "samesite" not in _attributes(_set_cookies(r)["session"])
