"""Hostile input never costs a 500 (issue 10 section 4): JSON nested too deeply for
the parser, unpaired surrogates, NUL characters (refused by PostgreSQL text columns)
and undecodable HTTP Basic credentials get ``400`` with a field error (``401`` for
Basic). The JSON and form paths are core's (``build_form`` and the ``Form`` base), so
every feature's form inherits this; the feature packages test their own endpoints."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask_security.testing.app import add_user, create_app, db, login
from flask_security.utils import has_forbidden_characters

DEEP = "[" * 50_000 + "]" * 50_000
INVALID = "This value contains characters that are not allowed (NUL or unpaired surrogates)."


@pytest.fixture
def pg_app(fsec_postgres: Any) -> Any:
    pytest.importorskip("psycopg")
    fsec_postgres.create_database("fsec_core_hostile")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": fsec_postgres.url("fsec_core_hostile"),
            "SECURITY_CHANGEABLE": True,
            # A 500 must show as a 500 here, not as an exception in the test.
            "TESTING": False,
        }
    )
    add_user(app, "matt@example.com", "password")
    yield app
    with app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()


def test_forbidden_characters_are_nul_and_unpaired_surrogates() -> None:
    assert has_forbidden_characters("a\x00b")
    assert has_forbidden_characters("\ud800")
    assert has_forbidden_characters("x\udfff")
    assert not has_forbidden_characters("matt@example.com")
    assert not has_forbidden_characters("é\U0001f600\t")  # a surrogate *pair* is one code point


@pytest.mark.parametrize("body", [DEEP, '{"email": ' + DEEP + "}"])
def test_json_nested_too_deeply_is_a_400(pg_app: Any, body: str) -> None:
    client = pg_app.test_client()
    r = client.post("/login", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {"json": ["The request body must be a JSON object."]}
    login(client, "matt@example.com")
    r = client.post("/change", data=body, content_type="application/json")
    assert r.status_code == 400


def test_unpaired_surrogate_in_json_is_a_field_error(pg_app: Any) -> None:
    client = pg_app.test_client()
    r = client.post(
        "/login",
        data='{"email": "m\\ud800@example.com", "password": "password"}',
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {"email": [INVALID]}
    r = client.post(
        "/login",
        data='{"email": "matt@example.com", "password": "pass\\udc00word"}',
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {"password": [INVALID]}


@pytest.mark.parametrize("as_json", [True, False])
def test_nul_never_reaches_postgresql(pg_app: Any, as_json: bool) -> None:
    client = pg_app.test_client()
    data = {"email": "matt@example.com\x00", "password": "password"}
    r = client.post("/login", json=data) if as_json else client.post("/login", data=data)
    # JSON: 400; a form is shown again with its error, 200 (3.0's status, issue 9 item 12).
    assert r.status_code == (400 if as_json else 200)
    if as_json:
        assert r.json["response"]["errors"] == {"email": [INVALID]}
    else:
        assert INVALID in r.get_data(as_text=True)
    # The real account still logs in: nothing was half-done.
    assert login(client, "matt@example.com").status_code == 200
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "new\x00password",
            "new_password_confirm": "new\x00password",
        },
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {
        "new_password": [INVALID],
        "new_password_confirm": [INVALID],
    }


@pytest.mark.parametrize(
    "header",
    [
        "Basic éé",  # non-ASCII: base64 raises ValueError inside Werkzeug
        "Basic " + base64.b64encode(b"matt@example.com\x00:password").decode(),
        "Basic " + base64.b64encode(b"matt@example.com:pass\x00word").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),  # not UTF-8
    ],
)
def test_hostile_basic_credentials_are_a_401(pg_app: Any, header: str) -> None:
    client = pg_app.test_client()
    for path in ("/basic", "/api"):
        r = client.get(path, headers={"Authorization": header})
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'
    good = base64.b64encode(b"matt@example.com:password").decode()
    assert client.get("/basic", headers={"Authorization": "Basic " + good}).status_code == 200
