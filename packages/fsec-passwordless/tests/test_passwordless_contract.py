"""fsec-passwordless against the feature contract every fsec feature plugin meets."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestPasswordlessContract(FeatureContract):
    name = "passwordless"
    distribution = "fsec-passwordless"
    flag = "SECURITY_PASSWORDLESS"
    endpoints = ("login", "token_login")
    config_defaults = {
        "EMAIL_SUBJECT_PASSWORDLESS": "Login instructions",
        "LOGIN_WITHIN": "1 days",
        "LOGIN_SALT": "login-salt",
        "SEND_LOGIN_TEMPLATE": "security/send_login.html",
    }
    messages = (
        "LOGIN_EMAIL_SENT",
        "INVALID_LOGIN_TOKEN",
        "LOGIN_EXPIRED",
        "PASSWORDLESS_LOGIN_SUCCESSFUL",
    )
    templates = ("security/send_login.html",)
    mails = ("login_instructions",)
    # One-time links need a plugin recording logins.
    extra_config = {"SECURITY_TRACKABLE": True}

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)
