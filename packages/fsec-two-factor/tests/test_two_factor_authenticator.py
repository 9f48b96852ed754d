"""Authenticator setup and two-factor login, driven by codes pyotp computes from the
secret the setup step returns (JSON and HTML)."""

from __future__ import annotations

import base64
import re

import pyotp
from flask_login import user_logged_in
from flask_security import hookimpl
from flask_security.login_steps import PENDING_SESSION_KEY

JSON = {"Accept": "application/json"}


def _session(client):
    with client.session_transaction() as sess:
        return dict(sess)


def test_setup_returns_secret_uri_and_stores_it_encrypted(app, tf):
    client = app.test_client()
    assert tf.login(client).status_code == 200
    r = client.get("/tf-setup", headers=JSON)
    body = r.get_json()["response"]
    assert body["tf_required"] is False and body["tf_primary_method"] is None
    assert body["tf_available_methods"] == ["authenticator", "email", "disable"]
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["tf_state"] == "validating_profile"
    assert body["tf_method"] == body["tf_primary_method"] == "authenticator"
    assert body["tf_authr_issuer"] == "fsec tests"
    assert body["tf_authr_username"] == "alice@example.com"
    uri = body["tf_authr_uri"]
    assert uri.startswith("otpauth://totp/") and f"secret={body['tf_authr_b32key']}" in uri
    assert pyotp.parse_uri(uri).secret == body["tf_authr_b32key"]
    # Nothing stored before the code is confirmed.
    assert tf.stored_user(app).tf_primary_method is None
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": "000000"})
    assert r.status_code == 400
    assert r.get_json()["response"]["errors"]["code"] == ["Invalid code."]
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200
    assert r.get_json()["response"]["tf_method"] == "authenticator"
    user = tf.stored_user(app)
    assert user.tf_primary_method == "authenticator"
    # Encrypted at rest: the base-32 secret is not in the stored value.
    assert body["tf_authr_b32key"] not in user.tf_totp_secret
    assert '"enckey"' in user.tf_totp_secret


def test_login_needs_the_code_and_only_then_logs_in(app, tf):
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    logins = []
    user_logged_in.connect(lambda sender, user: logins.append(user.email), app, weak=False)
    r = tf.login(client)
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["tf_required"] is True
    assert body["tf_state"] == "ready"
    assert body["tf_primary_method"] == body["tf_method"] == "authenticator"
    assert "user" not in body
    assert "_user_id" not in _session(client)
    assert client.get("/", headers=JSON).status_code == 401
    assert client.get("/tf-setup", headers=JSON).status_code == 400  # not signed in
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "x-pass-22",
            "new_password_confirm": "x-pass-22",
        },
    )
    assert r.status_code == 401
    assert logins == []
    r = client.post("/tf-validate", json={"code": "123"})
    assert r.status_code == 400
    # The setup used this step's code: the login takes the next step's (drift window).
    r = client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert r.status_code == 200, r.get_json()
    token = r.get_json()["response"]["user"]["authentication_token"]
    assert logins == ["alice@example.com"]
    assert client.get("/", headers=JSON).status_code == 200
    assert PENDING_SESSION_KEY not in _session(client)
    assert (
        app.test_client().get("/token", headers={"Authentication-Token": token}).status_code == 200
    )


def test_code_cannot_be_replayed_within_its_window(app, tf):
    otp = tf.setup_authenticator(app.test_client())
    first = app.test_client()
    tf.login(first)
    code = tf.code_at(otp, 1)  # the next step's code: not used by the setup
    assert first.post("/tf-validate", json={"code": code}).status_code == 200
    second = app.test_client()
    tf.login(second)
    r = second.post("/tf-validate", json={"code": code})
    assert r.status_code == 400
    # the app still shows that code: the answer says to wait for the next one
    assert r.get_json()["response"]["errors"]["code"] == [
        "This code was already used. Wait for the next code in your app."
    ]
    # An older code of the window is refused too (steps only move forward).
    assert second.post("/tf-validate", json={"code": otp.now()}).status_code == 400
    # a wrong code is just invalid
    wrong = "000000" if otp.now() != "000000" else "111111"
    r = second.post("/tf-validate", json={"code": wrong})
    assert r.get_json()["response"]["errors"]["code"] == ["Invalid code."]


def test_setup_code_cannot_log_in(app, tf):
    client = app.test_client()
    tf.login(client)
    body = client.post("/tf-setup", json={"setup": "authenticator"}).get_json()["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    code = otp.now()
    assert (
        client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": code}).status_code == 200
    )
    client.post("/logout", json={})
    tf.login(client)
    r = client.post("/tf-validate", json={"code": code})
    assert r.status_code == 400
    assert "already used" in r.get_json()["response"]["errors"]["code"][0]


def test_drift_window_is_one_step(app, tf, monkeypatch):
    import time

    from fsec_two_factor import totp

    otp = tf.setup_authenticator(app.test_client())  # used this step's code
    later = time.time() + 5 * 30
    monkeypatch.setattr(totp, "_now", lambda: later)
    for offset, ok in ((-3, False), (3, False), (2, False), (-1, True)):
        client = app.test_client()
        tf.login(client)
        code = otp.at(later + offset * 30)
        status = client.post("/tf-validate", json={"code": code}).status_code
        assert (status == 200) is ok, offset


def test_wrong_codes_are_limited_then_the_login_starts_over(app, tf):
    app.config["SECURITY_PENDING_LOGIN_MAX_ATTEMPTS"] = 3
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    answers = [client.post("/tf-validate", json={"code": "111111"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert "expired" in answers[-1].get_json()["response"]["errors"]["code"][0]
    r = client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert r.status_code == 400
    assert client.get("/", headers=JSON).status_code == 401


def test_html_flow_with_qr_code_page(app, tf):
    client = app.test_client()
    r = client.post("/login", data={"email": "alice@example.com", "password": "password"})
    assert r.status_code == 302
    page = client.get("/tf-setup").get_data(as_text=True)
    assert 'name="setup"' in page and 'value="authenticator"' in page
    r = client.post("/tf-setup", data={"setup": "authenticator"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "<svg" in page and "<path" in page  # the QR code, inline SVG
    key = re.search(r'<code class="fsec-authr-key">([A-Z2-7 -]+)</code>', page).group(1)
    otp = pyotp.TOTP(key.replace(" ", "").replace("-", ""))
    action = re.search(r'action="(/tf-setup/[^"]+)"', page).group(1)
    r = client.post(action, data={"code": "000000"})
    assert r.status_code == 200 and "Invalid code." in r.get_data(as_text=True)
    r = client.post(action, data={"code": otp.now()})
    assert r.status_code == 302 and r.headers["Location"] == "/tf-setup"
    client.post("/logout", data={})
    r = client.post(
        "/login", data={"email": "alice@example.com", "password": "password", "next": "/admin"}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/tf-validate"
    page = client.get("/tf-validate").get_data(as_text=True)
    assert 'name="code"' in page and 'name="help_setup"' in page
    r = client.post("/tf-validate", data={"code": tf.code_at(otp, 1)})
    assert r.status_code == 302 and r.headers["Location"] == "/admin"


def test_disable_removes_the_second_factor(app, tf):
    from fsec_two_factor.signals import tf_disabled

    disabled = []
    tf_disabled.connect(lambda sender, user: disabled.append(user.email), app, weak=False)
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    r = client.post("/tf-setup", json={"setup": "disable"})
    assert r.status_code == 200
    assert disabled == ["alice@example.com"]
    user = tf.stored_user(app)
    assert user.tf_primary_method is None and user.tf_totp_secret is None
    r = tf.login(app.test_client())
    assert r.get_json()["response"]["user"]["authentication_token"]


def test_two_factor_required_forces_setup_at_first_login(make_app, tf):
    app = make_app({"SECURITY_TWO_FACTOR_REQUIRED": True})
    tf.add_user(app, "carol@example.com")
    client = app.test_client()
    r = tf.login(client, "carol@example.com")
    body = r.get_json()["response"]
    assert body["tf_required"] is True and body["tf_state"] == "setup_from_login"
    assert client.get("/", headers=JSON).status_code == 401
    r = client.get("/tf-setup", headers=JSON)
    assert "disable" not in r.get_json()["response"]["tf_available_methods"]
    assert client.post("/tf-setup", json={"setup": "disable"}).status_code == 400
    body = client.post("/tf-setup", json={"setup": "authenticator"}).get_json()["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200
    assert r.get_json()["response"]["user"]["authentication_token"]
    assert client.get("/", headers=JSON).status_code == 200


def test_http_basic_is_refused_for_a_two_factor_user(app, tf):
    tf.setup_authenticator(app.test_client())

    def basic(email):
        value = base64.b64encode(f"{email}:password".encode()).decode()
        return app.test_client().get("/basic", headers={"Authorization": "Basic " + value})

    assert basic("alice@example.com").status_code == 401
    assert basic("bob@example.com").status_code == 200


def test_signals_code_confirmed_and_profile_changed(app, tf):
    from fsec_two_factor.signals import tf_code_confirmed, tf_profile_changed

    seen = []
    tf_profile_changed.connect(
        lambda sender, user, method: seen.append(("profile", user.email, method)), app, weak=False
    )
    tf_code_confirmed.connect(
        lambda sender, user, method: seen.append(("confirmed", user.email, method)), app, weak=False
    )
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert seen == [
        ("profile", "alice@example.com", "authenticator"),
        ("confirmed", "alice@example.com", "authenticator"),
    ]


def test_password_change_cancels_a_pending_two_factor_login(app, tf):
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    with app.app_context():
        from flask_security.utils import hash_password

        ds = app.extensions["security"].datastore
        user = ds.find_user(email="alice@example.com")
        user.password = hash_password("another-one")
        ds.put(user)
        ds.commit()
    assert client.post("/tf-validate", json={"code": tf.code_at(otp, 1)}).status_code == 400


def test_reset_access_removes_the_second_factor(app, tf):
    tf.setup_authenticator(app.test_client())
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.reset_user_access(ds.find_user(email="alice@example.com"))
        ds.commit()
    assert tf.stored_user(app).tf_totp_secret is None


def test_secrets_key_rotation(app, tf, monkeypatch):
    otp = tf.setup_authenticator(app.test_client())
    before = tf.stored_user(app).tf_totp_secret
    assert '"t":"1"' in before.replace(" ", "")
    app.config["SECURITY_TOTP_SECRETS"] = {
        "1": app.config["SECURITY_TOTP_SECRETS"]["1"],
        "2": "a-second-totp-secret-for-rotation-0123456789",
    }
    client = app.test_client()
    tf.login(client)
    assert client.post("/tf-validate", json={"code": tf.code_at(otp, 1)}).status_code == 200
    after = tf.stored_user(app).tf_totp_secret
    assert '"t":"2"' in after.replace(" ", "")  # re-encrypted under the newest key
    # Only the new key now: still readable (a minute later, for a fresh code).
    import time

    from fsec_two_factor import totp

    later = time.time() + 60
    monkeypatch.setattr(totp, "_now", lambda: later)
    app.config["SECURITY_TOTP_SECRETS"] = {"2": "a-second-totp-secret-for-rotation-0123456789"}
    client = app.test_client()
    tf.login(client)
    assert client.post("/tf-validate", json={"code": otp.at(later)}).status_code == 200


def test_bad_input_is_400_not_500(app, tf):
    tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    for body in ({"code": 123456}, {"code": "\x00"}, {"code": "1" * 5000}, [1, 2]):
        assert client.post("/tf-validate", json=body).status_code == 400
    client = app.test_client()
    tf.login(client, "bob@example.com")
    for body in ({"setup": "nosuch"}, {"setup": ""}, {"setup": "sms"}, {"setup": ["x"]}):
        assert client.post("/tf-setup", json=body).status_code == 400
    assert client.post("/tf-setup/garbage", json={"code": "123456"}).status_code == 400


def test_password_reset_of_a_two_factor_user_asks_for_the_code(make_app, tf):
    """A reset link is a first factor too: it goes through the login seam, so the
    user still needs the code (flask_security.login_steps)."""
    from flask_security.utils import capture_reset_password_requests

    app = make_app({"SECURITY_RECOVERABLE": True})
    tf.add_user(app, "alice@example.com")
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    with capture_reset_password_requests() as requests:
        client.post("/reset", json={"email": "alice@example.com"})
    token = requests[0]["token"]
    r = client.post(
        f"/reset/{token}", json={"password": "brand-new-pw-1", "password_confirm": "brand-new-pw-1"}
    )
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["tf_required"] is True and "user" not in body
    assert client.get("/", headers=JSON).status_code == 401
    r = client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert r.status_code == 200 and r.get_json()["response"]["user"]


class _RefusalCounter:
    """A plugin counting ``fsec_login_refusal`` calls (it allows every login)."""

    def __init__(self) -> None:
        self.asked = 0

    @hookimpl
    def fsec_login_refusal(self, user, method):
        self.asked += 1
        return None


def test_a_two_factor_login_asks_the_refusal_once_per_request(app, tf):
    """The password step of a two-factor login (the form and JSON login, then
    ``begin_login`` holding the login pending) asks ``fsec_login_refusal`` once, and
    so does the request completing it with the code (loading the pending login asks;
    the sign-in after the code does not ask again)."""
    client = app.test_client()
    otp = tf.setup_authenticator(client)
    counter = _RefusalCounter()
    app.extensions["security"].plugins.pm.register(counter, name="refusal-counter")
    r = tf.login(client)
    assert r.status_code == 200 and r.get_json()["response"]["tf_required"] is True
    assert counter.asked == 1
    r = client.post("/login", data={"email": "alice@example.com", "password": "password"})
    assert r.status_code == 302 and "/tf-validate" in r.headers["Location"]
    assert counter.asked == 2
    r = client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert r.status_code == 200 and r.get_json()["response"]["user"]
    assert counter.asked == 3
    assert client.get("/tf-setup", headers=JSON).status_code == 200  # signed in


def test_an_account_deactivated_while_its_login_is_pending_is_not_signed_in(app, tf):
    """Deactivated between the password and the code: the code signs nobody in."""
    client = app.test_client()
    otp = tf.setup_authenticator(client)
    assert tf.login(client).get_json()["response"]["tf_required"] is True
    with app.app_context():
        datastore = app.extensions["security"].datastore
        user = datastore.find_user(email="alice@example.com")
        datastore.deactivate_user(user)
        datastore.put(user)
        datastore.commit()
    r = client.post("/tf-validate", json={"code": tf.code_at(otp, 1)})
    assert r.status_code == 400
    assert "authentication_token" not in r.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess and PENDING_SESSION_KEY not in sess
