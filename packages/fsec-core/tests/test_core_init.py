"""Security / init_app: factory pattern, forms, blueprint options, templates, messages."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_security import LoginForm, Security
from flask_security.forms import ChangePasswordForm
from flask_security.testing.app import TEST_CONFIG, Role, User, add_user, db, login
from flask_security.utils import get_message, url_for_security
from fsec_store_sqlalchemy import SQLAlchemyUserDatastore
from wtforms import StringField


def _bare_app(**config):
    app = Flask("bare")
    app.config.update(TEST_CONFIG)
    app.config.update(config)
    db.init_app(app)
    with app.app_context():
        db.create_all()
    return app


class MyLoginForm(LoginForm):
    extra = StringField("Extra")


def test_factory_pattern_keeps_datastore_and_kwargs():
    datastore = SQLAlchemyUserDatastore(db, User, Role)
    security = Security(datastore=datastore, login_form=MyLoginForm)
    app = _bare_app()
    state = security.init_app(app)
    assert app.extensions["security"] is state
    assert state.datastore is datastore
    assert state.form_class("login_form") is MyLoginForm
    # a second app from the same object
    app2 = _bare_app()
    state2 = security.init_app(app2)
    assert state2 is not state and state2.datastore is datastore


def test_second_init_replaces_the_state_as_in_30():
    from flask_security.testing.app import add_user, create_app, login

    app = create_app()
    add_user(app, "matt@example.com")
    state1 = app.extensions["security"]
    app.config["SECURITY_PASSWORD_HASH"] = "pbkdf2_sha256"
    state2 = Security().init_app(app, state1.datastore, register_blueprint=False)
    assert app.extensions["security"] is state2 is not state1
    assert state2.login_manager is state1.login_manager
    assert state2.password_hasher.context.default_scheme() == "pbkdf2_sha256"
    # The first call's blueprint and request hooks serve the new state: the bcrypt
    # hash verifies and is renewed to the new scheme at login.
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    assert client.get("/").status_code == 200
    with app.app_context():
        user = state2.datastore.find_user(email="matt@example.com")
        assert user.password.startswith("$pbkdf2-sha256$")


def test_secret_key_required():
    app = _bare_app(SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Security(app, SQLAlchemyUserDatastore(db, User, Role))


def test_form_override_by_config_class_and_dotted_path(make_app):
    app = make_app({"SECURITY_LOGIN_FORM": MyLoginForm})
    assert app.extensions["security"].form_class("login_form") is MyLoginForm
    app = make_app({"SECURITY_LOGIN_FORM": f"{__name__}.MyLoginForm"})
    assert app.extensions["security"].form_class("login_form").__name__ == "MyLoginForm"
    app = make_app(login_form=MyLoginForm)
    assert app.extensions["security"].form_class("login_form") is MyLoginForm
    assert app.extensions["security"].form_class("change_password_form") is ChangePasswordForm


def test_url_prefix_blueprint_name_and_subdomain(make_app):
    app = make_app({"SECURITY_URL_PREFIX": "/auth", "SECURITY_BLUEPRINT_NAME": "sec"})
    assert "sec.login" in app.view_functions
    client = app.test_client()
    assert client.get("/auth/login").status_code == 200
    assert client.get("/login").status_code == 404
    r = client.get("/")
    assert r.headers["Location"].startswith("/auth/login?next=")
    with app.test_request_context():
        assert url_for_security("logout") == "/auth/logout"
    app = make_app({"SECURITY_SUBDOMAIN": "accounts"})
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "security.login")
    assert rule.subdomain == "accounts"


def test_custom_urls(make_app):
    app = make_app({"SECURITY_LOGIN_URL": "/sign-in", "SECURITY_LOGOUT_URL": "/sign-out"})
    add_user(app, "a@example.com")
    client = app.test_client()
    assert (
        client.post("/sign-in", json={"email": "a@example.com", "password": "password"}).status_code
        == 200
    )
    assert client.get("/sign-out").status_code == 302


def test_register_blueprint_false_keeps_templates_and_api(make_app):
    app = make_app(register_blueprint=False)
    assert "security.login" not in app.view_functions
    with app.test_request_context():
        assert app.jinja_env.get_template("security/email/change_notice.txt") is not None
    # login_required without a login page answers 401
    assert app.test_client().get("/").status_code == 401


def _page_templates(app, tmp_path):
    """Login and change-password pages that print two context values."""
    folder = tmp_path / "security"
    folder.mkdir()
    for name in ("login_user.html", "change_password.html"):
        (folder / name).write_text("{{ hello|default('-') }}/{{ only|default('-') }}")
    app.template_folder = str(tmp_path)
    app.jinja_env.loader = app.create_global_jinja_loader()


def test_context_processors(make_app, tmp_path):
    app = make_app({"SECURITY_CHANGEABLE": True})
    add_user(app, "cp@example.com", "password")
    _page_templates(app, tmp_path)
    state = app.extensions["security"]

    @state.context_processor
    def everywhere():
        return {"hello": "world"}

    @state.login_context_processor
    def login_only():
        return {"only": "login"}

    client = app.test_client()
    assert client.get("/login").get_data(as_text=True) == "world/login"
    login(client, "cp@example.com")
    # the global processor reaches every page, the login one only the login page
    assert client.get("/change").get_data(as_text=True) == "world/-"


def test_context_processor_values_reach_the_page(make_app, tmp_path):
    folder = tmp_path / "security"
    folder.mkdir()
    (folder / "login_user.html").write_text(
        "{{ hello }}/{{ only }}/{{ login_user_form.email.name }}"
    )
    app = make_app()
    app.template_folder = str(tmp_path)
    app.jinja_env.loader = app.create_global_jinja_loader()
    state = app.extensions["security"]
    state.context_processor(lambda: {"hello": "world"})
    state.login_context_processor(lambda: {"only": "login"})
    assert app.test_client().get("/login").get_data(as_text=True) == "world/login/email"


def test_security_decorators_before_init_app_apply_later(tmp_path):
    security = Security()

    @security.login_context_processor
    def lp():
        return {"only": "before-init"}

    app = _bare_app()
    security.init_app(app, SQLAlchemyUserDatastore(db, User, Role))
    _page_templates(app, tmp_path)
    assert app.test_client().get("/login").get_data(as_text=True) == "-/before-init"


def test_message_override_and_flash_switch(make_app):
    app = make_app({"SECURITY_MSG_LOGIN": ("Log in first, please.", "warning")})
    client = app.test_client()
    assert client.get("/").headers["Location"].startswith("/login")
    with client.session_transaction() as sess:
        assert sess["_flashes"] == [("warning", "Log in first, please.")]
    with app.test_request_context():
        assert get_message("LOGIN") == ("Log in first, please.", "warning")
    app = make_app({"SECURITY_FLASH_MESSAGES": False})
    client = app.test_client()
    # the same redirect to the login page, without the message
    assert client.get("/").headers["Location"].startswith("/login")
    with client.session_transaction() as sess:
        assert "_flashes" not in sess


def test_url_for_security_in_templates(app):
    with app.test_request_context():
        assert render_template_string("{{ url_for_security('login') }}") == "/login"


def test_current_user_payload_and_custom_payload(make_app):
    from flask_security.testing.app import User as TestUser

    app = make_app()
    add_user(app, "a@example.com")
    r = login(app.test_client(), "a@example.com")
    assert r.json["response"]["user"]["id"] == "1"
    TestUser.get_security_payload = lambda self: {"id": self.id, "email": self.email}
    try:
        r = login(app.test_client(), "a@example.com")
        assert r.json["response"]["user"]["email"] == "a@example.com"
        assert r.json["response"]["user"]["id"] == 1
    finally:
        del TestUser.get_security_payload


def test_datetime_factory_default_is_naive_utc(app):
    import datetime

    value = app.config["SECURITY_DATETIME_FACTORY"]()
    assert value.tzinfo is None
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert abs((now - value).total_seconds()) < 5


def test_get_within_delta(make_app):
    from flask_security.utils import get_within_delta

    app = make_app({"SECURITY_SOME_WITHIN": "3 hours", "SECURITY_BAD_WITHIN": "soon"})
    with app.app_context():
        assert get_within_delta("SOME_WITHIN").total_seconds() == 3 * 3600
        with pytest.raises(ValueError, match="SECURITY_BAD_WITHIN"):
            get_within_delta("BAD_WITHIN")


def test_view_context_processor_names_are_a_table(make_app):
    from flask_security.callbacks import VIEW_CONTEXT_PROCESSORS

    app = make_app()
    state = app.extensions["security"]
    for name in VIEW_CONTEXT_PROCESSORS:
        assert callable(getattr(state, name))
        assert callable(getattr(Security(), name))
    # a misspelt name no longer registers a processor for a page that does not exist
    with pytest.raises(AttributeError):
        state.logn_context_processor
    with pytest.raises(AttributeError):
        Security().logn_context_processor


def test_30_serializer_attributes_and_loader_functions(app):
    from flask_security.core import _request_loader, _user_loader

    state = app.extensions["security"]
    assert state.remember_token_serializer is state.serializer("remember")
    with pytest.raises(AttributeError):
        state.nosuch_serializer
    # the recoverable feature (which owns SECURITY_RESET_SALT) is off in this app
    with pytest.raises(AttributeError, match="SECURITY_RESET_SALT"):
        state.reset_serializer
    app.config["SECURITY_RESET_SALT"] = "reset-salt"
    assert state.reset_serializer is state.serializer("reset")
    token = login(app.test_client(), "matt@example.com").json["response"]["user"][
        "authentication_token"
    ]
    with app.test_request_context(headers={"Authentication-Token": token}):
        from flask import request

        user = _request_loader(request)
        assert user.email == "matt@example.com"
        assert _user_loader(user.get_id()) == user
        assert _user_loader("1:not-the-fingerprint") is None
        assert _user_loader("garbage") is None
