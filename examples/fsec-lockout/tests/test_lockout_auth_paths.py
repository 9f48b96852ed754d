"""A locked account is refused on every authentication path, with ACCOUNT_LOCKED."""

from __future__ import annotations

import base64

LOCKED_TEXT = "This account is locked after too many failed sign-in attempts. Try again later."
WRONG_TEXT = "Wrong email address or password."


def _login(client, email="alice@example.com", password="password", **kw):
    return client.post("/login", json={"email": email, "password": password, **kw})


def _basic(email: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def _lock(client, email="alice@example.com", attempts=3):
    for _ in range(attempts):
        r = _login(client, email, "wrong-password")
        assert r.status_code == 400


def test_failures_below_the_limit_do_not_lock(app, client, get_user):
    _lock(client, attempts=2)
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 2
    assert user.locked_until is None
    r = _login(client)
    assert r.status_code == 200
    assert "authentication_token" in r.json["response"]["user"]


def test_successful_login_resets_the_count(app, client, get_user):
    _lock(client, attempts=2)
    assert _login(client).status_code == 200
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 0
    assert user.first_failed_login_at is None
    # The count starts from zero again: two more failures still do not lock.
    client.post("/logout")
    _lock(client, attempts=2)
    assert _login(client).status_code == 200


def test_json_login_refused_with_message_and_lockout_object(app, client, clock, get_user):
    _lock(client)
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 3
    assert user.locked_until == clock.now.replace(minute=30)
    r = _login(client)
    assert r.status_code == 400
    body = r.json
    assert body["meta"]["code"] == 400
    assert body["response"]["errors"]["email"] == [LOCKED_TEXT]
    assert body["response"]["lockout"] == {
        "locked": True,
        "locked_until": "2026-01-01T12:30:00Z",
        "retry_after": 1800,
    }
    assert "user" not in body["response"]


def test_form_login_refused_with_message(app, clock):
    client = app.test_client()
    for _ in range(3):
        r = client.post("/login", data={"email": "alice@example.com", "password": "nope"})
        assert r.status_code == 200
    r = client.post("/login", data={"email": "alice@example.com", "password": "password"})
    assert r.status_code == 200
    assert LOCKED_TEXT in r.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_locked_account_answer_does_not_depend_on_password(app, client, get_user):
    # Issue 15 item 2: a wrong guess answered "wrong password" and the right one
    # ACCOUNT_LOCKED, so the lock confirmed the right guess; and guesses while locked
    # were not counted.
    _lock(client)
    before = get_user(app, "alice@example.com")
    answers = []
    for password in ("still-wrong", "password", "another-wrong"):
        r = _login(client, password=password)
        assert r.status_code == 400
        answers.append(r.json)
    assert answers[0] == answers[1] == answers[2]
    assert answers[1]["response"]["errors"] == {"email": [LOCKED_TEXT]}
    assert "user" not in answers[1]["response"]
    # The form says the same for both.
    pages = [
        client.post("/login", data={"email": "alice@example.com", "password": pw})
        for pw in ("password", "nope")
    ]
    assert [p.status_code for p in pages] == [200, 200]  # the form again (3.0: 200)
    assert pages[0].get_data() == pages[1].get_data()
    assert LOCKED_TEXT in pages[0].get_data(as_text=True)
    # Every attempt while locked counted; the lock was not extended.
    after = get_user(app, "alice@example.com")
    assert after.locked_until == before.locked_until
    assert after.failed_login_count == before.failed_login_count + 5


def test_locked_account_does_the_same_password_work(app, client):
    # Timing: the same hash work for the right and a wrong password (the hasher is
    # called the same way; wall-clock measurements belong in benchmarks).
    _lock(client)
    hasher = app.extensions["security"].password_hasher
    calls: list[str] = []
    real_check, real_dummy = hasher.check, hasher.dummy_verify

    def check(password, password_hash):
        calls.append("check")
        return real_check(password, password_hash)

    def dummy_verify(password="x"):
        calls.append("dummy")
        return real_dummy(password)

    hasher.check, hasher.dummy_verify = check, dummy_verify
    _login(client, password="password")
    right = list(calls)
    calls.clear()
    _login(client, password="wrong")
    assert right == calls == ["dummy"]


def test_existing_session_survives_a_lock(app):
    # Issue 15 item 3: five anonymous wrong passwords used to end the victim's
    # session. A lock stops new password logins only.
    victim = app.test_client()
    assert _login(victim).status_code == 200
    assert victim.get("/").status_code == 200
    _lock(app.test_client())
    r = victim.get("/")
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "Hello alice@example.com"
    # ...while a new password login is refused.
    assert _login(app.test_client()).status_code == 400


def test_remember_cookie_survives_a_lock(app):
    victim = app.test_client()
    assert _login(victim, remember=True).status_code == 200
    assert victim.get_cookie("remember_token") is not None
    cookie = victim.get_cookie("remember_token").value
    _lock(app.test_client())
    again = app.test_client()
    again.set_cookie("remember_token", cookie)
    assert again.get("/").status_code == 200


def test_token_survives_a_lock(app, client):
    token = _login(client).json["response"]["user"]["authentication_token"]
    headers = {"Authentication-Token": token}
    _lock(app.test_client())
    r = app.test_client().get("/token", headers=headers)
    assert r.status_code == 200
    assert r.json == {"email": "alice@example.com"}


def test_password_change_still_ends_sessions_of_a_locked_account(app, get_user):
    # What ends existing sessions is a new password (or revocation), not a lock.
    victim = app.test_client()
    assert _login(victim).status_code == 200
    _lock(app.test_client())
    with app.app_context():
        from flask_security.utils import hash_password

        datastore = app.extensions["security"].datastore
        user = datastore.find_user(email="alice@example.com")
        user.password = hash_password("new-password")
        datastore.put(user)
        datastore.commit()
    assert victim.get("/").status_code == 302


def test_basic_auth_failures_count_and_lock(app, get_user):
    client = app.test_client()
    for _ in range(3):
        r = client.get("/basic", headers=_basic("alice@example.com", "wrong"))
        assert r.status_code == 401
    assert get_user(app, "alice@example.com").locked_until is not None
    r = client.get("/basic", headers=_basic("alice@example.com", "password"))
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers
    # Another account is not affected.
    r = client.get("/basic", headers=_basic("bob@example.com", "password"))
    assert r.status_code == 200


def test_basic_auth_on_locked_account_keeps_counting_and_answers_alike(app, get_user):
    client = app.test_client()
    _lock(client)
    before = get_user(app, "alice@example.com")
    right = client.get("/basic", headers=_basic("alice@example.com", "password"))
    wrong = client.get("/basic", headers=_basic("alice@example.com", "wrong"))
    assert right.status_code == wrong.status_code == 401
    assert right.get_data() == wrong.get_data()
    assert right.headers["WWW-Authenticate"] == wrong.headers["WWW-Authenticate"]
    after = get_user(app, "alice@example.com")
    assert after.failed_login_count == before.failed_login_count + 2
    assert after.locked_until == before.locked_until


def test_lock_of_one_account_leaves_others_alone(app, client):
    _lock(client)
    assert _login(app.test_client(), "bob@example.com").status_code == 200


def test_show_remaining_adds_remaining_attempts(make_app, add_user):
    app = make_app({"SECURITY_LOCKOUT_SHOW_REMAINING": True})
    add_user(app, "alice@example.com")
    client = app.test_client()
    r = _login(client, password="wrong")
    assert r.json["response"]["lockout"] == {"locked": False, "remaining_attempts": 2}
    _login(client, password="wrong")
    r = _login(client, password="wrong")
    lockout = r.json["response"]["lockout"]
    assert lockout["locked"] is True and lockout["remaining_attempts"] == 0
    assert lockout["retry_after"] == 1800


def test_unknown_identity_is_not_counted(app, client):
    for _ in range(5):
        r = _login(client, email="ghost@example.com", password="x")
        assert r.status_code == 400
        assert "lockout" not in r.json["response"]


def test_wrong_second_factor_codes_count_and_lock(app, client, get_user):
    """fsec_login_step_failed (a wrong two-factor code, called by core's
    fail_login_step) counts like a wrong password: three lock the account."""
    state = app.extensions["security"]
    for attempt in (1, 2, 3):
        with app.test_request_context("/tf-validate"):
            user = state.datastore.find_user(email="alice@example.com")
            state.plugins.hook.fsec_login_step_failed(
                user=user,
                step="tf_validate",
                method="form",
                attempts=attempt,
                reason="invalid_code",
            )
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 3
    assert user.locked_until is not None
    r = _login(client)
    assert r.status_code == 400
    assert r.json["response"]["errors"]
    assert LOCKED_TEXT in str(r.json["response"]["errors"])


def test_verify_counts_wrong_passwords_and_a_lock_stops_it(app, client, get_user):
    """/verify (freshness) takes a password: wrong ones count, and a locked account
    cannot make its session fresh even with the right password, while the session
    itself stays signed in (a lock must not let others sign a victim out)."""
    assert _login(client).status_code == 200
    for _ in range(3):
        r = client.post("/verify", json={"password": "wrong-password"})
        assert r.status_code == 400
    assert get_user(app, "alice@example.com").locked_until is not None
    r = client.post("/verify", json={"password": "password"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["password"] == [LOCKED_TEXT]
    assert client.get("/").status_code == 200
