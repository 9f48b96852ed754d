"""Window, lock duration, signal, mail, CLI, password change, start-up checks, template."""

from __future__ import annotations

import pytest
from flask_security.plugins import PluginError
from fsec_lockout import account_locked, is_locked, lockout_status


def _fail(client, email="alice@example.com"):
    r = client.post("/login", json={"email": email, "password": "wrong-password"})
    assert r.status_code == 400
    return r


def _ok(client, email="alice@example.com"):
    return client.post("/login", json={"email": email, "password": "password"})


def test_failures_outside_the_window_start_a_new_count(app, client, clock, get_user):
    _fail(client)
    _fail(client)
    clock.advance(minutes=10)  # the window (10 minutes) is over
    _fail(client)
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 1
    assert user.first_failed_login_at == clock.now
    assert user.locked_until is None
    _fail(client)
    _fail(client)
    assert get_user(app, "alice@example.com").locked_until is not None


def test_failures_inside_the_window_lock(app, client, clock, get_user):
    _fail(client)
    clock.advance(minutes=9, seconds=59)
    _fail(client)
    _fail(client)
    assert get_user(app, "alice@example.com").locked_until is not None


def test_lock_ends_after_the_duration(app, client, clock, get_user):
    for _ in range(3):
        _fail(client)
    clock.advance(minutes=29, seconds=59)
    r = _ok(client)
    assert r.status_code == 400
    assert r.json["response"]["lockout"]["retry_after"] == 1
    clock.advance(seconds=1)
    assert _ok(client).status_code == 200
    user = get_user(app, "alice@example.com")
    assert (user.failed_login_count, user.first_failed_login_at, user.locked_until) == (
        0,
        None,
        None,
    )


def test_after_an_expired_lock_the_count_starts_over(app, client, clock, get_user):
    for _ in range(3):
        _fail(client)
    clock.advance(minutes=31)
    _fail(client)
    user = get_user(app, "alice@example.com")
    assert user.failed_login_count == 1
    assert user.locked_until is None
    assert _ok(client).status_code == 200


def test_signal_sent_once_on_lock(app, client, clock):
    received = []

    def receiver(sender, **data):
        received.append((sender, data))

    account_locked.connect(receiver)
    try:
        for _ in range(5):
            _fail(client)
    finally:
        account_locked.disconnect(receiver)
    assert len(received) == 1
    sender, data = received[0]
    assert sender is app
    assert data["user"].email == "alice@example.com"
    assert data["failed_attempts"] == 3
    assert data["locked_until"] == clock.now.replace(minute=30)
    # fsec knows the signal by name (fsec_signals).
    assert app.extensions["security"].signals["account_locked"] is account_locked


def test_notice_mail_sent_on_lock(app, client):
    mail = app.extensions["mail"]
    with mail.record_messages() as outbox:
        _fail(client)
        _fail(client)
        assert outbox == []
        _fail(client)
    assert len(outbox) == 1
    msg = outbox[0]
    assert msg.recipients == ["alice@example.com"]
    assert msg.subject == "Your account is locked"
    assert "until 2026-01-01 12:30 (UTC)" in msg.body
    assert "3 times within 10 minutes" in msg.body
    assert "2026-01-01 12:30" in msg.html


def test_notice_mail_can_be_switched_off(make_app, add_user):
    app = make_app({"SECURITY_LOCKOUT_SEND_EMAIL": False})
    add_user(app, "alice@example.com")
    client = app.test_client()
    with app.extensions["mail"].record_messages() as outbox:
        for _ in range(3):
            _fail(client)
    assert outbox == []


def test_cli_unlock(app, client, get_user):
    for _ in range(3):
        _fail(client)
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "unlock", "ALICE@example.com"])
    assert r.exit_code == 0, r.output
    assert "unlocked" in r.output
    user = get_user(app, "alice@example.com")
    assert (user.failed_login_count, user.locked_until) == (0, None)
    assert _ok(client).status_code == 200
    r = runner.invoke(args=["users", "unlock", "alice@example.com"])
    assert r.exit_code == 0 and "was not locked" in r.output


def test_cli_unlock_unknown_user(app):
    r = app.test_cli_runner().invoke(args=["users", "unlock", "ghost@example.com"])
    assert r.exit_code == 2
    assert r.output.strip() == "Error: no user 'ghost@example.com'"


def test_unlock_command_absent_when_plugin_off(build_app):
    app = build_app({})
    r = app.test_cli_runner().invoke(args=["users", "unlock", "alice@example.com"])
    assert r.exit_code != 0
    assert "No such command" in r.output


def test_password_change_clears_the_lock(app, client, get_user):
    for _ in range(3):
        _fail(client)
    state = app.extensions["security"]
    with app.app_context():
        user = state.datastore.find_user(email="alice@example.com")
        assert is_locked(user)
        state.plugins.hook.fsec_password_changed(user=user, reason="reset")
    assert get_user(app, "alice@example.com").locked_until is None
    assert _ok(client).status_code == 200


def test_a_plugins_own_password_flow_clears_the_lock(app, client, get_user):
    """Another plugin setting a password (an invitation, with its own reason) reaches
    lockout through fsec's public call, as /change and /reset do."""
    from flask_security.utils import announce_password_changed

    for _ in range(3):
        _fail(client)
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert is_locked(user)
        announce_password_changed(user, "invite")
    assert get_user(app, "alice@example.com").locked_until is None
    assert _ok(client).status_code == 200


def test_status_api(app, client, clock):
    _fail(client)
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        status = lockout_status(user)
        assert (status.locked, status.failed_attempts, status.remaining_attempts) == (
            False,
            1,
            2,
        )
        assert status.retry_after is None


def test_login_page_context_has_lockout(make_app, add_user, tmp_path):
    folder = tmp_path / "security"
    folder.mkdir()
    (folder / "login_user.html").write_text(
        "{% if lockout and lockout.locked %}LOCKED UNTIL {{ lockout.locked_until }}"
        "{% else %}NOT LOCKED{% endif %}"
    )
    app = make_app()
    app.jinja_loader.searchpath.insert(0, str(tmp_path))
    add_user(app, "alice@example.com")
    client = app.test_client()
    r = client.post("/login", data={"email": "alice@example.com", "password": "bad"})
    assert r.get_data(as_text=True) == "NOT LOCKED"
    for _ in range(2):
        client.post("/login", data={"email": "alice@example.com", "password": "bad"})
    r = client.post("/login", data={"email": "alice@example.com", "password": "password"})
    assert r.get_data(as_text=True) == "LOCKED UNTIL 2026-01-01T12:30:00Z"


def test_start_up_fails_without_the_model_fields(make_app, plain_user_model):
    with pytest.raises(RuntimeError) as info:
        make_app(user_model=plain_user_model)
    message = str(info.value)
    assert "PlainUser has no first_failed_login_at, locked_until" in message
    assert "failed_login_count = db.Column(db.Integer, default=0)" in message


def test_model_without_fields_is_fine_when_plugin_off(build_app, plain_user_model):
    app = build_app({}, user_model=plain_user_model)
    assert "lockout" not in app.extensions["security"].plugins.infos


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"SECURITY_LOCKOUT_MAX_ATTEMPTS": 0}, "SECURITY_LOCKOUT_MAX_ATTEMPTS must be an integer"),
        ({"SECURITY_LOCKOUT_MAX_ATTEMPTS": "5"}, "SECURITY_LOCKOUT_MAX_ATTEMPTS must be"),
        ({"SECURITY_LOCKOUT_WINDOW": "soon"}, "SECURITY_LOCKOUT_WINDOW must look like"),
        (
            {"SECURITY_LOCKOUT_DURATION": "0 minutes"},
            "SECURITY_LOCKOUT_DURATION must be a positive",
        ),
    ],
)
def test_start_up_fails_on_bad_settings(make_app, config, fragment):
    with pytest.raises(RuntimeError, match=fragment):
        make_app(config)


def test_enabling_an_uninstalled_plugin_names_it(build_app):
    with pytest.raises(PluginError, match="'lockout-typo', which is not installed"):
        build_app({"SECURITY_PLUGINS": ["lockout-typo"]})
