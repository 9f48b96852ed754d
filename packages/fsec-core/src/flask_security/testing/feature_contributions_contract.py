"""The feature contract's suites about how a feature plugs in: found as an entry
point, registered when switched on and absent when off
(:class:`FeatureDiscoveryContract`), and what it contributes: views (also under
``SECURITY_URL_PREFIX``), settings the application can override, messages,
templates, mails and their translations (:class:`FeatureContributionsContract`).
Part of :class:`~flask_security.testing.contracts.FeatureContract`."""

from __future__ import annotations

from typing import Any

import pytest

from ..plugins import discover
from .feature_suite_base import FeatureSuite


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


class FeatureDiscoveryContract(FeatureSuite):
    """The feature is an entry point of its distribution, registered when switched on,
    absent (no plugin, views or mails) when off."""

    def test_contract_discovered_as_entry_point(self) -> None:
        """An entry point called ``name`` exists in the ``flask_security`` group and
        comes from ``distribution`` (so ``pip install <distribution>`` provides it)."""
        info = discover().get(self.name)
        assert info is not None, f"no 'flask_security' entry point named {self.name!r}"
        assert info.dist is not None
        assert info.dist.replace("_", "-").lower() == self.distribution.lower()

    def test_contract_enabled_registers_plugin(self, make_app: Any) -> None:
        """With the plugin switched on (``flag`` = ``True``, or ``SECURITY_PLUGINS =
        [name]``), the app's plugin host has it and it implements at least one hook."""
        app = make_app(self._on())
        state = app.extensions["security"]
        assert self.name in state.plugins.infos
        assert state.plugins.implemented()[self.name], "the plugin implements no hook"

    def test_contract_disabled_means_absent(self, make_app: Any) -> None:
        """Switched off (only ``extra_config``), the plugin is not registered, none of its
        ``endpoints`` exist and none of its ``mails`` is registered."""
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


class FeatureContributionsContract(FeatureSuite):
    """What the feature contributes, as its class attributes say: views (also under a
    URL prefix), settings with defaults the application can override, messages,
    templates, registered mails, and translations of its texts."""

    def test_contract_strings_translated(self, make_app: Any) -> None:
        """Every message and mail subject the feature registers has a translation in
        each of :attr:`translated_locales`, from the compiled catalogues installed with
        the distribution (so a ``.mo`` left out of the wheel fails here)."""
        if not self.translated_locales:
            pytest.skip("the plugin ships no catalogues (translated_locales = ())")
        flask_babel = pytest.importorskip("flask_babel")
        from ..babel import get_translations

        app = make_app(self._on())
        chosen: dict[str, str] = {}
        flask_babel.Babel(app, locale_selector=lambda: chosen["locale"])
        state = app.extensions["security"]
        texts = {state.messages[key][0] for key in self.messages}
        for mail in self.mails:
            subject = app.config.get("SECURITY_" + state.mails[mail][0])
            if isinstance(subject, str):
                texts.add(subject)
        for locale in self.translated_locales:
            chosen["locale"] = locale
            with app.test_request_context():
                catalog = getattr(get_translations(), "_catalog", {})
                missing = sorted(t for t in texts if not catalog.get(t))
            assert not missing, f"{self.distribution} {locale}: untranslated {missing}"

    def test_contract_views_mount(self, make_app: Any) -> None:
        """Switched on, every endpoint in ``endpoints`` is a view of the security
        blueprint (``security.<endpoint>``)."""
        app = make_app(self._on())
        bp = app.extensions["security"].blueprint_name
        for endpoint in self.endpoints:
            assert f"{bp}.{endpoint}" in app.view_functions, endpoint

    def test_contract_views_follow_url_prefix(self, make_app: Any) -> None:
        """With ``SECURITY_URL_PREFIX = "/auth"``, every endpoint is still there and every
        rule of the blueprint starts with ``/auth/``."""
        app = make_app(self._on(SECURITY_URL_PREFIX="/auth"))
        bp = app.extensions["security"].blueprint_name
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(bp + ".")]
        names = {r.endpoint.split(".", 1)[1] for r in rules}
        for endpoint in self.endpoints:
            assert endpoint in names
        assert all(r.rule.startswith("/auth/") for r in rules)

    def test_contract_config_defaults(self, make_app: Any) -> None:
        """Every key of ``config_defaults`` has that default in ``app.config``; each one
        whose default is a string, number or boolean, given another value of the same
        shape by the application, keeps the application's value."""
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
        """Every key of ``messages`` is registered with a text and a category among
        ``error``, ``info``, ``success``; ``SECURITY_MSG_<KEY>`` overrides the first."""
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
        """Every page in ``templates`` and both parts (``.txt``, ``.html``) of every mail in
        ``mails`` load through the app's Jinja loader (the files are where
        ``fsec_template_folders`` says, also from a wheel)."""
        app = make_app(self._on())
        with app.test_request_context():
            for template in self.templates:
                assert app.jinja_env.get_template(template) is not None, template
            for mail in self.mails:
                for suffix in (".txt", ".html"):
                    name = f"security/email/{mail}{suffix}"
                    assert app.jinja_env.get_template(name) is not None, name

    def test_contract_mails_registered(self, make_app: Any) -> None:
        """Every mail in ``mails`` is registered (``fsec_mails``) with a subject key that
        has a non-empty value in the app's config."""
        app = make_app(self._on())
        state = app.extensions["security"]
        for mail in self.mails:
            subject_key, _enabled = state.mails[mail]
            assert app.config.get("SECURITY_" + subject_key), subject_key


__all__ = ["FeatureContributionsContract", "FeatureDiscoveryContract"]
