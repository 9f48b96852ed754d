"""Plugin discovery, enabling, errors and contribution rules (flask_security.plugins)."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
from types import SimpleNamespace

import pytest
from flask_security import plugins
from flask_security.plugins import PluginError, enabled_plugin_names
from flask_security.testing.app import add_user, login


@pytest.fixture
def fake_plugins(tmp_path, monkeypatch):
    """Install fake plugin modules and extra entry points for one test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    real = importlib.metadata.entry_points(group="flask_security")
    extra: list = []

    def add(name: str, module: str, source: str | None, dist: str = "fsec-fake") -> None:
        if source is not None:
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        ep = importlib.metadata.EntryPoint(name=name, value=module, group="flask_security")
        extra.append(
            SimpleNamespace(
                name=ep.name, value=ep.value, dist=SimpleNamespace(name=dist, version="9.9")
            )
        )

    def fake_entry_points(group=None):
        assert group == "flask_security"
        return list(real) + extra

    monkeypatch.setattr(plugins.importlib.metadata, "entry_points", fake_entry_points)
    plugins.clear_discovery_cache()
    yield add
    plugins.clear_discovery_cache()
    for mod in [m for m in sys.modules if m.startswith("fake_")]:
        del sys.modules[mod]


def test_discovery_reads_entry_points_sorted():
    found = plugins.discover()
    assert "core" in found and "store-sqlalchemy" in found
    assert list(found) == sorted(found)
    assert found["core"].dist == "fsec-core"


def test_duplicate_entry_points_dropped(fake_plugins):
    fake_plugins("core", "flask_security._core_plugin", None, dist="fsec-core")
    assert plugins.discover()["core"].target == "flask_security._core_plugin"


def test_one_name_two_targets_is_an_error(fake_plugins, make_app):
    fake_plugins("core", "fake_other_core", "")
    with pytest.raises(PluginError, match="two fsec plugins are named 'core'"):
        make_app()


def test_feature_switched_on_but_not_installed_names_pip_line():
    available = {"core": plugins.discover()["core"]}
    with pytest.raises(PluginError, match="pip install fsec-recoverable"):
        enabled_plugin_names({"SECURITY_RECOVERABLE": True}, None, available)


@pytest.mark.parametrize("value", ["lockout", ["ok", 3]])
def test_security_plugins_must_be_a_list_of_names(make_app, value):
    with pytest.raises(PluginError, match="must be a list of plugin names"):
        make_app({"SECURITY_PLUGINS": value})


def test_third_party_plugin_not_installed(make_app):
    with pytest.raises(PluginError, match="'nosuch'"):
        make_app({"SECURITY_PLUGINS": ["nosuch"]})


def test_installed_but_off_is_never_imported(fake_plugins, make_app):
    fake_plugins("fake-off", "fake_off", "raise RuntimeError('imported!')\n")
    app = make_app()
    assert "fake-off" not in app.extensions["security"].plugins.infos
    assert "fake_off" not in sys.modules


def test_enabled_plugin_failing_import_fails_startup(fake_plugins, make_app):
    fake_plugins("fake-broken", "fake_broken", "import no_such_module_anywhere\n")
    with pytest.raises(PluginError, match=r"'fake-broken'.*fsec-fake.*no_such_module_anywhere"):
        make_app({"SECURITY_PLUGINS": ["fake-broken"]})


def test_unknown_hook_fails_check_pending(fake_plugins, make_app):
    fake_plugins(
        "fake-future",
        "fake_future",
        """
        from flask_security import hookimpl

        @hookimpl
        def fsec_hook_from_the_future():
            pass
        """,
    )
    with pytest.raises(PluginError, match="upgrade fsec-core"):
        make_app({"SECURITY_PLUGINS": ["fake-future"]})


def test_two_plugins_claiming_one_view_is_an_error(fake_plugins, make_app):
    source = """
        from flask_security import hookimpl

        @hookimpl
        def fsec_views(register):
            register("hello", "/hello-{n}", lambda: "hi")
    """
    fake_plugins("fake-a", "fake_a", source.replace("{n}", "a"))
    fake_plugins("fake-b", "fake_b", source.replace("{n}", "b"))
    with pytest.raises(PluginError, match="both contribute 'hello' to fsec_views"):
        make_app({"SECURITY_PLUGINS": ["fake-a", "fake-b"]})


def test_plugin_replaces_core_contribution_and_adds_config_and_messages(fake_plugins, make_app):
    fake_plugins(
        "fake-login",
        "fake_login",
        """
        from flask_security import hookimpl

        @hookimpl
        def fsec_views(register, state):
            register("login", state.config("LOGIN_URL"), lambda: "my login page")

        @hookimpl
        def fsec_config_defaults(register):
            register("FAKE_SETTING", 42)

        @hookimpl
        def fsec_messages(register):
            register("FAKE_MESSAGE", ("Fake %(x)s", "info"))
        """,
    )
    app = make_app({"SECURITY_PLUGINS": ["fake-login"]})
    assert app.test_client().get("/login").get_data(as_text=True) == "my login page"
    assert app.config["SECURITY_FAKE_SETTING"] == 42
    state = app.extensions["security"]
    assert state.contributions["fsec_views"]["login"] == "fake-login"
    assert state.contributions["fsec_views"]["logout"] == "core"
    from flask_security.utils import get_message

    with app.test_request_context():
        assert get_message("FAKE_MESSAGE", x="y") == ("Fake y", "info")


def test_lifecycle_hooks_reach_plugins(fake_plugins, make_app):
    fake_plugins(
        "fake-events",
        "fake_events",
        """
        from flask_security import hookimpl

        EVENTS = []

        @hookimpl
        def fsec_login_refusal(user, method):
            EVENTS.append(("allowed", user.email, method))
            return "UNAUTHORIZED" if user.email.startswith("blocked") else None

        @hookimpl
        def fsec_login_refused(user, method, reason):
            EVENTS.append(("refused", user.email, method, reason))

        @hookimpl
        def fsec_login_failed(user, identity, method):
            EVENTS.append(("failed", identity, method))

        @hookimpl
        def fsec_after_login(user, method):
            EVENTS.append(("after", user.email, method))

        @hookimpl
        def fsec_password_changed(user, reason):
            EVENTS.append(("changed", user.email, reason))

        @hookimpl
        def fsec_init_app(app, state):
            EVENTS.append(("init", app.name, None))

        @hookimpl
        def fsec_view_links(view, state):
            return [("Help", "/help")] if view == "login" else None

        @hookimpl
        def fsec_mail_context(name, user, context):
            context["extra_line"] = "from a plugin"
        """,
    )
    app = make_app({"SECURITY_PLUGINS": ["fake-events"], "SECURITY_CHANGEABLE": True})
    events = sys.modules["fake_events"].EVENTS
    assert events == [("init", "fsec_test_app", None)]
    add_user(app, "a@example.com")
    add_user(app, "blocked@example.com")
    client = app.test_client()
    assert '<a href="/help">Help</a>' in client.get("/login").get_data(as_text=True)
    login(client, "nobody@example.com")
    assert ("failed", "nobody@example.com", "form") in events
    r = login(app.test_client(), "blocked@example.com")
    assert r.status_code == 400
    assert ("refused", "blocked@example.com", "form", "UNAUTHORIZED") in events
    import base64

    basic = base64.b64encode(b"blocked@example.com:password").decode()
    assert (
        app.test_client().get("/basic", headers={"Authorization": "Basic " + basic}).status_code
        == 401
    )
    assert ("refused", "blocked@example.com", "basic", "UNAUTHORIZED") in events
    with app.test_request_context():
        from flask_security.utils import login_user

        ds = app.extensions["security"].datastore
        assert login_user(ds.find_user(email="blocked@example.com"), method="confirm") is False
    assert ("refused", "blocked@example.com", "confirm", "UNAUTHORIZED") in events
    login(client, "a@example.com")
    assert ("allowed", "a@example.com", "form") in events
    assert ("after", "a@example.com", "form") in events
    with app.extensions["mail"].record_messages() as outbox:
        client.post(
            "/change",
            json={
                "password": "password",
                "new_password": "pass-two",
                "new_password_confirm": "pass-two",
            },
        )
    assert ("changed", "a@example.com", "change") in events
    assert len(outbox) == 1
    client.get("/")
    assert ("allowed", "a@example.com", "session") in events


def test_cli_command_in_unknown_group_is_an_error(fake_plugins, make_app):
    fake_plugins(
        "fake-cli",
        "fake_cli",
        """
        import click
        from flask_security import hookimpl

        @hookimpl
        def fsec_cli_commands(register):
            register("nowhere", click.Command("x"))
        """,
    )
    with pytest.raises(PluginError, match="unknown group 'nowhere'"):
        make_app({"SECURITY_PLUGINS": ["fake-cli"]})


def test_store_plugin_enabled_by_datastore(make_app):
    app = make_app()
    state = app.extensions["security"]
    assert "store-sqlalchemy" in state.plugins.infos
    assert "SQLAlchemyUserDatastore" in state.datastores


def test_plugin_managers_are_per_app(make_app):
    a, b = make_app(), make_app({"SECURITY_CHANGEABLE": True})
    assert a.extensions["security"].plugins.pm is not b.extensions["security"].plugins.pm
    assert "security.change_password" not in a.view_functions
    assert "security.change_password" in b.view_functions


# -- issue 15 item 10: plugins replacing core, and first-party flags ----------------------


def test_security_plugins_cannot_switch_a_first_party_feature_on():
    core = plugins.discover()["core"]
    available = {
        "core": core,
        "recoverable": plugins.PluginInfo("recoverable", "fsec_recoverable.plugin", None, None),
    }
    config = {"SECURITY_PLUGINS": ["recoverable"]}
    with pytest.raises(PluginError, match="SECURITY_RECOVERABLE = True"):
        enabled_plugin_names(config, None, available)
    config["SECURITY_RECOVERABLE"] = True  # listed as well as flagged: the flag decides
    assert enabled_plugin_names(config, None, available) == ["core", "recoverable"]
    with pytest.raises(PluginError, match="passing its datastore"):
        enabled_plugin_names({"SECURITY_PLUGINS": ["store-sqlalchemy"]}, None, plugins.discover())


@pytest.mark.parametrize("flag", ["CHANGEABLE", "RECOVERABLE", "REGISTERABLE"])
def test_plugin_default_cannot_switch_a_feature_flag_on(fake_plugins, make_app, flag):
    fake_plugins(
        "fake-flagger",
        "fake_flagger",
        f"""
        from flask_security import hookimpl

        @hookimpl
        def fsec_config_defaults(register):
            register("{flag}", True)
        """,
    )
    with pytest.raises(PluginError, match=f"SECURITY_{flag}"):
        make_app({"SECURITY_PLUGINS": ["fake-flagger"]})


def test_replacements_of_core_are_logged_at_startup(fake_plugins, make_app, caplog):
    fake_plugins(
        "fake-replacer",
        "fake_replacer",
        """
        from flask_security import hookimpl
        from flask_security.forms import LoginForm

        class MyLoginForm(LoginForm):
            pass

        @hookimpl
        def fsec_views(register, state):
            register("login", state.config("LOGIN_URL"), lambda: "my login page")

        @hookimpl
        def fsec_forms(register):
            register("login_form", MyLoginForm)

        @hookimpl
        def fsec_config_defaults(register):
            register("POST_LOGIN_VIEW", "/somewhere")

        @hookimpl
        def fsec_messages(register):
            register("INVALID_PASSWORD", ("Nope.", "error"))
        """,
    )
    with caplog.at_level("INFO", logger="flask_security"):
        app = make_app({"SECURITY_PLUGINS": ["fake-replacer"]})
    replaced = app.extensions["security"].plugins.replaced
    assert sorted(
        (hook, key) for hook, key, plugin, _ in replaced if plugin == "fake-replacer"
    ) == [
        ("fsec_config_defaults", "POST_LOGIN_VIEW"),
        ("fsec_forms", "login_form"),
        ("fsec_messages", "INVALID_PASSWORD"),
        ("fsec_views", "login"),
    ]
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for expected in (
        "core's view 'login'",
        "core's form 'login_form'",
        "core's default SECURITY_POST_LOGIN_VIEW",
        "core's message 'INVALID_PASSWORD'",
    ):
        assert any("'fake-replacer'" in m and expected in m for m in logged), expected
    # Without plugins nothing is replaced and nothing is logged.
    caplog.clear()
    with caplog.at_level("INFO", logger="flask_security"):
        plain = make_app()
    assert plain.extensions["security"].plugins.replaced == []
    assert not [r for r in caplog.records if "replaces" in r.getMessage()]


def test_former_hook_name_fsec_login_allowed_still_refuses(fake_plugins, make_app):
    """A plugin written for fsec 0.1 implements fsec_login_allowed: it still refuses
    (asked after fsec_login_refusal), and registering it warns."""
    fake_plugins(
        "fake-old-name",
        "fake_old_name",
        """
        from flask_security import hookimpl

        @hookimpl
        def fsec_login_allowed(user, method):
            return "DISABLED_ACCOUNT" if user.email.startswith("old") else None
        """,
    )
    from flask_security.hookspecs import RENAMED_HOOKS

    assert RENAMED_HOOKS["fsec_login_allowed"] == "fsec_login_refusal"
    with pytest.warns(DeprecationWarning, match="fsec_login_refusal"):
        app = make_app({"SECURITY_PLUGINS": ["fake-old-name"]})
    add_user(app, "old@example.com")
    add_user(app, "new@example.com")
    r = login(app.test_client(), "old@example.com")
    assert r.status_code == 400
    assert "disabled" in r.get_data(as_text=True).lower()
    assert login(app.test_client(), "new@example.com").status_code == 200

