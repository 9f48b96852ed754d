"""fsec-two-factor against the feature contract every fsec feature plugin meets."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract
from fsec_two_factor.config import DEFAULTS, MESSAGES

TOTP_SECRETS = {"1": "fsec-contract-totp-secret-with-enough-entropy-456"}


class TestTwoFactorContract(FeatureContract):
    name = "two_factor"
    distribution = "fsec-two-factor"
    flag = "SECURITY_TWO_FACTOR"
    endpoints = (
        "two_factor_setup",
        "two_factor_setup_validate",
        "two_factor_token_validation",
        "two_factor_rescue",
        "mf_recovery_codes",
        "mf_recovery",
    )
    # (the two keys extra_config sets are left out: the app's values win)
    config_defaults = {
        k: v
        for k, v in DEFAULTS.items()
        if k not in ("MULTI_FACTOR_RECOVERY_CODES", "TOTP_SECRETS")
    }
    messages = tuple(MESSAGES)
    templates = (
        "security/two_factor_setup.html",
        "security/two_factor_verify_code.html",
        "security/mf_recovery_codes.html",
        "security/mf_recovery.html",
    )
    mails = ("two_factor_instructions", "two_factor_rescue")
    extra_config = {
        "SECURITY_TOTP_SECRETS": TOTP_SECRETS,
        "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    }

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)


def test_missing_fields_are_named_at_start_up() -> None:
    from flask import Flask
    from flask_security import RoleMixin, Security, SQLAlchemyUserDatastore, UserMixin
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    class Role(db.Model, RoleMixin):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), unique=True)

    class User(db.Model, UserMixin):
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(255), unique=True)
        password = db.Column(db.String(255))
        active = db.Column(db.Boolean())
        tf_primary_method = db.Column(db.String(64))

    app = Flask("missing_fields")
    app.config.update(
        SECRET_KEY="k",
        SECURITY_PASSWORD_SALT="salt",
        SECURITY_TWO_FACTOR=True,
        SECURITY_TOTP_SECRETS=TOTP_SECRETS,
        SECURITY_MULTI_FACTOR_RECOVERY_CODES=True,
        SQLALCHEMY_DATABASE_URI="sqlite://",
    )
    db.init_app(app)
    with pytest.raises(RuntimeError, match="tf_totp_secret, mf_recovery_codes"):
        Security(app, SQLAlchemyUserDatastore(db, User, Role))


def test_totp_secrets_are_required() -> None:
    with pytest.raises(RuntimeError, match="SECURITY_TOTP_SECRETS"):
        create_app({"SECURITY_TWO_FACTOR": True})
