"""Security properties of login links, signals, hooks, tracking, mails, token helpers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_security.signals import login_instructions_sent
from flask_security.testing.app import add_user
from flask_security.utils import (
    capture_passwordless_login_requests,
    get_token_status,
    hash_password,
    login_user,
)


def signed_in(client: Any) -> bool:
    return bool(client.get("/").status_code == 200)


def user_row(app: Flask, email: str = "alice@example.com") -> Any:
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email)


# -- a link works once -------------------------------------------------------------------------


def test_link_works_once(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    first = app.test_client()
    assert first.get(f"/login/{token}").status_code == 302
    assert signed_in(first)
    second = app.test_client()
    response = second.get(f"/login/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(second)
    response = app.test_client().get(f"/login/{token}", headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_one_login_ends_every_outstanding_link(app: Flask, request_token: Any) -> None:
    first, second = request_token(app), request_token(app)
    client = app.test_client()
    assert client.get(f"/login/{second}").status_code == 302 and signed_in(client)
    other = app.test_client()
    other.get(f"/login/{first}")
    assert not signed_in(other)


def test_any_other_login_ends_the_link(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    with app.test_request_context():
        datastore = app.extensions["security"].datastore
        assert login_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    client = app.test_client()
    client.get(f"/login/{token}")
    assert not signed_in(client)


def test_password_change_ends_the_link(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        user = datastore.find_user(email="alice@example.com")
        user.password = hash_password("another-secret")
        datastore.put(user)
        datastore.commit()
    client = app.test_client()
    client.get(f"/login/{token}")
    assert not signed_in(client)


def test_link_for_deleted_user_is_invalid(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.delete_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    response = app.test_client().get(f"/login/{token}", headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_reset_token_is_not_a_login_token(app: Flask) -> None:
    from flask_security.utils import login_state, token_fingerprint

    with app.test_request_context():
        security = app.extensions["security"]
        user = security.datastore.find_user(email="alice@example.com")
        data = [
            str(user.id),
            token_fingerprint(user.password),
            token_fingerprint(login_state(user)),
        ]
        # Same content, signed for another purpose (salt): refused.
        forged = security.serializer("remember").dumps(data)
        genuine = security.serializer("login").dumps(data)
    client = app.test_client()
    client.get(f"/login/{forged}")
    assert not signed_in(client)
    client.get(f"/login/{genuine}")
    assert signed_in(client)


# -- expiry ----------------------------------------------------------------------------------------


def test_expired_link_sends_a_new_one(
    app: Flask, request_token: Any, fsec_clock_shift: Any, link_in: Any
) -> None:
    with fsec_clock_shift(-2 * 86400):
        old = request_token(app)
    client = app.test_client()
    with (
        capture_passwordless_login_requests() as requests,
        app.extensions["mail"].record_messages() as outbox,
    ):
        response = client.get(f"/login/{old}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)
    page = client.get("/login").get_data(as_text=True)
    assert "older than 1 days" in page and "alice@example.com" in page
    assert len(outbox) == 1 and len(requests) == 1
    fresh = link_in(outbox[0])
    assert fresh == f"/login/{requests[0]['login_token']}" and fresh != f"/login/{old}"
    client.get(fresh)
    assert signed_in(client)


def test_expired_link_json(app: Flask, request_token: Any, fsec_clock_shift: Any) -> None:
    with fsec_clock_shift(-2 * 86400):
        old = request_token(app)
    with app.extensions["mail"].record_messages() as outbox:
        response = app.test_client().get(f"/login/{old}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["response"]["errors"]["token"] == [
        "That sign-in link is older than 1 days and no longer works. A fresh link is on its "
        "way to alice@example.com."
    ]
    assert len(outbox) == 1


def test_login_within_is_honoured(make_app: Any, request_token: Any, fsec_clock_shift: Any) -> None:
    app = make_app({"SECURITY_LOGIN_WITHIN": "10 minutes"})
    add_user(app, "alice@example.com")
    with fsec_clock_shift(-5 * 60):
        fine = request_token(app)
    with fsec_clock_shift(-11 * 60):
        stale = request_token(app)
    response = app.test_client().get(f"/login/{stale}", headers={"Accept": "application/json"})
    assert "older than 10 minutes" in response.json["response"]["errors"]["token"][0]
    client = app.test_client()
    client.get(f"/login/{fine}")
    assert signed_in(client)


def test_expired_and_used_link_sends_nothing(
    app: Flask, request_token: Any, fsec_clock_shift: Any
) -> None:
    with fsec_clock_shift(-2 * 86400):
        old = request_token(app)
    app.test_client().get(f"/login/{request_token(app)}")
    with app.extensions["mail"].record_messages() as outbox:
        response = app.test_client().get(f"/login/{old}", headers={"Accept": "application/json"})
    assert "does not work" in response.json["response"]["errors"]["token"][0]
    assert outbox == []


# -- inactive and unknown accounts ---------------------------------------------------------


def test_inactive_and_unknown_get_no_link_and_the_same_answer(app: Flask) -> None:
    add_user(app, "bob@example.com", active=False)
    answers = set()
    for email in ("alice@example.com", "bob@example.com", "nobody@example.com"):
        with (
            capture_passwordless_login_requests() as requests,
            app.extensions["mail"].record_messages() as outbox,
        ):
            response = app.test_client().post("/login", json={"email": email})
        answers.add((response.status_code, str(response.json)))
        assert len(outbox) == len(requests) == (1 if email.startswith("alice") else 0)
    assert len(answers) == 1


def test_inactive_html_answer_matches_active(app: Flask) -> None:
    add_user(app, "bob@example.com", active=False)
    pages = []
    for email in ("alice@example.com", "bob@example.com"):
        client = app.test_client()
        response = client.post("/login", data={"email": email})
        assert response.status_code == 302
        pages.append(client.get("/login").get_data(as_text=True).replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_link_of_deactivated_account_does_not_work(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.deactivate_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    client = app.test_client()
    client.get(f"/login/{token}")
    assert user_row(app).login_count is None
    # Reactivated, the same link works again (it was never used).
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.activate_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    client.get(f"/login/{token}")
    assert signed_in(client)


def test_expired_link_of_deactivated_account_sends_nothing(
    app: Flask, request_token: Any, fsec_clock_shift: Any
) -> None:
    with fsec_clock_shift(-2 * 86400):
        old = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.deactivate_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    with app.extensions["mail"].record_messages() as outbox:
        app.test_client().get(f"/login/{old}")
    assert outbox == []


def test_refused_login_leaves_the_link_unused(app: Flask, request_token: Any, spy: Any) -> None:
    token = request_token(app)
    spy.refuse = "UNAUTHORIZED"
    client = app.test_client()
    response = client.get(f"/login/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You are not allowed to open this page." in client.get("/login").get_data(as_text=True)
    assert not signed_in(client)
    response = client.get(f"/login/{token}", headers={"Accept": "application/json"})
    assert response.json["response"]["errors"]["token"] == [
        "You are not allowed to open this page."
    ]
    spy.refuse = None
    client.get(f"/login/{token}")
    assert signed_in(client)


# -- signals, hooks, tracking ---------------------------------------------------------------------


def test_login_instructions_sent_signal(app: Flask, outbox: list[Any]) -> None:
    received: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **data: Any) -> None:
        received.append((sender, data))

    login_instructions_sent.connect(receiver)
    try:
        app.test_client().post("/login", json={"email": "alice@example.com"})
    finally:
        login_instructions_sent.disconnect(receiver)
    ((sender, data),) = received
    assert sender is app
    assert data["user"].email == "alice@example.com"
    assert f"http://localhost/login/{data['login_token']}" in outbox[0].body


def test_after_login_hook_gets_passwordless_method(
    app: Flask, request_token: Any, spy: Any
) -> None:
    app.test_client().get(f"/login/{request_token(app)}")
    assert spy.calls == [("after_login", "alice@example.com", "passwordless")]


def test_link_login_is_tracked(app: Flask, request_token: Any) -> None:
    app.test_client().get(f"/login/{request_token(app)}", environ_base={"REMOTE_ADDR": "192.0.2.8"})
    user = user_row(app)
    assert user.login_count == 1
    assert user.current_login_ip == "192.0.2.8"
    assert user.current_login_at is not None


def test_default_remember_me_applies(make_app: Any, request_token: Any) -> None:
    app = make_app({"SECURITY_DEFAULT_REMEMBER_ME": True})
    add_user(app, "alice@example.com")
    client = app.test_client()
    client.get(f"/login/{request_token(app)}")
    assert client.get_cookie("remember_token") is not None


# -- mails ---------------------------------------------------------------------------------------


def test_login_instructions_mail(app: Flask, request_token: Any) -> None:
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
    (message,) = outbox
    link = f"http://localhost/login/{token}"
    assert message.subject == "Login instructions"
    assert message.recipients == ["alice@example.com"]
    assert link in message.body and "1 days" in message.body
    assert f'<a href="{link}">' in message.html


def test_subject_follows_config(make_app: Any, request_token: Any) -> None:
    app = make_app({"SECURITY_EMAIL_SUBJECT_PASSWORDLESS": "Your sign-in link"})
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        request_token(app)
    assert outbox[0].subject == "Your sign-in link"


@pytest.mark.parametrize(("plaintext", "html"), [(True, False), (False, True)])
def test_plaintext_and_html_switches(
    make_app: Any, request_token: Any, plaintext: bool, html: bool
) -> None:
    app = make_app({"SECURITY_EMAIL_PLAINTEXT": plaintext, "SECURITY_EMAIL_HTML": html})
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
    (message,) = outbox
    assert (message.body is not None) is plaintext
    assert (message.html is not None) is html
    assert token in (message.body or message.html)


def test_send_mail_task_and_mail_context_processor(make_app: Any, request_token: Any) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    app = make_app()
    add_user(app, "alice@example.com")
    security = app.extensions["security"]
    queued: list[Any] = []
    security.send_mail_task(queued.append)

    @security.mail_context_processor
    def extra() -> dict[str, str]:
        return {"site": "Example Site"}

    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [
            DictLoader(
                {
                    "security/email/login_instructions.txt": "{{ site }} {{ login_link }}",
                    "security/email/login_instructions.html": "<i>{{ site }}</i>",
                }
            )
        ]
    )
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
    assert outbox == []
    (message,) = queued
    assert message.body == f"Example Site http://localhost/login/{token}"
    assert message.html == "<i>Example Site</i>"


# -- documented helpers ----------------------------------------------------------------------------


def test_get_token_status_reads_login_tokens(
    app: Flask, request_token: Any, fsec_clock_shift: Any
) -> None:
    token = request_token(app)
    with fsec_clock_shift(-2 * 86400):
        old = request_token(app)
    with app.test_request_context():
        expired, invalid, user = get_token_status(token, "login", "LOGIN")
        assert (expired, invalid, user.email) == (False, False, "alice@example.com")
        expired, invalid, user = get_token_status(old, "login", "LOGIN")
        assert (expired, invalid, user.email) == (True, False, "alice@example.com")
        assert get_token_status("nonsense", "login", "LOGIN") == (False, True, None)


def test_capture_passwordless_login_requests(app: Flask) -> None:
    with capture_passwordless_login_requests() as requests:
        app.test_client().post("/login", json={"email": "alice@example.com"})
        app.test_client().post("/login", json={"email": "nobody@example.com"})
    assert len(requests) == 1
    assert requests[0]["user"].email == "alice@example.com"
    assert isinstance(requests[0]["login_token"], str)
    app.test_client().post("/login", json={"email": "alice@example.com"})
    assert len(requests) == 1
