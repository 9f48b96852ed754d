"""Password hashing with libpass (``passlib`` import) and bcrypt.

The rules, from the Flask-Security 3.0 documentation and its released behaviour:

* By default a password is hashed twice: first
  ``base64(HMAC-SHA512(key=SECURITY_PASSWORD_SALT, msg=password))`` (88 ASCII
  characters, see :func:`get_hmac`), then with the configured passlib scheme and a
  random salt. ``SECURITY_PASSWORD_SINGLE_HASH`` (``True`` or a list of schemes)
  skips the HMAC step.
* bcrypt reads at most 72 bytes. Releases of bcrypt before 5.0 silently used the
  first 72 bytes; bcrypt 5 raises on longer input. We hand bcrypt exactly the first
  72 bytes, which keeps every hash written by Flask-Security 3.0 verifying and lets
  passwords of any length and any Unicode work.
* ``verify_and_update_password`` re-hashes on a successful login when the stored
  hash uses a deprecated scheme or outdated options (passlib ``needs_update``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from passlib.context import CryptContext

#: bcrypt's input limit in bytes (the algorithm's, documented by OpenBSD bcrypt(3)).
BCRYPT_MAX_BYTES = 72


class PasswordConfigError(ValueError):
    """Raised at start-up when the password configuration cannot work."""


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class PasswordHasher:
    """Hashes and verifies passwords for one application.

    :param scheme: the default passlib scheme (``SECURITY_PASSWORD_HASH``).
    :param schemes: every scheme that may verify (``SECURITY_PASSWORD_SCHEMES``).
    :param deprecated: schemes to re-hash on login
        (``SECURITY_DEPRECATED_PASSWORD_SCHEMES``; ``["auto"]`` = all but the default).
    :param options: ``{scheme: {option: value}}`` (``SECURITY_PASSWORD_HASH_OPTIONS``),
        e.g. ``{"bcrypt": {"rounds": 12}}``.
    :param salt: the HMAC key (``SECURITY_PASSWORD_SALT``), ``str`` or ``None``.
    :param single_hash: ``SECURITY_PASSWORD_SINGLE_HASH``: ``True`` (never HMAC first),
        ``False`` (always) or an iterable of scheme names that skip the HMAC step.
    :raises PasswordConfigError: the default scheme is not among ``schemes``, or the
        HMAC step is needed and ``salt`` is ``None``.
    """

    def __init__(
        self,
        scheme: str,
        schemes: Iterable[str],
        deprecated: Iterable[str],
        options: Mapping[str, Mapping[str, Any]] | None,
        salt: str | bytes | None,
        single_hash: bool | Iterable[str],
    ) -> None:
        schemes = list(schemes)
        if scheme not in schemes:
            raise PasswordConfigError(
                f"SECURITY_PASSWORD_HASH is {scheme!r}, which is not in "
                f"SECURITY_PASSWORD_SCHEMES {schemes!r}"
            )
        kwargs: dict[str, Any] = {}
        for name, opts in (options or {}).items():
            for key, value in opts.items():
                kwargs[f"{name}__{key}"] = value
        self.context = CryptContext(
            schemes=schemes, default=scheme, deprecated=list(deprecated), **kwargs
        )
        self.scheme = scheme
        self.salt = salt
        self.single_hash = single_hash if isinstance(single_hash, bool) else set(single_hash)
        if self.salt is None and self.uses_hmac(scheme):
            raise PasswordConfigError(
                "SECURITY_PASSWORD_SALT must be set when passwords are hashed twice "
                f"(SECURITY_PASSWORD_HASH={scheme!r}); set a long random string, or "
                "SECURITY_PASSWORD_SINGLE_HASH = True"
            )
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        # One real hash of the default scheme and options, so that a login for an
        # unknown identity costs what a wrong password for a known one costs (no account
        # enumeration by time). Made on first use, not at start-up: at production cost
        # (bcrypt, 12 rounds) it takes about 0.25 s, with passlib's backend self-test.
        if self._dummy is None:
            self._dummy = self.hash("fsec-timing-equaliser")
        return self._dummy

    def uses_hmac(self, scheme: str) -> bool:
        """Whether passwords of ``scheme`` are HMAC-ed before hashing."""
        if isinstance(self.single_hash, bool):
            return not self.single_hash
        return scheme not in self.single_hash

    def get_hmac(self, password: str | bytes) -> bytes:
        """``base64(HMAC-SHA512(key=salt, msg=password))``: 88 ASCII bytes.

        :raises RuntimeError: no salt is configured.
        """
        if self.salt is None:
            raise RuntimeError("SECURITY_PASSWORD_SALT is not set")
        digest = hmac.new(_as_bytes(self.salt), _as_bytes(password), hashlib.sha512).digest()
        return base64.b64encode(digest)

    def _secret(self, password: str | bytes, scheme: str) -> bytes:
        secret = self.get_hmac(password) if self.uses_hmac(scheme) else _as_bytes(password)
        if scheme == "bcrypt":
            secret = secret[:BCRYPT_MAX_BYTES]
        return secret

    def hash(self, password: str | bytes) -> str:
        """Hash ``password`` with the default scheme; returns the passlib hash string."""
        if self.scheme == "plaintext":
            return self.context.hash(self._secret(password, "plaintext").decode("utf-8"))
        return self.context.hash(self._secret(password, self.scheme))

    def identify(self, password_hash: str) -> str | None:
        """The scheme of ``password_hash``, or ``None`` when no configured scheme knows it."""
        try:
            return self.context.identify(password_hash)
        except (ValueError, TypeError):
            return None

    def verify(self, password: str | bytes, password_hash: str | None) -> bool:
        """Whether ``password`` matches ``password_hash``. Never raises on bad hashes."""
        if not password_hash:
            self.dummy_verify()
            return False
        scheme = self.identify(password_hash)
        if scheme is None:
            self.dummy_verify()
            return False
        if scheme == "plaintext":
            return hmac.compare_digest(self._secret(password, scheme), _as_bytes(password_hash))
        try:
            return self.context.verify(self._secret(password, scheme), password_hash)
        except (ValueError, TypeError):
            return False

    def needs_update(self, password_hash: str) -> bool:
        """Whether a verified hash should be replaced by a fresh default-scheme hash."""
        try:
            return self.context.needs_update(password_hash)
        except (ValueError, TypeError):
            return False

    def dummy_verify(self) -> None:
        """Spend the time of one verification against the default scheme."""
        self.context.verify(self._secret("fsec-wrong", self.scheme), self._dummy_hash)
