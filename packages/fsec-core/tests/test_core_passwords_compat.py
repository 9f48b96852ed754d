"""Password rules shared with Flask-Security 3.0 (issue 9 items 2, 4, 8) and the
hardening of issue 15 items 8 (single-hashed bcrypt reads every byte) and 9 (Unicode
normalisation), each with the legacy hashes that must keep verifying."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import unicodedata

import bcrypt
import pytest
from flask_security.passwords import PasswordConfigError, PasswordHasher
from flask_security.testing.app import db, login
from flask_security.utils import hash_data, hash_password, verify_hash, verify_password


def _hasher(**kw):
    base = dict(
        scheme="bcrypt",
        schemes=["bcrypt", "plaintext"],
        deprecated=["auto"],
        options={"bcrypt": {"rounds": 4}},
        salt="salt",
        single_hash=False,
    )
    base.update(kw)
    return PasswordHasher(**base)


def _stored_password(app, email):
    with app.app_context():
        return db.session.execute(
            db.text("SELECT password FROM user WHERE email = :e"), {"e": email}
        ).scalar_one()


# -- issue 9 item 2: 3.0's plaintext passwords ---------------------------------------


def test_unhashed_password_from_create_user_logs_verifies_and_is_rehashed(make_app, caplog):
    app = make_app()
    ds = app.extensions["security"].datastore
    with app.app_context(), caplog.at_level(logging.WARNING):
        ds.create_user(email="plain@example.com", password="password")
        ds.commit()
    assert any("not hashed" in r.getMessage() for r in caplog.records)
    assert _stored_password(app, "plain@example.com") == "password"
    assert login(app.test_client(), "plain@example.com", "wrong").status_code == 400
    assert _stored_password(app, "plain@example.com") == "password"
    assert login(app.test_client(), "plain@example.com", "password").status_code == 200
    stored = _stored_password(app, "plain@example.com")
    assert stored.startswith("$2b$04$")
    with app.app_context():
        assert verify_password("password", stored)
    assert login(app.test_client(), "plain@example.com", "password").status_code == 200


def test_hashed_password_from_create_user_logs_nothing(make_app, caplog):
    app = make_app()
    ds = app.extensions["security"].datastore
    with app.app_context(), caplog.at_level(logging.WARNING):
        ds.create_user(email="h@example.com", password=hash_password("password"))
        ds.commit()
    assert not any("not hashed" in r.getMessage() for r in caplog.records)


def test_plaintext_scheme_without_salt_works_as_3_0(make_app):
    app = make_app({"SECURITY_PASSWORD_HASH": "plaintext", "SECURITY_PASSWORD_SALT": None})
    with app.app_context():
        assert hash_password("password") == "password"
        ds = app.extensions["security"].datastore
        ds.create_user(email="p@example.com", password=hash_password("password"))
        ds.commit()
    assert login(app.test_client(), "p@example.com", "password").status_code == 200
    assert _stored_password(app, "p@example.com") == "password"


# -- issue 9 item 4: hash_data / verify_hash under the default config ---------------------


def test_hash_data_and_verify_hash_work_under_default_config(app):
    with app.app_context():
        for data in ("hellö", b"hello"):
            hashed = hash_data(data)
            assert isinstance(hashed, str) and hashed.startswith("$5$")
            assert verify_hash(hashed, data) is True
            assert verify_hash(hashed, "other") is False
        # 3.0's legacy values (plain MD5 hex, a deprecated hashing scheme) verify.
        legacy = hashlib.md5("hellö".encode()).hexdigest()
        assert verify_hash(legacy, "hellö") is True
        assert verify_hash(legacy, "hello") is False
        assert verify_hash("garbage", "hello") is False


# -- issue 9 item 8: configuration errors as 3.0 ----------------------------------------


def test_missing_salt_raises_runtime_and_value_error(make_app):
    for exc in (RuntimeError, ValueError):
        with pytest.raises(exc, match="SECURITY_PASSWORD_SALT"):
            make_app({"SECURITY_PASSWORD_SALT": None})


def test_bcrypt_rounds_below_minimum_is_a_value_error(make_app):
    with pytest.raises(ValueError, match="rounds too low"):
        make_app({"SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 3}}})
    with pytest.raises(ValueError, match="rounds too high"):
        make_app({"SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 32}}})


def test_single_hash_with_a_salt_is_a_runtime_error(make_app):
    with pytest.raises(RuntimeError, match="SINGLE_HASH"):
        make_app({"SECURITY_PASSWORD_SINGLE_HASH": True})
    app = make_app({"SECURITY_PASSWORD_SINGLE_HASH": True, "SECURITY_PASSWORD_SALT": None})
    with app.app_context():
        assert bcrypt.checkpw(b"pw", hash_password("pw").encode())
    # A list of single-hashed schemes still needs the salt for the others.
    make_app({"SECURITY_PASSWORD_SINGLE_HASH": ["plaintext"]})


def test_password_config_error_is_both_kinds():
    assert issubclass(PasswordConfigError, RuntimeError)
    assert issubclass(PasswordConfigError, ValueError)


# -- issue 15 item 8: single-hashed bcrypt and the 72-byte limit ---------------------------


def test_single_hash_bcrypt_counts_every_byte_of_a_long_password():
    hasher = _hasher(single_hash=True, salt=None)
    password = "a" * 72 + "secret-tail"
    same_prefix = "a" * 72 + "guessed"
    stored = hasher.hash(password)
    assert hasher.verify(password, stored)
    assert not hasher.verify(same_prefix, stored)
    assert not hasher.verify("a" * 72, stored)


def test_single_hash_bcrypt_3_0_truncated_hash_verifies_and_is_replaced():
    hasher = _hasher(single_hash=True, salt=None)
    password = "b" * 72 + "tail"
    legacy = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode()
    assert hasher.check(password, legacy) == (True, True)
    fresh = hasher.hash(password)
    assert hasher.check(password, fresh) == (True, False)
    assert not hasher.verify("b" * 72 + "other", fresh)


def test_single_hash_long_password_login_rehashes_and_then_counts_every_byte(make_app):
    app = make_app(
        {
            "SECURITY_PASSWORD_SINGLE_HASH": True,
            "SECURITY_PASSWORD_SALT": None,
            "SECURITY_PASSWORD_MAX_LENGTH": 200,
        }
    )
    password = "c" * 72 + "-the-rest"
    legacy = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode()
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.create_user(email="long@example.com", password=legacy)
        ds.commit()
    assert login(app.test_client(), "long@example.com", password).status_code == 200
    assert _stored_password(app, "long@example.com") != legacy
    assert login(app.test_client(), "long@example.com", "c" * 72 + "-other").status_code == 400


# -- issue 15 item 9: Unicode normalisation ---------------------------------------------


NFC = unicodedata.normalize("NFC", "Café naïve Ångström")
NFD = unicodedata.normalize("NFD", NFC)


def test_nfc_and_nfd_spellings_of_a_password_match():
    assert NFC != NFD
    for single in (False, True):
        hasher = _hasher(single_hash=single, salt=None if single else "salt")
        assert hasher.verify(NFD, hasher.hash(NFC))
        assert hasher.verify(NFC, hasher.hash(NFD))
        assert not hasher.verify(NFC + "x", hasher.hash(NFC))


def test_compatibility_forms_are_folded_with_nfkd():
    hasher = _hasher()
    assert hasher.verify("\ufb01le\uff11", hasher.hash("file1"))  # ligature, fullwidth 1


def test_hash_made_without_normalisation_verifies_and_is_replaced():
    hasher = _hasher()
    digest = base64.b64encode(hmac.new(b"salt", NFC.encode(), hashlib.sha512).digest())
    legacy = bcrypt.hashpw(digest[:72], bcrypt.gensalt(4)).decode()  # 3.0 / old fsec
    assert hasher.check(NFC, legacy) == (True, True)
    assert hasher.check(NFD, legacy) == (False, False)
    assert hasher.check(NFD, hasher.hash(NFC)) == (True, False)


def test_normalisation_can_be_switched_off(make_app):
    app = make_app({"SECURITY_PASSWORD_NORMALIZE_FORM": None})
    with app.app_context():
        assert not verify_password(NFD, hash_password(NFC))
    with pytest.raises(ValueError, match="NORMALIZE_FORM"):
        make_app({"SECURITY_PASSWORD_NORMALIZE_FORM": "NFX"})


def test_login_with_the_other_normal_form_end_to_end(make_app):
    app = make_app()
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.create_user(email="u@example.com", password=hash_password(NFC))
        ds.commit()
    assert login(app.test_client(), "u@example.com", NFD).status_code == 200


def test_unknown_account_costs_as_many_verifications_as_a_wrong_password(app, monkeypatch):
    """A password NFKD changes is tried twice against a known account's hash (current
    rule, then the legacy one); an unknown account must cost the same."""
    hasher = app.extensions["security"].password_hasher
    calls = []
    original = hasher.context.verify

    def counting(secret, hashed, **kw):
        calls.append(1)
        return original(secret, hashed, **kw)

    monkeypatch.setattr(hasher.context, "verify", counting)
    for email in ("matt@example.com", "nobody@example.com"):
        calls.clear()
        assert login(app.test_client(), email, NFC).status_code == 400
        assert len(calls) == 2, email
