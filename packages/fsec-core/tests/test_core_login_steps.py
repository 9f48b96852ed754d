"""The multi-step login seam (flask_security.login_steps), driven by a tiny step
plugin: users whose address starts with ``pin`` must post the PIN ``1234`` to
``/pin`` after their password; ``twice`` users then also post the word ``open`` (a
second step chained after the first)."""

from __future__ import annotations

import base64
import importlib.metadata
import sys
import textwrap
from types import SimpleNamespace

import pytest
from flask import session
from flask_login import user_logged_in
from flask_principal import identity_changed
from flask_security import plugins
from flask_security.login_steps import PENDING_SESSION_KEY
from flask_security.testing.app import add_user, login

STEP_PLUGIN = """
from flask import request
from flask_security import hookimpl
from flask_security.login_steps import (
    LoginStep, complete_login_step, fail_login_step, pending_login, update_pending_login,
)
from flask_security.views import json_error, login_outcome_response

EVENTS = []


@hookimpl
def fsec_login_next_step(user, method, completed):
    if user.email.startswith("pin") and "pin" not in completed:
        return LoginStep("pin", "security.pin", {"pin_required": True}, {"sent": 0})
    if user.email.startswith("twice") and "pin" not in completed:
        return LoginStep("pin", "security.pin", {"pin_required": True})
    if user.email.startswith("twice") and "word" not in completed:
        return LoginStep("word", "security.pin", {"word_required": True})
    return None


@hookimpl
def fsec_login_pending(user, step, method):
    EVENTS.append(("pending", user.email, step.name, method))
    if step.name == "pin" and user.email.startswith("pin"):
        update_pending_login({"sent": 1})


@hookimpl
def fsec_login_step_failed(user, step, method, attempts, reason):
    EVENTS.append(("failed", user.email, step, attempts, reason))


def pin_view():
    pending = pending_login()
    if pending is None:
        return json_error({"pin": ["expired"]})
    if request.method == "GET":
        return f"step {pending.step} of {pending.user.email} data {pending.data}"
    given = (request.get_json(silent=True) or request.form).get("pin")
    wanted = "1234" if pending.step == "pin" else "open"
    if given != wanted:
        going_on = fail_login_step()
        return json_error({"pin": ["wrong" if going_on else "start over"]})
    return login_outcome_response(complete_login_step())


@hookimpl
def fsec_views(register, state):
    register("pin", "/pin", pin_view, methods=["GET", "POST"])
"""


@pytest.fixture
def step_app(tmp_path, monkeypatch, make_app):
    """An app with the step plugin enabled (``SECURITY_PLUGINS = ["fake-step"]``)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "fake_step.py").write_text(textwrap.dedent(STEP_PLUGIN))
    real = importlib.metadata.entry_points(group="flask_security")
    extra = SimpleNamespace(
        name="fake-step",
        value="fake_step",
        dist=SimpleNamespace(name="fsec-fake", version="9.9"),
    )

    def fake_entry_points(group=None):
        return [*real, extra]

    monkeypatch.setattr(plugins.importlib.metadata, "entry_points", fake_entry_points)
    plugins.clear_discovery_cache()
    app = make_app({"SECURITY_PLUGINS": ["fake-step"], "SECURITY_CHANGEABLE": True})
    add_user(app, "pin@example.com")
    add_user(app, "twice@example.com")
    add_user(app, "plain@example.com")
    yield app
    plugins.clear_discovery_cache()
    sys.modules.pop("fake_step", None)


def _events():
    return sys.modules["fake_step"].EVENTS


@pytest.fixture
def signals(step_app):
    seen: list[tuple[str, object]] = []

    def on_login(sender, user):
        seen.append(("user_logged_in", user.email))

    def on_identity(sender, identity):
        seen.append(("identity_changed", identity))

    user_logged_in.connect(on_login, step_app)
    identity_changed.connect(on_identity, step_app)
    yield seen
    user_logged_in.disconnect(on_login, step_app)
    identity_changed.disconnect(on_identity, step_app)


def _session(client):
    with client.session_transaction() as sess:
        return dict(sess)


def test_json_login_with_a_step_logs_nobody_in(step_app, signals):
    client = step_app.test_client()
    r = login(client, "pin@example.com")
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["pin_required"] is True
    assert body["csrf_token"]
    assert "user" not in body and "authentication_token" not in str(body)
    sess = _session(client)
    assert "_user_id" not in sess
    record = sess[PENDING_SESSION_KEY]
    assert record["step"] == "pin" and record["method"] == "form" and record["n"] == 0
    assert record["data"] == {"sent": 1}  # fsec_login_pending ran after the record
    assert signals == []
    assert ("pending", "pin@example.com", "pin", "form") in _events()
    # Not logged in for anything: pages, JSON API, change password.
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    assert client.get("/api", headers={"Accept": "application/json"}).status_code == 401
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "x-pass-2",
            "new_password_confirm": "x-pass-2",
        },
    )
    assert r.status_code == 401
    r = client.get("/login", headers={"Accept": "application/json"})
    assert "user" not in r.get_json()["response"]


def test_completing_the_step_logs_in_once_with_a_new_session(step_app, signals):
    client = step_app.test_client()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "pin@example.com")
    assert "planted" not in _session(client)
    r = client.post("/pin", json={"pin": "1234"})
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["user"]["authentication_token"]
    assert body["csrf_token"]
    sess = _session(client)
    assert PENDING_SESSION_KEY not in sess
    assert sess["_user_id"].startswith("1:")  # pin@example.com is user 1
    assert [s for s in signals if s[0] == "user_logged_in"] == [
        ("user_logged_in", "pin@example.com")
    ]
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 200
    token = body["user"]["authentication_token"]
    assert (
        step_app.test_client().get("/token", headers={"Authentication-Token": token}).status_code
        == 200
    )
    # The record was consumed: the same answer again finds no pending login.
    r = client.post("/pin", json={"pin": "1234"})
    assert r.status_code == 400
    assert r.get_json()["response"]["errors"]["pin"] == ["expired"]


def test_html_form_post_keeps_the_next_of_the_first_factor(step_app):
    client = step_app.test_client()
    r = client.post(
        "/login", data={"email": "pin@example.com", "password": "password", "next": "/editor"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/pin")
    page = client.get("/pin").get_data(as_text=True)
    assert "step pin of pin@example.com" in page
    r = client.post("/pin", data={"pin": "1234"})
    assert r.status_code == 302
    assert r.headers["Location"] == "/editor"


def test_wrong_answers_are_counted_and_the_limit_starts_over(step_app, signals):
    step_app.config["SECURITY_PENDING_LOGIN_MAX_ATTEMPTS"] = 3
    client = step_app.test_client()
    login(client, "pin@example.com")
    answers = [client.post("/pin", json={"pin": "0000"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert [a.get_json()["response"]["errors"]["pin"][0] for a in answers] == [
        "wrong",
        "wrong",
        "start over",
    ]
    failed = [e for e in _events() if e[0] == "failed"]
    assert failed == [("failed", "pin@example.com", "pin", n, "invalid_code") for n in (1, 2, 3)]
    assert PENDING_SESSION_KEY not in _session(client)
    # The right PIN now comes too late: the login starts over with the password.
    r = client.post("/pin", json={"pin": "1234"})
    assert r.get_json()["response"]["errors"]["pin"] == ["expired"]
    assert signals == []


def test_password_change_cancels_the_pending_login(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    with step_app.app_context():
        ds = step_app.extensions["security"].datastore
        user = ds.find_user(email="pin@example.com")
        from flask_security.utils import hash_password

        user.password = hash_password("another-password")
        ds.put(user)
        ds.commit()
    r = client.post("/pin", json={"pin": "1234"})
    assert r.status_code == 400
    assert PENDING_SESSION_KEY not in _session(client)


def test_reset_access_cancels_the_pending_login(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    with step_app.app_context():
        ds = step_app.extensions["security"].datastore
        ds.reset_user_access(ds.find_user(email="pin@example.com"))
        ds.commit()
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400


def test_deactivation_cancels_the_pending_login(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    with step_app.app_context():
        ds = step_app.extensions["security"].datastore
        ds.deactivate_user(ds.find_user(email="pin@example.com"))
        ds.commit()
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400


def test_expired_pending_login_is_dropped(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    with client.session_transaction() as sess:
        record = dict(sess[PENDING_SESSION_KEY])
        record["at"] -= 601  # SECURITY_PENDING_LOGIN_WITHIN is 10 minutes
        sess[PENDING_SESSION_KEY] = record
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400
    assert PENDING_SESSION_KEY not in _session(client)


def test_tampered_record_is_dropped(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    with client.session_transaction() as sess:
        record = dict(sess[PENDING_SESSION_KEY])
        record["uid"] = "3"  # plain@example.com, with pin's fingerprint
        sess[PENDING_SESSION_KEY] = record
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400
    with client.session_transaction() as sess:
        sess[PENDING_SESSION_KEY] = "garbage"
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400


def test_logout_forgets_the_pending_login(step_app):
    client = step_app.test_client()
    login(client, "pin@example.com")
    client.post("/logout", json={})
    assert PENDING_SESSION_KEY not in _session(client)
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400


def test_chained_steps_each_must_succeed(step_app, signals):
    client = step_app.test_client()
    login(client, "twice@example.com")
    r = client.post("/pin", json={"pin": "1234"})
    assert r.status_code == 200
    assert r.get_json()["response"]["word_required"] is True
    assert "_user_id" not in _session(client)
    assert _session(client)[PENDING_SESSION_KEY]["done"] == ["pin"]
    assert client.post("/pin", json={"pin": "1234"}).status_code == 400  # wrong for "word"
    r = client.post("/pin", json={"pin": "open"})
    assert r.status_code == 200 and r.get_json()["response"]["user"]
    assert [s[0] for s in signals].count("user_logged_in") == 1


def test_user_without_a_step_logs_in_directly(step_app, signals):
    client = step_app.test_client()
    r = login(client, "plain@example.com")
    assert r.status_code == 200
    assert r.get_json()["response"]["user"]["authentication_token"]
    assert ("user_logged_in", "plain@example.com") in signals


def test_signed_in_user_is_signed_out_by_a_pending_login_of_another(step_app):
    client = step_app.test_client()
    login(client, "plain@example.com")
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 200
    login(client, "pin@example.com")
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401


def test_http_basic_refuses_a_user_with_a_step(step_app):
    client = step_app.test_client()

    def basic(email):
        value = base64.b64encode(f"{email}:password".encode()).decode()
        return client.get("/basic", headers={"Authorization": "Basic " + value})

    assert basic("pin@example.com").status_code == 401
    assert basic("plain@example.com").status_code == 200


def test_login_user_from_link_goes_through_the_seam(step_app):
    from flask_security.login_steps import login_user_from_link, pending_login

    with step_app.test_request_context("/confirm/x"):
        ds = step_app.extensions["security"].datastore
        outcome = login_user_from_link(ds.find_user(email="pin@example.com"), method="confirm")
        assert not outcome
        assert outcome.step is not None and outcome.step.name == "pin"
        assert "_user_id" not in session
        pending = pending_login()
        assert pending is not None and pending.method == "confirm"
        assert pending.user.email == "pin@example.com"
        outcome = login_user_from_link(ds.find_user(email="plain@example.com"), method="confirm")
        assert outcome and outcome.step is None
        assert PENDING_SESSION_KEY not in session


def test_refused_first_factor_reports_the_refusal(step_app):
    from flask_security.login_steps import begin_login

    with step_app.app_context():
        ds = step_app.extensions["security"].datastore
        ds.deactivate_user(ds.find_user(email="pin@example.com"))
        ds.commit()
    with step_app.test_request_context("/"):
        outcome = begin_login(ds.find_user(email="pin@example.com"), method="confirm")
        assert not outcome and outcome.refusal == "DISABLED_ACCOUNT" and outcome.step is None
        assert PENDING_SESSION_KEY not in session
        from flask_security.views import login_outcome_response

        with pytest.raises(RuntimeError):
            login_outcome_response(outcome)
