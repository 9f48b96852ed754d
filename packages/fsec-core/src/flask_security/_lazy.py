"""Names that live in feature or store distributions but are imported from
``flask_security`` (PEP 562 module ``__getattr__`` backed by a static table).

A missing distribution gives an ``ImportError`` naming the ``pip install`` line.
"""

from __future__ import annotations

import importlib
from typing import Any

#: name -> (module, distribution)
LAZY_NAMES: dict[str, tuple[str, str]] = {
    "SQLAlchemyUserDatastore": ("fsec_store_sqlalchemy", "fsec-store-sqlalchemy"),
    "SQLAlchemySessionUserDatastore": ("fsec_store_sqlalchemy", "fsec-store-sqlalchemy"),
    "MongoEngineUserDatastore": ("fsec_store_mongo", "fsec-store-mongo"),
    "PeeweeUserDatastore": ("fsec_store_peewee", "fsec-store-peewee"),
    "PonyUserDatastore": ("fsec_store_pony", "fsec-store-pony"),
    "RegisterForm": ("fsec_registerable.forms", "fsec-registerable"),
    "ConfirmRegisterForm": ("fsec_registerable.forms", "fsec-registerable"),
    "SendConfirmationForm": ("fsec_confirmable.forms", "fsec-confirmable"),
    "ForgotPasswordForm": ("fsec_recoverable.forms", "fsec-recoverable"),
    "ResetPasswordForm": ("fsec_recoverable.forms", "fsec-recoverable"),
    "PasswordlessLoginForm": ("fsec_passwordless.forms", "fsec-passwordless"),
}

#: Which lazy names each public module re-exports.
MODULE_NAMES: dict[str, frozenset[str]] = {
    "flask_security": frozenset(LAZY_NAMES),
    "flask_security.datastore": frozenset(n for n in LAZY_NAMES if n.endswith("Datastore")),
    "flask_security.forms": frozenset(n for n in LAZY_NAMES if n.endswith("Form")),
}


def lazy_getattr(module: str, name: str) -> Any:
    """Resolve ``name`` for ``module``'s ``__getattr__``.

    :raises AttributeError: ``name`` is not a lazy name of ``module``.
    :raises ImportError: the distribution providing ``name`` is not installed.
    """
    if name not in MODULE_NAMES.get(module, ()):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    target, dist = LAZY_NAMES[name]
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
