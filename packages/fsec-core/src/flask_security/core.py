"""Flask-Security 3.0's ``flask_security.core`` module path, kept for apps that import
from it: every name it held is re-exported from the module that now owns it.

fsec's own modules import from those modules directly (the layers are listed in
``docs/layout.md`` and checked by import-linter): the state and its proxies
(:mod:`flask_security.state`), the identity machinery (:mod:`flask_security.identity`),
the model mixins (:mod:`flask_security.mixins`), the extension object
(:mod:`flask_security.extension`) and its set-up (:mod:`flask_security.assembly`).
"""

from __future__ import annotations

import os

from .assembly import resolve_form_override as resolve_form_override
from .assembly import template_loader as template_loader
from .extension import Security
from .identity import _get_current_user as _get_current_user
from .identity import _LazyIdentity as _LazyIdentity
from .identity import _LoginManager as _LoginManager
from .identity import _Principal as _Principal
from .identity import _request_loader as _request_loader
from .identity import _user_loader as _user_loader
from .mixins import AnonymousUser, RoleMixin, UserMixin
from .state import FORM_NAMES, SecurityState, _SecurityState, current_user
from .state import _datastore as _datastore
from .state import _security as _security
from .state import current_datastore as current_datastore
from .state import current_security as current_security

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

#: Every name this module held before the state moved out of it (3.0 apps and
#: fsec 0.x code import them from here); checked by a test.
REEXPORTED = (
    "FORM_NAMES",
    "AnonymousUser",
    "RoleMixin",
    "Security",
    "SecurityState",
    "UserMixin",
    "_LazyIdentity",
    "_LoginManager",
    "_PACKAGE_DIR",
    "_Principal",
    "_SecurityState",
    "_datastore",
    "_get_current_user",
    "_request_loader",
    "_security",
    "_user_loader",
    "current_datastore",
    "current_security",
    "current_user",
    "resolve_form_override",
    "template_loader",
)

__all__ = [
    "FORM_NAMES",
    "AnonymousUser",
    "RoleMixin",
    "Security",
    "SecurityState",
    "UserMixin",
    "_SecurityState",
    "current_user",
]
