"""Datastore base classes (documented 3.0 API).

A store distribution (``fsec-store-sqlalchemy``...) subclasses :class:`Datastore`
(persistence: ``put``, ``delete``, ``commit``) and :class:`UserDatastore` (users and
roles). The generic behaviour (argument preparation, role changes, activation) is
written once here; a store implements the primitives marked *store primitive*.

``from flask_security.datastore import SQLAlchemyUserDatastore`` keeps working: the
store classes are imported lazily from their distributions.

The package's parts: :mod:`.support` (errors, key and argument checks),
:mod:`.persistence` (:class:`Datastore`) and the four parts of
:class:`UserDatastore`: :mod:`.lookups`, :mod:`.creation`, :mod:`.roles`
and :mod:`.accounts`.
"""

from __future__ import annotations

from typing import Any

from .._lazy import lazy_getattr
from .accounts import AccountChanges
from .creation import UserCreation
from .lookups import UserLookups
from .persistence import Datastore
from .roles import RoleChanges
from .support import (
    MAX_INT_KEY,
    DatastoreError,
    UserExistsError,
    check_cas_arguments,
    coerce_int_key,
)
from .support import user_write_error as user_write_error  # for stores (not in __all__)


class UserDatastore(UserLookups, UserCreation, RoleChanges, AccountChanges):
    """Users and roles over ``user_model`` and ``role_model``.

    :param user_model: the user model class (with :class:`~flask_security.UserMixin`).
    :param role_model: the role model class (with :class:`~flask_security.RoleMixin`).
    :param webauthn_model: upstream Flask-Security 5.x's fourth argument: the model
        of WebAuthn credentials (passkeys), used by fsec-webauthn; ``None`` when the
        application has none.
    """

    def __init__(
        self, user_model: type, role_model: type, webauthn_model: type | None = None
    ) -> None:
        self.user_model = user_model
        self.role_model = role_model
        self.webauthn_model = webauthn_model


def __getattr__(name: str) -> Any:
    return lazy_getattr(__name__, name)


__all__ = [
    "MAX_INT_KEY",
    "Datastore",
    "DatastoreError",
    "UserDatastore",
    "UserExistsError",
    "check_cas_arguments",
    "coerce_int_key",
]
