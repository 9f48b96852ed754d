"""Password schemes: the passlib context built from the settings and its start-up
checks (rounds in range, a usable backend for every scheme), and what passlib's whole
registry says about a stored hash no configured scheme made.

The password policy itself (HMAC, normalisation, legacy rules) is in
:mod:`flask_security.passwords`, which re-exports :class:`PasswordConfigError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from passlib.context import CryptContext
from passlib.registry import get_crypt_handler


class PasswordConfigError(RuntimeError, ValueError):
    """Raised at start-up when the password configuration cannot work.

    A subclass of both ``RuntimeError`` and ``ValueError``: Flask-Security 3.0 raised
    the first for a missing salt or a salt with ``SECURITY_PASSWORD_SINGLE_HASH``, the
    second for an unknown scheme or rounds out of a scheme's range.
    """


def check_options(options: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse ``rounds`` outside a scheme's range (3.0 raised ``ValueError`` too).

    :param options: ``{scheme: {option: value}}`` (``SECURITY_PASSWORD_HASH_OPTIONS``).
    :raises PasswordConfigError: ``rounds`` is not an integer or out of the range.
    """
    from passlib.registry import get_crypt_handler

    for name, opts in options.items():
        rounds = opts.get("rounds")
        if rounds is None:
            continue
        try:
            handler = get_crypt_handler(name)
        except KeyError:
            continue
        low, high = getattr(handler, "min_rounds", None), getattr(handler, "max_rounds", None)
        if not isinstance(rounds, int) or isinstance(rounds, bool):
            raise PasswordConfigError(
                f"SECURITY_PASSWORD_HASH_OPTIONS: {name}: rounds must be an integer, not {rounds!r}"
            )
        if low is not None and rounds < low:
            raise PasswordConfigError(
                f"SECURITY_PASSWORD_HASH_OPTIONS: {name}: rounds too low "
                f"(rounds must be >= {low}, got {rounds})"
            )
        if high is not None and rounds > high:
            raise PasswordConfigError(
                f"SECURITY_PASSWORD_HASH_OPTIONS: {name}: rounds too high "
                f"(rounds must be <= {high}, got {rounds})"
            )


def crypt_context(
    scheme: str,
    schemes: list[str],
    deprecated: Iterable[str],
    options: Mapping[str, Mapping[str, Any]],
) -> CryptContext:
    """passlib's context for the settings (``options`` as ``{scheme}__{option}``).

    ``plaintext`` is moved last: passlib identifies a hash by asking the schemes in
    order and ``plaintext`` claims every string, so listed before ``argon2`` (say) it
    would make every argon2 hash a wrong password.

    :param scheme: ``SECURITY_PASSWORD_HASH``.
    :param schemes: ``SECURITY_PASSWORD_SCHEMES``.
    :param deprecated: ``SECURITY_DEPRECATED_PASSWORD_SCHEMES``.
    :param options: ``{scheme: {option: value}}`` (``SECURITY_PASSWORD_HASH_OPTIONS``).
    :returns: the ``CryptContext``.
    :raises PasswordConfigError: a scheme has no usable backend (:func:`check_backends`).
    """
    schemes = [s for s in schemes if s != "plaintext"] + [s for s in schemes if s == "plaintext"]
    kwargs: dict[str, Any] = {}
    for name, opts in options.items():
        for key, value in opts.items():
            kwargs[f"{name}__{key}"] = value
    context = CryptContext(schemes=schemes, default=scheme, deprecated=list(deprecated), **kwargs)
    check_backends(context)
    return context


def with_installed_argon2(schemes: Any, default: list[str]) -> Any:
    """``SECURITY_PASSWORD_SCHEMES`` as used: when it is the documented ``default``,
    ``argon2`` is added before ``plaintext`` if its backend (argon2-cffi,
    ``pip install "fsec-core[argon2]"``) is installed. argon2 is Flask-Security 5.x's
    default hash, so the users of a 5.x application sign in with only that package
    added to its requirements (and are re-hashed with ``SECURITY_PASSWORD_HASH`` at
    that login, ``argon2`` being deprecated by ``"auto"``). A list the application
    chose, or no argon2 backend: ``schemes`` unchanged.

    :param schemes: the configured scheme names.
    :param default: the documented default list (3.0's).
    :returns: the scheme names to use.
    """
    if schemes != default or not get_crypt_handler("argon2").has_backend():
        return schemes
    plain = [s for s in schemes if s == "plaintext"]
    return [s for s in schemes if s != "plaintext"] + ["argon2"] + plain


#: Where a scheme's passlib backend comes from, for the start-up error.
BACKEND_PACKAGES: dict[str, str] = {
    "argon2": 'argon2-cffi (pip install "fsec-core[argon2]")',
    "bcrypt": "bcrypt (pip install bcrypt)",
    "bcrypt_sha256": "bcrypt (pip install bcrypt)",
}


#: Schemes whose backend fsec-core's own dependency installs (``bcrypt>=4.1``): not
#: loaded at start-up, since loading runs passlib's bcrypt self-test (about 20 ms, measured
#: on the benchmark machine) that the first hash runs anyway.
_BACKEND_INSTALLED_WITH_CORE = frozenset({"bcrypt", "bcrypt_sha256"})


def check_backends(context: CryptContext) -> None:
    """Refuse a scheme of the context that has no usable passlib backend.

    passlib only loads a backend when a hash is first made or verified, so without
    this check an ``argon2`` scheme without ``argon2-cffi`` starts and fails at the
    first login with such a hash (``MissingBackendError``, a 500).

    :param context: the context built from the settings.
    :raises PasswordConfigError: naming the scheme and what to install.
    """
    for name in context.schemes():
        if name in _BACKEND_INSTALLED_WITH_CORE:
            continue
        handler = context.handler(name)
        has_backend = getattr(handler, "has_backend", None)
        if has_backend is None or has_backend():
            continue
        package = BACKEND_PACKAGES.get(
            name, f"one of its passlib backends {tuple(getattr(handler, 'backends', ()))}"
        )
        raise PasswordConfigError(
            f"SECURITY_PASSWORD_SCHEMES: {name!r} has no usable backend; install "
            f"{package}, or remove {name!r} from SECURITY_PASSWORD_SCHEMES"
        )


#: Strings only a catch-all handler (``plaintext``, ``ldap_plaintext``) identifies.
_NOT_A_HASH = ("$fsec-not-a-hash$x", "{FSEC-NOT-A-HASH}x")
_registry_handlers: list[Any] | None = None


def _specific_handlers() -> list[Any]:
    """passlib's registered handlers except those that take any string as theirs."""
    global _registry_handlers
    if _registry_handlers is None:
        from passlib.registry import get_crypt_handler, list_crypt_handlers

        found = []
        for name in list_crypt_handlers():
            try:
                handler = get_crypt_handler(name)
                if not any(handler.identify(probe) for probe in _NOT_A_HASH):
                    found.append(handler)
            except Exception:  # noqa: S112 - a handler that cannot load names nothing
                continue
        _registry_handlers = found
    return _registry_handlers


def registry_scheme(password_hash: str) -> str | None:
    """The passlib scheme (any registered, configured or not) that made ``password_hash``.

    Catch-all handlers (``plaintext``, ``ldap_plaintext``) are not asked.

    :param password_hash: a stored hash.
    :returns: the scheme name (e.g. ``"argon2"``), or ``None`` when none claims it.
    """
    for handler in _specific_handlers():
        try:
            if handler.identify(password_hash):
                return str(handler.name)
        except (ValueError, TypeError):
            continue
    return None


def unrecognised(context: CryptContext, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether no scheme of ``context`` made ``password_hash``, and which one did.

    A hash the configured schemes do not know never verifies (it fails like a wrong
    password). With ``plaintext`` configured (the 3.0 default) every string counts as
    plaintext, so a hash is also unrecognised when plaintext is the only configured
    scheme claiming it while another passlib scheme does (a ``$argon2id$...`` value of
    Flask-Security 5.x is not a password typed by a user).

    :param context: the application's context (``PasswordHasher.context``).
    :param password_hash: the stored hash (``None`` or empty: recognised, nothing to say).
    :returns: ``(unrecognised, scheme)``: ``scheme`` is the passlib scheme that made it
        when passlib's registry knows one (e.g. ``"argon2"``), else ``None``.
    """
    if not password_hash:
        return False, None
    try:
        configured = context.identify(password_hash)
    except (ValueError, TypeError):
        configured = None
    if configured not in (None, "plaintext"):
        return False, None
    scheme = registry_scheme(password_hash)
    if configured == "plaintext":
        return scheme is not None, scheme
    return True, scheme
