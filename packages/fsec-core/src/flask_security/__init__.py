"""fsec: Flask-Security 3.0's API on Flask 3, assembled from plugins.

``from flask_security import Security, SQLAlchemyUserDatastore, UserMixin, ...``.
Names whose code lives in a feature or store distribution (datastores, feature forms)
are imported lazily; a missing distribution raises ``ImportError`` with the
``pip install`` line. Importing this package discovers no plugin and imports no ORM.
"""

from __future__ import annotations

from typing import Any

from ._lazy import lazy_getattr
from .datastore import Datastore, UserDatastore, UserExistsError
from .decorators import (
    ConfigRoles,
    anonymous_user_required,
    auth_required,
    auth_token_required,
    http_auth_required,
    login_required,
    roles_accepted,
    roles_required,
)
from .extension import Security
from .forms import ChangePasswordForm, LoginForm, VerifyForm
from .freshness import check_and_update_authn_fresh
from .hashing import hash_password
from .hookspecs import hookimpl, hookspec
from .mixins import AnonymousUser, RoleMixin, UserMixin
from .signals import (
    confirm_instructions_sent,
    login_instructions_sent,
    password_changed,
    password_reset,
    reset_password_instructions_sent,
    user_confirmed,
    user_registered,
)
from .state import SecurityState, current_datastore, current_security, current_user
from .utils import login_user, logout_user, url_for_security

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    return lazy_getattr(__name__, name)


__all__ = [
    "AnonymousUser",
    "ChangePasswordForm",
    "ConfigRoles",
    "Datastore",
    "LoginForm",
    "RoleMixin",
    "Security",
    "SecurityState",
    "UserDatastore",
    "UserExistsError",
    "UserMixin",
    "VerifyForm",
    "anonymous_user_required",
    "auth_required",
    "auth_token_required",
    "check_and_update_authn_fresh",
    "confirm_instructions_sent",
    "current_datastore",
    "current_security",
    "current_user",
    "hash_password",
    "hookimpl",
    "hookspec",
    "http_auth_required",
    "login_instructions_sent",
    "login_required",
    "login_user",
    "logout_user",
    "password_changed",
    "password_reset",
    "reset_password_instructions_sent",
    "roles_accepted",
    "roles_required",
    "url_for_security",
    "user_confirmed",
    "user_registered",
]
