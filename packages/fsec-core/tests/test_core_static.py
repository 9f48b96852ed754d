"""Core's static endpoint (SECURITY_STATIC_FOLDER_URL, upstream 5.x's /fs-static)."""

from __future__ import annotations


def test_no_static_route_without_a_plugin_folder(app):
    """Core itself ships no static file: /fs-static exists only when a plugin
    contributes a folder (fsec_static_folders)."""
    assert "security.static" not in {r.endpoint for r in app.url_map.iter_rules()}
    assert app.test_client().get("/fs-static/webauthn.js").status_code == 404
