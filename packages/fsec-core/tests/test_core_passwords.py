"""Password hashing: options, schemes, single hash, bcrypt's 72 bytes, 3.0 hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import warnings

import bcrypt
import pytest
from flask_security.passwords import PasswordConfigError, PasswordHasher
from flask_security.testing.app import login
from flask_security.utils import (
    encrypt_password,
    get_hmac,
    hash_password,
    verify_and_update_password,
    verify_password,
)


def _hasher(**kw):
    base = dict(
        scheme="bcrypt",
        schemes=["bcrypt", "sha256_crypt", "pbkdf2_sha512", "plaintext"],
        deprecated=["auto"],
        options={"bcrypt": {"rounds": 4}},
        salt="salt",
        single_hash=False,
    )
    base.update(kw)
    return PasswordHasher(**base)


def test_get_hmac_is_base64_hmac_sha512(app):
    with app.app_context():
        expected = base64.b64encode(hmac.new(b"fsec-test-salt", b"secret", hashlib.sha512).digest())
        assert get_hmac("secret") == expected
        assert len(expected) == 88


def test_hash_and_verify_roundtrip(app):
    with app.app_context():
        h = hash_password("correct horse")
        assert h.startswith("$2b$04$")
        assert verify_password("correct horse", h)
        assert not verify_password("wrong horse", h)


@pytest.mark.parametrize(
    "password",
    ["x" * 73, "x" * 500, "é" * 100, "密码" * 50, "😀" * 40, "tab\tand space "],
)
def test_any_length_and_unicode_work_with_bcrypt5(password):
    for single in (False, True):
        hasher = _hasher(single_hash=single, salt=None if single else "salt")
        h = hasher.hash(password)
        assert hasher.verify(password, h)
        assert not hasher.verify(password + "!", h) or len(password.encode()) >= 72


def test_flask_security_3_hashes_still_verify():
    """3.0 hashed bcrypt(first 72 bytes of base64(HMAC-SHA512(salt, password)))."""
    password = "legacy password"
    digest = base64.b64encode(hmac.new(b"salt", password.encode(), hashlib.sha512).digest())
    legacy = bcrypt.hashpw(digest[:72], bcrypt.gensalt(4)).decode()
    hasher = _hasher()
    assert hasher.verify(password, legacy)
    assert not hasher.verify("other", legacy)


def test_single_hash_skips_hmac():
    hasher = _hasher(single_hash=True, salt=None)
    h = hasher.hash("pw")
    assert bcrypt.checkpw(b"pw", h.encode())


def test_single_hash_list_of_schemes():
    hasher = _hasher(single_hash=["plaintext"], scheme="plaintext")
    assert hasher.hash("pw") == "pw"
    assert hasher.verify("pw", "pw")


def test_plaintext_is_never_hmaced_as_in_3_0_and_old_fsec_values_verify():
    hasher = _hasher(scheme="plaintext")
    assert hasher.hash("pw") == "pw"
    assert hasher.verify("pw", "pw")
    # fsec before this rule stored base64(HMAC(salt, pw)) for plaintext: still verifies,
    # and is replaced at that login.
    assert hasher.check("pw", hasher.get_hmac("pw").decode()) == (True, True)
    assert hasher.check("pw", "pw") == (True, False)
    assert not hasher.verify("px", "pw")


def test_missing_salt_is_a_startup_error(make_app):
    with pytest.raises(PasswordConfigError, match="SECURITY_PASSWORD_SALT"):
        make_app({"SECURITY_PASSWORD_SALT": None})


def test_scheme_must_be_listed():
    with pytest.raises(PasswordConfigError):
        _hasher(scheme="argon2")


def test_other_schemes_and_options(make_app):
    app = make_app(
        {
            "SECURITY_PASSWORD_HASH": "pbkdf2_sha512",
            "SECURITY_PASSWORD_HASH_OPTIONS": {"pbkdf2_sha512": {"rounds": 1000}},
        }
    )
    with app.app_context():
        h = hash_password("pw")
        assert h.startswith("$pbkdf2-sha512$1000$")
        assert verify_password("pw", h)


def test_bad_hash_values_never_raise():
    hasher = _hasher()
    for bad in (None, "", "not-a-hash", "$2b$04$short"):
        assert hasher.verify("pw", bad) is False


def test_verify_and_update_rehashes_deprecated_scheme(app):
    from passlib.hash import sha256_crypt

    with app.app_context():
        ds = app.extensions["security"].datastore
        user = ds.find_user(email="matt@example.com")
        user.password = sha256_crypt.hash(get_hmac("pw2"))
        assert verify_and_update_password("pw2", user)
        assert user.password.startswith("$2b$")
        assert verify_password("pw2", user.password)


def test_encrypt_password_is_deprecated_alias(app):
    with app.app_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = encrypt_password("pw")
        assert verify_password("pw", h)
        assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_long_password_login_end_to_end(make_app):
    from flask_security.testing.app import add_user

    app = make_app({"SECURITY_PASSWORD_MAX_LENGTH": 1000})
    pw = "é" * 120
    add_user(app, "long@example.com", pw)
    assert login(app.test_client(), "long@example.com", pw).status_code == 200
    assert login(app.test_client(), "long@example.com", pw[:-1]).status_code == 400


def test_nul_in_password_hashes_when_hmac_first_and_is_refused_by_forms(app):
    hasher = _hasher()
    assert hasher.verify("a\x00b", hasher.hash("a\x00b"))
    single = _hasher(single_hash=True, salt=None)
    assert single.verify("a\x00b", single.hash("ab")) is False
    client = app.test_client()
    login(client, "matt@example.com")
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "bad\x00pass",
            "new_password_confirm": "bad\x00pass",
        },
    )
    assert r.status_code == 400
    assert "new_password" in r.json["response"]["errors"]
