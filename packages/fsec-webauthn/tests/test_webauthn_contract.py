"""fsec-webauthn against the feature contract every fsec feature plugin meets."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestWebAuthnContract(FeatureContract):
    name = "webauthn"
    distribution = "fsec-webauthn"
    flag = "SECURITY_WEBAUTHN"
    endpoints = (
        "wan_register",
        "wan_register_response",
        "wan_signin",
        "wan_signin_response",
        "wan_delete",
        "wan_js",
    )
    config_defaults = {
        "WAN_REGISTER_URL": "/wan-register",
        "WAN_SIGNIN_URL": "/wan-signin",
        "WAN_DELETE_URL": "/wan-delete",
        "WAN_RP_NAME": "My Flask App",
        "WAN_REGISTER_TIMEOUT": 60000,
        "WAN_SIGNIN_TIMEOUT": 60000,
        "WAN_ALLOW_AS_FIRST_FACTOR": True,
        "WAN_ALLOW_AS_MULTI_FACTOR": True,
        "WAN_ALLOW_USER_HINTS": True,
        "WAN_NAME_MAX_LENGTH": 64,
        "WAN_SALT": "wan-salt",
    }
    messages = ("WEBAUTHN_REGISTER_SUCCESSFUL", "WEBAUTHN_EXPIRED", "WEBAUTHN_NAME_INUSE")
    templates = ("security/wan_register.html", "security/wan_signin.html")

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)
