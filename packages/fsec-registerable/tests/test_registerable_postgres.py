"""Registration against a real PostgreSQL server: the database's unique index on
lower(email) settles a race that the application-level checks missed."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.forms import unique_user_email
from flask_security.testing.app import add_user, db
from fsec_registerable import forms as registerable_forms

PASSWORD = "correct-horse"


@pytest.fixture
def pg_app(fsec_postgres: Any, make_registerable_app: Any) -> Any:
    pytest.importorskip("psycopg")
    fsec_postgres.create_database("fsec_registerable_race")
    app = make_registerable_app(
        {"SQLALCHEMY_DATABASE_URI": fsec_postgres.url("fsec_registerable_race")}
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_postgres_race_is_a_400_with_one_row(
    pg_app: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(pg_app, "race@example.com")
    field = registerable_forms.ConfirmRegisterForm.email
    monkeypatch.setitem(
        field.kwargs,
        "validators",
        [v for v in field.kwargs["validators"] if v is not unique_user_email],
    )
    monkeypatch.setattr(pg_app.extensions["security"].datastore, "check_unique", lambda kw: None)
    client = pg_app.test_client()
    r = client.post("/register", json={"email": "RACE@Example.COM", "password": PASSWORD})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "RACE@example.com is already associated with an account."  # domain normalised
    ]
    assert [u.email for u in users(pg_app)] == ["race@example.com"]
    r = client.post("/register", json={"email": "other@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert len(users(pg_app)) == 2


@pytest.mark.parametrize(
    "email, password, field",
    [
        ("nul\x00@example.com", PASSWORD, "email"),
        ("nul@example.com", "correct\x00horse", "password"),
        ("sur\ud800@example.com", PASSWORD, "email"),
    ],
)
def test_postgres_hostile_text_is_a_field_error_not_a_500(
    pg_app: Any, users: Any, email: str, password: str, field: str
) -> None:
    """NUL (refused by PostgreSQL text columns) and unpaired surrogates (no UTF-8
    encoding) are refused by the form before any query (issue 10 section 4)."""
    pg_app.config["TESTING"] = False  # a 500 must show as one
    client = pg_app.test_client()
    r = client.post("/register", json={"email": email, "password": password})
    assert r.status_code == 400
    assert list(r.json["response"]["errors"]) == [field]
    assert "not allowed" in r.json["response"]["errors"][field][0]
    if "\ud800" not in email:
        r = client.post("/register", data={"email": email, "password": password})
        assert r.status_code in (200, 400)  # the page again (3.0 answered 200)
        assert "not allowed" in r.get_data(as_text=True)
    assert users(pg_app) == []
