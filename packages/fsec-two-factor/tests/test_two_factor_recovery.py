"""Recovery codes: shown once, stored hashed, each usable once, regenerate replaces."""

from __future__ import annotations

JSON = {"Accept": "application/json"}


def _signed_in_with_tf(app, tf):
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    assert client.post("/tf-validate", json={"code": tf.code_at(otp, 1)}).status_code == 200
    return client, otp


def test_codes_are_shown_once_and_stored_hashed(app, tf):
    client, _otp = _signed_in_with_tf(app, tf)
    r = client.post("/mf-recovery-codes", json={})
    assert r.status_code == 200
    codes = r.get_json()["response"]["recovery_codes"]
    assert len(codes) == 5 and len(set(codes)) == 5
    stored = tf.stored_user(app).mf_recovery_codes
    assert len(stored) == 5
    assert not any(code in str(stored) or code.replace("-", "") in str(stored) for code in codes)
    r = client.get("/mf-recovery-codes", headers=JSON)
    assert "recovery_codes" not in r.get_json()["response"]


def test_recovery_code_logs_in_once(app, tf):
    client, _otp = _signed_in_with_tf(app, tf)
    codes = client.post("/mf-recovery-codes", json={}).get_json()["response"]["recovery_codes"]
    first = app.test_client()
    tf.login(first)
    r = first.post("/mf-recovery", json={"code": codes[0].upper().replace("-", " ")})
    assert r.status_code == 200 and r.get_json()["response"]["user"]
    assert first.get("/", headers=JSON).status_code == 200
    assert len(tf.stored_user(app).mf_recovery_codes) == 4
    second = app.test_client()
    tf.login(second)
    r = second.post("/mf-recovery", json={"code": codes[0]})
    assert r.status_code == 400
    assert r.get_json()["response"]["errors"]["code"] == ["Invalid recovery code."]
    assert second.post("/mf-recovery", json={"code": codes[1]}).status_code == 200


def test_regenerate_replaces_the_old_codes(app, tf):
    client, _otp = _signed_in_with_tf(app, tf)
    old = client.post("/mf-recovery-codes", json={}).get_json()["response"]["recovery_codes"]
    new = client.post("/mf-recovery-codes", json={}).get_json()["response"]["recovery_codes"]
    assert not set(old) & set(new)
    other = app.test_client()
    tf.login(other)
    assert other.post("/mf-recovery", json={"code": old[0]}).status_code == 400
    assert other.post("/mf-recovery", json={"code": new[0]}).status_code == 200


def test_codes_need_two_factor_and_a_signed_in_user(app, tf):
    assert app.test_client().post("/mf-recovery-codes", json={}).status_code == 401
    client = app.test_client()
    tf.login(client, "bob@example.com")
    r = client.post("/mf-recovery-codes", json={})
    assert r.status_code == 400
    assert (
        app.test_client().post("/mf-recovery", json={"code": "abcd-efgh-ijkm"}).status_code == 400
    )


def test_html_pages(app, tf):
    client, _otp = _signed_in_with_tf(app, tf)
    page = client.get("/mf-recovery-codes").get_data(as_text=True)
    assert "You have no recovery codes yet." in page
    r = client.post("/mf-recovery-codes", data={})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and page.count("<li><code>") == 5
    other = app.test_client()
    other.post("/login", data={"email": "alice@example.com", "password": "password"})
    r = other.post("/tf-rescue", data={"help_setup": "recovery_code"})
    assert r.status_code == 302 and r.headers["Location"] == "/mf-recovery"
    assert 'name="code"' in other.get("/mf-recovery").get_data(as_text=True)
