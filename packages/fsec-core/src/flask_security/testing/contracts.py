"""Contract suites: what every fsec feature plugin must do.

A feature's tests subclass :class:`FeatureContract`, set the class attributes and
provide the ``make_app`` fixture (a factory ``make_app(config: dict) -> Flask``
building an app with fsec on some store). pytest then runs every ``test_*`` method
below against that feature. Store authors use the datastore contract in
:mod:`flask_security.testing.datastore_contract`.

Example::

    class TestRecoverableContract(FeatureContract):
        name = "recoverable"
        distribution = "fsec-recoverable"
        flag = "SECURITY_RECOVERABLE"
        endpoints = ("forgot_password", "reset_password")
        config_defaults = {"RESET_URL": "/reset"}
        messages = ("PASSWORD_RESET",)
        templates = ("security/forgot_password.html",)
        mails = ("reset_instructions", "reset_notice")

        @pytest.fixture
        def make_app(self):
            return lambda config: create_app(config)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask

from ..plugins import discover


def _another_value(default: Any) -> Any:
    """A value of ``default``'s type that differs from it (``None``: no such value).

    Strings keep their shape ("/reset" -> "/reset-app", "5 days" -> "6 days") so that
    a plugin validating its settings at start-up still starts.
    """
    if isinstance(default, bool):
        return not default
    if isinstance(default, int | float):
        return default + 1
    if isinstance(default, str):
        amount, _, unit = default.partition(" ")
        if amount.isdigit() and unit:
            return f"{int(amount) + 1} {unit}"
        return default + "-app" if default else "app"
    return None


class FeatureContract:
    """The behaviour every feature plugin shares. Override the class attributes.

    :cvar name: the entry-point name (``"recoverable"``).
    :cvar distribution: the distribution name (``"fsec-recoverable"``).
    :cvar flag: the config key that switches it on; ``None`` when it is enabled
        through ``SECURITY_PLUGINS`` (third-party plugins).
    :cvar endpoints: endpoints it adds to the security blueprint when on.
    :cvar config_defaults: ``{key without SECURITY_: default}`` it contributes.
    :cvar messages: message keys it contributes.
    :cvar templates: page templates it ships (``security/...``).
    :cvar mails: mail names it registers (templates ``security/email/<name>.txt/.html``).
    :cvar extra_config: config needed besides the flag (e.g. another feature's flag).
    """

    name: ClassVar[str]
    distribution: ClassVar[str]
    flag: ClassVar[str | None] = None
    endpoints: ClassVar[tuple[str, ...]] = ()
    config_defaults: ClassVar[dict[str, Any]] = {}
    messages: ClassVar[tuple[str, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()
    mails: ClassVar[tuple[str, ...]] = ()
    extra_config: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def make_app(self) -> Callable[[dict[str, Any]], Flask]:  # pragma: no cover
        raise NotImplementedError("a FeatureContract subclass must provide make_app")

    def _on(self, **config: Any) -> dict[str, Any]:
        result = dict(self.extra_config)
        if self.flag:
            result[self.flag] = True
        else:
            result["SECURITY_PLUGINS"] = [self.name]
        result.update(config)
        return result

    def _off(self) -> dict[str, Any]:
        return {k: v for k, v in self.extra_config.items() if k != self.flag}

    # -- discovery -------------------------------------------------------------------

    def test_contract_discovered_as_entry_point(self) -> None:
        info = discover().get(self.name)
        assert info is not None, f"no 'flask_security' entry point named {self.name!r}"
        assert info.dist is not None
        assert info.dist.replace("_", "-").lower() == self.distribution.lower()

    def test_contract_enabled_registers_plugin(self, make_app: Any) -> None:
        app = make_app(self._on())
        state = app.extensions["security"]
        assert self.name in state.plugins.infos
        assert state.plugins.implemented()[self.name], "the plugin implements no hook"

    def test_contract_disabled_means_absent(self, make_app: Any) -> None:
        app = make_app(self._off())
        state = app.extensions["security"]
        assert self.name not in state.plugins.infos
        bp = state.blueprint_name
        for endpoint in self.endpoints:
            if endpoint in ("login",):
                continue
            assert f"{bp}.{endpoint}" not in app.view_functions
        for mail in self.mails:
            assert mail not in state.mails

    # -- contributions ---------------------------------------------------------------

    def test_contract_views_mount(self, make_app: Any) -> None:
        app = make_app(self._on())
        bp = app.extensions["security"].blueprint_name
        for endpoint in self.endpoints:
            assert f"{bp}.{endpoint}" in app.view_functions, endpoint

    def test_contract_views_follow_url_prefix(self, make_app: Any) -> None:
        app = make_app(self._on(SECURITY_URL_PREFIX="/auth"))
        bp = app.extensions["security"].blueprint_name
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(bp + ".")]
        names = {r.endpoint.split(".", 1)[1] for r in rules}
        for endpoint in self.endpoints:
            assert endpoint in names
        assert all(r.rule.startswith("/auth/") for r in rules)

    def test_contract_config_defaults(self, make_app: Any) -> None:
        app = make_app(self._on())
        for key, default in self.config_defaults.items():
            assert app.config["SECURITY_" + key] == default, key
        # The application's own value must win: override every key whose default has a
        # simple type with another valid-looking value of the same type.
        overrides = {
            "SECURITY_" + key: _another_value(default)
            for key, default in self.config_defaults.items()
            if _another_value(default) is not None
        }
        if overrides:
            app2 = make_app(self._on(**overrides))
            for key, value in overrides.items():
                assert app2.config[key] == value, f"the app's {key} must win over the default"

    def test_contract_messages(self, make_app: Any) -> None:
        app = make_app(self._on())
        state = app.extensions["security"]
        for key in self.messages:
            text, category = state.messages[key]
            assert text and category in ("error", "info", "success"), key
        if self.messages:
            from ..utils import get_message

            key = self.messages[0]
            app2 = make_app(self._on(**{"SECURITY_MSG_" + key: ("overridden", "info")}))
            with app2.test_request_context():
                assert get_message(key) == ("overridden", "info")

    def test_contract_templates_render_source(self, make_app: Any) -> None:
        app = make_app(self._on())
        with app.test_request_context():
            for template in self.templates:
                assert app.jinja_env.get_template(template) is not None, template
            for mail in self.mails:
                for suffix in (".txt", ".html"):
                    name = f"security/email/{mail}{suffix}"
                    assert app.jinja_env.get_template(name) is not None, name

    def test_contract_mails_registered(self, make_app: Any) -> None:
        app = make_app(self._on())
        state = app.extensions["security"]
        for mail in self.mails:
            subject_key, _enabled = state.mails[mail]
            assert app.config.get("SECURITY_" + subject_key), subject_key
