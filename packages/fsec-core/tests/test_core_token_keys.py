"""Token purposes and secret-key rotation (issue 15 items 6 and 7).

* Every signed payload names its purpose, so a token of one kind never passes as
  another even when an application gives two kinds the same salt; payloads issued
  before purposes (bare lists) keep working only while their salt is unique.
* ``SECRET_KEY_FALLBACKS`` (Flask 3.1): tokens, bound links, sessions and remember
  cookies made with an old key verify, the current key signs, and a key changed in
  ``app.config`` is used without a restart.
"""

from __future__ import annotations

from flask_security.testing.app import add_user, login
from flask_security.utils import check_bound_token, generate_bound_token

HEADER = "Authentication-Token"


def _user(app, email="matt@example.com"):
    return app.extensions["security"].datastore.find_user(email=email)


def _token_status(app, token):
    return app.test_client().get("/token", headers={HEADER: token}).status_code


def _auth_token(app, email="matt@example.com"):
    with app.app_context():
        return _user(app, email).get_auth_token()


# -- item 6: purposes --------------------------------------------------------------------


def test_reset_token_is_not_an_auth_token_when_salts_are_equal(make_app):
    app = make_app({"SECURITY_RESET_SALT": "remember-salt"})  # = SECURITY_REMEMBER_SALT
    add_user(app, "matt@example.com")
    with app.test_request_context():
        user = _user(app)
        reset = generate_bound_token("reset", user, user.password)
        auth = user.get_auth_token()
        assert check_bound_token(reset, "reset", None, lambda u: u.password)[1] is False
        # An auth token presented as a reset link is invalid.
        assert check_bound_token(auth, "reset", None, lambda u: u.password)[1] is True
    assert _token_status(app, auth) == 200
    assert _token_status(app, reset) == 401


def test_token_of_another_kind_with_same_shape_is_refused(make_app):
    app = make_app({"SECURITY_CONFIRM_SALT": "shared", "SECURITY_RESET_SALT": "shared"})
    add_user(app, "matt@example.com")
    with app.test_request_context():
        user = _user(app)
        confirm = generate_bound_token("confirm", user, user.password)
        assert check_bound_token(confirm, "reset", None, lambda u: u.password)[1] is True
        assert check_bound_token(confirm, "confirm", None, lambda u: u.password)[1] is False


def test_tokens_issued_before_purposes_keep_working_while_their_salt_is_unique(make_app):
    app = make_app()
    add_user(app, "matt@example.com")
    with app.app_context():
        state = app.extensions["security"]
        user = _user(app)
        legacy_auth = state.serializer("remember").dumps(
            [str(user.id), state.password_fingerprint(user)]
        )
        legacy_reset = state.serializer("change").dumps(
            [str(user.id), state.fingerprint(user.password)]
        )
    assert _token_status(app, legacy_auth) == 200
    with app.test_request_context():
        assert check_bound_token(legacy_reset, "change", None, lambda u: u.password)[1] is False
    # The same bare payloads are refused once the salt is shared with another kind.
    app.config["SECURITY_CHANGE_SALT"] = app.config["SECURITY_REMEMBER_SALT"]
    assert _token_status(app, legacy_auth) == 401
    with app.test_request_context():
        assert check_bound_token(legacy_reset, "change", None, lambda u: u.password)[1] is True


# -- item 7: SECRET_KEY_FALLBACKS and keys changed at run time ------------------------


def _rotate(app, new="fsec-rotated-secret-key"):
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = new
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    return old


def test_auth_token_survives_rotation_and_new_tokens_use_the_new_key(app):
    old_token = _auth_token(app)
    old = _rotate(app)
    assert _token_status(app, old_token) == 200
    new_token = _auth_token(app)
    assert new_token != old_token
    assert _token_status(app, new_token) == 200
    # Once the old key is dropped, only the new token works: the new key signs.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _token_status(app, old_token) == 401
    assert _token_status(app, new_token) == 200
    # And a token of the new key does not verify under the old key alone.
    app.config["SECRET_KEY"] = old
    assert _token_status(app, new_token) == 401


def test_key_change_without_fallback_ends_tokens_at_once(app):
    token = _auth_token(app)
    app.config["SECRET_KEY"] = "a-completely-new-secret-key"
    assert _token_status(app, token) == 401


def test_mailed_links_survive_rotation(app):
    with app.test_request_context():
        user = _user(app)
        link = generate_bound_token("change", user, user.password)
    _rotate(app)
    with app.test_request_context():
        expired, invalid, found = check_bound_token(link, "change", None, lambda u: u.password)
        assert (expired, invalid, found.email) == (False, False, "matt@example.com")
    app.config["SECRET_KEY_FALLBACKS"] = []
    with app.test_request_context():
        assert check_bound_token(link, "change", None, lambda u: u.password)[1] is True


def test_session_survives_rotation_and_moves_to_the_new_key(app):
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    assert client.get("/").status_code == 200
    _rotate(app)
    assert client.get("/").status_code == 200  # session signed and bound with the old key
    app.config["SECRET_KEY_FALLBACKS"] = []
    # The request above re-issued the session under the new key.
    assert client.get("/").status_code == 200


def test_session_dies_when_the_old_key_is_dropped_unvisited(app):
    client = app.test_client()
    login(client, "matt@example.com")
    app.config["SECRET_KEY"] = "fsec-rotated-secret-key"
    assert client.get("/").status_code == 302


def test_remember_cookie_survives_rotation_and_is_reissued_under_the_new_key(app):
    client = app.test_client()
    assert login(client, "matt@example.com", remember=True).status_code == 200
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    _rotate(app)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value, domain=cookie.domain)
    response = fresh.get("/")
    assert response.status_code == 200
    reissued = fresh.get_cookie("remember_token")
    assert reissued is not None and reissued.value != cookie.value
    app.config["SECRET_KEY_FALLBACKS"] = []
    later = app.test_client()
    later.set_cookie("remember_token", reissued.value, domain=reissued.domain)
    assert later.get("/").status_code == 200
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie.value, domain=cookie.domain)
    assert stale.get("/").status_code == 302
