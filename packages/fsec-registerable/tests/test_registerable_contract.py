"""fsec-registerable fulfils the feature contract every fsec feature shares."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestRegisterableContract(FeatureContract):
    name = "registerable"
    distribution = "fsec-registerable"
    flag = "SECURITY_REGISTERABLE"
    endpoints = ("register",)
    config_defaults = {
        "EMAIL_SUBJECT_REGISTER": "Welcome",
        "REGISTER_URL": "/register",
        "REGISTER_USER_TEMPLATE": "security/register_user.html",
        "POST_REGISTER_VIEW": None,
        "SEND_REGISTER_EMAIL": True,
    }
    templates = ("security/register_user.html",)
    mails = ("welcome", "welcome_existing")

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)
