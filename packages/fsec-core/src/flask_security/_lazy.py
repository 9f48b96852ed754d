"""Names that live in feature or store distributions but are imported from
``flask_security`` (PEP 562 module ``__getattr__`` backed by a static table).

A missing distribution gives an ``ImportError`` naming the ``pip install`` line.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

#: name -> (module, distribution)
LAZY_NAMES: dict[str, tuple[str, str]] = {
    "SQLAlchemyUserDatastore": ("fsec_store_sqlalchemy", "fsec-store-sqlalchemy"),
    "SQLAlchemySessionUserDatastore": ("fsec_store_sqlalchemy", "fsec-store-sqlalchemy"),
    "MongoEngineUserDatastore": ("fsec_store_mongo", "fsec-store-mongo"),
    "PeeweeUserDatastore": ("fsec_store_peewee", "fsec-store-peewee"),
    "PonyUserDatastore": ("fsec_store_pony", "fsec-store-pony"),
    # upstream 5.x's list-of-strings column type (its packaged models use it)
    "AsaList": ("fsec_store_sqlalchemy.models", "fsec-store-sqlalchemy"),
    "RegisterForm": ("fsec_registerable.forms", "fsec-registerable"),
    "ConfirmRegisterForm": ("fsec_registerable.forms", "fsec-registerable"),
    "SendConfirmationForm": ("fsec_confirmable.forms", "fsec-confirmable"),
    "ForgotPasswordForm": ("fsec_recoverable.forms", "fsec-recoverable"),
    "ResetPasswordForm": ("fsec_recoverable.forms", "fsec-recoverable"),
    "PasswordlessLoginForm": ("fsec_passwordless.forms", "fsec-passwordless"),
    # upstream Flask-Security 5.x's WebAuthn names
    "WebAuthnMixin": ("fsec_webauthn.models", "fsec-webauthn"),
    "WebauthnUtil": ("fsec_webauthn.util", "fsec-webauthn"),
    "WebAuthnRegisterForm": ("fsec_webauthn.forms", "fsec-webauthn"),
    "WebAuthnRegisterResponseForm": ("fsec_webauthn.forms", "fsec-webauthn"),
    "WebAuthnSigninForm": ("fsec_webauthn.forms", "fsec-webauthn"),
    "WebAuthnSigninResponseForm": ("fsec_webauthn.forms", "fsec-webauthn"),
    "WebAuthnDeleteForm": ("fsec_webauthn.forms", "fsec-webauthn"),
    "wan_registered": ("fsec_webauthn.signals", "fsec-webauthn"),
    "wan_deleted": ("fsec_webauthn.signals", "fsec-webauthn"),
}

#: 3.0's view functions in ``flask_security.views`` that live in feature
#: distributions: name -> (module, distribution).
VIEW_NAMES: dict[str, tuple[str, str]] = {
    "register": ("fsec_registerable.views", "fsec-registerable"),
    "send_confirmation": ("fsec_confirmable.views", "fsec-confirmable"),
    "confirm_email": ("fsec_confirmable.views", "fsec-confirmable"),
    "forgot_password": ("fsec_recoverable.views", "fsec-recoverable"),
    "reset_password": ("fsec_recoverable.views", "fsec-recoverable"),
    "send_login": ("fsec_passwordless.views", "fsec-passwordless"),
    "token_login": ("fsec_passwordless.views", "fsec-passwordless"),
}

#: Which lazy names each public module re-exports.
MODULE_NAMES: dict[str, frozenset[str]] = {
    "flask_security": frozenset(LAZY_NAMES),
    "flask_security.datastore": frozenset(n for n in LAZY_NAMES if n.endswith("Datastore")),
    "flask_security.forms": frozenset(n for n in LAZY_NAMES if n.endswith("Form")),
    "flask_security.signals": frozenset(n for n in LAZY_NAMES if n.islower()),
    "flask_security.views": frozenset(VIEW_NAMES),
}


def lazy_getattr(module: str, name: str) -> Any:
    """Resolve ``name`` for ``module``'s ``__getattr__``.

    :raises AttributeError: ``name`` is not a lazy name of ``module``.
    :raises ImportError: the distribution providing ``name`` is not installed.
    """
    if name not in MODULE_NAMES.get(module, ()):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    target, dist = VIEW_NAMES[name] if module.endswith(".views") else LAZY_NAMES[name]
    try:
        mod = importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name):
            raise ImportError(
                f"{name} is provided by the {dist} distribution: pip install {dist}",
                name=target,
            ) from exc
        raise
    return getattr(mod, name)


def import_feature_module(target: str, dist: str, module: str) -> ModuleType:
    """Import ``target`` (a feature distribution's module) for the 3.0 module path
    ``module`` (``flask_security.confirmable``...).

    :raises ImportError: ``dist`` is not installed; the message holds the
        ``pip install`` line.
    """
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name):
            raise ImportError(
                f"{module} is provided by the {dist} distribution: pip install {dist}",
                name=module,
            ) from exc
        raise
