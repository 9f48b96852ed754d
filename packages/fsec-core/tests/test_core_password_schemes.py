"""Password schemes at start-up and at login: missing backends, hashes no configured
scheme knows (Flask-Security 5.x's argon2 default), and the ``argon2`` extra."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import unicodedata

import pytest
from flask_security.config import CORE_DEFAULTS
from flask_security.password_schemes import registry_scheme
from flask_security.passwords import PasswordConfigError, PasswordHasher
from flask_security.testing.app import add_user, login
from flask_security.utils import get_hmac, verify_password
from passlib.registry import get_crypt_handler

#: Flask-Security 5.x's default hash (configuration.rst, ``SECURITY_PASSWORD_HASH``).
UPSTREAM_5X_HASH = "argon2"
#: As the migration guide says: the default list with "argon2" added (at the end:
#: fsec keeps the catch-all "plaintext" last whatever the order).
WITH_ARGON2 = [*CORE_DEFAULTS["PASSWORD_SCHEMES"], "argon2"]


def _stored(app, email):
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email).password


def _store_hash(app, email, value):
    with app.app_context():
        ds = app.extensions["security"].datastore
        user = ds.find_user(email=email)
        user.password = value
        ds.put(user)
        ds.commit()
        return user.id


def _upstream_argon2_hash(app, password):
    """A hash as Flask-Security 5.x stores it by default: the password NFKD-normalised
    (its SECURITY_PASSWORD_NORMALIZE_FORM default), HMAC-ed with the salt (argon2 is
    not among its single-hash schemes), then passlib's argon2 handler with its own
    defaults (5.x documents no argon2 options of its own)."""
    from passlib.hash import argon2

    with app.app_context():
        return argon2.hash(get_hmac(unicodedata.normalize("NFKD", password)))


def test_the_default_schemes_all_have_a_backend_here():
    hasher = PasswordHasher(
        scheme=CORE_DEFAULTS["PASSWORD_HASH"],
        schemes=CORE_DEFAULTS["PASSWORD_SCHEMES"],
        deprecated=CORE_DEFAULTS["DEPRECATED_PASSWORD_SCHEMES"],
        options={},
        salt="salt",
        single_hash=False,
    )
    checked = [
        name for name in hasher.context.schemes() if hasattr(get_crypt_handler(name), "has_backend")
    ]
    assert "bcrypt" in checked and "sha512_crypt" in checked
    assert all(get_crypt_handler(name).has_backend() for name in checked)


#: Builds an app with argon2 listed while argon2-cffi (and argon2pure) cannot be imported.
HIDDEN_BACKEND = """
import json, sys

class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("argon2", "argon2pure"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
from flask_security.testing.app import create_app
from flask_security.passwords import PasswordConfigError
try:
    create_app(json.loads(sys.argv[1]))
    print(json.dumps(None))
except PasswordConfigError as exc:
    print(json.dumps([isinstance(exc, RuntimeError), isinstance(exc, ValueError), str(exc)]))
"""


@pytest.mark.parametrize(
    "config",
    [
        {"SECURITY_PASSWORD_SCHEMES": WITH_ARGON2},
        {"SECURITY_PASSWORD_SCHEMES": WITH_ARGON2, "SECURITY_PASSWORD_HASH": "argon2"},
    ],
    ids=["listed", "default-hash"],
)
def test_a_scheme_without_backend_stops_start_up_naming_what_to_install(config):
    out = subprocess.run(
        [sys.executable, "-c", HIDDEN_BACKEND, json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result is not None, "start-up succeeded without an argon2 backend"
    is_runtime, is_value, message = result
    assert is_runtime and is_value
    assert "'argon2'" in message and "SECURITY_PASSWORD_SCHEMES" in message
    assert "argon2-cffi" in message and "fsec-core[argon2]" in message


def test_the_hidden_backend_is_otherwise_present(make_app):
    # The subprocess test above is only meaningful because argon2 works here.
    app = make_app({"SECURITY_PASSWORD_SCHEMES": WITH_ARGON2, "SECURITY_PASSWORD_HASH": "argon2"})
    with app.app_context():
        assert app.extensions["security"].password_hasher.hash("pw").startswith("$argon2")


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING and "fsec:" in r.getMessage()]


def test_an_upstream_argon2_hash_fails_like_a_wrong_password_and_is_logged(make_app, caplog):
    # A list the application chose, without argon2 (the documented default list
    # takes argon2 in when argon2-cffi is installed, as it is here).
    app = make_app({"SECURITY_PASSWORD_SCHEMES": ["bcrypt", "pbkdf2_sha512", "plaintext"]})
    add_user(app, "matt@example.com", "password")
    add_user(app, "joe@example.com", "password")
    secret = "S3cret-of-5x"
    argon2_hash = _upstream_argon2_hash(app, secret)
    user_id = _store_hash(app, "matt@example.com", argon2_hash)

    caplog.set_level(logging.DEBUG)
    wrong = login(app.test_client(), "joe@example.com", "not-the-password")
    assert _warnings(caplog) == []  # a plain wrong password logs nothing

    refused = login(app.test_client(), "matt@example.com", secret)
    assert refused.status_code == wrong.status_code == 400
    assert refused.get_json() == wrong.get_json()
    assert "Set-Cookie" not in refused.headers or "session" not in refused.headers["Set-Cookie"]

    records = _warnings(caplog)
    assert len(records) == 1
    record = records[0]
    assert record.name == app.logger.name
    text = record.getMessage()
    assert f"user id {user_id!r}" in text
    assert "is argon2" in text
    assert "Add 'argon2' to SECURITY_PASSWORD_SCHEMES" in text
    assert "fsec-core[argon2]" in text
    assert secret not in caplog.text
    assert argon2_hash.split("$")[-1] not in caplog.text  # not even the digest
    assert _stored(app, "matt@example.com") == argon2_hash  # nothing rewritten


def test_a_hash_unknown_to_passlib_is_logged_without_a_scheme(make_app, caplog):
    schemes = [s for s in CORE_DEFAULTS["PASSWORD_SCHEMES"] if s != "plaintext"]
    app = make_app({"SECURITY_PASSWORD_SCHEMES": schemes})
    add_user(app, "a@example.com", "password")
    user_id = _store_hash(app, "a@example.com", "$fsec-unknown$c2VjcmV0")
    caplog.set_level(logging.WARNING)
    assert login(app.test_client(), "a@example.com", "password").status_code == 400
    (record,) = _warnings(caplog)
    text = record.getMessage()
    assert f"user id {user_id!r}" in text and "nor known to passlib" in text
    assert "c2VjcmV0" not in caplog.text


def test_3_0_plaintext_passwords_are_not_reported(app, caplog):
    # plaintext is a configured scheme (3.0's default list): a stored password that
    # looks like no hash is one, and a wrong guess for it is a wrong password.
    _store_hash(app, "matt@example.com", "stored in clear")
    caplog.set_level(logging.WARNING)
    assert login(app.test_client(), "matt@example.com", "wrong guess").status_code == 400
    assert _warnings(caplog) == []
    assert login(app.test_client(), "matt@example.com", "stored in clear").status_code == 200


def test_plaintext_is_kept_last_whatever_the_order(make_app):
    # passlib asks schemes in order and plaintext claims every string: listed first,
    # it would hide every other scheme's hashes.
    app = make_app({"SECURITY_PASSWORD_SCHEMES": ["plaintext", "bcrypt", "argon2"]})
    with app.app_context():
        hasher = app.extensions["security"].password_hasher
        assert hasher.context.schemes() == ("bcrypt", "argon2", "plaintext")
    add_user(app, "b@example.com", "password")
    assert login(app.test_client(), "b@example.com", "password").status_code == 200


def test_registry_scheme_ignores_catch_all_handlers():
    assert registry_scheme("just some text") is None
    assert registry_scheme("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA") == "argon2"
    assert registry_scheme("$5$rounds=535000$salt$hash") == "sha256_crypt"


def test_an_upstream_argon2_user_signs_in_and_is_rehashed_to_the_configured_hash(make_app, caplog):
    app = make_app({"SECURITY_PASSWORD_SCHEMES": WITH_ARGON2})
    add_user(app, "five@example.com", "unused")
    password = "Ça va, 5.x?"  # non-ASCII: the NFKD step must match 5.x's
    _store_hash(app, "five@example.com", _upstream_argon2_hash(app, password))
    assert _stored(app, "five@example.com").startswith("$argon2id$")

    caplog.set_level(logging.WARNING)
    assert login(app.test_client(), "five@example.com", password + "!").status_code == 400
    assert _warnings(caplog) == []  # recognised: a wrong password, nothing to report

    assert login(app.test_client(), "five@example.com", password).status_code == 200
    renewed = _stored(app, "five@example.com")
    assert renewed.startswith("$2b$")  # deprecated ["auto"]: renewed to SECURITY_PASSWORD_HASH
    with app.app_context():
        assert verify_password(password, renewed)
    assert login(app.test_client(), "five@example.com", password).status_code == 200


def test_the_default_schemes_take_argon2_in_when_its_backend_is_installed(app, caplog):
    """With the documented default SECURITY_PASSWORD_SCHEMES and argon2-cffi installed
    (``fsec-core[argon2]``), a 5.x user signs in with no setting changed and is re-hashed
    with bcrypt; plaintext stays last."""
    security = app.extensions["security"]
    schemes = security.password_hasher.context.schemes()
    assert schemes[-2:] == ("argon2", "plaintext")
    assert set(schemes[:-2]) == set(CORE_DEFAULTS["PASSWORD_SCHEMES"]) - {"plaintext"}
    _store_hash(app, "matt@example.com", _upstream_argon2_hash(app, "S3cret-of-5x"))
    caplog.set_level(logging.WARNING)
    assert login(app.test_client(), "matt@example.com", "S3cret-of-5x").status_code == 200
    assert _stored(app, "matt@example.com").startswith("$2b$")
    assert _warnings(caplog) == []


def test_a_chosen_list_is_used_as_it_is(make_app):
    app = make_app({"SECURITY_PASSWORD_SCHEMES": ["bcrypt", "plaintext"]})
    assert app.extensions["security"].password_hasher.context.schemes() == ("bcrypt", "plaintext")


def test_keeping_argon2_as_the_hash_keeps_upstream_hashes(make_app):
    app = make_app({"SECURITY_PASSWORD_SCHEMES": WITH_ARGON2, "SECURITY_PASSWORD_HASH": "argon2"})
    add_user(app, "five@example.com", "unused")
    upstream = _upstream_argon2_hash(app, "password")
    _store_hash(app, "five@example.com", upstream)
    assert login(app.test_client(), "five@example.com", "password").status_code == 200
    assert _stored(app, "five@example.com") == upstream  # same scheme and options: kept
    add_user(app, "new@example.com", "password")
    assert _stored(app, "new@example.com").startswith("$argon2id$")


def test_argon2_alone_is_refused_as_before():
    with pytest.raises(PasswordConfigError, match="SECURITY_PASSWORD_HASH is 'argon2'"):
        PasswordHasher(
            scheme=UPSTREAM_5X_HASH,
            schemes=CORE_DEFAULTS["PASSWORD_SCHEMES"],
            deprecated=["auto"],
            options={},
            salt="salt",
            single_hash=False,
        )
