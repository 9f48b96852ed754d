"""Password hashing with libpass (``passlib`` import) and bcrypt.

The rules, from the Flask-Security 3.0 documentation and its released behaviour,
and where fsec differs (each difference is in ``docs/migration.md``):

* By default a password is hashed twice: first
  ``base64(HMAC-SHA512(key=SECURITY_PASSWORD_SALT, msg=password))`` (88 ASCII
  characters, see :meth:`PasswordHasher.get_hmac`), then with the configured passlib
  scheme and a random salt. ``SECURITY_PASSWORD_SINGLE_HASH`` (``True`` or a list of
  schemes) skips the HMAC step.
* The ``plaintext`` scheme is never HMAC-ed (3.0's rule): a password stored
  unhashed, e.g. by ``create_user(password="secret")``, verifies, and is re-hashed to
  the configured scheme at the first successful login when ``plaintext`` is not the
  configured scheme (it is deprecated with ``SECURITY_DEPRECATED_PASSWORD_SCHEMES =
  ["auto"]``). Plaintext values HMAC-ed by earlier fsec releases still verify.
* Passwords given as ``str`` are Unicode-normalised with
  ``SECURITY_PASSWORD_NORMALIZE_FORM`` (default ``"NFKD"``, upstream Flask-Security
  5.x's name and default; NIST SP 800-63B §5.1.1.2) before hashing and verifying, so
  the same password typed as NFC or NFD matches. A hash made from the un-normalised
  password (Flask-Security 3.0, fsec before this rule) still verifies and is re-hashed
  at that login.
* bcrypt reads at most 72 bytes (OpenBSD bcrypt(3)). Releases of bcrypt before 5.0
  silently used the first 72 bytes; bcrypt 5 raises on longer input. In the default
  (HMAC first) mode bcrypt gets the first 72 of the 88 HMAC bytes, as 3.0 did. With
  the HMAC step skipped (single hash), a password longer than 72 bytes is pre-hashed
  to ``base64(SHA-256(password))`` (44 bytes) so that every byte counts; a 3.0 hash of
  such a password (its first 72 bytes) still verifies and is re-hashed at that login.
* ``verify_and_update_password`` re-hashes on a successful login when the stored
  hash uses a deprecated scheme or outdated options (passlib ``needs_update``), or was
  made by one of the legacy rules above.
* Configuration errors raise :class:`PasswordConfigError` at start-up, which is both a
  ``RuntimeError`` and a ``ValueError`` (3.0 raised ``RuntimeError`` for salt
  problems and ``ValueError`` for scheme and option problems). That includes a scheme
  of ``SECURITY_PASSWORD_SCHEMES`` without a usable backend (``argon2`` without
  ``argon2-cffi``), which 3.0 only met at the first login with such a hash (a 500).
* A stored hash that no configured scheme made (an ``argon2`` hash of Flask-Security
  5.x when ``argon2`` is not listed) never verifies, like a wrong password; the
  caller can tell with :func:`flask_security.password_schemes.unrecognised` and log it.

:class:`PasswordHasher` hashes and verifies for one application; its collaborator
:class:`PasswordSecrets` turns a password into what the scheme is given (the
normalisation, HMAC and 72-byte rules above, and the legacy rules' secrets).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from .password_schemes import PasswordConfigError as PasswordConfigError
from .password_schemes import check_options, crypt_context

#: bcrypt's input limit in bytes (the algorithm's, documented by OpenBSD bcrypt(3)).
BCRYPT_MAX_BYTES = 72

#: Unicode normalisation forms accepted by ``SECURITY_PASSWORD_NORMALIZE_FORM``.
NORMALIZE_FORMS = ("NFC", "NFD", "NFKC", "NFKD")


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class PasswordSecrets:
    """What a passlib scheme is given for a password: the password normalised
    (``SECURITY_PASSWORD_NORMALIZE_FORM``), HMAC-ed with the salt unless the scheme
    is single-hashed (``SECURITY_PASSWORD_SINGLE_HASH``; 3.0's rule), and for bcrypt
    kept within its 72 bytes; plus the secrets of the legacy rules a stored hash may
    have been made with. :class:`PasswordHasher`'s collaborator.

    :param salt: the HMAC key (``SECURITY_PASSWORD_SALT``), ``str``, ``bytes`` or ``None``.
    :param single_hash: ``True`` (never HMAC first), ``False`` (always, except
        ``plaintext``) or an iterable of scheme names that skip the HMAC step.
    :param normalize_form: a :data:`NORMALIZE_FORMS` name, or ``None``.
    """

    def __init__(
        self,
        salt: str | bytes | None,
        single_hash: bool | Iterable[str],
        normalize_form: str | None,
    ) -> None:
        self.salt = salt
        self.normalize_form = normalize_form
        self.single_hash = single_hash if isinstance(single_hash, bool) else set(single_hash)

    def uses_hmac(self, scheme: str) -> bool:
        """Whether passwords of ``scheme`` are HMAC-ed before hashing.

        ``plaintext`` never is (Flask-Security 3.0's rule).
        """
        if scheme == "plaintext":
            return False
        if isinstance(self.single_hash, bool):
            return not self.single_hash
        return scheme not in self.single_hash

    def get_hmac(self, password: str | bytes) -> bytes:
        """``base64(HMAC-SHA512(key=salt, msg=password))``: 88 ASCII bytes.

        ``password`` is used as given (not normalised).

        :raises RuntimeError: no salt is configured.
        """
        if self.salt is None:
            raise RuntimeError("SECURITY_PASSWORD_SALT is not set")
        digest = hmac.new(_as_bytes(self.salt), _as_bytes(password), hashlib.sha512).digest()
        return base64.b64encode(digest)

    def normalize(self, password: str | bytes) -> str | bytes:
        """``password`` in ``SECURITY_PASSWORD_NORMALIZE_FORM`` (``bytes`` unchanged)."""
        if isinstance(password, str) and self.normalize_form is not None:
            return unicodedata.normalize(self.normalize_form, password)  # type: ignore[arg-type]
        return password

    def secret(self, password: str | bytes, scheme: str, legacy: bool = False) -> bytes:
        """What the passlib scheme gets for ``password`` (already normalised or not).

        ``legacy``: for single-hashed bcrypt, the first 72 bytes (3.0) instead of the
        SHA-256 pre-hash of a longer password.
        """
        if self.uses_hmac(scheme) and self.salt is not None:
            secret = self.get_hmac(password)
        else:
            secret = _as_bytes(password)
        if scheme == "bcrypt" and len(secret) > BCRYPT_MAX_BYTES:
            if self.uses_hmac(scheme) or legacy:
                secret = secret[:BCRYPT_MAX_BYTES]
            else:
                secret = base64.b64encode(hashlib.sha256(secret).digest())
        return secret

    def candidates(self, password: str | bytes, scheme: str) -> list[bytes]:
        """Secrets to try, current rule first, then those of legacy rules (distinct)."""
        normalized = self.normalize(password)
        found = [self.secret(normalized, scheme)]
        if scheme == "plaintext" and self.salt is not None:
            found.append(self.get_hmac(normalized))  # fsec 0.x HMAC-ed plaintext
        if normalized != password:
            found.append(self.secret(password, scheme))
        if scheme == "bcrypt" and not self.uses_hmac(scheme):
            found.append(self.secret(normalized, scheme, legacy=True))
            found.append(self.secret(password, scheme, legacy=True))
        if scheme == "plaintext" and self.salt is not None and normalized != password:
            found.append(self.get_hmac(password))
        unique: list[bytes] = []
        for secret in found:
            if secret not in unique:
                unique.append(secret)
        return unique


def _check_settings(
    scheme: str,
    schemes: list[str],
    options: Mapping[str, Mapping[str, Any]],
    secrets: PasswordSecrets,
) -> None:
    """Refuse a default scheme that is not allowed, an unknown normalisation form
    and out-of-range options.

    :raises PasswordConfigError: as :class:`PasswordHasher` documents.
    """
    if scheme not in schemes:
        raise PasswordConfigError(
            f"SECURITY_PASSWORD_HASH is {scheme!r}, which is not in "
            f"SECURITY_PASSWORD_SCHEMES {schemes!r}"
        )
    if secrets.normalize_form is not None and secrets.normalize_form not in NORMALIZE_FORMS:
        raise PasswordConfigError(
            f"SECURITY_PASSWORD_NORMALIZE_FORM must be one of {NORMALIZE_FORMS} or "
            f"None, not {secrets.normalize_form!r}"
        )
    check_options(options)


def _check_salt(scheme: str, secrets: PasswordSecrets) -> None:
    """Refuse a salt that would never be used, or a missing one that is needed.

    :raises PasswordConfigError: as :class:`PasswordHasher` documents.
    """
    if secrets.single_hash is True and secrets.salt is not None:
        raise PasswordConfigError(
            "SECURITY_PASSWORD_SALT must not be set with SECURITY_PASSWORD_SINGLE_HASH "
            "= True (the salt would never be used); remove one of them"
        )
    if secrets.salt is None and secrets.uses_hmac(scheme):
        raise PasswordConfigError(
            "SECURITY_PASSWORD_SALT must be set when passwords are hashed twice "
            f"(SECURITY_PASSWORD_HASH={scheme!r}); set a long random string, or "
            "SECURITY_PASSWORD_SINGLE_HASH = True"
        )


class PasswordHasher:
    """Hashes and verifies passwords for one application.

    :param scheme: the default passlib scheme (``SECURITY_PASSWORD_HASH``).
    :param schemes: every scheme that may verify (``SECURITY_PASSWORD_SCHEMES``).
    :param deprecated: schemes to re-hash on login
        (``SECURITY_DEPRECATED_PASSWORD_SCHEMES``; ``["auto"]`` = all but the default).
    :param options: ``{scheme: {option: value}}`` (``SECURITY_PASSWORD_HASH_OPTIONS``),
        e.g. ``{"bcrypt": {"rounds": 12}}``.
    :param salt: the HMAC key (``SECURITY_PASSWORD_SALT``), ``str``, ``bytes`` or ``None``.
    :param single_hash: ``SECURITY_PASSWORD_SINGLE_HASH``: ``True`` (never HMAC first),
        ``False`` (always, except ``plaintext``) or an iterable of scheme names that
        skip the HMAC step.
    :param normalize_form: ``SECURITY_PASSWORD_NORMALIZE_FORM``: ``"NFKD"`` (default),
        ``"NFKC"``, ``"NFC"``, ``"NFD"`` or ``None`` (no normalisation).
    :raises PasswordConfigError: the default scheme is not among ``schemes``; the
        HMAC step is needed and ``salt`` is ``None``; ``single_hash`` is ``True`` and a
        salt is set (3.0); ``rounds`` is outside a scheme's range; an unknown
        normalisation form; a scheme without a passlib backend (:func:`crypt_context`).
    """

    def __init__(
        self,
        scheme: str,
        schemes: Iterable[str],
        deprecated: Iterable[str],
        options: Mapping[str, Mapping[str, Any]] | None,
        salt: str | bytes | None,
        single_hash: bool | Iterable[str],
        normalize_form: str | None = "NFKD",
    ) -> None:
        schemes = list(schemes)
        secrets = PasswordSecrets(salt, single_hash, normalize_form)
        _check_settings(scheme, schemes, options or {}, secrets)
        self.context = crypt_context(scheme, schemes, deprecated, options or {})
        _check_salt(scheme, secrets)
        self.scheme = scheme
        #: How a password becomes what the scheme is given (normalisation, HMAC).
        self.secrets = secrets
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

    @property
    def salt(self) -> str | bytes | None:
        """The HMAC key (``SECURITY_PASSWORD_SALT``)."""
        return self.secrets.salt

    @property
    def single_hash(self) -> bool | set[str]:
        """``SECURITY_PASSWORD_SINGLE_HASH`` (a set when it names schemes)."""
        return self.secrets.single_hash

    @property
    def normalize_form(self) -> str | None:
        """``SECURITY_PASSWORD_NORMALIZE_FORM``."""
        return self.secrets.normalize_form

    def uses_hmac(self, scheme: str) -> bool:
        """Whether passwords of ``scheme`` are HMAC-ed before hashing (``plaintext``
        never is: Flask-Security 3.0's rule)."""
        return self.secrets.uses_hmac(scheme)

    def get_hmac(self, password: str | bytes) -> bytes:
        """``base64(HMAC-SHA512(key=salt, msg=password))``: 88 ASCII bytes.

        :raises RuntimeError: no salt is configured.
        """
        return self.secrets.get_hmac(password)

    def normalize(self, password: str | bytes) -> str | bytes:
        """``password`` in ``SECURITY_PASSWORD_NORMALIZE_FORM`` (``bytes`` unchanged)."""
        return self.secrets.normalize(password)

    def hash(self, password: str | bytes) -> str:
        """Hash ``password`` (normalised) with the default scheme.

        :returns: the passlib hash string (for ``plaintext``: the password itself).
        """
        secret = self.secrets.secret(self.normalize(password), self.scheme)
        if self.scheme == "plaintext":
            return self.context.hash(secret.decode("utf-8"))
        return self.context.hash(secret)

    def identify(self, password_hash: str) -> str | None:
        """The scheme of ``password_hash``, or ``None`` when no configured scheme knows it."""
        try:
            return self.context.identify(password_hash)
        except (ValueError, TypeError):
            return None

    def check(self, password: str | bytes, password_hash: str | None) -> tuple[bool, bool]:
        """Verify ``password`` against ``password_hash`` and say whether to re-hash.

        :returns: ``(verified, needs_update)``: ``needs_update`` is true when the
            password verified and the hash should be replaced by a fresh default-scheme
            hash (deprecated scheme, outdated options, or made by a legacy rule: no
            normalisation, 3.0's 72-byte truncation, HMAC-ed plaintext).
            Never raises on a bad or unknown hash (those cost one dummy verification).
        """
        if not password_hash:
            self.dummy_verify(password)
            return False, False
        scheme = self.identify(password_hash)
        if scheme is None:
            self.dummy_verify(password)
            return False, False
        for index, secret in enumerate(self.secrets.candidates(password, scheme)):
            if scheme == "plaintext":
                ok = hmac.compare_digest(secret, _as_bytes(password_hash))
            else:
                try:
                    ok = self.context.verify(secret, password_hash)
                except (ValueError, TypeError):
                    ok = False
            if ok:
                return True, index > 0 or self.needs_update(password_hash)
        return False, False

    def verify(self, password: str | bytes, password_hash: str | None) -> bool:
        """Whether ``password`` matches ``password_hash``. Never raises on bad hashes."""
        return self.check(password, password_hash)[0]

    def needs_update(self, password_hash: str) -> bool:
        """Whether a verified hash should be replaced by a fresh default-scheme hash."""
        try:
            return self.context.needs_update(password_hash)
        except (ValueError, TypeError):
            return False

    def dummy_verify(self, password: str | bytes = "fsec-wrong") -> None:  # noqa: S107
        """Spend the time a failed verification of ``password`` against a hash of the
        default scheme costs (as many verifications as :meth:`check` would try), so
        that an unknown account answers as slowly as a wrong password."""
        for secret in self.secrets.candidates(password, self.scheme):
            if self.scheme == "plaintext":
                hmac.compare_digest(secret, _as_bytes(self._dummy_hash))
            else:
                try:
                    self.context.verify(secret, self._dummy_hash)
                except (ValueError, TypeError):
                    pass
