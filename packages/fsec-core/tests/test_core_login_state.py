"""``flask_security.utils.login_state`` and the ``fsec_login_state`` hook it reads."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_security.hookspecs import hookimpl
from flask_security.utils import login_state


class StateProvider:
    """A plugin registered at run time that reports a login state."""

    def __init__(self, value: str | None) -> None:
        self.value = value
        self.seen: list[Any] = []

    @hookimpl
    def fsec_login_state(self, user: Any) -> str | None:
        self.seen.append(user)
        return self.value


def _user(app: Flask) -> Any:
    return app.extensions["security"].datastore.find_user(email="matt@example.com")


def test_no_provider_means_no_state(app: Flask) -> None:
    with app.test_request_context():
        assert login_state(_user(app)) is None


def test_providers_are_combined_and_none_is_skipped(app: Flask) -> None:
    pm = app.extensions["security"].plugins.pm
    first, silent, second = StateProvider("a"), StateProvider(None), StateProvider("b")
    pm.register(first, name="first")
    pm.register(silent, name="silent")
    with app.test_request_context():
        user = _user(app)
        assert login_state(user) == "a"
        pm.register(second, name="second")
        combined = login_state(user)
    assert combined is not None and sorted(combined.split("\x1f")) == ["a", "b"]
    assert first.seen[0] is user and silent.seen[0] is user


def test_state_reflects_provider_changes(app: Flask) -> None:
    provider = StateProvider("1")
    app.extensions["security"].plugins.pm.register(provider, name="provider")
    with app.test_request_context():
        before = login_state(_user(app))
        provider.value = "2"
        assert login_state(_user(app)) != before
