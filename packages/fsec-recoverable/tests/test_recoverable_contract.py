"""fsec-recoverable against the feature contract every fsec feature plugin meets."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestRecoverableContract(FeatureContract):
    name = "recoverable"
    distribution = "fsec-recoverable"
    flag = "SECURITY_RECOVERABLE"
    endpoints = ("forgot_password", "reset_password")
    config_defaults = {
        "EMAIL_SUBJECT_PASSWORD_RESET": "Password reset instructions",
        "RESET_URL": "/reset",
        "RESET_PASSWORD_WITHIN": "5 days",
        "RESET_SALT": "reset-salt",
        "POST_RESET_VIEW": None,
        "FORGOT_PASSWORD_TEMPLATE": "security/forgot_password.html",
        "RESET_PASSWORD_TEMPLATE": "security/reset_password.html",
        "SEND_PASSWORD_RESET_EMAIL": True,
        "SEND_PASSWORD_RESET_NOTICE_EMAIL": True,
        "EMAIL_SUBJECT_PASSWORD_NOTICE": "Your password has been reset",
    }
    messages = (
        "PASSWORD_RESET_REQUEST",
        "PASSWORD_RESET_EXPIRED",
        "INVALID_RESET_PASSWORD_TOKEN",
        "PASSWORD_RESET",
        "FORGOT_PASSWORD",
    )
    templates = ("security/forgot_password.html", "security/reset_password.html")
    mails = ("reset_instructions", "reset_notice")

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)
