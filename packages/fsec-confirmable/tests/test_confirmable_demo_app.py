"""The demo app (examples/demo/app.py) with registration and confirmation on: the
welcome mail is printed to the console, its confirmation link signs the user in."""

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
MODULE = "fsec_demo_app_confirmable"


@pytest.fixture
def demo(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    if not os.path.exists(DEMO):
        pytest.skip("the demo app is not part of this checkout")
    monkeypatch.delenv("FSEC_DEMO_PASSWORDLESS", raising=False)
    spec = importlib.util.spec_from_file_location(MODULE, DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)
    yield module.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
            "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
        }
    )
    sys.modules.pop(MODULE, None)


def csrf(client: Any, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_demo_register_and_confirm(demo: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.config["SECURITY_REGISTERABLE"] and demo.config["SECURITY_CONFIRMABLE"]
    client = demo.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in login_page and 'href="/confirm"' in login_page
    capsys.readouterr()
    r = client.post(
        "/register",
        data={
            "email": "visitor@example.com",
            "password": "visitor-password",
            "csrf_token": csrf(client, "/register"),
        },
    )
    assert r.status_code == 302
    out = capsys.readouterr().out
    assert "MAIL to visitor@example.com: Welcome" in out
    match = re.search(r"http://localhost:5000(/confirm/\S+)", out)
    assert match, out
    # Not signed in before confirming.
    assert client.get("/profile").status_code == 302
    r = client.get(match.group(1))
    assert r.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as <strong>visitor@example.com</strong>" in page
    assert "Your email address is confirmed." in page
