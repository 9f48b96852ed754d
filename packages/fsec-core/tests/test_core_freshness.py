"""Freshness (upstream 5.x): auth_required(within=..., grace=...), /verify, the time of
the last authentication in the session and in auth tokens. Time is moved by rewriting
the session's timestamps through ``session_transaction()`` (no sleeps)."""

from __future__ import annotations

import datetime
import time

import pytest
from flask import jsonify
from flask_security import auth_required, check_and_update_authn_fresh, current_user
from flask_security.testing.app import add_user, login

JSON = {"Accept": "application/json"}


def _routes(app):
    @app.route("/sensitive")
    @auth_required("session", within=10)
    def sensitive():
        return "sensitive"

    @app.route("/any-sensitive")
    @auth_required(within=datetime.timedelta(minutes=10), grace=0)
    def any_sensitive():
        return "any"

    @app.route("/plain")
    @auth_required("session", "token")
    def plain():
        return "plain"

    @app.route("/mint")
    @auth_required("session", "token")
    def mint():
        return jsonify(token=current_user.get_auth_token())

    return app


@pytest.fixture
def fapp(make_app):
    app = _routes(make_app({"SECURITY_CHANGEABLE": True}))
    add_user(app, "matt@example.com", "password")
    return app


def _age(client, minutes: float, grace_left: float | None = None) -> None:
    """Pretend the session's login happened ``minutes`` ago (grace: minutes left)."""
    with client.session_transaction() as sess:
        assert "fs_paa" in sess, "login_user must record the authentication time"
        sess["fs_paa"] = time.time() - minutes * 60
        if grace_left is None:
            sess.pop("fs_gexp", None)
        else:
            sess["fs_gexp"] = time.time() + grace_left * 60


def _signed_in(app):
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    return client


def test_login_records_the_authentication_time(fapp):
    client = fapp.test_client()
    before = time.time()
    login(client, "matt@example.com")
    with client.session_transaction() as sess:
        assert before - 1 <= sess["fs_paa"] <= time.time()


def test_fresh_session_passes_and_stale_session_is_sent_to_verify(fapp):
    client = _signed_in(fapp)
    assert client.get("/sensitive").get_data(as_text=True) == "sensitive"
    _age(client, 11)
    r = client.get("/sensitive?x=1")
    assert r.status_code == 302
    assert r.headers["Location"] == "/verify?next=%2Fsensitive%3Fx%3D1"
    r = client.get("/sensitive", headers=JSON)
    assert r.status_code == 401
    body = r.json["response"]
    assert body["reauth_required"] is True
    assert body["errors"]["auth"] == ["For your security, please confirm it is you to continue."]


def test_verify_wrong_password_is_a_field_error_and_stays_stale(fapp):
    client = _signed_in(fapp)
    _age(client, 11)
    r = client.post("/verify", json={"password": "wrong"})
    assert r.status_code == 400
    # PASSWORD_MISMATCH: the signed-in user typed no email address (not the login's
    # INVALID_PASSWORD, "Wrong email address or password.").
    assert r.json["response"]["errors"] == {"password": ["The current password is wrong."]}
    r = client.post("/verify", data={"password": "wrong", "next": "/sensitive"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "The current password is wrong." in page
    assert "Wrong email address" not in page
    assert client.get("/sensitive").status_code == 302
    r = client.post("/verify", json={"password": ""})
    assert r.status_code == 400 and "password" in r.json["response"]["errors"]


def test_verify_wrong_password_message_is_translated_and_configurable(fapp):
    """The key is PASSWORD_MISMATCH: its catalogue text in German, and an app's
    ``SECURITY_MSG_PASSWORD_MISMATCH`` replaces it."""
    from flask import request
    from flask_babel import Babel

    Babel(fapp, locale_selector=lambda: request.accept_languages.best_match(["en", "de"]))
    client = _signed_in(fapp)
    _age(client, 11)
    r = client.post("/verify", json={"password": "wrong"}, headers={"Accept-Language": "de"})
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {"password": ["Das aktuelle Passwort ist falsch."]}
    fapp.config["SECURITY_MSG_PASSWORD_MISMATCH"] = ("Not your password.", "error")
    r = client.post("/verify", data={"password": "wrong"})
    assert r.status_code == 200 and "Not your password." in r.get_data(as_text=True)


def test_verify_makes_the_session_fresh_and_goes_to_next(fapp):
    client = _signed_in(fapp)
    _age(client, 11)
    page = client.get("/verify?next=/sensitive")
    assert page.status_code == 200 and 'name="verify_form"' in page.get_data(as_text=True)
    r = client.post("/verify", data={"password": "password", "next": "/sensitive"})
    assert r.status_code == 302 and r.headers["Location"] == "/sensitive"
    assert client.get("/sensitive").get_data(as_text=True) == "sensitive"
    with client.session_transaction() as sess:
        assert time.time() - sess["fs_paa"] < 5


def test_verify_json_answers_user_and_a_fresh_token(fapp):
    client = _signed_in(fapp)
    _age(client, 11)
    r = client.post("/verify", json={"password": "password"})
    assert r.status_code == 200
    token = r.json["response"]["user"]["authentication_token"]
    fresh = fapp.test_client().get(
        "/any-sensitive", headers={"Authentication-Token": token, **JSON}
    )
    assert fresh.status_code == 200


def test_verify_refuses_an_outside_next(fapp):
    client = _signed_in(fapp)
    r = client.post("/verify", json={"password": "password", "next": "https://evil.example/"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["next"] == [
        "Redirections outside this site are not allowed."
    ]


def test_verify_needs_a_signed_in_user(fapp):
    client = fapp.test_client()
    assert client.get("/verify").status_code == 302
    assert client.post("/verify", json={"password": "password"}).status_code == 401


def test_grace_period_lets_a_started_operation_finish_then_ends(make_app):
    app = _routes(make_app({"SECURITY_FRESHNESS_GRACE_PERIOD": datetime.timedelta(minutes=5)}))
    add_user(app, "matt@example.com")
    client = _signed_in(app)
    _age(client, 9)  # within 10 minutes: passes and starts a 5-minute grace period
    assert client.get("/sensitive").status_code == 200
    with client.session_transaction() as sess:
        assert 4 * 60 < sess["fs_gexp"] - time.time() <= 5 * 60
        sess["fs_paa"] = time.time() - 30 * 60  # the login is old now...
    assert client.get("/sensitive").status_code == 200  # ...but the grace period runs
    with client.session_transaction() as sess:
        sess["fs_gexp"] = time.time() - 1
    assert client.get("/sensitive").status_code == 302  # and does not renew itself


def test_grace_zero_gives_no_grace(fapp):
    client = _signed_in(fapp)
    assert client.get("/any-sensitive").status_code == 200
    with client.session_transaction() as sess:
        assert "fs_gexp" not in sess


def test_negative_freshness_disables_checks_and_verify(make_app):
    app = _routes(make_app({"SECURITY_FRESHNESS": datetime.timedelta(minutes=-1)}))
    add_user(app, "matt@example.com")
    assert "security.verify" not in {r.endpoint for r in app.url_map.iter_rules()}
    client = _signed_in(app)
    _age(client, 60 * 24 * 30)
    assert client.get("/sensitive").status_code == 200
    assert client.get("/verify").status_code == 404


def test_auth_required_without_within_never_checks_freshness(fapp):
    """3.0's auth_required (no within) and 3.0's views (/change) are unchanged."""
    client = _signed_in(fapp)
    _age(client, 60 * 24 * 30)
    assert client.get("/plain").status_code == 200
    assert client.get("/change").status_code == 200
    assert client.get("/").status_code == 200


def _old_token(app, minutes: float) -> str:
    state = app.extensions["security"]
    with app.app_context():
        user = state.datastore.find_user(email="matt@example.com")
        data = [str(user.id), state.password_fingerprint(user), int(time.time() - minutes * 60)]
        return state.dumps_token("remember", "auth", data)


def test_auth_token_carries_freshness(fapp):
    token = login(fapp.test_client(), "matt@example.com").json["response"]["user"][
        "authentication_token"
    ]
    client = fapp.test_client()
    headers = {"Authentication-Token": token, **JSON}
    assert client.get("/any-sensitive", headers=headers).status_code == 200
    old = {"Authentication-Token": _old_token(fapp, 11), **JSON}
    assert client.get("/plain", headers=old).status_code == 200  # still a valid token
    r = client.get("/any-sensitive", headers=old)
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True


def test_token_made_by_a_stale_session_is_stale(fapp):
    client = _signed_in(fapp)
    _age(client, 11)
    token = client.get("/mint").json["token"]
    other = fapp.test_client()
    r = other.get("/any-sensitive", headers={"Authentication-Token": token, **JSON})
    assert r.status_code == 401


def test_freshness_allow_auth_token_off_refuses_token_freshness(make_app):
    app = _routes(make_app({"SECURITY_FRESHNESS_ALLOW_AUTH_TOKEN": False}))
    add_user(app, "matt@example.com")
    token = login(app.test_client(), "matt@example.com").json["response"]["user"][
        "authentication_token"
    ]
    r = app.test_client().get("/any-sensitive", headers={"Authentication-Token": token, **JSON})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True


def test_token_from_before_freshness_is_never_fresh(fapp):
    state = fapp.extensions["security"]
    with fapp.app_context():
        user = state.datastore.find_user(email="matt@example.com")
        data = [str(user.id), state.password_fingerprint(user)]
        legacy = state.dumps_token("remember", "auth", data)
    client = fapp.test_client()
    headers = {"Authentication-Token": legacy, **JSON}
    assert client.get("/plain", headers=headers).status_code == 200
    assert client.get("/any-sensitive", headers=headers).status_code == 401


def test_deactivated_user_cannot_verify(fapp):
    client = _signed_in(fapp)
    _age(client, 11)
    state = fapp.extensions["security"]
    with fapp.app_context():
        user = state.datastore.find_user(email="matt@example.com")
        user.active = False
        state.datastore.commit()
    r = client.post("/verify", json={"password": "password"})
    assert r.status_code == 401  # nobody is signed in any more
    with client.session_transaction() as sess:
        assert time.time() - sess.get("fs_paa", 0) > 10 * 60


def test_refused_account_cannot_verify_whatever_the_password(fapp, monkeypatch):
    """A refusal for the verify path (a lock...) wins over the right password."""
    state = fapp.extensions["security"]
    real = state.login_refusal
    monkeypatch.setattr(
        state,
        "login_refusal",
        lambda user, method: "DISABLED_ACCOUNT" if method == "verify" else real(user, method),
    )
    client = _signed_in(fapp)
    _age(client, 11)
    r = client.post("/verify", json={"password": "password"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["password"] == ["This account is disabled."]
    assert client.get("/sensitive").status_code == 302


def test_reauthn_handler_replaces_the_answer(make_app):
    app = _routes(make_app())
    add_user(app, "matt@example.com")
    seen = []

    @app.extensions["security"].reauthn_handler
    def handler(within, grace):
        seen.append((within, grace))
        return "verify please", 418

    client = _signed_in(app)
    _age(client, 11)
    r = client.get("/sensitive")
    assert r.status_code == 418
    assert seen == [(datetime.timedelta(minutes=10), datetime.timedelta(hours=1))]


def test_check_and_update_authn_fresh_outside_a_view(fapp):
    client = _signed_in(fapp)
    _age(client, 3)
    with client.session_transaction() as sess:
        cookie_session = dict(sess)
    with fapp.test_request_context():
        from flask import session

        session.update(cookie_session)
        assert check_and_update_authn_fresh(datetime.timedelta(minutes=5), 0)
        assert not check_and_update_authn_fresh(datetime.timedelta(minutes=2), 0)
        assert check_and_update_authn_fresh(-1, 0)
        assert check_and_update_authn_fresh(datetime.timedelta(minutes=1), 0, method="basic")
