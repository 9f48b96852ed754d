"""fsec's feature contract, run against the lockout plugin (enabled by SECURITY_PLUGINS)."""

from __future__ import annotations

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
