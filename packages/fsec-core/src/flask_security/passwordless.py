"""3.0's module path ``flask_security.passwordless``: login-link helpers from the
fsec-passwordless distribution (``ImportError`` naming it when it is missing)."""

from __future__ import annotations

from ._lazy import import_feature_module

_impl = import_feature_module("fsec_passwordless.passwordless", "fsec-passwordless", __name__)

generate_login_token = _impl.generate_login_token
login_token_status = _impl.login_token_status
send_login_instructions = _impl.send_login_instructions

__all__ = ["generate_login_token", "login_token_status", "send_login_instructions"]
