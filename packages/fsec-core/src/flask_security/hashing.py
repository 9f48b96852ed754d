"""Password and data hashing for the current application (the 3.0 functions of
``flask_security.utils``, which re-exports them): the password policy lives in
:class:`flask_security.passwords.PasswordHasher`, reached through the state."""

from __future__ import annotations

import warnings
from typing import Any

from flask import current_app
from passlib.context import CryptContext

from .config import config_value
from .password_schemes import unrecognised
from .state import current_datastore as _datastore
from .state import current_security as _security


def get_hmac(password: str | bytes) -> bytes:
    """``base64(HMAC-SHA512(SECURITY_PASSWORD_SALT, password))`` (88 ASCII bytes).

    :param password: the password.
    :returns: the HMAC, base64-encoded.
    """
    return _security.password_hasher.get_hmac(password)


def hash_password(password: str | bytes) -> str:
    """Hash ``password`` with the configured scheme and options.

    :param password: the password in clear text.
    :returns: the hash string to store.
    """
    return _security.password_hasher.hash(password)


def encrypt_password(password: str | bytes) -> str:
    """Deprecated alias of :func:`hash_password` (since 2.0.2).

    :param password: the password.
    :returns: :func:`hash_password` of it.
    """
    warnings.warn(
        "encrypt_password is deprecated, use hash_password", DeprecationWarning, stacklevel=2
    )
    return hash_password(password)


def verify_password(password: str | bytes, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash`` (never raises on a bad hash).

    :param password: the password as typed.
    :param password_hash: the stored hash (``None`` never matches).
    :returns: whether they match.
    """
    return _security.password_hasher.verify(password, password_hash)


def verify_and_update_password(password: str | bytes, user: Any) -> bool:
    """Verify ``password`` for ``user``; on success re-hash an outdated stored hash.

    The new hash is put into the datastore (not committed; the caller commits).
    Re-hashed: a deprecated scheme or outdated options (passlib), a password stored
    unhashed (3.0's ``plaintext``), and hashes made by a legacy rule (see
    :mod:`flask_security.passwords`).

    A stored hash that no scheme of ``SECURITY_PASSWORD_SCHEMES`` made (e.g. the
    ``argon2`` hashes of Flask-Security 5.x) fails exactly as a wrong password (no
    account enumeration), and the app logger records one ``WARNING`` naming the user's
    id, the scheme when passlib knows it, and what to add to
    ``SECURITY_PASSWORD_SCHEMES``; neither the password nor the hash is logged.

    :param password: the password as typed.
    :param user: the user (its ``password`` holds the hash).
    :returns: whether the password matches.
    """
    hasher = _security.password_hasher
    verified, needs_update = hasher.check(password, getattr(user, "password", None))
    if verified and needs_update:
        user.password = hasher.hash(password)
        _datastore.put(user)
    elif not verified:
        _warn_unrecognised(hasher, user)
    return verified


def _warn_unrecognised(hasher: Any, user: Any) -> None:
    """Log a failed verification against a hash no configured scheme knows."""
    unknown, scheme = unrecognised(hasher.context, getattr(user, "password", None))
    if not unknown:
        return
    user_id = getattr(user, "id", None)
    if scheme is None:
        current_app.logger.warning(
            "fsec: the stored password hash of user id %r is of no scheme in "
            "SECURITY_PASSWORD_SCHEMES nor known to passlib; the login failed as a "
            "wrong password",
            user_id,
        )
        return
    extra = " and install fsec-core[argon2] (argon2-cffi)" if scheme == "argon2" else ""
    current_app.logger.warning(
        "fsec: the stored password hash of user id %r is %s, which is not in "
        "SECURITY_PASSWORD_SCHEMES; the login failed as a wrong password. Add %r to "
        "SECURITY_PASSWORD_SCHEMES%s to accept it",
        user_id,
        scheme,
        scheme,
        extra,
    )


def token_fingerprint(value: str | bytes | None) -> str:
    """A 128-bit HMAC of ``value`` keyed from ``SECRET_KEY``, as 32 hex characters.

    Tokens carry fingerprints of the state they act on (password hash, email
    address) so that a token stops working once that state changed.

    :param value: the state to fingerprint (``None`` allowed).
    :returns: 32 hex characters.
    """
    return str(_security.fingerprint(value))


def _hashing_context() -> Any:
    """The passlib context of :func:`hash_data` / :func:`verify_hash` (3.0 rule).

    Schemes are ``SECURITY_HASHING_SCHEMES``; those in
    ``SECURITY_DEPRECATED_HASHING_SCHEMES`` still verify (added when missing).
    """
    schemes = list(config_value("HASHING_SCHEMES") or [])
    deprecated = list(config_value("DEPRECATED_HASHING_SCHEMES") or [])
    schemes += [s for s in deprecated if s not in schemes]
    return CryptContext(schemes=schemes, deprecated=deprecated)


def _data_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def hash_data(data: str | bytes) -> str:
    """Hash ``data`` (``str`` as UTF-8, or ``bytes``) with the first of
    ``SECURITY_HASHING_SCHEMES`` (passlib), for non-secret values (3.0 API).

    :returns: the passlib hash string.

    :param data: the value to hash.
    """
    return str(_hashing_context().hash(_data_bytes(data)))


def verify_hash(hashed_data: str, compare_data: str | bytes) -> bool:
    """Whether ``compare_data`` matches a :func:`hash_data` value, or a value hashed
    with one of ``SECURITY_DEPRECATED_HASHING_SCHEMES`` (3.0: plain MD5 hex).

    :param hashed_data: a :func:`hash_data` value.
    :param compare_data: the value to check.
    :returns: whether they match.
    """
    try:
        return bool(_hashing_context().verify(_data_bytes(compare_data), hashed_data))
    except (ValueError, TypeError):
        return False
