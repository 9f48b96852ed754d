"""Boolean SECURITY_* settings given as strings are parsed, never tested for truth.

Env-var loaders (``from_prefixed_env`` without JSON, dotenv, config maps) give
``"False"``; Flask-Security 3.0 treated that as true and switched the feature on.
"""

from __future__ import annotations

import pytest
from flask_security.config import ConfigError, parse_bool_setting

TRUE = ["True", "true", "TRUE", " yes ", "On", "1", 1, True]
FALSE = ["False", "false", "FALSE", "no", " OFF", "0", "", 0, False]


@pytest.mark.parametrize("value", TRUE)
def test_true_spellings(value):
    assert parse_bool_setting("SECURITY_X", value) is True


@pytest.mark.parametrize("value", FALSE)
def test_false_spellings(value):
    assert parse_bool_setting("SECURITY_X", value) is False


@pytest.mark.parametrize("value", ["maybe", "ture", 2, -1, [], ["True"], 1.0])
def test_other_values_fail_naming_the_key(value):
    with pytest.raises(ConfigError, match=r"SECURITY_X must be a boolean.*got "):
        parse_bool_setting("SECURITY_X", value)


@pytest.mark.parametrize("value", ["False", "false", "0", "no", "off"])
def test_changeable_false_string_does_not_switch_change_password_on(make_app, value):
    app = make_app({"SECURITY_CHANGEABLE": value})
    assert app.config["SECURITY_CHANGEABLE"] is False
    assert "security.change_password" not in app.view_functions
    assert app.test_client().get("/change").status_code == 404


@pytest.mark.parametrize("value", ["True", "yes", "1", "ON"])
def test_changeable_true_string_switches_it_on(make_app, value):
    app = make_app({"SECURITY_CHANGEABLE": value})
    assert app.config["SECURITY_CHANGEABLE"] is True
    assert "security.change_password" in app.view_functions


@pytest.mark.parametrize("flag", ["REGISTERABLE", "CONFIRMABLE", "RECOVERABLE", "TRACKABLE"])
def test_feature_flag_false_string_enables_no_plugin(make_app, flag):
    # Before the fix "False" was truthy: the feature was enabled (or, when its
    # distribution is not installed, start-up failed asking to pip install it).
    app = make_app({f"SECURITY_{flag}": "False"})
    assert flag.lower() not in app.extensions["security"].plugins.infos
    assert app.config[f"SECURITY_{flag}"] is False


def test_feature_flag_bad_value_fails_startup_naming_the_key(make_app):
    with pytest.raises(ConfigError, match="SECURITY_REGISTERABLE must be a boolean"):
        make_app({"SECURITY_REGISTERABLE": "sometimes"})


def test_core_bool_default_keys_are_parsed(make_app):
    app = make_app({"SECURITY_FLASH_MESSAGES": "off", "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": "No"})
    assert app.config["SECURITY_FLASH_MESSAGES"] is False
    assert app.config["SECURITY_SEND_PASSWORD_CHANGE_EMAIL"] is False


def test_core_bool_default_key_bad_value_fails_startup(make_app):
    with pytest.raises(ConfigError, match="SECURITY_DEFAULT_REMEMBER_ME must be a boolean"):
        make_app({"SECURITY_DEFAULT_REMEMBER_ME": "always"})


def test_password_single_hash_keeps_its_list_form(make_app):
    app = make_app({"SECURITY_PASSWORD_SINGLE_HASH": ["plaintext"]})
    assert app.config["SECURITY_PASSWORD_SINGLE_HASH"] == ["plaintext"]
    with pytest.raises(ConfigError, match="SECURITY_PASSWORD_SINGLE_HASH must be a boolean"):
        make_app({"SECURITY_PASSWORD_SINGLE_HASH": "plaintext"})
