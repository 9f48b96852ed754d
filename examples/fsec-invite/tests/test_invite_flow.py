"""The invitation flow end to end: CLI and web invitations, the mailed link, the
password, the sign-in, the signals, and every way a link can be refused."""

from __future__ import annotations

import pytest
from flask_security import current_datastore
from flask_security.testing.app import login
from flask_security.testing.spy import HookSpy
from flask_security.utils import get_message, verify_password
from fsec_invite import invite_accepted, invite_user, user_invited

NEW = {"password": "chosen-secret-1", "password_confirm": "chosen-secret-1"}


def _invite_by_cli(app, email):
    return app.test_cli_runner().invoke(args=["users", "invite", email])


def _stored(app, email):
    with app.app_context():
        user = current_datastore.find_user(email=email)
        return None if user is None else (user.password, user.active)


# --8<-- [start:test_flow]
def test_cli_invitation_link_password_and_sign_in(app, outbox, link_in):
    spy = HookSpy.attach(app)
    r = _invite_by_cli(app, "ann@example.com")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "An invitation was sent to ann@example.com."
    assert _stored(app, "ann@example.com") == (None, True)  # no password yet
    (mail,) = outbox
    assert mail.recipients == ["ann@example.com"] and mail.subject == "You are invited"
    path = link_in(mail)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and 'name="accept_invite_form"' in page.get_data(as_text=True)
    r = client.post(path, data=NEW)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "Hello ann@example.com"  # signed in
    with app.app_context():
        user = current_datastore.find_user(email="ann@example.com")
        assert verify_password("chosen-secret-1", user.password)
    # Every plugin heard of the new password, with the plugin's reason; then the login.
    assert spy.calls == [
        ("password_changed", "ann@example.com", "invite"),
        ("after_login", "ann@example.com", "invite"),
    ]
    # The link works once.
    again = app.test_client().post(path, data={**NEW, "password": "other-secret-2"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")
    with app.app_context():
        assert verify_password(
            "chosen-secret-1", current_datastore.find_user(email="ann@example.com").password
        )


# --8<-- [end:test_flow]


def test_json_flow_and_signals(app, outbox, link_in):
    invited, accepted = [], []
    user_invited.connect(lambda sender, **kw: invited.append(kw), weak=False)
    invite_accepted.connect(lambda sender, **kw: accepted.append(kw["user"].email), weak=False)
    try:
        with app.app_context():
            invite_user("bob@example.com")
        (mail,) = outbox
        path = link_in(mail)
        assert invited[0]["user"].email == "bob@example.com"
        assert invited[0]["invite_link"].endswith(path)
        client = app.test_client()
        r = client.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 200 and "csrf_token" in r.get_json()["response"]
        r = client.post(path, json={"password": "x", "password_confirm": "y"})
        assert r.status_code == 400
        errors = r.get_json()["response"]["errors"]
        assert set(errors) == {"password", "password_confirm"}
        assert accepted == []
        r = client.post(path, json=NEW)
        assert r.status_code == 200
        body = r.get_json()["response"]
        assert body["user"]["authentication_token"]
        token = body["user"]["authentication_token"]
        assert (
            app.test_client().get("/token", headers={"Authentication-Token": token}).status_code
            == 200
        )
        assert accepted == ["bob@example.com"]
        r = app.test_client().post(path, json=NEW)
        assert r.status_code == 400
        assert r.get_json()["response"]["errors"]["token"] == [
            "This invitation link is not valid or was already used."
        ]
        assert accepted == ["bob@example.com"]
    finally:
        user_invited.receivers.clear()
        invite_accepted.receivers.clear()


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("not-an-address", "INVALID_EMAIL_ADDRESS"),
        ("JOE@example.com", "EMAIL_ALREADY_ASSOCIATED"),
        ("", "EMAIL_NOT_PROVIDED"),
    ],
)
def test_cli_bad_address_exits_2_with_the_web_forms_message(app, outbox, email, key):
    r = _invite_by_cli(app, email)
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    with app.app_context():
        message = get_message(key, email=email)[0]
    assert lines == [f"Error: email: {message}"]
    assert outbox == []
    assert _stored(app, email) is None or email.lower() == "joe@example.com"


def test_web_invitation_needs_the_configured_role(app, outbox):
    client = app.test_client()
    assert client.get("/invite").status_code == 302  # visitors: log in first
    login(client, "joe@example.com")
    assert client.post("/invite", json={"email": "cat@example.com"}).status_code == 403
    admin = app.test_client()
    login(admin, "admin@example.com")
    r = admin.post("/invite", json={"email": "cat@example.com"})
    assert r.status_code == 200 and r.get_json()["response"]["user"]["id"]
    r = admin.post("/invite", data={"email": "dan@example.com"})
    assert r.status_code == 302 and r.headers["Location"] == "/invite"
    r = admin.post("/invite", json={"email": "cat@example.com"})
    assert r.status_code == 400 and "email" in r.get_json()["response"]["errors"]
    assert [m.recipients for m in outbox] == [["cat@example.com"], ["dan@example.com"]]
    # The role comes from SECURITY_INVITE_ROLES, read at each request.
    app.config["SECURITY_INVITE_ROLES"] = ["hr"]
    assert admin.post("/invite", json={"email": "eve@example.com"}).status_code == 403


def test_invite_page_renders(app):
    client = app.test_client()
    login(client, "admin@example.com")
    page = client.get("/invite").get_data(as_text=True)
    assert 'name="invite_form"' in page and 'name="email"' in page


def test_expired_link_is_refused(app, outbox, link_in, fsec_clock_shift):
    with fsec_clock_shift(-4 * 86400), app.app_context():
        invite_user("old@example.com")  # four days ago; links work three days
    path = link_in(outbox[0])
    r = app.test_client().post(path, json=NEW)
    assert r.status_code == 400
    assert r.get_json()["response"]["errors"]["token"] == [
        "This invitation expired after 3 days. Ask for a new one."
    ]
    assert _stored(app, "old@example.com") == (None, True)


@pytest.mark.parametrize("token", ["x", "a" * 300, "eyJwIjoicmVzZXQifQ.bad.sig"])
def test_forged_links_are_refused_without_error(app, token):
    r = app.test_client().get(f"/invite/{token}")
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    r = app.test_client().post(f"/invite/{token}", json=NEW)
    assert r.status_code == 400 and "token" in r.get_json()["response"]["errors"]


def test_a_token_of_another_kind_is_no_invitation(make_app, outbox):
    """A token of another kind, signed with the same key and even the same salt, does
    not pass as an invitation (the purpose inside the payload differs)."""
    from flask_security.utils import generate_bound_token

    app = make_app({"SECURITY_OTHER_SALT": "invite-salt"})
    with app.app_context():
        user = invite_user("fay@example.com")
        other = generate_bound_token("other", user, user.password)
    r = app.test_client().post(f"/invite/{other}", json=NEW)
    assert r.status_code == 400 and "token" in r.get_json()["response"]["errors"]
    assert _stored(app, "fay@example.com") == (None, True)


def test_deactivated_invitee_cannot_use_the_link(app, outbox, link_in):
    with app.app_context():
        user = invite_user("gus@example.com")
        current_datastore.deactivate_user(user)
        current_datastore.put(user)
        current_datastore.commit()
    r = app.test_client().post(link_in(outbox[0]), json=NEW)
    assert r.status_code == 400
    assert _stored(app, "gus@example.com") == (None, False)


def test_nobody_can_sign_in_as_an_invitee_before_the_link_is_used(app, outbox):
    with app.app_context():
        invite_user("hal@example.com")
    for guess in ("password", "None", "chosen-secret-1"):
        r = login(app.test_client(), "hal@example.com", guess)
        assert r.status_code == 400


def test_signed_in_user_following_a_link_is_not_switched(app, outbox, link_in):
    with app.app_context():
        invite_user("ivy@example.com")
    client = app.test_client()
    login(client, "joe@example.com")
    r = client.post(link_in(outbox[0]), data=NEW)
    assert r.status_code == 302
    assert client.get("/").get_data(as_text=True) == "Hello joe@example.com"
    assert _stored(app, "ivy@example.com") == (None, True)


def test_bad_within_setting_stops_start_up(make_app):
    with pytest.raises(RuntimeError, match="fsec-invite: SECURITY_INVITE_WITHIN"):
        make_app({"SECURITY_INVITE_WITHIN": "soon"})
