"""The forgot-password and reset-password views: HTML forms, JSON, errors, links."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, login
from flask_security.utils import capture_reset_password_requests


def request_link(client: Any, app: Flask, email: str = "alice@example.com") -> str:
    with capture_reset_password_requests() as requests:
        response = client.post("/reset", json={"email": email})
    assert response.status_code == 200
    assert len(requests) == 1
    return str(requests[0]["token"])


# -- forgot password (GET / HTML) -------------------------------------------------------


def test_forgot_password_page_renders_form(app: Flask) -> None:
    response = app.test_client().get("/reset")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="forgot_password_form"' in html
    assert 'name="email"' in html
    assert 'action="/reset"' in html
    assert 'name="password"' not in html


def test_forgot_password_html_post_mails_and_redirects(app: Flask, outbox: list[Any]) -> None:
    client = app.test_client()
    response = client.post("/reset", data={"email": "Alice@Example.com"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/reset"
    assert len(outbox) == 1
    assert outbox[0].recipients == ["alice@example.com"]
    assert outbox[0].subject == "Password reset instructions"
    page = client.get("/reset").get_data(as_text=True)
    # PASSWORD_RESET_REQUEST flashed with the address, normalised (domain lower-cased)
    assert "Alice@example.com" in page


def test_forgot_password_html_invalid_rerenders_200(app: Flask, outbox: list[Any]) -> None:
    client = app.test_client()
    response = client.post("/reset", data={"email": "not-an-address"})
    assert response.status_code == 200
    assert "That is not a valid email address." in response.get_data(as_text=True)
    response = client.post("/reset", data={"email": ""})
    assert response.status_code == 200
    assert "An email address is required." in response.get_data(as_text=True)
    assert outbox == []


def test_forgot_password_context_processors(make_app: Any) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    app = make_app()
    security = app.extensions["security"]

    @security.forgot_password_context_processor
    def extra() -> dict[str, str]:
        return {"extra": "marker-forgot-ctx"}

    @security.context_processor
    def everywhere() -> dict[str, str]:
        return {"everywhere": "marker-all"}

    # The app's own templates win over fsec's: an override shows the context.
    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [DictLoader({"security/forgot_password.html": "{{ extra }} {{ everywhere }}"})]
    )
    response = app.test_client().get("/reset")
    assert response.get_data(as_text=True) == "marker-forgot-ctx marker-all"


# -- forgot password (JSON) -------------------------------------------------------------


def test_forgot_password_json_get_gives_csrf_token(app: Flask) -> None:
    response = app.test_client().get("/reset", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["meta"]["code"] == 200
    assert response.json["response"]["csrf_token"]


def test_forgot_password_json_success_has_no_user(app: Flask, outbox: list[Any]) -> None:
    response = app.test_client().post("/reset", json={"email": "alice@example.com"})
    assert response.status_code == 200
    assert response.json == {"meta": {"code": 200}, "response": {}}
    assert len(outbox) == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "email", "An email address is required."),
        ({"email": ""}, "email", "An email address is required."),
        ({"email": "nope"}, "email", "That is not a valid email address."),
        ({"email": 12}, "email", "This value must be a string."),
        ({"email": ["a@example.com"]}, "email", "This value must be a string."),
    ],
)
def test_forgot_password_json_field_errors(
    app: Flask, outbox: list[Any], body: Any, field: str, message: str
) -> None:
    response = app.test_client().post("/reset", json=body)
    assert response.status_code == 400
    assert response.json["meta"]["code"] == 400
    assert response.json["response"]["errors"][field] == [message]
    assert outbox == []


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "{not json", "null", "3"])
def test_forgot_password_bad_json_body_is_400(app: Flask, raw: str) -> None:
    response = app.test_client().post(
        "/reset", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["response"]["errors"]["json"] == [
        "The request body must be a JSON object."
    ]


def test_forgot_password_requires_anonymous(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "alice@example.com").status_code == 200
    response = client.get("/reset")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    response = client.post("/reset", json={"email": "alice@example.com"})
    assert response.status_code == 400


def test_csrf_enforced_when_enabled(make_app: Any) -> None:
    app = make_app({"WTF_CSRF_ENABLED": True})
    add_user(app, "alice@example.com")
    client = app.test_client()
    with app.extensions["mail"].record_messages() as outbox:
        response = client.post("/reset", json={"email": "alice@example.com"})
        assert response.status_code == 400
        assert "csrf_token" in response.json["response"]["errors"]
        token = client.get("/reset", headers={"Accept": "application/json"}).json["response"][
            "csrf_token"
        ]
        response = client.post(
            "/reset", json={"email": "alice@example.com"}, headers={"X-CSRFToken": token}
        )
        assert response.status_code == 200
    assert len(outbox) == 1


# -- reset password ---------------------------------------------------------------------


def test_reset_page_renders_form_with_token(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.get(f"/reset/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="reset_password_form"' in html
    assert f'action="/reset/{token}"' in html
    assert 'name="password"' in html and 'name="password_confirm"' in html


def test_reset_html_post_sets_password_logs_in_and_redirects(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(
        f"/reset/{token}", data={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "Hello alice@example.com"
    fresh = app.test_client()
    assert login(fresh, "alice@example.com", "password").status_code == 400
    assert login(fresh, "alice@example.com", "new-secret").status_code == 200


def test_reset_redirects_to_post_reset_view(make_app: Any) -> None:
    app = make_app({"SECURITY_POST_RESET_VIEW": "/public"})
    add_user(app, "alice@example.com")
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(
        f"/reset/{token}", data={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.headers["Location"] == "/public"


def test_reset_ignores_foreign_next(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(
        f"/reset/{token}?next=//evil.example/x",
        data={"password": "new-secret", "password_confirm": "new-secret"},
    )
    assert response.headers["Location"] == "/"


def test_reset_json_success_returns_user_and_token(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(
        f"/reset/{token}", json={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.status_code == 200
    user = response.json["response"]["user"]
    assert user["id"] == "1"
    auth = user["authentication_token"]
    assert app.test_client().get("/token", headers={"Authentication-Token": auth}).json == {
        "email": "alice@example.com"
    }


def test_reset_json_get_gives_csrf_token(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.get(f"/reset/{token}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["response"]["csrf_token"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"password": "", "password_confirm": ""}, "password", "A password is required."),
        (
            {"password": "short", "password_confirm": "short"},
            "password",
            "The password must be 6 to 128 characters long.",
        ),
        (
            {"password": "x" * 129, "password_confirm": "x" * 129},
            "password",
            "The password must be 6 to 128 characters long.",
        ),
        (
            {"password": "new-secret", "password_confirm": "other-secret"},
            "password_confirm",
            "The two passwords differ.",
        ),
        ({"password": 123456, "password_confirm": "123456"}, "password", None),
    ],
)
def test_reset_json_field_errors_keep_token_usable(
    app: Flask, body: Any, field: str, message: str | None
) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(f"/reset/{token}", json=body)
    assert response.status_code == 400
    errors = response.json["response"]["errors"]
    assert field in errors
    if message is not None:
        assert errors[field] == [message]
    # Nothing changed: the old password still works and the token still does.
    assert login(app.test_client(), "alice@example.com", "password").status_code == 200
    response = client.post(
        f"/reset/{token}", json={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.status_code == 200


def test_reset_html_invalid_rerenders_200(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(f"/reset/{token}", data={"password": "abc", "password_confirm": "abc"})
    assert response.status_code == 200
    assert "The password must be 6 to 128 characters long." in response.get_data(as_text=True)


def test_reset_bad_json_body_is_400(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    response = client.post(
        f"/reset/{token}", data="[]", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "json" in response.json["response"]["errors"]


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "WyIxIiwiYWJjIl0.AAAAAA.AAAA", "%00"])
def test_reset_invalid_token(app: Flask, token: str) -> None:
    client = app.test_client()
    response = client.get(f"/reset/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reset"
    page = client.get("/reset").get_data(as_text=True)
    assert "That password reset link does not work" in page
    response = client.post(
        f"/reset/{token}", json={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.status_code == 400
    assert response.json["response"]["errors"]["token"] == [
        "That password reset link does not work: it is damaged or was already used."
    ]


def test_token_signed_with_other_salt_is_invalid(make_app: Any) -> None:
    app = make_app()
    add_user(app, "alice@example.com")
    with app.test_request_context():
        from flask_security.utils import token_fingerprint

        security = app.extensions["security"]
        user = security.datastore.find_user(email="alice@example.com")
        forged = security.serializer("remember").dumps(
            [str(user.id), token_fingerprint(user.password)]
        )
    response = app.test_client().post(
        f"/reset/{forged}", json={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert response.status_code == 400


def test_reset_requires_anonymous(app: Flask) -> None:
    client = app.test_client()
    token = request_link(client, app)
    assert login(client, "alice@example.com").status_code == 200
    response = client.get(f"/reset/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# -- login page link ----------------------------------------------------------------------


def test_login_page_has_forgot_password_link(app: Flask) -> None:
    html = app.test_client().get("/login").get_data(as_text=True)
    assert '<a href="/reset">Forgot password?</a>' in html


def test_login_page_has_no_link_when_feature_off(make_app: Any) -> None:
    app = make_app({"SECURITY_RECOVERABLE": False})
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "/reset" not in html
    assert app.test_client().get("/reset").status_code == 404


def test_forgot_password_link_label_follows_message_override(make_app: Any) -> None:
    app = make_app({"SECURITY_MSG_FORGOT_PASSWORD": ("Lost it?", "info")})
    html = app.test_client().get("/login").get_data(as_text=True)
    assert '<a href="/reset">Lost it?</a>' in html


def test_urls_follow_config(make_app: Any) -> None:
    app = make_app({"SECURITY_RESET_URL": "/recover", "SECURITY_URL_PREFIX": "/auth"})
    add_user(app, "alice@example.com")
    client = app.test_client()
    assert client.get("/auth/recover").status_code == 200
    with (
        capture_reset_password_requests() as requests,
        app.extensions["mail"].record_messages() as outbox,
    ):
        assert client.post("/auth/recover", json={"email": "alice@example.com"}).status_code == 200
    token = requests[0]["token"]
    assert f"http://localhost/auth/recover/{token}" in outbox[0].body
    assert client.get(f"/auth/recover/{token}").status_code == 200
    assert '<a href="/auth/recover">' in client.get("/auth/login").get_data(as_text=True)


# -- forms ------------------------------------------------------------------------------


def test_forms_importable_from_flask_security() -> None:
    import flask_security
    import flask_security.forms
    from fsec_recoverable import forms

    assert flask_security.ForgotPasswordForm is forms.ForgotPasswordForm
    assert flask_security.forms.ResetPasswordForm is forms.ResetPasswordForm
    assert [f for f in ("email", "submit") if hasattr(forms.ForgotPasswordForm, f)] == [
        "email",
        "submit",
    ]
    for field in ("password", "password_confirm", "submit"):
        assert hasattr(forms.ResetPasswordForm, field)


def test_form_override_by_keyword(make_app: Any) -> None:
    from fsec_recoverable.forms import ForgotPasswordForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class MyForgotForm(ForgotPasswordForm):
        reason = StringField("Why", validators=[DataRequired()])

    app = make_app(security_kwargs={"forgot_password_form": MyForgotForm})
    add_user(app, "alice@example.com")
    client = app.test_client()
    response = client.post("/reset", json={"email": "alice@example.com"})
    assert response.status_code == 400
    assert "reason" in response.json["response"]["errors"]
    response = client.post("/reset", json={"email": "alice@example.com", "reason": "lost"})
    assert response.status_code == 200


def test_form_override_by_config(make_app: Any) -> None:
    from fsec_recoverable.forms import ResetPasswordForm

    class StrictResetForm(ResetPasswordForm):
        pass

    app = make_app({"SECURITY_RESET_PASSWORD_FORM": StrictResetForm})
    assert app.extensions["security"].forms["reset_password_form"] is StrictResetForm
    app = make_app({"SECURITY_FORGOT_PASSWORD_FORM": "fsec_recoverable.forms.ResetPasswordForm"})
    assert app.extensions["security"].forms["forgot_password_form"] is ResetPasswordForm
