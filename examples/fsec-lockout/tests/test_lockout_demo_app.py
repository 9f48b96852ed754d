"""fsec's demo app gets lockout from `pip install fsec-lockout` plus one config line.

In the isolated run this venv holds only the wheels of fsec-core, fsec-store-sqlalchemy
and fsec-lockout: the demo (examples/demo/app.py, unchanged code path) switches the
plugin on with ``SECURITY_PLUGINS = ["lockout"]`` because it is installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo" / "app.py"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    if not DEMO.exists():
        pytest.skip("the fsec demo app is not beside this distribution")
    monkeypatch.setenv("FSEC_DEMO_SECRET_KEY", "demo-test-secret")
    monkeypatch.setenv("FSEC_DEMO_PASSWORD_SALT", "demo-test-salt")
    spec = importlib.util.spec_from_file_location("fsec_lockout_demo_app", DEMO)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fsec_lockout_demo_app"] = module
    try:
        spec.loader.exec_module(module)
        app = module.create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
                "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
                # passwordless (when installed) replaces the password login page
                "SECURITY_PASSWORDLESS": False,
            }
        )
        yield app
    finally:
        del sys.modules["fsec_lockout_demo_app"]


def _login(client, password, csrf):
    return client.post(
        "/login",
        json={"email": "user@example.com", "password": password},
        headers={"X-CSRFToken": csrf},
    )


def test_demo_has_lockout_switched_on(demo):
    state = demo.extensions["security"]
    assert demo.config["SECURITY_PLUGINS"] == ["lockout"]
    assert "lockout" in state.plugins.infos
    assert state.plugins.infos["lockout"].dist.lower().replace("_", "-") == "fsec-lockout"
    page = demo.test_client().get("/").get_data(as_text=True)
    assert "lockout" in page  # the demo's home page lists the enabled plugins


def test_demo_locks_after_five_failures_and_unlocks_by_cli(demo, capsys):
    client = demo.test_client()
    # JSON clients read the CSRF token from GET /login (the demo keeps CSRF on).
    r = client.get("/login", headers={"Accept": "application/json"})
    csrf = r.json["response"]["csrf_token"]
    for _ in range(5):
        r = _login(client, "not-the-password", csrf)
        assert r.status_code == 400, r.json
    r = _login(client, "user-password", csrf)
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "This account is locked after too many failed sign-in attempts. Try again later."
    ]
    assert r.json["response"]["lockout"]["locked"] is True
    assert 0 < r.json["response"]["lockout"]["retry_after"] <= 15 * 60
    # The demo prints mail to the console: the owner was told.
    out = capsys.readouterr().out
    assert "MAIL to user@example.com: Your account is locked" in out
    # An administrator lifts the lock.
    result = demo.test_cli_runner().invoke(args=["users", "unlock", "user@example.com"])
    assert result.exit_code == 0, result.output
    r = _login(client, "user-password", csrf)
    assert r.status_code == 200, r.json
    assert r.json["response"]["user"]["authentication_token"]
