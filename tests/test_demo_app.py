"""The demo app (examples/demo/app.py): it starts, seeds users, and logs in."""

from __future__ import annotations

import importlib.util
import os
import re
import sys

import pytest

DEMO = os.path.join(os.path.dirname(__file__), "..", "examples", "demo", "app.py")


def load_demo(name, db_path, **config):
    """The demo's app, built in this process on the SQLite file ``db_path`` with
    ``config`` on top of the tests' settings (testing mode, fast bcrypt, passwords)."""
    spec = importlib.util.spec_from_file_location(name, DEMO)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        return module.create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
                # passwordless replaces the password login page; most tests use passwords
                "SECURITY_PASSWORDLESS": False,
                **config,
            }
        )
    finally:
        del sys.modules[name]


@pytest.fixture
def demo(tmp_path):
    return load_demo("fsec_demo_app", tmp_path / "demo.db")


def _csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_demo_seeds_users_and_serves_pages(demo):
    client = demo.test_client()
    r = client.get("/")
    assert r.status_code == 200 and "You are not signed in" in r.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    # CSRF protection is on in the demo, as in any real app
    r = client.post("/login", data={"email": "admin@example.com", "password": "admin-password"})
    assert r.status_code == 200
    r = client.post(
        "/login",
        data={
            "email": "admin@example.com",
            "password": "admin-password",
            "csrf_token": _csrf(client),
        },
    )
    assert r.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as <strong>admin@example.com</strong>" in page
    assert client.get("/admin").status_code == 200


def test_demo_json_login_and_token_api(demo):
    client = demo.test_client()
    csrf = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    r = client.post(
        "/login",
        json={"email": "user@example.com", "password": "user-password"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200
    token = r.json["response"]["user"]["authentication_token"]
    api = demo.test_client()
    r = api.get("/api/me", headers={"Authentication-Token": token})
    assert r.status_code == 200 and r.json["email"] == "user@example.com"
    assert api.get("/api/me").status_code == 401
    # the normal user is not an admin
    assert client.get("/admin").status_code == 403


def test_demo_change_password_prints_mail(demo, capsys):
    client = demo.test_client()
    client.post(
        "/login",
        data={
            "email": "user@example.com",
            "password": "user-password",
            "csrf_token": _csrf(client),
        },
    )
    r = client.post(
        "/change",
        data={
            "csrf_token": _csrf(client, "/change"),
            "password": "user-password",
            "new_password": "user-password-2",
            "new_password_confirm": "user-password-2",
        },
    )
    assert r.status_code == 302
    out = capsys.readouterr().out
    assert "MAIL to user@example.com: Your password has been changed" in out


def test_demo_home_page_token_steps_work_in_passwordless_mode(tmp_path):
    """The home page's token-API steps are the ones that work in the mode the demo
    runs in: with FSEC_DEMO_PASSWORDLESS=1, POST /login takes no password and the
    token comes from the mailed link (a newcomer followed the password steps there)."""
    from flask_security.utils import capture_passwordless_login_requests

    app = load_demo("fsec_demo_app_pl", tmp_path / "demo.db", SECURITY_PASSWORDLESS=True)
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "mails a sign-in link" in page and '"password": ...' not in page
    csrf = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    with capture_passwordless_login_requests() as sent:
        r = client.post("/login", json={"email": "user@example.com"}, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and len(sent) == 1
    r = app.test_client().get(
        f"/login/{sent[0]['login_token']}", headers={"Accept": "application/json"}
    )
    token = r.json["response"]["user"]["authentication_token"]
    me = app.test_client().get(
        "/api/me", headers={"Authentication-Token": token, "Accept": "application/json"}
    )
    assert me.status_code == 200 and "user@example.com" in me.get_data(as_text=True)


def test_demo_passkey_register_and_sign_in_without_password(demo):
    """The demo offers passkeys: a signed-in user adds one through the JSON API (CSRF
    on, as in the browser), signs out, and signs in with it, no password."""

    from fsec_webauthn.testing import SoftAuthenticator

    client = demo.test_client()
    auth = SoftAuthenticator(origin="http://localhost:5000")
    token = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    login = {"email": "user@example.com", "password": "user-password"}
    r = client.post("/login", json=login, headers={"X-CSRFToken": token})
    assert r.status_code == 200
    token = r.json["response"]["csrf_token"]
    headers = {"X-CSRFToken": token}
    start = client.post("/wan-register", json={"name": "demo key"}, headers=headers)
    assert start.status_code == 200, start.json
    body = start.json["response"]
    credential = auth.create(body["credential_options"])
    r = client.post(
        f"/wan-register/{body['wan_state']}", json={"credential": credential}, headers=headers
    )
    assert r.status_code == 200, r.json
    client.post("/logout", json={}, headers=headers)
    assert client.get("/profile").status_code == 302
    token = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    headers = {"X-CSRFToken": token}
    start = client.post("/wan-signin", json={}, headers=headers).json["response"]
    assertion = auth.get(start["credential_options"])
    r = client.post(
        f"/wan-signin/{start['wan_state']}", json={"credential": assertion}, headers=headers
    )
    assert r.status_code == 200, r.json
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as <strong>user@example.com</strong>" in page
    assert 'href="/wan-register"' in page


def _sign_in(client, email, password):
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": _csrf(client)}
    )
    assert r.status_code == 302


def test_demo_admin_link_only_for_admins_and_a_friendly_403(demo):
    """Issue 13 §2: the nav shows "Admin" to admins only; a plain user opening /admin
    gets a page in the demo's layout with the reason and a way home (not Werkzeug's
    bare 403), while JSON clients keep the JSON 403."""
    admin = demo.test_client()
    _sign_in(admin, "admin@example.com", "admin-password")
    assert '<a href="/admin">Admin</a>' in admin.get("/").get_data(as_text=True)
    user = demo.test_client()
    assert '<a href="/admin">Admin</a>' not in user.get("/").get_data(as_text=True)
    _sign_in(user, "user@example.com", "user-password")
    assert '<a href="/admin">Admin</a>' not in user.get("/").get_data(as_text=True)
    r = user.get("/admin")
    html = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "<h1>Not allowed</h1>" in html and "You are not allowed to open this page." in html
    assert '<a href="/">Back to the home page</a>' in html and "<nav>" in html
    r = user.get("/admin", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.is_json


def test_demo_profile_shows_times_without_microseconds(demo):
    _sign_in(demo.test_client(), "user@example.com", "user-password")
    client = demo.test_client()
    _sign_in(client, "user@example.com", "user-password")  # last_login_at is set now
    html = client.get("/profile").get_data(as_text=True)
    m = re.search(r"at (\d{1,2} \w+ \d{4}, \d\d:\d\d UTC)\.", html)
    assert m, html
    assert not re.search(r"\d\d:\d\d:\d\d", html)


def test_demo_two_factor_setup_page_with_qr_code_then_login(demo):
    """The demo has two-factor on: the setup page shows a QR code (SVG); after the
    setup, the password alone no longer signs in."""
    import pyotp

    demo.config["WTF_CSRF_ENABLED"] = False
    client = demo.test_client()
    r = client.post("/login", data={"email": "user@example.com", "password": "user-password"})
    assert r.status_code == 302
    assert "/tf-setup" in client.get("/profile").get_data(as_text=True)
    r = client.post("/tf-setup", data={"setup": "authenticator"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<svg" in page and "fsec-qrcode" in page
    key = re.search(r'<code class="fsec-authr-key">([A-Z2-7 -]+)</code>', page).group(1)
    otp = pyotp.TOTP(re.sub(r"[ -]", "", key))
    action = re.search(r'action="(/tf-setup/[^"]+)"', page).group(1)
    assert client.post(action, data={"code": otp.now()}).status_code == 302
    client.post("/logout", data={})
    r = client.post("/login", data={"email": "user@example.com", "password": "user-password"})
    assert r.status_code == 302 and r.headers["Location"] == "/tf-validate"
    assert client.get("/profile").status_code == 302  # not signed in yet
    import time

    code = otp.at(time.time() + 30)
    assert client.post("/tf-validate", data={"code": code}).status_code == 302
    assert client.get("/profile").status_code == 200


def test_demo_sets_an_outdated_database_aside(tmp_path):
    import sqlite3

    path = tmp_path / "demo.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT)")
    app = load_demo("fsec_demo_app_old", path)
    assert (tmp_path / "demo.db.old").exists()
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="user@example.com")
        assert user is not None and user.tf_primary_method is None


def test_demo_freshness_from_the_environment(tmp_path, monkeypatch):
    """FSEC_DEMO_FRESHNESS=60 (the README's way to see /verify): a sign-in older than
    a minute is sent to /verify by the two-factor setup page; a fresh one is not."""
    import datetime

    monkeypatch.setenv("FSEC_DEMO_FRESHNESS", "60")
    app = load_demo("fsec_demo_app_fresh", tmp_path / "demo.db", WTF_CSRF_ENABLED=False)
    assert app.config["SECURITY_FRESHNESS"] == datetime.timedelta(seconds=60)
    client = app.test_client()
    r = client.post("/login", data={"email": "user@example.com", "password": "user-password"})
    assert r.status_code == 302
    assert client.get("/tf-setup").status_code == 200
    from flask_security.tokens import AUTHN_TIME_SESSION_KEY

    with client.session_transaction() as sess:
        sess[AUTHN_TIME_SESSION_KEY] -= 120  # the sign-in was two minutes ago
    r = client.get("/tf-setup")
    assert r.status_code == 302 and r.headers["Location"].startswith("/verify")
