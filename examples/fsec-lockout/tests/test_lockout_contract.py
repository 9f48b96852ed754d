"""fsec's feature contract, run against the lockout plugin (enabled by SECURITY_PLUGINS)."""

from __future__ import annotations

import datetime

import pytest
from flask_security.testing.contracts import FeatureContract
from fsec_lockout.plugin import DEFAULTS


class TestLockoutContract(FeatureContract):
    name = "lockout"
    distribution = "fsec-lockout"
    flag = None  # third-party: switched on by SECURITY_PLUGINS = ["lockout"]
    endpoints = ()  # no views of its own: it acts on every existing path
    config_defaults = dict(DEFAULTS)
    messages = ("ACCOUNT_LOCKED",)
    mails = ("lockout_notice",)

    @pytest.fixture
    def make_app(self, build_app):
        return lambda config: build_app(config)

    def refuse_account(self, app, email):
        """Lock the account the way the plugin does it, so the contract's refusal
        checks (same answer and work for the right and a wrong password) run against
        the lockout plugin's own refusal."""
        from flask_security.utils import config_value

        with app.app_context():
            datastore = app.extensions["security"].datastore
            user = datastore.find_user(email=email)
            now = config_value("DATETIME_FACTORY")()
            user.failed_login_count = config_value("LOCKOUT_MAX_ATTEMPTS")
            user.first_failed_login_at = now
            user.locked_until = now + datetime.timedelta(minutes=30)
            datastore.put(user)
            datastore.commit()
