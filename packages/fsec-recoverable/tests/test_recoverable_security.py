"""Security properties of password recovery, signals, hooks, mails and token helpers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_security.signals import password_reset, reset_password_instructions_sent
from flask_security.testing.app import add_user, login
from flask_security.utils import (
    capture_reset_password_requests,
    get_token_status,
    verify_password,
)

NEW = {"password": "new-secret", "password_confirm": "new-secret"}


def request_token(app: Flask, email: str = "alice@example.com") -> str:
    with capture_reset_password_requests() as requests:
        response = app.test_client().post("/reset", json={"email": email})
    assert response.status_code == 200
    assert len(requests) == 1
    return str(requests[0]["token"])


def stored_hash(app: Flask, email: str = "alice@example.com") -> str:
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email=email)
        return str(user.password)


# -- a token works once ---------------------------------------------------------------------


def test_token_works_once(app: Flask) -> None:
    token = request_token(app)
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    response = app.test_client().post(
        f"/reset/{token}", json={"password": "third-secret", "password_confirm": "third-secret"}
    )
    assert response.status_code == 400
    assert "token" in response.json["response"]["errors"]
    # The second attempt changed nothing.
    assert login(app.test_client(), "alice@example.com", "new-secret").status_code == 200
    assert login(app.test_client(), "alice@example.com", "third-secret").status_code == 400
    # And the page for the used link is gone too.
    response = app.test_client().get(f"/reset/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/reset"


def test_all_outstanding_tokens_die_with_a_reset(app: Flask) -> None:
    first = request_token(app)
    second = request_token(app)
    assert app.test_client().post(f"/reset/{second}", json=NEW).status_code == 200
    assert app.test_client().post(f"/reset/{first}", json=NEW).status_code == 400


def test_token_dies_with_a_password_change(make_app: Any) -> None:
    app = make_app({"SECURITY_CHANGEABLE": True})
    add_user(app, "alice@example.com")
    token = request_token(app)
    client = app.test_client()
    assert login(client, "alice@example.com").status_code == 200
    response = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "changed-pw",
            "new_password_confirm": "changed-pw",
        },
    )
    assert response.status_code == 200
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 400


def test_token_for_deleted_user_is_invalid(app: Flask) -> None:
    token = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.delete_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 400


def test_tampered_token_is_invalid(app: Flask) -> None:
    token = request_token(app)
    payload, stamp, signature = token.split(".")
    tampered = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert app.test_client().post(f"/reset/{tampered}", json=NEW).status_code == 400
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200


def test_database_row_holds_new_hash(app: Flask) -> None:
    before = stored_hash(app)
    token = request_token(app)
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    after = stored_hash(app)
    assert after != before and after.startswith("$2")
    with app.app_context():
        assert verify_password("new-secret", after)
        assert not verify_password("password", after)


# -- expiry -----------------------------------------------------------------------------------


def test_expired_token_sends_new_instructions_json(app: Flask, fsec_clock_shift: Any) -> None:
    with fsec_clock_shift(-6 * 86400):
        old = request_token(app)
    with (
        capture_reset_password_requests() as requests,
        app.extensions["mail"].record_messages() as outbox,
    ):
        response = app.test_client().post(f"/reset/{old}", json=NEW)
    assert response.status_code == 400
    assert response.json["response"]["errors"]["token"] == [
        "That password reset link is older than 5 days and no longer works. A fresh link "
        "is on its way to alice@example.com."
    ]
    assert len(outbox) == 1 and outbox[0].subject == "Password reset instructions"
    fresh = requests[0]["token"]
    assert fresh != old and fresh in outbox[0].body
    assert login(app.test_client(), "alice@example.com", "password").status_code == 200
    assert app.test_client().post(f"/reset/{fresh}", json=NEW).status_code == 200


def test_expired_token_html_redirects_with_message(
    app: Flask, fsec_clock_shift: Any, outbox: list[Any], link_in: Any
) -> None:
    with fsec_clock_shift(-6 * 86400):
        old = request_token(app)
    client = app.test_client()
    response = client.get(f"/reset/{old}")
    assert response.status_code == 302 and response.headers["Location"] == "/reset"
    assert "older than 5 days" in client.get("/reset").get_data(as_text=True)
    assert len(outbox) == 2  # the first (old) mail and the fresh one
    assert link_in(outbox[1]) != f"/reset/{old}"
    assert client.get(link_in(outbox[1])).status_code == 200


def test_within_setting_is_honoured(make_app: Any, fsec_clock_shift: Any) -> None:
    app = make_app({"SECURITY_RESET_PASSWORD_WITHIN": "2 hours"})
    add_user(app, "alice@example.com")
    with fsec_clock_shift(-3600):
        fine = request_token(app)
    with fsec_clock_shift(-3 * 3600):
        stale = request_token(app)
    response = app.test_client().post(f"/reset/{stale}", json=NEW)
    assert response.status_code == 400
    assert "older than 2 hours" in response.json["response"]["errors"]["token"][0]
    assert app.test_client().post(f"/reset/{fine}", json=NEW).status_code == 200


def test_expired_and_used_token_is_invalid_without_mail(app: Flask, fsec_clock_shift: Any) -> None:
    with fsec_clock_shift(-6 * 86400):
        old = request_token(app)
    fresh = request_token(app)
    assert app.test_client().post(f"/reset/{fresh}", json=NEW).status_code == 200
    with app.extensions["mail"].record_messages() as outbox:
        response = app.test_client().post(f"/reset/{old}", json=NEW)
    assert response.status_code == 400
    assert "does not work" in response.json["response"]["errors"]["token"][0]
    assert outbox == []


# -- inactive and unknown accounts --------------------------------------------------------------


def test_inactive_and_unknown_accounts_get_no_mail_and_the_same_answer(app: Flask) -> None:
    add_user(app, "bob@example.com", active=False)
    answers = {}
    for email in ("alice@example.com", "bob@example.com", "nobody@example.com"):
        with (
            capture_reset_password_requests() as requests,
            app.extensions["mail"].record_messages() as outbox,
        ):
            response = app.test_client().post("/reset", json={"email": email})
        answers[email] = (response.status_code, response.json)
        assert len(outbox) == len(requests) == (1 if email.startswith("alice") else 0)
    assert len(set(map(str, answers.values()))) == 1


def test_inactive_account_html_answer_matches_active(app: Flask) -> None:
    add_user(app, "bob@example.com", active=False)
    pages = []
    for email in ("alice@example.com", "bob@example.com"):
        client = app.test_client()
        response = client.post("/reset", data={"email": email})
        assert response.status_code == 302 and response.headers["Location"] == "/reset"
        pages.append(client.get("/reset").get_data(as_text=True).replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_link_of_deactivated_account_does_not_work(app: Flask) -> None:
    token = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.deactivate_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    before = stored_hash(app)
    with app.extensions["mail"].record_messages() as outbox:
        response = app.test_client().post(f"/reset/{token}", json=NEW)
    assert response.status_code == 400
    assert stored_hash(app) == before
    assert outbox == []


def test_expired_link_of_deactivated_account_sends_nothing(
    app: Flask, fsec_clock_shift: Any
) -> None:
    with fsec_clock_shift(-6 * 86400):
        old = request_token(app)
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.deactivate_user(datastore.find_user(email="alice@example.com"))
        datastore.commit()
    with app.extensions["mail"].record_messages() as outbox:
        assert app.test_client().post(f"/reset/{old}", json=NEW).status_code == 400
    assert outbox == []


# -- a reset ends every other session ------------------------------------------------------------


def test_reset_ends_sessions_remember_cookies_and_tokens(app: Flask) -> None:
    other = app.test_client()
    response = login(other, "alice@example.com", remember=True)
    assert response.status_code == 200
    auth_token = response.json["response"]["user"]["authentication_token"]
    remember = other.get_cookie("remember_token")
    assert remember is not None

    def remember_only_client() -> Any:
        client = app.test_client()
        client.set_cookie("remember_token", remember.value)
        return client

    # Before the reset: session, remember cookie alone, and token all work.
    assert other.get("/").status_code == 200
    assert remember_only_client().get("/").status_code == 200
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": auth_token}).status_code
        == 200
    )

    resetter = app.test_client()
    token = request_token(app)
    assert resetter.post(f"/reset/{token}", json=NEW).status_code == 200

    # The resetting browser is signed in; everything else is out.
    assert resetter.get("/").get_data(as_text=True) == "Hello alice@example.com"
    response = other.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert remember_only_client().get("/").status_code == 302
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": auth_token}).status_code
        == 401
    )
    assert (
        app.test_client().get("/basic", headers={"Authorization": _basic("password")}).status_code
        == 401
    )
    assert (
        app.test_client().get("/basic", headers={"Authorization": _basic("new-secret")}).status_code
        == 200
    )


def _basic(password: str) -> str:
    import base64

    raw = base64.b64encode(f"alice@example.com:{password}".encode()).decode()
    return f"Basic {raw}"


def test_reset_login_honours_default_remember_me(make_app: Any) -> None:
    app = make_app({"SECURITY_DEFAULT_REMEMBER_ME": True})
    add_user(app, "alice@example.com")
    client = app.test_client()
    token = request_token(app)
    assert client.post(f"/reset/{token}", json=NEW).status_code == 200
    assert client.get_cookie("remember_token") is not None


# -- signals, hooks, refusals ----------------------------------------------------------------


def test_signals_are_sent(app: Flask) -> None:
    sent: list[tuple[str, Any, dict[str, Any]]] = []

    def on_instructions(sender: Any, **data: Any) -> None:
        sent.append(("instructions", sender, data))

    def on_reset(sender: Any, **data: Any) -> None:
        sent.append(("reset", sender, data))

    reset_password_instructions_sent.connect(on_instructions)
    password_reset.connect(on_reset)
    try:
        with app.extensions["mail"].record_messages() as outbox:
            app.test_client().post("/reset", json={"email": "alice@example.com"})
            ((kind, sender, data),) = sent
            assert kind == "instructions" and sender is app
            assert data["user"].email == "alice@example.com"
            assert data["token"] in outbox[0].body
            response = app.test_client().post(f"/reset/{data['token']}", json=NEW)
            assert response.status_code == 200
        assert [s[0] for s in sent] == ["instructions", "reset"]
        assert sent[1][1] is app and sent[1][2]["user"].email == "alice@example.com"
    finally:
        reset_password_instructions_sent.disconnect(on_instructions)
        password_reset.disconnect(on_reset)


def test_hooks_called_with_reset_reason_and_method(app: Flask, spy: Any) -> None:
    token = request_token(app)
    assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    assert spy.calls == [
        ("password_changed", "alice@example.com", "reset"),
        ("after_login", "alice@example.com", "reset"),
    ]


def test_refused_login_still_saves_password(app: Flask, spy: Any) -> None:
    spy.refuse = "UNAUTHORIZED"
    token = request_token(app)
    client = app.test_client()
    response = client.post(f"/reset/{token}", data=NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302  # not signed in
    page = client.get("/login").get_data(as_text=True)
    assert "Your new password is saved." in page
    assert "You are not allowed to open this page." in page
    spy.refuse = None
    assert login(app.test_client(), "alice@example.com", "new-secret").status_code == 200


def test_refused_login_json_answer_has_no_token(app: Flask, spy: Any) -> None:
    spy.refuse = "UNAUTHORIZED"
    token = request_token(app)
    response = app.test_client().post(f"/reset/{token}", json=NEW)
    assert response.status_code == 200
    assert response.json["response"] == {}


# -- mails ------------------------------------------------------------------------------------


def test_instruction_and_notice_mails(app: Flask) -> None:
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
        assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    assert [m.subject for m in outbox] == [
        "Password reset instructions",
        "Your password has been reset",
    ]
    instructions, notice = outbox
    link = f"http://localhost/reset/{token}"
    assert link in instructions.body
    assert f'<a href="{link}">' in instructions.html
    assert "5 days" in instructions.body
    assert notice.recipients == ["alice@example.com"]
    assert "reset" in notice.body and notice.html


def test_mail_switches(make_app: Any) -> None:
    app = make_app(
        {
            "SECURITY_SEND_PASSWORD_RESET_EMAIL": False,
            "SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL": False,
        }
    )
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)  # the signal still carries the token
        assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    assert outbox == []


def test_only_notice_mail_switched_off(make_app: Any) -> None:
    app = make_app({"SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL": False})
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
        assert app.test_client().post(f"/reset/{token}", json=NEW).status_code == 200
    assert [m.subject for m in outbox] == ["Password reset instructions"]


def test_subjects_follow_config(make_app: Any) -> None:
    app = make_app(
        {
            "SECURITY_EMAIL_SUBJECT_PASSWORD_RESET": "Reset it",
            "SECURITY_EMAIL_SUBJECT_PASSWORD_NOTICE": "It was reset",
        }
    )
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
        app.test_client().post(f"/reset/{token}", json=NEW)
    assert [m.subject for m in outbox] == ["Reset it", "It was reset"]


@pytest.mark.parametrize(("plaintext", "html"), [(True, False), (False, True)])
def test_plaintext_and_html_switches(make_app: Any, plaintext: bool, html: bool) -> None:
    app = make_app({"SECURITY_EMAIL_PLAINTEXT": plaintext, "SECURITY_EMAIL_HTML": html})
    add_user(app, "alice@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
    (message,) = outbox
    assert (message.body is not None) is plaintext
    assert (message.html is not None) is html
    assert token in (message.body or message.html)


def test_send_mail_task_and_mail_context_processor(make_app: Any) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    app = make_app()
    add_user(app, "alice@example.com")
    security = app.extensions["security"]
    queued: list[Any] = []

    @security.send_mail_task
    def queue(message: Any) -> None:
        queued.append(message)

    @security.mail_context_processor
    def extra() -> dict[str, str]:
        return {"site": "Example Site"}

    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [
            DictLoader(
                {
                    "security/email/reset_instructions.txt": "{{ site }}: {{ reset_link }}",
                    "security/email/reset_instructions.html": "<b>{{ site }}</b>",
                }
            )
        ]
    )
    with app.extensions["mail"].record_messages() as outbox:
        token = request_token(app)
    assert outbox == []  # went to the task, not Flask-Mail
    (message,) = queued
    assert message.body == f"Example Site: http://localhost/reset/{token}"
    assert message.html == "<b>Example Site</b>"


def test_mail_failure_does_not_break_the_request(make_app: Any) -> None:
    app = make_app()
    add_user(app, "alice@example.com")

    @app.extensions["security"].send_mail_task
    def broken(message: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    with capture_reset_password_requests() as requests:
        response = app.test_client().post("/reset", json={"email": "alice@example.com"})
    assert response.status_code == 200
    assert len(requests) == 1


# -- documented token helpers -----------------------------------------------------------------


def test_get_token_status_reads_reset_tokens(app: Flask, fsec_clock_shift: Any) -> None:
    token = request_token(app)
    with fsec_clock_shift(-6 * 86400):
        old = request_token(app)
    with app.test_request_context():
        expired, invalid, user = get_token_status(token, "reset", "RESET_PASSWORD")
        assert (expired, invalid, user.email) == (False, False, "alice@example.com")
        expired, invalid, user = get_token_status(old, "reset", "RESET_PASSWORD")
        assert (expired, invalid, user.email) == (True, False, "alice@example.com")
        assert get_token_status("junk", "reset", "RESET_PASSWORD") == (False, True, None)
        # A reset token is not a login or confirmation token.
        assert get_token_status(token, "remember", None)[1] is True
        expired, invalid, user, data = get_token_status(
            token, "reset", "RESET_PASSWORD", return_data=True
        )
        assert data[0] == str(user.id) and len(data) == 2


def test_capture_reset_password_requests_collects_user_and_token(app: Flask) -> None:
    with capture_reset_password_requests() as requests:
        app.test_client().post("/reset", json={"email": "alice@example.com"})
        app.test_client().post("/reset", json={"email": "alice@example.com"})
    assert len(requests) == 2
    assert {r["user"].email for r in requests} == {"alice@example.com"}
    # Outside the block nothing is collected any more.
    app.test_client().post("/reset", json={"email": "alice@example.com"})
    assert len(requests) == 2


# -- with login tracking ---------------------------------------------------------------------


def test_reset_login_is_tracked(make_app: Any) -> None:
    pytest.importorskip("fsec_trackable")
    app = make_app({"SECURITY_TRACKABLE": True})
    add_user(app, "alice@example.com")
    token = request_token(app)
    client = app.test_client()
    response = client.post(f"/reset/{token}", json=NEW, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert user.login_count == 1
        assert user.current_login_ip == "192.0.2.7"
        assert user.current_login_at is not None
