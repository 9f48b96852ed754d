"""The page script is served at core's SECURITY_STATIC_FOLDER_URL (upstream 5.x:
/fs-static/webauthn.js) through the fsec_static_folders hook, and the default pages
load it from there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fsec_webauthn
from flask import Flask

SCRIPT = (Path(fsec_webauthn.__file__).parent / "static" / "webauthn.js").read_bytes()


def test_script_is_served_at_fs_static(app: Flask) -> None:
    client = app.test_client()
    r = client.get("/fs-static/webauthn.js")
    assert r.status_code == 200 and r.data == SCRIPT
    assert "javascript" in r.mimetype
    assert client.get("/wan-static/webauthn.js").data == SCRIPT  # fsec's earlier URL stays


def test_pages_load_the_script_from_fs_static(flow: Any) -> None:
    for page in ("/wan-register", "/wan-verify"):
        html = flow.client.get(page).get_data(as_text=True)
        assert '<script src="/fs-static/webauthn.js" defer></script>' in html, page


def test_static_url_follows_the_settings(make_app: Any) -> None:
    app = make_app({"SECURITY_STATIC_FOLDER_URL": "/assets", "SECURITY_URL_PREFIX": "/auth"})
    client = app.test_client()
    assert client.get("/auth/assets/webauthn.js").data == SCRIPT
    assert client.get("/fs-static/webauthn.js").status_code == 404
    assert client.get("/auth/assets/../plugin.py").status_code == 404
