"""A ``SECURITY_*`` setting that nothing enabled reads is reported once at start-up
(flask_security.startup_reports.known_settings, flask_security.config.unread_settings): a
typo or an unsupported upstream 5.x setting must not silently do nothing."""

from __future__ import annotations

import logging

import pytest
from flask_security.plugins import FEATURE_FLAGS, PluginHost, discover
from flask_security.startup_reports import known_settings
from flask_security.state import FORM_NAMES
from flask_security.testing.app import create_app
from test_demo_app import load_demo

UNREAD = "no enabled part of fsec reads"


def _unread_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "flask_security" and UNREAD in r.getMessage()]


def test_a_typo_and_an_unsupported_5x_setting_are_reported_once(caplog):
    with caplog.at_level(logging.WARNING, logger="flask_security"):
        create_app(
            {
                "SECURITY_PASWORD_HASH": "bcrypt",  # typo
                "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE": False,  # 5.x, not supported
                "SECURITY_MSG_LOGIN": ("Sign in first.", "info"),  # a message: read
                "SECURITY_LOGIN_FORM": None,  # a form override: read
                "SECURITY_PASSWORD_LENGTH_MIN": 8,  # typo of PASSWORD_MIN_LENGTH
            }
        )
    records = _unread_records(caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    text = records[0].getMessage()
    assert (
        "SECURITY_PASSWORD_LENGTH_MIN, SECURITY_PASWORD_HASH, "
        "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE" in text
    )
    assert "MSG_LOGIN" not in text and "LOGIN_FORM" not in text


def test_a_feature_s_setting_is_unread_until_the_feature_is_on(caplog):
    config = {"SECURITY_RESET_PASSWORD_WITHIN": "2 days"}
    with caplog.at_level(logging.WARNING, logger="flask_security"):
        create_app(config)
    assert "SECURITY_RESET_PASSWORD_WITHIN" in _unread_records(caplog)[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="flask_security"):
        app = create_app({**config, "SECURITY_RECOVERABLE": True})
    assert not _unread_records(caplog)
    assert "RESET_PASSWORD_WITHIN" in known_settings(app.extensions["security"])


def test_the_demo_with_every_feature_sets_nothing_unread(tmp_path, caplog):
    """A real app setting many keys (the demo: every feature and passkeys) gets no
    false report."""
    with caplog.at_level(logging.WARNING, logger="flask_security"):
        load_demo("fsec_demo_unread", tmp_path / "demo.db", SECURITY_PASSWORDLESS=True)
    assert not _unread_records(caplog)


def test_every_key_read_without_a_registered_default_is_known_when_its_feature_is_on(
    docs_module,
):
    """The reference's ``[other]`` keys are the ones code reads without registering a
    default (tests/test_docs_reference.py keeps every key the code reads in the
    reference). Each must be one known_settings counts: a feature flag or a form
    override; any other such key needs a registered default, or it would be
    reported as unread although it is read."""
    _, other = docs_module.load_meanings()
    available = discover()
    registered_forms = set()
    for name in available:
        host = PluginHost.create([name], available)
        registered_forms |= {str(form).upper() for form in host.collect("fsec_forms")}
    counted = set(FEATURE_FLAGS) | {name.upper() for name in FORM_NAMES} | registered_forms
    assert sorted(set(other) - counted) == []
