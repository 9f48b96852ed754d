"""Confirmation: login refusal on every path, the confirmation link, resending, JSON."""

from __future__ import annotations

import base64
import datetime
import re
import time
from typing import Any

import pytest
from flask_security import user_confirmed
from flask_security.signals import confirm_instructions_sent
from flask_security.testing.app import add_user, db
from flask_security.utils import capture_registrations
from fsec_confirmable.confirmable import generate_confirmation_token
from itsdangerous import TimestampSigner

PASSWORD = "correct-horse"


def now() -> datetime.datetime:
    return datetime.datetime(2024, 1, 2, 3, 4, 5)


def basic(email: str, password: str = "password") -> dict[str, str]:
    raw = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def token_for(app: Any, email: str) -> str:
    with app.test_request_context():
        user = app.extensions["security"].datastore.find_user_by_identity(email)
        return generate_confirmation_token(user)


def expired_token_for(app: Any, email: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A correctly signed token issued six days ago (the default limit is five)."""
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 6 * 86400)
        return token_for(app, email)


def set_confirmed(app: Any, email: str, value: datetime.datetime | None) -> None:
    with app.app_context():
        user = app.extensions["security"].datastore.find_user_by_identity(email)
        user.confirmed_at = value
        db.session.commit()


# -- login is refused on every path ------------------------------------------------------


def test_form_login_refused_until_confirmed(app: Any, client: Any) -> None:
    add_user(app, "u@example.com")
    r = client.post("/login", data={"email": "u@example.com", "password": "password"})
    assert r.status_code == 200
    assert "Please confirm your email address before you sign in." in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_json_login_refused_until_confirmed(app: Any, client: Any) -> None:
    add_user(app, "u@example.com")
    r = client.post("/login", json={"email": "u@example.com", "password": "password"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "Please confirm your email address before you sign in."
    ]
    assert "authentication_token" not in str(r.json)


def test_confirmation_answer_does_not_depend_on_password(app: Any, client: Any) -> None:
    # Issue 15 item 2: the answer for an unconfirmed account used to tell a right
    # password (CONFIRMATION_REQUIRED) from a wrong one (INVALID_PASSWORD).
    add_user(app, "u@example.com")
    wrong = client.post("/login", json={"email": "u@example.com", "password": "wrong-password"})
    right = client.post("/login", json={"email": "u@example.com", "password": "password"})
    assert wrong.status_code == right.status_code == 400
    assert wrong.json == right.json
    assert right.json["response"]["errors"] == {
        "email": ["Please confirm your email address before you sign in."]
    }


def test_session_token_and_basic_refused_for_unconfirmed(app: Any, client: Any) -> None:
    add_user(app, "u@example.com", confirmed_at=now())
    r = client.post("/login", json={"email": "u@example.com", "password": "password"})
    assert r.status_code == 200
    token = r.json["response"]["user"]["authentication_token"]
    assert client.get("/").status_code == 200
    assert client.get("/token", headers={"Authentication-Token": token}).status_code == 200
    assert client.get("/basic", headers=basic("u@example.com")).status_code == 200

    # An administrator withdraws the confirmation: every credential stops working.
    set_confirmed(app, "u@example.com", None)
    assert client.get("/").status_code == 302
    fresh = app.test_client()
    assert fresh.get("/token", headers={"Authentication-Token": token}).status_code == 401
    assert fresh.get("/basic", headers=basic("u@example.com")).status_code == 401
    assert fresh.get("/api", headers=basic("u@example.com")).status_code == 401


def test_login_without_confirmation_allows_everything(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_LOGIN_WITHOUT_CONFIRMATION": True})
    add_user(app, "u@example.com")
    client = app.test_client()
    r = client.post("/login", json={"email": "u@example.com", "password": "password"})
    assert r.status_code == 200
    token = r.json["response"]["user"]["authentication_token"]
    assert client.get("/").status_code == 200
    assert client.get("/token", headers={"Authentication-Token": token}).status_code == 200
    assert client.get("/basic", headers=basic("u@example.com")).status_code == 200


def test_confirmed_user_logs_in(app: Any, client: Any) -> None:
    add_user(app, "ok@example.com", confirmed_at=now())
    r = client.post("/login", json={"email": "ok@example.com", "password": "password"})
    assert r.status_code == 200


def test_inactive_message_wins_over_confirmation(app: Any, client: Any) -> None:
    add_user(app, "off@example.com", active=False)
    r = client.post("/login", json={"email": "off@example.com", "password": "password"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == ["This account is disabled."]


# -- registration with confirmation -----------------------------------------------------


def test_json_registration_gives_no_token_while_pending(
    app: Any, client: Any, user_row: Any
) -> None:
    r = client.post("/register", json={"email": "new@example.com", "password": PASSWORD})
    assert r.status_code == 200
    user = r.json["response"]["user"]
    assert "authentication_token" not in user
    row = user_row(app, "new@example.com")
    assert user["id"] == str(row.id)
    assert row.confirmed_at is None
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401


def test_form_registration_flashes_and_does_not_log_in(app: Any, client: Any) -> None:
    r = client.post("/register", data={"email": "new@example.com", "password": PASSWORD})
    assert r.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "We sent a link to new@example.com" in page
    assert client.get("/").status_code == 302


def test_registration_signal_carries_token(app: Any, client: Any, outbox: list[Any]) -> None:
    with capture_registrations() as registrations:
        client.post("/register", json={"email": "new@example.com", "password": PASSWORD})
    (reg,) = registrations
    token = reg["confirm_token"]
    assert token
    assert reg["confirmation_link"] == f"http://localhost/confirm/{token}"
    (msg,) = outbox
    assert reg["confirmation_link"] in msg.body
    assert f'href="{reg["confirmation_link"]}"' in msg.html


def test_registration_then_login_without_confirmation(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_LOGIN_WITHOUT_CONFIRMATION": True})
    r = app.test_client().post("/register", json={"email": "new@example.com", "password": PASSWORD})
    assert r.json["response"]["user"]["authentication_token"]


# -- the confirmation link --------------------------------------------------------------


def test_full_flow_register_confirm_login(
    app: Any, client: Any, outbox: list[Any], link_in: Any, user_row: Any
) -> None:
    client.post("/register", json={"email": "new@example.com", "password": PASSWORD})
    path = link_in(outbox[0])
    confirmed: list[Any] = []

    def on_confirmed(sender: Any, user: Any, **extra: Any) -> None:
        confirmed.append((sender, user.email))

    user_confirmed.connect(on_confirmed, app)
    try:
        r = client.get(path)
    finally:
        user_confirmed.disconnect(on_confirmed, app)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    assert confirmed == [(app, "new@example.com")]
    assert user_row(app, "new@example.com").confirmed_at is not None
    r = client.get("/")
    assert r.status_code == 200
    # A new client can now sign in with the password.
    r = app.test_client().post("/login", json={"email": "new@example.com", "password": PASSWORD})
    assert r.status_code == 200


def test_confirmation_flashes_email_confirmed(app: Any, client: Any) -> None:
    add_user(app, "u@example.com")
    client.get(f"/confirm/{token_for(app, 'u@example.com')}")
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert ("success", "Your email address is confirmed. Welcome!") in flashes


def test_confirmed_at_uses_datetime_factory(make_confirmable_app: Any, user_row: Any) -> None:
    app = make_confirmable_app({"SECURITY_DATETIME_FACTORY": now})
    add_user(app, "u@example.com")
    app.test_client().get(f"/confirm/{token_for(app, 'u@example.com')}")
    assert user_row(app, "u@example.com").confirmed_at == now()


def test_link_works_once(app: Any, user_row: Any) -> None:
    """3.0 logged the user in again on every use of the link
    (docs/migration.md#links-that-act-work-once)."""
    add_user(app, "u@example.com")
    token = token_for(app, "u@example.com")
    first = app.test_client()
    assert first.get(f"/confirm/{token}").status_code == 302
    assert first.get("/").status_code == 200
    when = user_row(app, "u@example.com").confirmed_at

    second = app.test_client()
    r = second.get(f"/confirm/{token}")
    assert r.status_code == 302
    assert second.get("/").status_code == 302  # not logged in
    with second.session_transaction() as session:
        assert ("info", "This email address is confirmed already.") in session["_flashes"]
    assert user_row(app, "u@example.com").confirmed_at == when

    r = app.test_client().get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["token"] == ["This email address is confirmed already."]
    assert "authentication_token" not in str(r.json)


def test_link_bound_to_address(app: Any, client: Any, user_row: Any) -> None:
    add_user(app, "old@example.com")
    token = token_for(app, "old@example.com")
    with app.app_context():
        user = app.extensions["security"].datastore.find_user_by_identity("old@example.com")
        user.email = "new@example.com"
        db.session.commit()
    r = client.get(f"/confirm/{token}")
    assert r.status_code == 302
    assert r.headers["Location"] == "/confirm"
    assert user_row(app, "new@example.com").confirmed_at is None
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "WyIxIiwiYWJjIl0.xxxx.yyyy",
        "",
    ],
)
def test_invalid_tokens(app: Any, client: Any, user_row: Any, token: str) -> None:
    add_user(app, "u@example.com")
    r = client.get(f"/confirm/{token}" if token else "/confirm/%20")
    assert r.status_code == 302
    assert r.headers["Location"] == "/confirm"
    with client.session_transaction() as session:
        assert ("error", "This confirmation link is not valid.") in session["_flashes"]
    assert user_row(app, "u@example.com").confirmed_at is None


def test_token_with_other_salt_is_invalid(app: Any, client: Any, user_row: Any) -> None:
    add_user(app, "u@example.com")
    with app.test_request_context():
        from flask_security.utils import token_fingerprint

        state = app.extensions["security"]
        forged = state.serializer("remember").dumps(["1", token_fingerprint("u@example.com")])
    r = client.get(f"/confirm/{forged}", headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["token"] == ["This confirmation link is not valid."]
    assert user_row(app, "u@example.com").confirmed_at is None


def test_token_for_deleted_user_is_invalid(app: Any, client: Any) -> None:
    add_user(app, "gone@example.com")
    token = token_for(app, "gone@example.com")
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.delete_user(ds.find_user_by_identity("gone@example.com"))
        db.session.commit()
    r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 400


def test_expired_link_sends_a_new_one(
    app: Any,
    client: Any,
    outbox: list[Any],
    user_row: Any,
    monkeypatch: pytest.MonkeyPatch,
    link_in: Any,
) -> None:
    add_user(app, "late@example.com")
    token = expired_token_for(app, "late@example.com", monkeypatch)
    sent: list[Any] = []

    def on_sent(sender: Any, user: Any, token: str, **extra: Any) -> None:
        sent.append((user.email, token))

    confirm_instructions_sent.connect(on_sent, app)
    try:
        r = client.get(f"/confirm/{token}")
    finally:
        confirm_instructions_sent.disconnect(on_sent, app)
    assert r.status_code == 302
    assert r.headers["Location"] == "/confirm"
    with client.session_transaction() as session:
        (category, text) = session["_flashes"][-1]
    assert category == "error"
    assert "late@example.com" in text and "5 days" in text
    assert user_row(app, "late@example.com").confirmed_at is None
    assert client.get("/").status_code == 302
    (msg,) = outbox
    assert msg.recipients == ["late@example.com"]
    assert msg.subject == "Please confirm your email"
    assert [email for email, _ in sent] == ["late@example.com"]
    new_path = link_in(msg)
    assert new_path == f"/confirm/{sent[0][1]}"
    # The new link works.
    assert client.get(new_path).status_code == 302
    assert client.get("/").status_code == 200


def test_expired_link_json(
    app: Any, client: Any, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app, "late@example.com")
    token = expired_token_for(app, "late@example.com", monkeypatch)
    r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 400
    (text,) = r.json["response"]["errors"]["token"]
    assert "late@example.com" in text and "5 days" in text
    assert len(outbox) == 1


def test_expired_link_of_confirmed_user_sends_nothing(
    app: Any, client: Any, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app, "done@example.com")
    token = expired_token_for(app, "done@example.com", monkeypatch)
    set_confirmed(app, "done@example.com", now())
    r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["token"] == ["This email address is confirmed already."]
    assert outbox == []


def test_expired_link_of_inactive_user_sends_nothing(
    app: Any, client: Any, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app, "off@example.com", active=False)
    token = expired_token_for(app, "off@example.com", monkeypatch)
    r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert outbox == []


def test_within_setting_is_honoured(
    make_confirmable_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_confirmable_app({"SECURITY_CONFIRM_EMAIL_WITHIN": "7 days"})
    add_user(app, "u@example.com")
    token = expired_token_for(app, "u@example.com", monkeypatch)  # six days old
    client = app.test_client()
    r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json["response"]["user"]["authentication_token"]


def test_confirm_json_success(app: Any, client: Any, user_row: Any) -> None:
    add_user(app, "u@example.com")
    r = client.get(
        f"/confirm/{token_for(app, 'u@example.com')}", headers={"Accept": "application/json"}
    )
    assert r.status_code == 200
    user = r.json["response"]["user"]
    assert user["id"] == str(user_row(app, "u@example.com").id)
    other = app.test_client()
    r = other.get("/token", headers={"Authentication-Token": user["authentication_token"]})
    assert r.status_code == 200


def test_deactivated_users_link_does_not_confirm(
    app: Any, client: Any, user_row: Any, outbox: list[Any]
) -> None:
    """Issue 10 section 5: the link of a deactivated account leaves ``confirmed_at``
    unset, signs nobody in and sends no signal; after reactivation it works."""
    add_user(app, "off@example.com", active=False)
    token = token_for(app, "off@example.com")
    confirmed: list[Any] = []

    def on_confirmed(sender: Any, **kwargs: Any) -> None:
        confirmed.append(kwargs)

    with user_confirmed.connected_to(on_confirmed, app):
        r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
        assert r.status_code == 400
        assert r.json["response"]["errors"] == {"token": ["This account is disabled."]}
        r = client.get(f"/confirm/{token}")
    assert r.status_code == 302 and r.headers["Location"] == "/confirm"
    assert user_row(app, "off@example.com").confirmed_at is None
    assert confirmed == [] and outbox == []
    assert client.get("/").status_code == 302
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.activate_user(ds.find_user(email="off@example.com"))
        ds.commit()
    with user_confirmed.connected_to(on_confirmed, app):
        r = client.get(f"/confirm/{token}", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert user_row(app, "off@example.com").confirmed_at is not None
    assert len(confirmed) == 1


def test_post_confirm_view_and_safe_next(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_POST_CONFIRM_VIEW": "/public"})
    add_user(app, "a@example.com")
    add_user(app, "b@example.com")
    add_user(app, "c@example.com")
    client = app.test_client()
    r = client.get(f"/confirm/{token_for(app, 'a@example.com')}")
    assert r.headers["Location"] == "/public"
    r = app.test_client().get(
        f"/confirm/{token_for(app, 'b@example.com')}", query_string={"next": "/admin"}
    )
    assert r.headers["Location"] == "/admin"
    r = app.test_client().get(
        f"/confirm/{token_for(app, 'c@example.com')}",
        query_string={"next": "//evil.example/"},
    )
    assert r.headers["Location"] == "/public"


def test_confirm_error_view(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_CONFIRM_ERROR_VIEW": "/public"})
    r = app.test_client().get("/confirm/not-a-token")
    assert r.headers["Location"] == "/public"


def test_confirm_url_configurable(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_CONFIRM_URL": "/verify"})
    add_user(app, "u@example.com")
    with app.test_request_context():
        from fsec_confirmable.confirmable import generate_confirmation_link

        user = app.extensions["security"].datastore.find_user_by_identity("u@example.com")
        link, token = generate_confirmation_link(user)
    assert link == f"http://localhost/verify/{token}"
    client = app.test_client()
    assert client.get("/verify").status_code == 200
    assert client.get(f"/verify/{token}").status_code == 302
    assert client.get("/").status_code == 200


def test_confirming_never_switches_from_another_logged_in_user(
    app: Any, client: Any, user_row: Any
) -> None:
    # Issue 15 item 4 (login CSRF): the address is confirmed, the signed-in user stays.
    add_user(app, "first@example.com", confirmed_at=now())
    add_user(app, "second@example.com")
    client.post("/login", json={"email": "first@example.com", "password": "password"})
    client.get(f"/confirm/{token_for(app, 'second@example.com')}")
    assert client.get("/").get_data(as_text=True) == "Hello first@example.com"
    assert user_row(app, "second@example.com").confirmed_at is not None


# -- resending instructions -------------------------------------------------------------


def test_send_confirmation_page(client: Any) -> None:
    r = client.get("/confirm")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="send_confirmation_form"' in html
    assert 'name="email"' in html


def test_login_page_links_to_resend(client: Any) -> None:
    assert 'href="/confirm"' in client.get("/login").get_data(as_text=True)


def test_resend_form(app: Any, client: Any, outbox: list[Any], link_in: Any) -> None:
    """3.0's answer (issue 9 item 15): the page again, 200, with CONFIRMATION_REQUEST."""
    add_user(app, "u@example.com")
    sent: list[Any] = []

    def on_sent(sender: Any, **kwargs: Any) -> None:
        sent.append(kwargs)

    confirm_instructions_sent.connect(on_sent, app)
    try:
        r = client.post("/confirm", data={"email": "U@Example.com"})
    finally:
        confirm_instructions_sent.disconnect(on_sent, app)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert (
        "If U@example.com belongs to an account waiting for confirmation, new confirmation "
        "instructions are on their way to that address."
    ) in page
    assert 'name="send_confirmation_form"' in page
    (msg,) = outbox
    assert msg.recipients == ["u@example.com"]  # the stored address, not the typed one
    assert msg.subject == "Please confirm your email"
    (event,) = sent
    assert event["user"].email == "u@example.com"
    assert link_in(msg) == f"/confirm/{event['token']}"
    assert 'href="http://localhost/confirm/' in msg.html


def test_resend_json(app: Any, client: Any, outbox: list[Any]) -> None:
    add_user(app, "u@example.com")
    r = client.post("/confirm", json={"email": "u@example.com"})
    assert r.status_code == 200
    assert r.json == {"meta": {"code": 200}, "response": {}}  # no user: anonymous endpoint
    assert len(outbox) == 1
    r = client.get("/confirm", headers={"Accept": "application/json"})
    assert r.json["response"]["csrf_token"]


def _resend_answers(client: Any, email: str) -> tuple[Any, ...]:
    j = client.post("/confirm", json={"email": email})
    h = client.post("/confirm", data={"email": email})
    page = h.get_data(as_text=True).replace(email, "EMAIL")
    return j.status_code, j.json, h.status_code, page


def test_resend_answers_every_address_alike(app: Any, client: Any, outbox: list[Any]) -> None:
    """Issue 10 section 5: unknown, confirmed, disabled and waiting addresses get the
    same answer (status, JSON, page); only the waiting, active one gets a mail."""
    add_user(app, "wait@example.com")
    add_user(app, "done@example.com", confirmed_at=now())
    add_user(app, "off@example.com", active=False)
    answers = {
        email: _resend_answers(client, email)
        for email in (
            "wait@example.com",
            "nobody@example.com",
            "done@example.com",
            "off@example.com",
        )
    }
    assert len(set(map(repr, answers.values()))) == 1
    status, body, html_status, page = answers["wait@example.com"]
    assert (status, body, html_status) == (200, {"meta": {"code": 200}, "response": {}}, 200)
    assert "If EMAIL belongs to an account waiting for confirmation" in page
    assert [m.recipients for m in outbox] == [["wait@example.com"]] * 2


@pytest.mark.parametrize(
    ("email", "needle"),
    [("", "email address is required"), ("nobody", "not a valid email")],
)
def test_resend_errors(client: Any, outbox: list[Any], email: str, needle: str) -> None:
    r = client.post("/confirm", json={"email": email})
    assert r.status_code == 400
    assert needle in r.json["response"]["errors"]["email"][0]
    r = client.post("/confirm", data={"email": email})
    assert r.status_code == 200  # the form again with its error (3.0 answered 200)
    assert needle in r.get_data(as_text=True)
    assert outbox == []


@pytest.mark.parametrize("body", ["[]", "{not json", '"x"'])
def test_resend_bad_json(client: Any, outbox: list[Any], body: str) -> None:
    r = client.post("/confirm", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json["response"]["errors"]["json"]
    r = client.post("/confirm", json={"email": 42})
    assert r.status_code == 400
    assert outbox == []


def test_send_confirmation_form_override(make_confirmable_app: Any) -> None:
    from fsec_confirmable.forms import SendConfirmationForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class MyForm(SendConfirmationForm):
        reason = StringField("Reason", [DataRequired()])

    app = make_confirmable_app(security_kwargs={"send_confirmation_form": MyForm})
    add_user(app, "u@example.com")
    client = app.test_client()
    r = client.post("/confirm", json={"email": "u@example.com"})
    assert r.status_code == 400
    assert set(r.json["response"]["errors"]) == {"reason"}
    r = client.post("/confirm", json={"email": "u@example.com", "reason": "lost it"})
    assert r.status_code == 200


def test_send_confirmation_context_processor(app: Any) -> None:
    from flask import template_rendered

    app.extensions["security"].send_confirmation_context_processor(lambda: {"marker": 7})
    seen: dict[str, Any] = {}

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        seen.update(context)

    template_rendered.connect(record, app)
    try:
        app.test_client().get("/confirm")
    finally:
        template_rendered.disconnect(record, app)
    assert seen["marker"] == 7
    assert "send_confirmation_form" in seen


def test_csrf_required_on_resend(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"WTF_CSRF_ENABLED": True})
    add_user(app, "u@example.com")
    client = app.test_client()
    with app.extensions["mail"].record_messages() as outbox:
        r = client.post("/confirm", data={"email": "u@example.com"})
        assert r.status_code == 200
        assert "CSRF" in r.get_data(as_text=True)
        assert outbox == []
        page = client.get("/confirm").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        r = client.post("/confirm", data={"email": "u@example.com", "csrf_token": token})
        assert r.status_code == 200
        assert len(outbox) == 1
