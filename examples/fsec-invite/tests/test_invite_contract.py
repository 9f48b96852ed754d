"""fsec's feature contract, run against the invitation plugin (SECURITY_PLUGINS)."""

from __future__ import annotations

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract
from fsec_invite.plugin import DEFAULTS, MESSAGES


# --8<-- [start:contract]
class TestInviteContract(FeatureContract):
    name = "invite"
    distribution = "fsec-invite"
    flag = None  # third-party: switched on by SECURITY_PLUGINS = ["invite"]
    endpoints = ("invite", "accept_invite")
    config_defaults = dict(DEFAULTS)
    messages = tuple(MESSAGES)
    templates = ("security/invite_user.html", "security/accept_invite.html")
    mails = ("invite",)

    @pytest.fixture
    def make_app(self):
        return lambda config: create_app(config)  # the contract switches invite on/off


# --8<-- [end:contract]
