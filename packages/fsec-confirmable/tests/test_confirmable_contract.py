"""fsec-confirmable fulfils the feature contract every fsec feature shares."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestConfirmableContract(FeatureContract):
    name = "confirmable"
    distribution = "fsec-confirmable"
    flag = "SECURITY_CONFIRMABLE"
    endpoints = ("send_confirmation", "confirm_email")
    config_defaults = {
        "EMAIL_SUBJECT_CONFIRM": "Please confirm your email",
        "CONFIRM_URL": "/confirm",
        "CONFIRM_EMAIL_WITHIN": "5 days",
        "CONFIRM_SALT": "confirm-salt",
        "LOGIN_WITHOUT_CONFIRMATION": False,
        "CONFIRM_ERROR_VIEW": None,
        "POST_CONFIRM_VIEW": None,
        "SEND_CONFIRMATION_TEMPLATE": "security/send_confirmation.html",
    }
    messages = (
        "CONFIRM_REGISTRATION",
        "EMAIL_CONFIRMED",
        "ALREADY_CONFIRMED",
        "INVALID_CONFIRMATION_TOKEN",
        "CONFIRMATION_REQUEST",
        "CONFIRMATION_EXPIRED",
        "CONFIRMATION_REQUIRED",
    )
    templates = ("security/send_confirmation.html",)
    mails = ("confirmation_instructions",)

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)


def test_message_categories_and_placeholders(app: Any) -> None:
    """Categories as in 3.0; the placeholders the documentation names are filled."""
    from flask_security.utils import get_message

    expected = {
        "CONFIRM_REGISTRATION": "success",
        "EMAIL_CONFIRMED": "success",
        "ALREADY_CONFIRMED": "info",
        "CONFIRMATION_REQUEST": "info",
        "INVALID_CONFIRMATION_TOKEN": "error",
        "CONFIRMATION_EXPIRED": "error",
        "CONFIRMATION_REQUIRED": "error",
    }
    with app.test_request_context():
        for key, category in expected.items():
            text, cat = get_message(key, email="who@example.com", within="3 days")
            assert cat == category, key
            if key in ("CONFIRM_REGISTRATION", "CONFIRMATION_REQUEST", "CONFIRMATION_EXPIRED"):
                assert "who@example.com" in text, key
            if key == "CONFIRMATION_EXPIRED":
                assert "3 days" in text


def test_form_importable_from_flask_security_forms() -> None:
    from flask_security.forms import SendConfirmationForm
    from fsec_confirmable.forms import SendConfirmationForm as Direct

    assert SendConfirmationForm is Direct
