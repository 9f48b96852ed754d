"""Same-origin redirects only (compat-notes unsafe point 1)."""

from __future__ import annotations

import pytest
from flask_security.utils import safe_redirect_target
from fsec_store_sqlalchemy.testing import login

# Values a browser reads as another host or a script, or that carry tricks.
FOREIGN = [
    "//evil.example",
    "//evil.example/path",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    " //evil.example",
    " /path",
    "\t//evil.example",
    "\n//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "http:/evil.example",
    "https:evil.example",
    "http://evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "//localhost.evil.example",
    "http://localhost.evil.example/",
    "http://localhost@evil.example/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "ftp://evil.example",
    "evil.example",
    "path/without/slash",
    "/\u3000/evil.example",
    "\u200b//evil.example",
    "/%09/evil.example/\x00",
    "",
]

SAME_ORIGIN = [
    ("/", "/"),
    ("/admin", "/admin"),
    ("/a/b?c=d#e", "/a/b?c=d#e"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
    ("http://localhost/admin?x=1", "/admin?x=1"),
    ("http://localhost", "/"),
]


@pytest.mark.parametrize("target", FOREIGN)
def test_foreign_targets_refused(app, target):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target, expected", SAME_ORIGIN)
def test_same_origin_targets_reduced_to_paths(app, target, expected):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_redirect_target(target) == expected


def test_other_scheme_of_same_host_refused(app):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_redirect_target("https://localhost/admin") is None


@pytest.mark.parametrize("target", FOREIGN[:20])
def test_login_never_emits_foreign_location(client, target):
    r = client.post(
        "/login", data={"email": "matt@example.com", "password": "password", "next": target}
    )
    location = r.headers.get("Location")
    assert location is None or safe_redirect_target_like(location)


@pytest.mark.parametrize("target", FOREIGN[:20])
def test_logout_never_emits_foreign_location(client, target):
    login(client, "matt@example.com")
    r = client.get("/logout", query_string={"next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def safe_redirect_target_like(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and "\\" not in location
