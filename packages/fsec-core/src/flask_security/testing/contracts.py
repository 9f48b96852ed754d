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

import base64
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask

from ..babel import LOCALES
from ..hookspecs import hookimpl
from ..plugins import discover
from .redirects import HOSTILE_NEXT, location_stays_on_site

#: Password of the account the contract's behaviour tests create.
CONTRACT_PASSWORD = "contract-Password-1"


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


class _FailureCounter:
    """A run-time plugin recording ``fsec_login_failed`` and ``fsec_login_refused``."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []

    @hookimpl
    def fsec_login_failed(self, user: Any, identity: str, method: str) -> None:
        self.failed.append((identity, method))

    @hookimpl
    def fsec_login_refused(self, user: Any, method: str, reason: str) -> None:
        self.refused.append((method, reason))


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
    :cvar translated_locales: locales whose catalogues must translate every message
        and mail subject the feature registers (default: every locale fsec ships,
        :data:`flask_security.babel.LOCALES`; ``()`` for a plugin without catalogues).
        Checked against the installed distribution's compiled catalogues, registered
        through ``fsec_translation_directories``, when Flask-Babel is installed.

    The behaviour tests (hostile ``next`` values on every endpoint; a refused account
    answering the same whatever the password) create a user with
    ``datastore.create_user`` and may be adapted by overriding :meth:`user_fields` and
    :meth:`refuse_account`.
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
    translated_locales: ClassVar[tuple[str, ...]] = LOCALES

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

    def user_fields(self) -> dict[str, Any]:
        """Extra fields for the user the behaviour tests create (called inside an app
        context; override for models needing more). Default: ``confirmed_at`` (now)
        when the model has it."""
        from flask import current_app

        from ..utils import config_value

        state = current_app.extensions["security"]
        if hasattr(state.datastore.user_model, "confirmed_at"):
            return {"confirmed_at": config_value("DATETIME_FACTORY")()}
        return {}

    def refuse_account(self, app: Flask, email: str) -> None:
        """Put the account ``email`` into a state ``fsec_login_refusal`` refuses.

        Default: deactivate it (core's refusal). A plugin that refuses accounts
        itself overrides this to use its own state (the lockout example locks it).
        """
        with app.app_context():
            datastore = app.extensions["security"].datastore
            user = datastore.find_user(email=email)
            datastore.deactivate_user(user)
            datastore.put(user)
            datastore.commit()

    def _add_user(self, app: Flask, email: str) -> None:
        from ..utils import hash_password

        with app.app_context():
            datastore = app.extensions["security"].datastore
            datastore.create_user(
                email=email,
                password=hash_password(CONTRACT_PASSWORD),
                active=True,
                **self.user_fields(),
            )
            datastore.commit()

    # -- discovery -------------------------------------------------------------------

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

    # -- contributions ---------------------------------------------------------------

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

    # -- behaviour shared by every feature (issue 15 items 1 and 2) ------------------

    def test_contract_hostile_next_never_leaves_the_site(self, make_app: Any) -> None:
        """Every endpoint of the feature, and login/logout, with each value of the
        hostile-``next`` corpus, anonymous and signed in: no ``Location`` off-site."""
        app = make_app(self._on(WTF_CSRF_ENABLED=False))
        self._add_user(app, "contract@example.com")
        bp = app.extensions["security"].blueprint_name
        urls = []
        with app.test_request_context():
            from flask import url_for

            for endpoint in (*self.endpoints, "login", "logout"):
                rule = next(
                    (r for r in app.url_map.iter_rules() if r.endpoint == f"{bp}.{endpoint}"),
                    None,
                )
                if rule is not None:
                    urls.append(url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "x")))
            user = app.extensions["security"].datastore.find_user(email="contract@example.com")
            user_id = user.get_id()
        assert urls
        for signed_in in (False, True):
            client = app.test_client()
            for target in HOSTILE_NEXT:
                for url in urls:
                    if signed_in:
                        with client.session_transaction() as sess:
                            sess["_user_id"] = user_id
                            sess["_fresh"] = True
                    r = client.get(url, query_string={"next": target})
                    location = r.headers.get("Location")
                    assert location_stays_on_site(location), (url, target, location)

    def test_contract_refused_account_answer_does_not_depend_on_password(
        self, make_app: Any
    ) -> None:
        """A refused account (``fsec_login_refusal``) answers the same, with the same
        password work and the same ``fsec_login_failed`` call, for the right and a
        wrong password, on form, JSON and HTTP Basic login; and is not signed in."""
        from ..decorators import http_auth_required

        app = make_app(self._on(WTF_CSRF_ENABLED=False))

        @app.route("/_fsec_contract_basic")
        @http_auth_required
        def _contract_basic() -> str:
            return "in"

        email = "refused@example.com"
        self._add_user(app, email)
        self.refuse_account(app, email)
        state = app.extensions["security"]
        counter = _FailureCounter()
        state.plugins.pm.register(counter, name="contract-failure-counter")
        hasher = state.password_hasher
        work: list[str] = []
        real_check, real_dummy = hasher.check, hasher.dummy_verify

        def check(password: Any, password_hash: Any) -> Any:
            work.append("check")
            return real_check(password, password_hash)

        def dummy_verify(password: Any = "fsec-wrong") -> None:
            work.append("dummy")
            real_dummy(password)

        hasher.check, hasher.dummy_verify = check, dummy_verify
        with app.test_request_context():
            from flask import url_for

            login_url = url_for(f"{state.blueprint_name}.login")

        def attempt(password: str) -> dict[str, Any]:
            work.clear()
            failed_before = len(counter.failed)
            client = app.test_client()
            form = client.post(login_url, data={"email": email, "password": password})
            as_json = client.post(login_url, json={"email": email, "password": password})
            raw = base64.b64encode(f"{email}:{password}".encode()).decode()
            basic = client.get("/_fsec_contract_basic", headers={"Authorization": "Basic " + raw})
            with client.session_transaction() as sess:
                signed_in = "_user_id" in sess
            return {
                "form": (form.status_code, form.headers.get("Location"), form.get_data()),
                "json": (as_json.status_code, as_json.get_json()),
                "basic": (basic.status_code, basic.get_data()),
                "signed_in": signed_in,
                "work": list(work),
                "failures": len(counter.failed) - failed_before,
            }

        right = attempt(CONTRACT_PASSWORD)
        wrong = attempt("wrong-" + CONTRACT_PASSWORD)
        assert right["basic"][0] == 401, "a refused account passed HTTP Basic"
        assert not right["signed_in"], "a refused account was signed in"
        for key in ("form", "json", "basic", "work", "failures"):
            assert right[key] == wrong[key], f"{key}: the answer depends on the password"
        # The failures keep counting on the paths that took the password (basic at
        # least, form and JSON unless the feature replaced the login form).
        assert right["failures"] >= 1
        assert right["work"], "no password work was done for a refused account"
