"""The /register view: HTML form and JSON, errors, duplicates, forms, redirects."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_security import ConfirmRegisterForm, RegisterForm
from flask_security.forms import unique_user_email
from flask_security.testing.app import add_user
from flask_security.utils import verify_password
from fsec_registerable import forms as registerable_forms
from wtforms import StringField

PASSWORD = "correct-horse"


def register_form(client: Any, email: str = "new@example.com", **extra: Any) -> Any:
    data = {"email": email, "password": PASSWORD, "password_confirm": PASSWORD, **extra}
    return client.post("/register", data=data)


# -- lazy import surface -------------------------------------------------------------


def test_forms_import_from_flask_security() -> None:
    from flask_security.forms import ConfirmRegisterForm as F2
    from flask_security.forms import RegisterForm as F1

    assert RegisterForm is F1 is registerable_forms.RegisterForm
    assert ConfirmRegisterForm is F2 is registerable_forms.ConfirmRegisterForm


def test_form_field_names(app: Any) -> None:
    with app.test_request_context():
        assert [f.name for f in RegisterForm()] == [
            "email",
            "password",
            "password_confirm",
            "next",
            "submit",
        ]
        assert [f.name for f in ConfirmRegisterForm()] == ["email", "password", "submit"]


# -- GET -------------------------------------------------------------------------------


def test_get_renders_register_page(client: Any) -> None:
    r = client.get("/register")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="register_user_form"' in html
    for field in ("email", "password", "password_confirm", "next"):
        assert f'name="{field}"' in html


def test_get_json_gives_csrf_token(client: Any) -> None:
    r = client.get("/register", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json["meta"]["code"] == 200
    assert r.json["response"]["csrf_token"]


def test_login_page_links_to_register(client: Any) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in html


def test_login_page_has_no_link_when_off(make_registerable_app: Any) -> None:
    app = make_registerable_app({"SECURITY_REGISTERABLE": False})
    assert 'href="/register"' not in app.test_client().get("/login").get_data(as_text=True)
    assert app.test_client().get("/register").status_code == 404


def test_register_url_configurable(make_registerable_app: Any) -> None:
    app = make_registerable_app({"SECURITY_REGISTER_URL": "/signup"})
    client = app.test_client()
    assert client.get("/signup").status_code == 200
    assert client.get("/register").status_code == 404


def test_context_processors_reach_the_page(app: Any) -> None:
    from flask import template_rendered

    state = app.extensions["security"]
    state.register_context_processor(lambda: {"register_hello": "Register-specific value"})
    state.context_processor(lambda: {"everywhere": "General value"})
    captured: dict[str, Any] = {}

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        captured.update(context)

    template_rendered.connect(record, app)
    try:
        assert app.test_client().get("/register").status_code == 200
    finally:
        template_rendered.disconnect(record, app)
    assert captured["register_hello"] == "Register-specific value"
    assert captured["everywhere"] == "General value"
    assert isinstance(captured["register_user_form"], RegisterForm)


# -- successful registration -----------------------------------------------------------


def test_form_registration_creates_user_and_logs_in(app: Any, client: Any, users: Any) -> None:
    r = register_form(client)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    rows = users(app)
    assert [u.email for u in rows] == ["new@example.com"]
    user = rows[0]
    assert user.active is True
    assert user.password != PASSWORD
    with app.app_context():
        assert verify_password(PASSWORD, user.password)
    # Logged in: the protected index answers.
    r = client.get("/")
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "Hello new@example.com"


def test_json_registration_returns_user_and_token(app: Any, client: Any, users: Any) -> None:
    r = client.post("/register", json={"email": "api@example.com", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json
    assert body["meta"]["code"] == 200
    user = users(app)[0]
    assert body["response"]["user"]["id"] == str(user.id)
    token = body["response"]["user"]["authentication_token"]
    r = app.test_client().get("/token", headers={"Authentication-Token": token})
    assert r.status_code == 200
    assert r.json == {"email": "api@example.com"}


def test_json_registration_without_login_gets_no_token(app: Any, client: Any) -> None:
    """When a plugin refuses the login, registration succeeds without a token."""
    from flask_security import hookimpl

    class Refuse:
        @hookimpl
        def fsec_login_refusal(self, user: Any, method: str) -> str | None:
            return "DISABLED_ACCOUNT" if method == "register" else None

    app.extensions["security"].plugins.pm.register(Refuse(), name="refuse-register")
    r = client.post("/register", json={"email": "nologin@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert "authentication_token" not in r.json["response"]["user"]
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401


def test_html_registration_without_login_redirects_but_stays_anonymous(
    app: Any, client: Any, users: Any
) -> None:
    from flask_security import hookimpl

    class Refuse:
        @hookimpl
        def fsec_login_refusal(self, user: Any, method: str) -> str | None:
            return "DISABLED_ACCOUNT"

    app.extensions["security"].plugins.pm.register(Refuse(), name="refuse-all")
    r = register_form(client, "anon@example.com")
    assert r.status_code == 302
    assert [u.email for u in users(app)] == ["anon@example.com"]
    assert client.get("/").status_code == 302  # sent to the login page


def test_post_register_view(make_registerable_app: Any) -> None:
    app = make_registerable_app({"SECURITY_POST_REGISTER_VIEW": "/public"})
    r = register_form(app.test_client())
    assert r.headers["Location"] == "/public"


def test_post_register_view_none_uses_post_login_view(make_registerable_app: Any) -> None:
    app = make_registerable_app({"SECURITY_POST_LOGIN_VIEW": "/public"})
    r = register_form(app.test_client())
    assert r.headers["Location"] == "/public"


def test_safe_next_is_followed(client: Any) -> None:
    r = register_form(client, next="/public?x=1")
    assert r.status_code == 302
    assert r.headers["Location"] == "/public?x=1"


def test_next_from_query_string(client: Any) -> None:
    r = client.post(
        "/register?next=/public",
        data={"email": "q@example.com", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert r.headers["Location"] == "/public"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "http://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_unsafe_next_is_refused(app: Any, client: Any, users: Any, target: str) -> None:
    r = register_form(client, next=target)
    assert r.status_code == 200
    assert users(app) == []
    assert "evil" not in r.headers.get("Location", "")


@pytest.mark.parametrize("target", ["//evil.example", "javascript:alert(1)"])
def test_unsafe_next_in_query_is_ignored(client: Any, target: str) -> None:
    page = client.get("/register", query_string={"next": target}).get_data(as_text=True)
    assert "evil" not in page and "javascript" not in page
    r = client.post(
        "/register",
        query_string={"next": target},
        data={"email": "qq@example.com", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_logged_in_user_is_sent_away(app: Any, client: Any, users: Any) -> None:
    add_user(app, "member@example.com")
    client.post("/login", json={"email": "member@example.com", "password": "password"})
    r = register_form(client, "other@example.com")
    assert r.status_code == 302
    assert [u.email for u in users(app)] == ["member@example.com"]
    r = client.post("/register", json={"email": "other@example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert len(users(app)) == 1


# -- validation errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({"password": PASSWORD}, "email", "email address is required"),
        ({"email": "not-an-address", "password": PASSWORD}, "email", "not a valid email"),
        ({"email": "a@example.com"}, "password", "password is required"),
        ({"email": "a@example.com", "password": "short"}, "password", "6 to 128"),
        ({"email": "a@example.com", "password": "x" * 129}, "password", "6 to 128"),
    ],
)
def test_json_field_errors(
    app: Any, client: Any, users: Any, data: dict[str, str], field: str, needle: str
) -> None:
    r = client.post("/register", json=data)
    assert r.status_code == 400
    assert r.json["meta"]["code"] == 400
    errors = r.json["response"]["errors"]
    assert needle in errors[field][0]
    assert users(app) == []


def test_form_password_mismatch_rerenders_200(app: Any, client: Any, users: Any) -> None:
    r = client.post(
        "/register",
        data={"email": "m@example.com", "password": PASSWORD, "password_confirm": "different1"},
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "The two passwords differ." in html
    assert 'name="register_user_form"' in html
    assert users(app) == []


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{bad json", "null"])
def test_bad_json_body_is_400(app: Any, client: Any, users: Any, body: str) -> None:
    r = client.post("/register", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json["response"]["errors"]["json"]
    assert users(app) == []


def test_json_non_string_values_are_400(app: Any, client: Any, users: Any) -> None:
    r = client.post("/register", json={"email": ["a@example.com"], "password": 123456})
    assert r.status_code == 400
    errors = r.json["response"]["errors"]
    assert set(errors) == {"email", "password"}
    assert users(app) == []


# -- duplicates ------------------------------------------------------------------------


def test_duplicate_in_other_case_is_refused(app: Any, client: Any, users: Any) -> None:
    r = client.post("/register", json={"email": "Case@Example.com", "password": PASSWORD})
    assert r.status_code == 200
    other = app.test_client()
    r = other.post("/register", json={"email": "case@EXAMPLE.COM", "password": PASSWORD})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "case@example.com is already associated with an account."  # domain normalised
    ]
    r = register_form(app.test_client(), "CASE@example.com")
    assert r.status_code == 200
    assert "is already associated with an account" in r.get_data(as_text=True)
    assert [u.email for u in users(app)] == ["Case@example.com"]


def _skip_form_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the form's duplicate check miss, as when another request inserts the same
    address between this request's check and its insert."""
    field = registerable_forms.ConfirmRegisterForm.email
    validators = [v for v in field.kwargs["validators"] if v is not unique_user_email]
    assert len(validators) == len(field.kwargs["validators"]) - 1
    monkeypatch.setitem(field.kwargs, "validators", validators)


def test_race_caught_by_datastore_check(
    app: Any, client: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app, "race@example.com")
    _skip_form_check(monkeypatch)
    r = client.post("/register", json={"email": "RACE@example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "RACE@example.com is already associated with an account."
    ]
    assert len(users(app)) == 1


def test_race_caught_by_database_constraint(
    app: Any, client: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both application-level checks miss; the unique index on lower(email) refuses
    the row, and the answer is still a 400 with the field error, not a 500."""
    add_user(app, "race@example.com")
    _skip_form_check(monkeypatch)
    datastore = app.extensions["security"].datastore
    monkeypatch.setattr(datastore, "check_unique", lambda kwargs: None)
    r = client.post("/register", json={"email": "Race@Example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert "already associated" in r.json["response"]["errors"]["email"][0]
    r = register_form(app.test_client(), "race@EXAMPLE.com")
    assert r.status_code == 200
    assert "already associated" in r.get_data(as_text=True)
    assert [u.email for u in users(app)] == ["race@example.com"]
    # The session is usable afterwards: a different address registers fine.
    r = client.post("/register", json={"email": "after@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert len(users(app)) == 2


# -- form selection and overrides ------------------------------------------------------


def _rendered_form(app: Any, client: Any, method: str = "get", **kwargs: Any) -> Any:
    seen: dict[str, Any] = {}
    from flask import template_rendered

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        if "register_user_form" in context:
            seen["form"] = context["register_user_form"]

    template_rendered.connect(record, app)
    try:
        getattr(client, method)("/register", **kwargs)
    finally:
        template_rendered.disconnect(record, app)
    return seen["form"]


def test_register_form_used_for_html(app: Any, client: Any) -> None:
    assert type(_rendered_form(app, client)) is RegisterForm


def test_confirm_register_form_used_when_confirmable_flag_on(make_registerable_app: Any) -> None:
    # The flag is what selects the form (documented 3.0 behaviour); the flag also
    # switches fsec-confirmable on, which must therefore be installed.
    pytest.importorskip("fsec_confirmable")
    app = make_registerable_app({"SECURITY_CONFIRMABLE": True})
    client = app.test_client()
    assert type(_rendered_form(app, client)) is ConfirmRegisterForm
    html = client.get("/register").get_data(as_text=True)
    assert 'name="password_confirm"' not in html


def test_json_uses_confirm_register_form(app: Any, client: Any) -> None:
    # No password_confirm needed with JSON.
    r = client.post("/register", json={"email": "j@example.com", "password": PASSWORD})
    assert r.status_code == 200


class ExtendedRegisterForm(RegisterForm):
    username = StringField("Username")
    nickname = StringField("Nickname")  # not a model attribute: must not reach the model


class ExtendedConfirmRegisterForm(ConfirmRegisterForm):
    username = StringField("Username")


def test_extended_register_form_via_kwarg(make_registerable_app: Any, users: Any) -> None:
    app = make_registerable_app(security_kwargs={"register_form": ExtendedRegisterForm})
    client = app.test_client()
    html = client.get("/register").get_data(as_text=True)
    assert 'name="username"' in html and 'name="nickname"' in html
    r = register_form(client, "ext@example.com", username="extuser", nickname="Nick")
    assert r.status_code == 302
    (user,) = users(app)
    assert user.username == "extuser"
    assert not hasattr(user, "nickname")


def test_extended_confirm_register_form_via_kwarg(make_registerable_app: Any, users: Any) -> None:
    app = make_registerable_app(
        security_kwargs={"confirm_register_form": ExtendedConfirmRegisterForm}
    )
    r = app.test_client().post(
        "/register", json={"email": "c@example.com", "password": PASSWORD, "username": "cuser"}
    )
    assert r.status_code == 200
    assert users(app)[0].username == "cuser"


def test_register_form_via_config_class(make_registerable_app: Any, users: Any) -> None:
    app = make_registerable_app({"SECURITY_REGISTER_FORM": ExtendedRegisterForm})
    assert app.extensions["security"].form_class("register_form") is ExtendedRegisterForm
    register_form(app.test_client(), "cfg@example.com", username="cfguser")
    assert users(app)[0].username == "cfguser"


def test_register_form_via_config_dotted_path(make_registerable_app: Any) -> None:
    app = make_registerable_app(
        {"SECURITY_REGISTER_FORM": "fsec_registerable.forms.ConfirmRegisterForm"}
    )
    assert app.extensions["security"].form_class("register_form") is ConfirmRegisterForm
    assert 'name="password_confirm"' not in app.test_client().get("/register").get_data(
        as_text=True
    )


def test_json_fields_not_on_form_are_ignored(app: Any, client: Any, users: Any) -> None:
    """Mass assignment: only declared form fields reach the model."""
    r = client.post(
        "/register",
        json={"email": "mass@example.com", "password": PASSWORD, "active": "", "username": "x"},
    )
    assert r.status_code == 200
    (user,) = users(app)
    assert user.active is True
    assert user.username is None


# -- CSRF ------------------------------------------------------------------------------


def test_csrf_token_required_when_enabled(make_registerable_app: Any, users: Any) -> None:
    app = make_registerable_app({"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    r = register_form(client, "csrf@example.com")
    assert r.status_code == 200
    assert "CSRF" in r.get_data(as_text=True)
    r = client.post("/register", json={"email": "csrf@example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert "csrf_token" in r.json["response"]["errors"]
    assert users(app) == []

    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = register_form(client, "csrf@example.com", csrf_token=token)
    assert r.status_code == 302
    assert [u.email for u in users(app)] == ["csrf@example.com"]

    other = app.test_client()
    token = other.get("/register", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    r = other.post(
        "/register",
        json={"email": "csrf2@example.com", "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200
    assert len(users(app)) == 2
