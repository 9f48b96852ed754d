"""Helpers a third-party plugin needs from core (issue 16 section 2).

* ``announce_password_changed``: a plugin's own flow tells every plugin that a
  password was set, with its own reason (``fsec_password_changed``);
* ``validate_form_data`` / ``validate_cli_form``: a registered form validates CLI
  input with the web form's rules and messages, without a request context;
* ``ConfigRoles``: a role requirement read from configuration at each request;
* ``create_user(password=None)``: how login answers for an account without a password.
"""

from __future__ import annotations

import base64
import logging

import click
import pytest
from flask import has_request_context, jsonify
from flask.cli import with_appcontext
from flask_security import ConfigRoles, current_datastore, roles_accepted, roles_required
from flask_security.cli import validate_cli_form
from flask_security.forms import validate_form_data
from flask_security.testing.app import add_user, login
from flask_security.testing.spy import HookSpy
from flask_security.utils import announce_password_changed, hash_password

# -- announce_password_changed ------------------------------------------------------


def test_announce_password_changed_reaches_every_plugin_with_the_reason(app):
    spy = HookSpy.attach(app)
    with app.app_context():
        user = current_datastore.find_user(email="joe@example.com")
        user.password = hash_password("invited-secret")
        current_datastore.put(user)
        current_datastore.commit()
        announce_password_changed(user, "invite")
    assert spy.calls == [("password_changed", "joe@example.com", "invite")]


@pytest.mark.parametrize("reason", ["", "two words", None, 3, " invite"])
def test_announce_password_changed_refuses_a_reason_that_is_not_a_word(app, reason):
    spy = HookSpy.attach(app)
    with app.app_context():
        user = current_datastore.find_user(email="joe@example.com")
        with pytest.raises(ValueError, match="reason"):
            announce_password_changed(user, reason)
    assert spy.calls == []


def test_change_password_view_announces_through_the_same_call(app, client):
    spy = HookSpy.attach(app)
    login(client, "matt@example.com")
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "new-password",
            "new_password_confirm": "new-password",
        },
    )
    assert r.status_code == 200
    assert ("password_changed", "matt@example.com", "change") in spy.calls


# -- validate_form_data / validate_cli_form -----------------------------------------


def _web_errors(app, data):
    client = app.test_client()
    r = client.post("/register", json=data)
    assert r.status_code == 400
    return r.get_json()["response"]["errors"]


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address", "password": "secret-1"},
        {"email": "new@example.com", "password": "x"},
        {"email": "MATT@example.com", "password": "secret-1"},
        {"email": "", "password": ""},
    ],
)
def test_validate_form_data_gives_the_web_forms_errors_without_a_request(make_app, data):
    app = make_app({"SECURITY_REGISTERABLE": True})
    add_user(app, "matt@example.com")
    with app.app_context():
        assert not has_request_context()
        _form, errors = validate_form_data("confirm_register_form", data)
    assert errors
    assert errors == _web_errors(app, data)


def test_validate_form_data_valid_data_and_app_message_override(make_app):
    app = make_app(
        {
            "SECURITY_REGISTERABLE": True,
            "SECURITY_MSG_INVALID_EMAIL_ADDRESS": ("That is no address.", "error"),
        }
    )
    with app.app_context():
        form, errors = validate_form_data(
            "register_form",
            {"email": "ann@example.com", "password": "secret-1", "password_confirm": "secret-1"},
        )
        assert errors == {}
        assert form.email.data == "ann@example.com"
        _form, errors = validate_form_data("register_form", {"email": "ann", "password": "x"})
    assert errors["email"] == ["That is no address."]
    assert "password" in errors and "password_confirm" in errors


def test_validate_form_data_uses_the_apps_form_override(make_app):
    from fsec_registerable.forms import ConfirmRegisterForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class WithName(ConfirmRegisterForm):
        first_name = StringField("First name", [DataRequired("a first name, please")])

    app = make_app({"SECURITY_REGISTERABLE": True}, confirm_register_form=WithName)
    with app.app_context():
        _form, errors = validate_form_data(
            "confirm_register_form", {"email": "ann@example.com", "password": "secret-1"}
        )
    assert errors == {"first_name": ["a first name, please"]}


def test_validate_form_data_refuses_values_that_are_not_text(make_app):
    app = make_app({"SECURITY_REGISTERABLE": True})
    with app.app_context():
        _form, errors = validate_form_data(
            "confirm_register_form", {"email": ["a@example.com"], "password": 123456}
        )
    assert set(errors) == {"email", "password"}
    assert errors == _web_errors(app, {"email": ["a@example.com"], "password": 123456})


def test_validate_form_data_unknown_form_name(app):
    with app.app_context(), pytest.raises(RuntimeError, match="invite_form"):
        validate_form_data("invite_form", {})


def test_validate_form_data_works_inside_a_request_ignoring_its_body(make_app):
    app = make_app({"SECURITY_REGISTERABLE": True, "WTF_CSRF_ENABLED": True})
    with app.test_request_context("/x", method="POST", data={"email": "bad"}):
        form, errors = validate_form_data(
            "confirm_register_form", {"email": "ann@example.com", "password": "secret-1"}
        )
    assert errors == {}  # no CSRF token needed, the request's form data ignored
    assert form.email.data == "ann@example.com"


@click.command("enrol")
@click.argument("email")
@click.option("--password", default="")
@with_appcontext
def _enrol(email, password):
    form = validate_cli_form("confirm_register_form", {"email": email, "password": password})
    click.echo(f"ok {form.email.data}")


def test_validate_cli_form_exits_2_with_one_line_naming_the_fields(make_app):
    app = make_app({"SECURITY_REGISTERABLE": True})
    runner = app.test_cli_runner()
    bad = runner.invoke(_enrol, ["nope", "--password", "x"])
    assert bad.exit_code == 2
    lines = bad.stderr.strip().splitlines() if bad.stderr else bad.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: email: ")
    assert "; password: " in lines[0]
    assert "Traceback" not in bad.output
    good = runner.invoke(_enrol, ["ann@example.com", "--password", "secret-1"])
    assert good.exit_code == 0, good.output
    assert good.output.strip() == "ok ann@example.com"


# -- ConfigRoles ------------------------------------------------------------------


@pytest.fixture
def roles_app(make_app):
    app = make_app({"SECURITY_TOOL_ROLES": "admin", "SECURITY_OTHER_ROLES": ["editor", "hr"]})

    @app.route("/tool")
    @roles_required(ConfigRoles("TOOL_ROLES"))
    def tool():
        return "tool"

    @app.route("/both")
    @roles_required("editor", ConfigRoles("OTHER_ROLES"))
    def both():
        return "both"

    @app.route("/any")
    @roles_accepted(ConfigRoles("OTHER_ROLES"))
    def any_of():
        return "any"

    @app.route("/literal")
    @roles_required("TOOL_ROLES")
    def literal():
        return jsonify(ok=True)

    add_user(app, "admin@example.com", roles=("admin",))
    add_user(app, "editor@example.com", roles=("editor",))
    add_user(app, "hr@example.com", roles=("editor", "hr"))
    add_user(app, "key@example.com", roles=("TOOL_ROLES",))
    return app


def _status(app, email, path):
    client = app.test_client()
    if email:
        assert login(client, email).status_code == 200
    return client.get(path).status_code


def test_config_roles_read_the_setting_at_each_request(roles_app):
    assert _status(roles_app, "admin@example.com", "/tool") == 200
    assert _status(roles_app, "editor@example.com", "/tool") == 403
    assert _status(roles_app, None, "/tool") == 302
    roles_app.config["SECURITY_TOOL_ROLES"] = "editor"  # changed at run time
    assert _status(roles_app, "admin@example.com", "/tool") == 403
    assert _status(roles_app, "editor@example.com", "/tool") == 200


def test_config_roles_list_all_required_any_accepted_and_mixed(roles_app):
    assert _status(roles_app, "hr@example.com", "/both") == 200
    assert _status(roles_app, "editor@example.com", "/both") == 403  # lacks hr
    assert _status(roles_app, "editor@example.com", "/any") == 200
    assert _status(roles_app, "admin@example.com", "/any") == 403


def test_a_plain_string_is_always_a_role_name_never_a_key(roles_app):
    assert _status(roles_app, "admin@example.com", "/literal") == 403
    assert _status(roles_app, "key@example.com", "/literal") == 200


@pytest.mark.parametrize("value", [None, "", [], ["admin", ""], 5, {"admin": 1}])
def test_config_roles_fail_closed_on_a_missing_or_bad_setting(roles_app, caplog, value):
    if value is None:
        del roles_app.config["SECURITY_TOOL_ROLES"]
    else:
        roles_app.config["SECURITY_TOOL_ROLES"] = value
    roles_app.config["SECURITY_OTHER_ROLES"] = value
    with caplog.at_level(logging.ERROR):
        assert _status(roles_app, "admin@example.com", "/tool") == 403
        assert _status(roles_app, "hr@example.com", "/any") == 403
        assert _status(roles_app, None, "/tool") == 302
    assert "SECURITY_TOOL_ROLES" in caplog.text and "nobody passes" in caplog.text


def test_config_roles_json_client_gets_403(roles_app):
    client = roles_app.test_client()
    login(client, "editor@example.com")
    r = client.get("/tool", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["meta"]["code"] == 403


@pytest.mark.parametrize("key", ["SECURITY_TOOL_ROLES", "tool_roles", "", "A B", None])
def test_config_roles_refuses_a_bad_key_when_the_view_is_decorated(key):
    with pytest.raises(ValueError, match=r"ConfigRoles|SECURITY_"):
        ConfigRoles(key)


# -- create_user(password=None) -----------------------------------------------------


def test_account_without_password_answers_like_a_wrong_password(make_app):
    app = make_app()
    add_user(app, "nopass@example.com", password=None)
    add_user(app, "withpass@example.com", password="password")
    with app.app_context():
        assert current_datastore.find_user(email="nopass@example.com").password is None
    hasher = app.extensions["security"].password_hasher
    work: list[str] = []
    real_dummy = hasher.dummy_verify
    hasher.dummy_verify = lambda *a: (work.append("dummy"), real_dummy(*a))[1]
    client = app.test_client()
    for password in ("password", "", "None", "x" * 20):
        none = client.post("/login", json={"email": "nopass@example.com", "password": password})
        other = password + "-wrong" if password else ""
        wrong = client.post("/login", json={"email": "withpass@example.com", "password": other})
        assert none.status_code == 400
        assert none.get_json() == wrong.get_json()
        form = client.post("/login", data={"email": "nopass@example.com", "password": password})
        assert form.status_code == 200 and "No password" not in form.get_data(as_text=True)
        raw = base64.b64encode(f"nopass@example.com:{password}".encode()).decode()
        assert client.get("/basic", headers={"Authorization": "Basic " + raw}).status_code == 401
        with client.session_transaction() as sess:
            assert "_user_id" not in sess
    assert work, "an account without a password got no dummy hash work"


# -- form_response: the common end of a form view ---------------------------------


@pytest.fixture
def probe_app(make_app):
    """An app with a plugin-style view ending in ``form_response``."""
    from flask import flash
    from flask_security.forms import Form
    from flask_security.views import build_form, form_response
    from jinja2 import ChoiceLoader, DictLoader
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class ProbeForm(Form):
        word = StringField("Word", validators=[DataRequired()])

    app = make_app({"SECURITY_PROBE_TEMPLATE": "probe.html"})
    app.jinja_loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "probe.html": "page:{{ extra }}:{{ probe_form.word.errors|join(',') }}"
                    ":{{ get_flashed_messages()|join(',') }}"
                }
            ),
            app.jinja_loader,
        ]
    )

    @app.route("/probe", methods=["GET", "POST"])
    def probe():
        form = build_form(ProbeForm)
        if form.validate_on_submit():
            flash("accepted")
        return form_response(
            form, "PROBE_TEMPLATE", "probe", csrf_payload={"more": 1}, probe_form=form, extra="x"
        )

    return app


def test_form_response_json_get_answers_the_csrf_token_and_the_payload(probe_app):
    r = probe_app.test_client().get("/probe", headers={"Accept": "application/json"})
    assert r.status_code == 200
    response = r.get_json()["response"]
    assert response["more"] == 1
    assert response["csrf_token"]


def test_form_response_refused_json_post_answers_400_with_the_field_errors(probe_app):
    probe_app.config["WTF_CSRF_ENABLED"] = False
    r = probe_app.test_client().post("/probe", json={"word": ""})
    assert r.status_code == 400
    assert list(r.get_json()["response"]["errors"]) == ["word"]


def test_form_response_html_renders_the_page_with_the_context(probe_app):
    probe_app.config["WTF_CSRF_ENABLED"] = False
    client = probe_app.test_client()
    assert client.get("/probe").get_data(as_text=True) == "page:x::"
    refused = client.post("/probe", data={"word": ""})
    assert refused.status_code == 200
    assert refused.get_data(as_text=True).startswith("page:x:This field is required.:")
    accepted = client.post("/probe", data={"word": "hello"})
    assert accepted.get_data(as_text=True) == "page:x::accepted"


# -- one read of a setting: config_value and SecurityState.config ------------------


def test_state_config_is_config_value_also_outside_an_app_context(make_app):
    from flask_security.utils import config_value

    app = make_app({"SECURITY_INVITE_WITHIN": "2 days"})
    state = app.extensions["security"]
    assert state.config("INVITE_WITHIN") == "2 days"
    assert state.config("invite_within") == "2 days"  # any case, as config_value
    assert state.config("NO_SUCH_KEY", 7) == 7
    with app.app_context():
        assert config_value("invite_within") == "2 days"
        assert config_value("NO_SUCH_KEY", default=7) == 7
