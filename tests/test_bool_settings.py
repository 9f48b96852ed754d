"""Every boolean SECURITY_* key of every first-party distribution is parsed strictly.

A key counts as boolean when the default its plugin registers is a ``bool`` (the
feature flags are booleans too). Given ``"False"`` it must read as ``False``, given
``"on"`` as ``True``, and given anything else start-up fails naming the key.
"""

from __future__ import annotations

import pytest
from flask_security.config import ConfigError
from flask_security.plugins import FEATURE_FLAGS
from flask_security.testing.app import create_app

ALL_ON = {f"SECURITY_{flag}": True for flag in FEATURE_FLAGS}
#: Settings the features switched on need to start (not booleans themselves).
REQUIRED = {"SECURITY_TOTP_SECRETS": {"1": "fsec-bool-settings-totp-secret-0123456789"}}


def bool_keys() -> list[str]:
    app = create_app({**REQUIRED, **ALL_ON})
    keys = {k for k, v in app.config.items() if k.startswith("SECURITY_") and type(v) is bool}
    return sorted(keys | set(ALL_ON))


def test_there_are_boolean_keys_from_every_feature():
    keys = bool_keys()
    assert len(keys) >= 15
    for expected in (
        "SECURITY_REGISTERABLE",
        "SECURITY_SEND_REGISTER_EMAIL",
        "SECURITY_LOGIN_WITHOUT_CONFIRMATION",
        "SECURITY_FLASH_MESSAGES",
    ):
        assert expected in keys


#: Settings other keys need to start with a given value: key -> {value: settings}.
NEEDS = {
    # passwordless refuses to start without a login-recording plugin
    "SECURITY_TRACKABLE": {False: {"SECURITY_PASSWORDLESS": False}},
    # a salt is refused with the single hash
    "SECURITY_PASSWORD_SINGLE_HASH": {True: {"SECURITY_PASSWORD_SALT": None}},
}


@pytest.mark.parametrize("key", bool_keys())
def test_string_values_are_parsed(key):
    needs = NEEDS.get(key, {})
    app = create_app({**REQUIRED, **ALL_ON, **needs.get(False, {}), key: "False"})
    assert app.config[key] is False
    app = create_app({**REQUIRED, **ALL_ON, **needs.get(True, {}), key: " ON "})
    assert app.config[key] is True


@pytest.mark.parametrize("key", bool_keys())
def test_other_values_fail_startup_naming_the_key(key):
    with pytest.raises(ConfigError, match=f"{key} must be a boolean"):
        create_app({**REQUIRED, **ALL_ON, key: "perhaps"})
