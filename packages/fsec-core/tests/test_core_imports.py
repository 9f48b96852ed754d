"""The documented import surface, and lazy names from other distributions."""

from __future__ import annotations

import importlib
import sys

import pytest

DOCUMENTED = {
    "flask_security": [
        "Security",
        "UserMixin",
        "RoleMixin",
        "AnonymousUser",
        "current_user",
        "login_required",
        "auth_required",
        "auth_token_required",
        "http_auth_required",
        "roles_required",
        "roles_accepted",
        "login_user",
        "logout_user",
        "url_for_security",
        "SQLAlchemyUserDatastore",
        "SQLAlchemySessionUserDatastore",
        "LoginForm",
        "user_registered",
        "user_confirmed",
        "confirm_instructions_sent",
        "password_reset",
        "reset_password_instructions_sent",
    ],
    "flask_security.core": ["Security", "UserMixin", "RoleMixin", "AnonymousUser", "current_user"],
    "flask_security.datastore": [
        "Datastore",
        "UserDatastore",
        "SQLAlchemyUserDatastore",
        "SQLAlchemySessionUserDatastore",
    ],
    "flask_security.decorators": [
        "login_required",
        "roles_required",
        "roles_accepted",
        "http_auth_required",
        "auth_token_required",
        "auth_required",
        "anonymous_user_required",
    ],
    "flask_security.forms": ["LoginForm", "ChangePasswordForm"],
    "flask_security.signals": [
        "user_registered",
        "user_confirmed",
        "confirm_instructions_sent",
        "login_instructions_sent",
        "password_reset",
        "password_changed",
        "reset_password_instructions_sent",
    ],
    "flask_security.utils": [
        "login_user",
        "logout_user",
        "get_hmac",
        "verify_password",
        "verify_and_update_password",
        "encrypt_password",
        "hash_password",
        "url_for_security",
        "get_within_delta",
        "send_mail",
        "get_token_status",
        "config_value",
        "get_message",
        "capture_registrations",
        "capture_reset_password_requests",
        "capture_passwordless_login_requests",
    ],
    "flask_security.cli": ["users_create", "roles_create"],
}


@pytest.mark.parametrize("module", sorted(DOCUMENTED))
def test_documented_names_import(module):
    mod = importlib.import_module(module)
    for name in DOCUMENTED[module]:
        assert getattr(mod, name) is not None, f"{module}.{name}"


def test_lazy_store_name_is_the_store_class():
    from flask_security import SQLAlchemyUserDatastore
    from flask_security.datastore import SQLAlchemyUserDatastore as again
    from fsec_store_sqlalchemy import SQLAlchemyUserDatastore as real

    assert SQLAlchemyUserDatastore is again is real


def test_missing_distribution_names_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsec_store_pony", None)
    with pytest.raises(ImportError, match="pip install fsec-store-pony"):
        from flask_security import PonyUserDatastore  # noqa: F401
    monkeypatch.setitem(sys.modules, "fsec_recoverable.forms", None)
    monkeypatch.setitem(sys.modules, "fsec_recoverable", None)
    with pytest.raises(ImportError, match="fsec-recoverable"):
        from flask_security.forms import ForgotPasswordForm  # noqa: F401


def test_unknown_name_is_attribute_error():
    import flask_security

    with pytest.raises(AttributeError):
        flask_security.NoSuchThing
    with pytest.raises(ImportError):
        from flask_security import NoSuchThing  # noqa: F401


def test_lazy_table_points_at_real_distributions():
    from flask_security._lazy import LAZY_NAMES
    from flask_security.plugins import FIRST_PARTY_FEATURES, FIRST_PARTY_STORES

    dists = set(FIRST_PARTY_FEATURES.values()) | set(FIRST_PARTY_STORES.values())
    for name, (module, dist) in LAZY_NAMES.items():
        assert dist in dists, name
        # the import package is the distribution name with "_" (fsec-store-pony ->
        # fsec_store_pony)
        assert module.split(".")[0] == dist.replace("-", "_")


#: Every name ``flask_security.core`` defined before the state, the identity
#: machinery, the mixins and the extension moved into modules of their own.
CORE_MODULE_NAMES = [
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
]


@pytest.mark.parametrize("name", CORE_MODULE_NAMES)
def test_core_module_path_keeps_its_names(name):
    import flask_security.core as core

    assert getattr(core, name) is not None
    assert name in core.REEXPORTED


def test_core_names_are_the_owning_modules_objects():
    import flask_security.core as core
    from flask_security import extension, mixins, state

    assert core.Security is extension.Security
    assert core.UserMixin is mixins.UserMixin
    assert core._security is state.current_security
    assert core._SecurityState is state.SecurityState
