"""The demo app (examples/demo/app.py) with recovery and tracking on: the reset mail
is printed to the console, its link works, the profile shows the login statistics."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "demo", "app.py")


def load_demo(tmp_path: Any, **config: Any) -> Flask:
    if not os.path.exists(DEMO):
        pytest.skip("the demo app is not part of this checkout")
    spec = importlib.util.spec_from_file_location("fsec_demo_app_recoverable", DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    base = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
        "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
    }
    return module.create_app({**base, **config})  # type: ignore[no-any-return]


@pytest.fixture
def demo(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.delenv("FSEC_DEMO_PASSWORDLESS", raising=False)
    yield load_demo(tmp_path, TESTING=True)
    sys.modules.pop("fsec_demo_app_recoverable", None)


def csrf(client: Any, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_demo_reset_flow_with_console_mail_and_tracking(
    demo: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.config["SECURITY_RECOVERABLE"] and demo.config["SECURITY_TRACKABLE"]
    client = demo.test_client()
    assert '<a href="/reset">Forgot password?</a>' in client.get("/login").get_data(as_text=True)
    response = client.post(
        "/reset", data={"email": "user@example.com", "csrf_token": csrf(client, "/reset")}
    )
    assert response.status_code == 302
    out = capsys.readouterr().out
    assert "MAIL to user@example.com: Password reset instructions" in out
    match = re.search(r"http://localhost:5000(/reset/[\w.\-]+)", out)
    assert match, out
    link = match.group(1)

    response = client.post(
        link,
        data={
            "password": "brand-new-pw",
            "password_confirm": "brand-new-pw",
            "csrf_token": csrf(client, link),
        },
    )
    assert response.status_code == 302
    assert "MAIL to user@example.com: Your password has been reset" in capsys.readouterr().out
    profile = client.get("/profile").get_data(as_text=True)
    assert "Email: user@example.com" in profile
    assert "Logins: 1, last from 127.0.0.1" in profile


def test_demo_says_how_to_turn_passwordless_on(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("fsec_passwordless")
    monkeypatch.delenv("FSEC_DEMO_PASSWORDLESS", raising=False)
    try:
        app = load_demo(tmp_path)
        note = sys.modules["fsec_demo_app_recoverable"].passwordless_note(app)
    finally:
        sys.modules.pop("fsec_demo_app_recoverable", None)
    assert app.config["SECURITY_PASSWORDLESS"] is False
    # printed when the server starts (python examples/demo/app.py), not by flask commands
    assert "FSEC_DEMO_PASSWORDLESS=1" in note
    assert "FSEC_DEMO_PASSWORDLESS" not in capsys.readouterr().out
