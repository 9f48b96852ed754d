"""The demo app (examples/demo/app.py) with FSEC_DEMO_PASSWORDLESS=1: /login mails a
link to the console, following it signs in and counts as a login."""

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


@pytest.fixture
def demo(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    if not os.path.exists(DEMO):
        pytest.skip("the demo app is not part of this checkout")
    monkeypatch.setenv("FSEC_DEMO_PASSWORDLESS", "1")
    spec = importlib.util.spec_from_file_location("fsec_demo_app_passwordless", DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
            "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
        }
    )
    sys.modules.pop(spec.name, None)


def test_demo_passwordless_flow(demo: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.config["SECURITY_PASSWORDLESS"] is True
    client = demo.test_client()
    html = client.get("/login").get_data(as_text=True)
    assert 'name="send_login_form"' in html and 'name="password"' not in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": "admin@example.com", "csrf_token": token})
    assert response.status_code == 302
    out = capsys.readouterr().out
    assert "MAIL to admin@example.com: Login instructions" in out
    link = re.search(r"http://localhost:5000(/login/[\w.\-]+)", out).group(1)
    assert client.get(link).status_code == 302
    assert client.get("/admin").status_code == 200
    assert "Logins: 1" in client.get("/profile").get_data(as_text=True)
    # The link is spent.
    other = demo.test_client()
    other.get(link)
    assert other.get("/profile").status_code == 302
