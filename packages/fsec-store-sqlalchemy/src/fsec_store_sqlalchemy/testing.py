"""Deprecated: the shared test application moved to :mod:`flask_security.testing.app`
(fsec-core), since every distribution's tests use it, not only this store's.

This module re-exports its names (``create_app``, ``add_user``, ``login``,
``TEST_CONFIG``, ``db``, ``User``, ``Role``, ``WebAuthn``, ``roles_users``) for one
release and warns (``DeprecationWarning``) when imported; write
``from flask_security.testing.app import create_app`` instead.
"""

from __future__ import annotations

import warnings

from flask_security.testing.app import (
    TEST_CONFIG,
    Role,
    User,
    WebAuthn,
    add_user,
    create_app,
    db,
    login,
    roles_users,
)

__all__ = [
    "TEST_CONFIG",
    "Role",
    "User",
    "WebAuthn",
    "add_user",
    "create_app",
    "db",
    "login",
    "roles_users",
]

warnings.warn(
    "fsec_store_sqlalchemy.testing moved to flask_security.testing.app; "
    "import create_app, add_user, login and the models from there",
    DeprecationWarning,
    stacklevel=2,
)
