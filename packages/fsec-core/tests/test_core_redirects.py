"""Same-origin redirects only (docs/migration.md#redirects-stay-on-your-site)."""

from __future__ import annotations

import pytest
from flask_security.testing.app import login
from flask_security.testing.redirects import HOSTILE_NEXT, location_stays_on_site
from flask_security.utils import safe_redirect_target

FOREIGN = list(HOSTILE_NEXT)
# The shapes naming this host (https variants made from the http ones).
SAME_HOST = [t for t in FOREIGN if "localhost" in t] + [
    t.replace("http:", "https:", 1) for t in FOREIGN if t.startswith("http://localhost/")
]

SAME_ORIGIN = [
    ("/", "/"),
    ("/admin", "/admin"),
    ("/a/b?c=d#e", "/a/b?c=d#e"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
    ("http://localhost/admin?x=1", "/admin?x=1"),
    ("http://localhost", "/"),
    ("/a/../b", "/a/../b"),
    ("/a/.//b", "/a/.//b"),
    ("http://localhost/a//b", "/a//b"),
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


def test_same_host_url_with_scheme_relative_path_refused(app):
    # Issue 15 item 1: the host check passed and the path "//evil.example/x" went
    # into Location, which a browser reads as another site.
    for base in ("http://localhost", "https://localhost"):
        scheme = base.split(":")[0]
        with app.test_request_context("/", base_url=base):
            assert safe_redirect_target(f"{scheme}://localhost//evil.example/x") is None
            assert safe_redirect_target(f"{scheme}://localhost/.//evil.example") is None
            assert safe_redirect_target(f"{scheme}://localhost/ok") == "/ok"


@pytest.mark.parametrize("target", FOREIGN)
def test_login_never_emits_foreign_location(client, target):
    r = client.post(
        "/login",
        data={"email": "matt@example.com", "password": "password", "next": target},
    )
    assert location_stays_on_site(r.headers.get("Location"))


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
@pytest.mark.parametrize("target", SAME_HOST)
def test_login_query_next_never_emits_foreign_location(client, target, base_url):
    r = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "matt@example.com", "password": "password"},
        base_url=base_url,
    )
    # A hostile next in the login form is a field error (400), never a redirect off-site.
    assert location_stays_on_site(r.headers.get("Location"))
    login(client, "matt@example.com")
    # signed in now: GET /login sends the user on with the same next
    r = client.get("/login", query_string={"next": target}, base_url=base_url)
    assert location_stays_on_site(r.headers.get("Location"))


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
@pytest.mark.parametrize("target", FOREIGN)
def test_anonymous_logout_never_emits_foreign_location(client, target, base_url):
    # No login needed to be redirected by /logout.
    r = client.get("/logout", query_string={"next": target}, base_url=base_url)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("target", FOREIGN)
def test_logout_never_emits_foreign_location(client, target):
    login(client, "matt@example.com")
    r = client.get("/logout", query_string={"next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("target", FOREIGN)
def test_change_password_never_emits_foreign_location(client, target):
    login(client, "matt@example.com")
    r = client.post(
        "/change",
        query_string={"next": target},
        data={
            "password": "password",
            "new_password": "new-password",
            "new_password_confirm": "new-password",
        },
    )
    assert r.status_code == 302
    assert location_stays_on_site(r.headers["Location"])


def test_corpus_checker_is_not_vacuous():
    # The checker must refuse what the browser would take off-site...
    for value in ("//evil.example/x", "http://evil.example/", "/\\evil.example", "http:/e"):
        assert not location_stays_on_site(value)
    # ...and accept the site's own paths.
    for value in ("/", "/a?b=//c", "http://localhost/x", None):
        assert location_stays_on_site(value)
