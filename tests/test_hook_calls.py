"""Every hook spec, exercised through a real plugin: a recorder module registered like
any installed plugin (an entry in the discovered plugins, enabled by SECURITY_PLUGINS),
implementing every hook. Each test checks that fsec calls the hook at the documented
moment with the documented arguments, and that what the hook returns takes effect."""

from __future__ import annotations

import os
import sys
import types
from typing import Any

import click
import pytest
from flask import render_template
from flask_security import hookimpl, plugins
from flask_security.datastore import UserDatastore
from flask_security.forms import Form
from flask_security.testing.app import add_user, create_app, login
from flask_security.utils import consume_login_state, get_message, login_state

MODULE = "fsec_test_hook_recorder"


class RecorderForm(Form):
    """A form class contributed by the recorder."""


class RecorderDatastore(UserDatastore):
    """A datastore class made known by the recorder (never instantiated)."""


@click.command("recorder")
def recorder_command() -> None:
    """A command the recorder adds to ``flask security``."""
    click.echo("recorder command ran")


def build_recorder(template_dir: str) -> types.ModuleType:
    """A plugin module implementing every ``fsec_*`` hook; ``module.calls`` records."""
    module = types.ModuleType(MODULE)
    calls: list[tuple[str, dict[str, Any]]] = []
    module.calls = calls  # type: ignore[attr-defined]

    def record(hook: str, **data: Any) -> None:
        calls.append((hook, data))

    @hookimpl
    def fsec_config_defaults(register, app):
        record("fsec_config_defaults", app=app)
        register("RECORDER_SETTING", 42)
        register("RECORDER_SUBJECT", "Recorded mail")
        register("RECORDER_SEND", True)

    @hookimpl
    def fsec_messages(register):
        register("RECORDER_REFUSED", ("Refused by the recorder for %(email)s.", "error"))

    @hookimpl
    def fsec_forms(register):
        register("recorder_form", RecorderForm)

    @hookimpl
    def fsec_views(register, blueprint, state):
        record("fsec_views", blueprint=blueprint.name)

        def view():
            return render_template("security/recorder.html", value=state.config("RECORDER_SETTING"))

        register("recorder", "/recorder", view, methods=["GET"])

    @hookimpl
    def fsec_template_folders(register):
        register(template_dir)

    @hookimpl
    def fsec_static_folders(register):
        register(os.path.join(os.path.dirname(template_dir), "static"))

    @hookimpl
    def fsec_mails(register):
        register("recorder_mail", "RECORDER_SUBJECT", "RECORDER_SEND")

    @hookimpl
    def fsec_translation_directories(register):
        register(os.path.join(os.path.dirname(template_dir), "translations"), "recorder")

    @hookimpl
    def fsec_cli_commands(register):
        register("security", recorder_command)

    @hookimpl
    def fsec_signals(register):
        from blinker import Namespace

        register("recorder_signal", Namespace().signal("recorder"))

    @hookimpl
    def fsec_datastores(register):
        register("RecorderDatastore", RecorderDatastore)

    @hookimpl
    def fsec_init_app(app, state):
        record("fsec_init_app", app=app, state=state)

    @hookimpl
    def fsec_login_refusal(user, method):
        record("fsec_login_refusal", email=user.email, method=method)
        return "RECORDER_REFUSED" if user.email == "refused@example.com" else None

    @hookimpl
    def fsec_login_failed(user, identity, method):
        record("fsec_login_failed", user=user, identity=identity, method=method)

    @hookimpl
    def fsec_after_logout(user):
        record("fsec_after_logout", email=user.email)

    @hookimpl
    def fsec_user_access_reset(user):
        record("fsec_user_access_reset", email=user.email)

    @hookimpl
    def fsec_login_refused(user, method, reason):
        record("fsec_login_refused", email=user.email, method=method, reason=reason)

    @hookimpl
    def fsec_after_login(user, method):
        record("fsec_after_login", email=user.email, method=method)

    @hookimpl
    def fsec_login_next_step(user, method, completed):
        record("fsec_login_next_step", email=user.email, method=method, completed=completed)
        if user.email == "stepped@example.com" and not completed:
            from flask_security.login_steps import LoginStep

            return LoginStep("recorder_step", "security.recorder", {"recorder_step": True})
        return None

    @hookimpl
    def fsec_login_pending(user, step, method):
        record("fsec_login_pending", email=user.email, step=step.name, method=method)

    @hookimpl
    def fsec_login_step_failed(user, step, method, attempts, reason):
        record(
            "fsec_login_step_failed",
            email=user.email,
            step=step,
            method=method,
            attempts=attempts,
            reason=reason,
        )

    @hookimpl
    def fsec_login_state(user):
        return f"recorder-state-of-{user.email}"

    @hookimpl
    def fsec_consume_login_state(user, expected):
        record("fsec_consume_login_state", email=user.email, expected=dict(expected))
        return user.email == "alice@example.com"

    @hookimpl
    def fsec_password_changed(user, reason):
        record("fsec_password_changed", email=user.email, reason=reason)

    @hookimpl
    def fsec_user_registered(user, data):
        record("fsec_user_registered", email=user.email, data=dict(data))
        return {"recorder_extra": "from the recorder"}

    @hookimpl
    def fsec_mail_context(name, user, context):
        record("fsec_mail_context", name=name)
        context["recorder_note"] = f"note for {name}"

    @hookimpl
    def fsec_view_links(view, state):
        if view == "login":
            return [("Recorder help", "/recorder-help")]
        return None

    @hookimpl
    def fsec_blueprint_created(blueprint, state):
        # Every view is on the blueprint already (as deferred registrations).
        record(
            "fsec_blueprint_created",
            blueprint=blueprint.name,
            deferred=len(blueprint.deferred_functions),
        )

    @hookimpl
    def fsec_json_response(endpoint, payload, status):
        record("fsec_json_response", endpoint=endpoint, status=status)
        payload["recorder"] = {"endpoint": endpoint, "status": status}

    for fn in (
        fsec_config_defaults,
        fsec_messages,
        fsec_forms,
        fsec_views,
        fsec_template_folders,
        fsec_static_folders,
        fsec_mails,
        fsec_translation_directories,
        fsec_cli_commands,
        fsec_signals,
        fsec_datastores,
        fsec_init_app,
        fsec_login_refusal,
        fsec_login_failed,
        fsec_login_refused,
        fsec_after_login,
        fsec_login_next_step,
        fsec_login_pending,
        fsec_login_step_failed,
        fsec_after_logout,
        fsec_user_access_reset,
        fsec_login_state,
        fsec_consume_login_state,
        fsec_password_changed,
        fsec_user_registered,
        fsec_mail_context,
        fsec_view_links,
        fsec_blueprint_created,
        fsec_json_response,
    ):
        setattr(module, fn.__name__, fn)
    return module


def _write_recorder_catalogue(folder) -> None:
    """The recorder's German catalogue (domain ``recorder``), compiled with Babel."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="de", domain="recorder")
    catalog.add("Refused by the recorder for %(email)s.", "Vom Recorder abgelehnt: %(email)s.")
    catalog.add("Recorded mail", "Aufgezeichnete Mail")
    target = folder / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "recorder.mo", "wb") as fh:
        write_mo(fh, catalog)


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    folder = tmp_path / "templates" / "security" / "email"
    folder.mkdir(parents=True)
    (folder.parent / "recorder.html").write_text("recorder page {{ value }}")
    (folder / "recorder_mail.txt").write_text("Hello {{ user.email }}: {{ recorder_note }}")
    (folder / "recorder_mail.html").write_text("<p>{{ recorder_note }}</p>")
    _write_recorder_catalogue(tmp_path / "translations")
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "recorder.js").write_text("// recorder script\n")
    (tmp_path / "secret.txt").write_text("outside the static folder")
    module = build_recorder(str(tmp_path / "templates"))
    monkeypatch.setitem(sys.modules, MODULE, module)
    real = plugins.discover()
    fake = dict(real)
    fake["recorder"] = plugins.PluginInfo("recorder", MODULE, "fsec-test-recorder", "0")
    monkeypatch.setattr(plugins, "discover", lambda: fake)
    return module


@pytest.fixture
def app(recorder):
    app = create_app(
        {
            "SECURITY_PLUGINS": ["recorder"],
            "SECURITY_CHANGEABLE": True,
            "SECURITY_REGISTERABLE": True,
        }
    )
    add_user(app, "alice@example.com")
    add_user(app, "refused@example.com")
    return app


def calls(recorder, name: str) -> list[dict[str, Any]]:
    return [data for hook, data in recorder.calls if hook == name]


# -- contribution hooks ------------------------------------------------------------------


def test_fsec_config_defaults_applied_and_app_value_wins(recorder):
    app = create_app({"SECURITY_PLUGINS": ["recorder"]})
    assert app.config["SECURITY_RECORDER_SETTING"] == 42
    assert calls(recorder, "fsec_config_defaults")[0]["app"] is app
    app2 = create_app({"SECURITY_PLUGINS": ["recorder"], "SECURITY_RECORDER_SETTING": 7})
    assert app2.config["SECURITY_RECORDER_SETTING"] == 7


def test_fsec_messages_registered_and_used_for_refusal(app):
    with app.test_request_context():
        assert get_message("RECORDER_REFUSED", email="x") == (
            "Refused by the recorder for x.",
            "error",
        )
    r = login(app.test_client(), "refused@example.com")
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "Refused by the recorder for refused@example.com."
    ]


def test_fsec_forms_views_template_folders(app):
    state = app.extensions["security"]
    assert state.forms["recorder_form"] is RecorderForm
    assert state.contributions["fsec_forms"]["recorder_form"] == "recorder"
    r = app.test_client().get("/recorder")
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "recorder page 42"


def test_fsec_static_folders_are_served_at_the_static_url(app):
    client = app.test_client()
    r = client.get("/fs-static/js/recorder.js")
    assert r.status_code == 200 and r.get_data(as_text=True) == "// recorder script\n"
    with app.test_request_context():
        from flask_security.utils import url_for_security

        assert url_for_security("static", filename="js/recorder.js") == "/fs-static/js/recorder.js"
    assert client.get("/fs-static/nothing.js").status_code == 404
    assert client.get("/fs-static/../secret.txt").status_code == 404
    assert client.get("/fs-static/%2e%2e/secret.txt").status_code == 404
    assert client.get("/fs-static/js/../../secret.txt").status_code == 404


def test_fsec_mails_and_fsec_mail_context(app, recorder):
    state = app.extensions["security"]
    assert state.mails["recorder_mail"] == ("RECORDER_SUBJECT", "RECORDER_SEND")
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        user = state.datastore.find_user(email="alice@example.com")
        assert state.send_mail_kind("recorder_mail", user.email, user=user) is True
    assert len(outbox) == 1
    assert outbox[0].subject == "Recorded mail"
    assert outbox[0].body == "Hello alice@example.com: note for recorder_mail"
    assert {"name": "recorder_mail"} in calls(recorder, "fsec_mail_context")
    app.config["SECURITY_RECORDER_SEND"] = False
    with app.test_request_context():
        assert state.send_mail_kind("recorder_mail", "a@example.com") is False


def test_fsec_translation_directories_merges_the_plugins_catalogue(app, recorder, tmp_path):
    from flask_babel import Babel
    from flask_security.babel import DOMAIN, TRANSLATIONS_DIR
    from flask_security.utils import get_message

    state = app.extensions["security"]
    # core's first, then the enabled plugins' (registerable's and the recorder's)
    assert state.translation_directories[0] == (TRANSLATIONS_DIR, DOMAIN)
    assert state.translation_directories[-1] == (str(tmp_path / "translations"), "recorder")
    assert [d for _, d in state.translation_directories] == [
        "flask_security",
        "fsec_registerable",
        "recorder",
    ]
    Babel(app, locale_selector=lambda: "de")
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        # the plugin's own strings, through core's gettext, without naming its domain
        text, _ = get_message("RECORDER_REFUSED", email="x@example.com")
        assert text == "Vom Recorder abgelehnt: x@example.com."
        # core's catalogue is still merged in
        assert (
            get_message("INVALID_PASSWORD")[0] == "Falsche E-Mail-Adresse oder falsches Passwort."
        )
        user = state.datastore.find_user(email="alice@example.com")
        assert state.send_mail_kind("recorder_mail", user.email, user=user) is True
    assert outbox[0].subject == "Aufgezeichnete Mail"


def test_fsec_cli_commands(app):
    r = app.test_cli_runner().invoke(args=["security", "recorder"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "recorder command ran"


def test_fsec_signals_and_fsec_datastores(app):
    state = app.extensions["security"]
    assert state.signals["recorder_signal"].name == "recorder"
    assert state.datastores["RecorderDatastore"] is RecorderDatastore
    assert state.contributions["fsec_signals"]["recorder_signal"] == "recorder"


# -- lifecycle hooks ---------------------------------------------------------------------


def test_fsec_init_app_and_fsec_blueprint_created(app, recorder):
    (init,) = calls(recorder, "fsec_init_app")
    assert init["app"] is app and init["state"] is app.extensions["security"]
    (created,) = calls(recorder, "fsec_blueprint_created")
    assert created["blueprint"] == "security"
    assert created["deferred"] >= 3  # login, logout, change_password, recorder...
    assert calls(recorder, "fsec_views") == [{"blueprint": "security"}]


def test_fsec_login_failed_for_wrong_password_and_unknown_identity(app, recorder):
    client = app.test_client()
    assert login(client, "alice@example.com", "wrong").status_code == 400
    assert login(client, "ghost@example.com", "wrong").status_code == 400
    failed = calls(recorder, "fsec_login_failed")
    assert [(c["identity"], c["method"]) for c in failed] == [
        ("alice@example.com", "form"),
        ("ghost@example.com", "form"),
    ]
    assert failed[0]["user"].email == "alice@example.com"
    assert failed[1]["user"] is None


def test_fsec_login_refused_whatever_the_password(app, recorder):
    right = login(app.test_client(), "refused@example.com")
    assert right.status_code == 400
    refused = {"email": "refused@example.com", "method": "form", "reason": "RECORDER_REFUSED"}
    assert calls(recorder, "fsec_login_refused") == [refused]
    # A wrong password on a refused account gets the same answer and the same calls
    # (issue 15 item 2): the refusal must not tell a right guess from a wrong one,
    # and the attempt counts as a failure either way.
    wrong = login(app.test_client(), "refused@example.com", "wrong-password")
    assert (wrong.status_code, wrong.json) == (right.status_code, right.json)
    assert calls(recorder, "fsec_login_refused") == [refused, refused]
    failed = [(c["identity"], c["method"]) for c in calls(recorder, "fsec_login_failed")]
    assert failed == [("refused@example.com", "form")] * 2


def test_fsec_after_logout(app, recorder):
    client = app.test_client()
    client.get("/logout")  # anonymous: nobody logged out
    assert calls(recorder, "fsec_after_logout") == []
    login(client, "alice@example.com")
    assert client.get("/logout").status_code == 302
    assert calls(recorder, "fsec_after_logout") == [{"email": "alice@example.com"}]
    assert client.get("/").status_code == 302


def test_fsec_user_access_reset(app, recorder):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "reset-access", "nobody@example.com"]).exit_code != 0
    assert calls(recorder, "fsec_user_access_reset") == []
    r = runner.invoke(args=["users", "reset-access", "alice@example.com"])
    assert r.exit_code == 0, r.output
    assert calls(recorder, "fsec_user_access_reset") == [{"email": "alice@example.com"}]
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.reset_user_access(ds.find_user(email="refused@example.com"))
        ds.commit()
    assert calls(recorder, "fsec_user_access_reset")[-1] == {"email": "refused@example.com"}


def test_fsec_login_refusal_and_fsec_after_login(app, recorder):
    client = app.test_client()
    assert login(client, "alice@example.com").status_code == 200
    assert {"email": "alice@example.com", "method": "form"} in calls(recorder, "fsec_login_refusal")
    assert calls(recorder, "fsec_after_login") == [{"email": "alice@example.com", "method": "form"}]
    # The session is checked again on the next request.
    assert client.get("/").status_code == 200
    assert {"email": "alice@example.com", "method": "session"} in calls(
        recorder, "fsec_login_refusal"
    )


def test_fsec_login_next_step_pending_and_step_failed(app, recorder):
    from flask_security.login_steps import complete_login_step, fail_login_step, pending_login

    add_user(app, "stepped@example.com")
    client = app.test_client()
    with client:
        r = login(client, "stepped@example.com")
        assert r.status_code == 200 and r.json["response"]["recorder_step"] is True
        assert "user" not in r.json["response"]
        assert calls(recorder, "fsec_login_next_step")[-1] == {
            "email": "stepped@example.com",
            "method": "form",
            "completed": (),
        }
        assert calls(recorder, "fsec_login_pending") == [
            {"email": "stepped@example.com", "step": "recorder_step", "method": "form"}
        ]
        assert calls(recorder, "fsec_after_login") == []
        assert pending_login() is not None
        assert fail_login_step("invalid_code") is True
        assert calls(recorder, "fsec_login_step_failed") == [
            {
                "email": "stepped@example.com",
                "step": "recorder_step",
                "method": "form",
                "attempts": 1,
                "reason": "invalid_code",
            }
        ]
        assert complete_login_step()
        assert calls(recorder, "fsec_login_next_step")[-1]["completed"] == ("recorder_step",)
        assert calls(recorder, "fsec_after_login") == [
            {"email": "stepped@example.com", "method": "form"}
        ]
    # HTTP Basic asks the hook too, and a step refuses the request.
    import base64

    value = base64.b64encode(b"stepped@example.com:password").decode()
    r = app.test_client().get("/basic", headers={"Authorization": "Basic " + value})
    assert r.status_code == 401
    assert {"email": "stepped@example.com", "method": "basic", "completed": ()} in calls(
        recorder, "fsec_login_next_step"
    )
    assert {
        "email": "stepped@example.com",
        "method": "basic",
        "reason": "LOGIN_STEP_REQUIRED",
    } in calls(recorder, "fsec_login_refused")


def test_fsec_login_state(app):
    with app.test_request_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert "recorder-state-of-alice@example.com" in login_state(user)


def test_fsec_consume_login_state(app, recorder):
    with app.test_request_context():
        datastore = app.extensions["security"].datastore
        alice = datastore.find_user(email="alice@example.com")
        assert consume_login_state(alice, {"password": "hash"}) is True
        refused = datastore.find_user(email="refused@example.com")
        assert consume_login_state(refused) is False
    assert calls(recorder, "fsec_consume_login_state") == [
        {"email": "alice@example.com", "expected": {"password": "hash"}},
        {"email": "refused@example.com", "expected": {}},
    ]


def test_consume_login_state_without_a_provider_raises():
    app = create_app()
    add_user(app, "alice@example.com")
    with app.test_request_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        with pytest.raises(RuntimeError, match="fsec_consume_login_state"):
            consume_login_state(user)


def test_fsec_password_changed(app, recorder):
    client = app.test_client()
    login(client, "alice@example.com")
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "new-password",
            "new_password_confirm": "new-password",
        },
    )
    assert r.status_code == 200, r.json
    assert calls(recorder, "fsec_password_changed") == [
        {"email": "alice@example.com", "reason": "change"}
    ]


def test_fsec_user_registered(app, recorder):
    pytest.importorskip("fsec_registerable")
    from flask_security.signals import user_registered

    received = []

    def receiver(sender, **data):
        received.append(data)

    user_registered.connect(receiver)
    try:
        r = app.test_client().post(
            "/register", json={"email": "new@example.com", "password": "password1"}
        )
    finally:
        user_registered.disconnect(receiver)
    assert r.status_code == 200, r.json
    (registered,) = calls(recorder, "fsec_user_registered")
    assert registered["email"] == "new@example.com"
    assert registered["data"]["email"] == "new@example.com"
    assert received[0]["recorder_extra"] == "from the recorder"


def test_fsec_view_links(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<a href="/recorder-help">Recorder help</a>' in page


def test_fsec_json_response(app, recorder):
    r = app.test_client().get("/login", headers={"Accept": "application/json"})
    assert r.json["response"]["recorder"] == {"endpoint": "security.login", "status": 200}
    assert "csrf_token" in r.json["response"]
    r = login(app.test_client(), "alice@example.com", "wrong")
    assert r.json["response"]["recorder"] == {"endpoint": "security.login", "status": 400}
    assert "errors" in r.json["response"]


def test_every_spec_is_implemented_by_the_recorder(recorder):
    from flask_security import hookspecs

    # a deprecated name is tested where it is kept working (test_core_plugins.py)
    specs = {n for n in vars(hookspecs) if n.startswith("fsec_")} - set(hookspecs.RENAMED_HOOKS)
    implemented = {n for n in vars(recorder) if n.startswith("fsec_")}
    assert specs == implemented, specs ^ implemented
