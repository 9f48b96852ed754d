"""Drop-in compatibility with Flask-Security 3.0 apps (issue 9).

Each test names the item of the issue it covers. Flask-Security 3.0.0's own suite
runs against fsec too (``compat/fs30``, part ``compat`` of ``scripts/test.sh``);
these tests keep each fixed gap closed within the project's own suite.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask_security import Security
from flask_security.testing.app import add_user, create_app, login
from jinja2 import ChoiceLoader, DictLoader


@pytest.fixture
def app() -> Flask:
    app = create_app({"SECURITY_CHANGEABLE": True, "SECURITY_RECOVERABLE": True})
    add_user(app, "matt@example.com", roles=("admin",))
    add_user(app, "joe@example.com", roles=("editor",))
    return app


def _user(app: Flask, email: str) -> Any:
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email)


def _has_role(app: Flask, email: str, role: str) -> bool:
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email).has_role(role)


def _password_is(app: Flask, email: str, password: str) -> bool:
    from flask_security.utils import verify_password

    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email=email)
        return verify_password(password, user.password)


# -- 1. default messages in app.config ----------------------------------------------------


def test_item1_every_default_message_is_in_app_config(app: Flask) -> None:
    state = app.extensions["security"]
    assert "INVALID_PASSWORD" in state.messages and "PASSWORD_RESET" in state.messages
    for key, value in state.messages.items():
        if key != "PASSWORD_INVALID_LENGTH":
            assert app.config["SECURITY_MSG_" + key] == value
    # Its range comes from config: stored filled in, so that `% {}` (3.0's tests and
    # apps format config messages with the documented placeholders only) works.
    text, _category = app.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"]
    assert text % {} == "The password must be 6 to 128 characters long."
    other = create_app({"SECURITY_CHANGEABLE": True, "SECURITY_PASSWORD_MIN_LENGTH": 8})
    text = other.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"][0]
    assert text == "The password must be 8 to 128 characters long."
    add_user(other, "kim@example.com")
    client = other.test_client()
    login(client, "kim@example.com")
    r = client.post(
        "/change",
        json={"password": "password", "new_password": "seven77", "new_password_confirm": "seven77"},
    )
    assert r.json["response"]["errors"]["new_password"] == [text]
    # Apps read them as 3.0's tests did, and the page says exactly that text.
    text = app.config["SECURITY_MSG_INVALID_PASSWORD"][0]
    r = app.test_client().post("/login", data={"email": "matt@example.com", "password": "no"})
    assert text in r.get_data(as_text=True)


def test_item1_the_apps_own_message_wins() -> None:
    app = create_app({"SECURITY_MSG_INVALID_PASSWORD": ("Nope.", "error")})
    add_user(app, "matt@example.com")
    assert app.config["SECURITY_MSG_INVALID_PASSWORD"] == ("Nope.", "error")
    r = login(app.test_client(), "matt@example.com", "wrong")
    assert r.json["response"]["errors"]["password"] == ["Nope."]


# -- 3. CLI commands invoked outside `flask` ------------------------------------------------


def test_item3_commands_run_when_invoked_directly(app: Flask) -> None:
    from flask_security.cli import roles_add, roles_create, users_activate, users_create

    info = ScriptInfo(create_app=lambda: app)
    runner = CliRunner()
    r = runner.invoke(users_create, ["new@example.com", "--password", "secret1"], obj=info)
    assert r.exit_code == 0, r.output
    assert _user(app, "new@example.com").active is False
    r = runner.invoke(users_activate, ["new@example.com"], obj=info)
    assert r.exit_code == 0 and _user(app, "new@example.com").active is True
    assert runner.invoke(roles_create, ["staff"], obj=info).exit_code == 0
    assert runner.invoke(roles_add, ["new@example.com", "staff"], obj=info).exit_code == 0
    assert _has_role(app, "new@example.com", "staff")


def test_item3_bad_input_is_a_usage_error_with_one_line(app: Flask) -> None:
    from flask_security.cli import roles_add, roles_remove, users_create

    info = ScriptInfo(create_app=lambda: app)
    runner = CliRunner()
    r = runner.invoke(users_create, ["not-an-email", "--password", "secret1"], obj=info)
    assert r.exit_code == 2
    assert next(line for line in r.output.splitlines() if line.strip()).startswith("Error:")
    r = runner.invoke(roles_add, ["matt@example.com", "admin"], obj=info)
    assert r.exit_code == 2 and "already has role admin" in r.output
    r = runner.invoke(roles_remove, ["joe@example.com", "admin"], obj=info)
    assert r.exit_code == 2 and "does not have role admin" in r.output
    assert _has_role(app, "matt@example.com", "admin")


# -- 5. auth token in a JSON body -------------------------------------------------------------


def test_item5_auth_token_in_a_json_body(app: Flask) -> None:
    from flask_security import auth_token_required, current_user

    @app.post("/token-post")
    @auth_token_required
    def token_post() -> Any:
        return {"email": current_user.email}

    token = login(app.test_client(), "matt@example.com").json["response"]["user"][
        "authentication_token"
    ]
    client = app.test_client()
    r = client.post("/token-post", json={"auth_token": token})
    assert r.status_code == 200 and r.json == {"email": "matt@example.com"}
    assert client.post("/token-post", json={"auth_token": token + "x"}).status_code == 401
    assert client.post("/token-post", json={"auth_token": ["not", "text"]}).status_code == 401
    assert client.post("/token-post", json=[token]).status_code == 401
    assert client.post("/token-post", data={"auth_token": token}).status_code == 401


# -- 6. security.app after init_app -----------------------------------------------------------


def test_item6_init_app_sets_security_app() -> None:
    app = create_app()
    other = Flask("factory")
    other.config.update(app.config)
    security = Security()
    assert security.app is None
    security.init_app(other, app.extensions["security"].datastore)
    assert security.app is other
    assert security.datastore is app.extensions["security"].datastore


# -- 7. global context processors in mails ----------------------------------------------------


def test_item7_global_context_processor_reaches_mails(app: Flask) -> None:
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "security/email/change_notice.txt": "site={{ site }} extra={{ extra }}",
                    "security/email/change_notice.html": "<p>{{ site }}</p>",
                }
            ),
            app.jinja_env.loader,
        ]
    )
    state = app.extensions["security"]
    state.context_processor(lambda: {"site": "Example Site", "extra": "global"})
    state.mail_context_processor(lambda: {"extra": "mail"})
    client = app.test_client()
    login(client, "matt@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        r = client.post(
            "/change",
            json={
                "password": "password",
                "new_password": "newpassword",
                "new_password_confirm": "newpassword",
            },
        )
    assert r.status_code == 200
    # The mail processor runs after the global one, so its value wins.
    assert [m.body for m in outbox] == ["site=Example Site extra=mail"]
    assert outbox[0].html == "<p>Example Site</p>"


# -- 9. UserDatastore as in 3.0 ----------------------------------------------------------------


def test_item9_base_datastore_primitives_raise_not_implemented() -> None:
    from flask_security.datastore import UserDatastore

    datastore = UserDatastore(None, None)
    for call in (
        lambda: datastore.find_user(None),
        lambda: datastore.find_role(None),
        lambda: datastore.get_user(None),
    ):
        with pytest.raises(NotImplementedError):
            call()


def test_item9_activation_changes_only_the_attribute(app: Flask) -> None:
    from flask_security.datastore import UserDatastore

    class Plain:
        active = True

    user = Plain()
    datastore = UserDatastore(None, None)  # no put(): calling it would raise
    assert datastore.toggle_active(user) is True and user.active is False
    assert datastore.deactivate_user(user) is False
    assert datastore.activate_user(user) is True and user.active is True
    assert datastore.deactivate_user(user) is True and user.active is False
    # On a real store the caller saves: nothing is written until put + commit.
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.deactivate_user(ds.find_user(email="joe@example.com"))
        ds.db.session.rollback()
    assert _user(app, "joe@example.com").active is True


# -- 10. 3.0 module paths -----------------------------------------------------------------------


def test_item10_30_module_paths_import() -> None:
    from flask_security import (
        changeable,
        confirmable,
        forms,
        passwordless,
        recoverable,
        registerable,
        utils,
        views,
    )

    assert callable(confirmable.generate_confirmation_token)
    assert callable(confirmable.confirm_email_token_status)
    assert callable(recoverable.send_reset_password_instructions)
    assert callable(recoverable.send_password_reset_notice)
    assert callable(registerable.register_user)
    assert callable(passwordless.send_login_instructions)
    assert callable(changeable.change_user_password)
    for name in ("register", "forgot_password", "reset_password", "send_confirmation"):
        assert callable(getattr(views, name))
    for name in ("login", "logout", "change_password", "confirm_email", "token_login"):
        assert callable(getattr(views, name))
    assert forms.RegisterForm and forms.SendConfirmationForm and forms.PasswordlessLoginForm
    assert utils.string_types == (str,)
    assert utils.encode_string("é") == "é".encode() and utils.encode_string(b"x") == b"x"


def test_item10_missing_distribution_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "flask_security.recoverable", raising=False)
    monkeypatch.setitem(sys.modules, "fsec_recoverable", None)
    monkeypatch.setitem(sys.modules, "fsec_recoverable.recoverable", None)
    with pytest.raises(ImportError, match="pip install fsec-recoverable"):
        import flask_security.recoverable  # noqa: F401
    monkeypatch.setitem(sys.modules, "fsec_passwordless", None)
    monkeypatch.setitem(sys.modules, "fsec_passwordless.views", None)
    import flask_security.views as views

    with pytest.raises(ImportError, match="fsec-passwordless"):
        getattr(views, "token_login")


def test_item10_30_functions_work(app: Flask) -> None:
    from flask_security.changeable import change_user_password
    from flask_security.registerable import register_user
    from flask_security.utils import verify_password

    reg = create_app({"SECURITY_REGISTERABLE": True})
    with reg.test_request_context(), reg.extensions["mail"].record_messages() as outbox:
        user = register_user(email="kim@example.com", password="secret1")
        assert verify_password("secret1", user.password)
    assert _password_is(reg, "kim@example.com", "secret1") and len(outbox) == 1
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        user = app.extensions["security"].datastore.find_user(email="joe@example.com")
        change_user_password(user, "another1")
    assert _password_is(app, "joe@example.com", "another1")
    assert [m.recipients for m in outbox] == [["joe@example.com"]]


# -- 11. page headings and the Basic-auth 401 page ---------------------------------------------


def test_item11_headings_of_30_pages() -> None:
    app = create_app(
        {
            "SECURITY_REGISTERABLE": True,
            "SECURITY_RECOVERABLE": True,
            "SECURITY_CHANGEABLE": True,
            "SECURITY_CONFIRMABLE": True,
        }
    )
    add_user(app, "matt@example.com")
    client = app.test_client()
    pages = {
        "/login": "Login",
        "/register": "Register",
        "/reset": "Send password reset instructions",
        "/confirm": "Resend confirmation instructions",
    }
    for url, heading in pages.items():
        assert f"<h1>{heading}</h1>" in client.get(url).get_data(as_text=True), url
    with app.test_request_context():
        from flask_security.recoverable import generate_reset_password_token

        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        token = generate_reset_password_token(user)
    html = client.get(f"/reset/{token}").get_data(as_text=True)
    assert "<h1>Reset password</h1>" in html
    passwordless = create_app({"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True})
    assert "<h1>Login</h1>" in passwordless.test_client().get("/login").get_data(as_text=True)


def test_item11_forgot_password_link_is_the_password_description(app: Flask) -> None:
    from flask_security.forms import LoginForm

    with app.test_request_context("/login"):
        form = LoginForm()
        assert form.password.description == '<a href="/reset">Forgot password?</a>'
    html = app.test_client().get("/login").get_data(as_text=True)
    assert html.count('<a href="/reset">Forgot password?</a>') == 1
    off = create_app({"SECURITY_RECOVERABLE": False})
    with off.test_request_context("/login"):
        assert LoginForm().password.description == ""


def test_item11_basic_auth_401_page(app: Flask) -> None:
    r = app.test_client().get("/basic")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert "<h1>Unauthorized</h1>" in r.get_data(as_text=True)
    r = app.test_client().get("/basic", headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.json["meta"]["code"] == 401


# -- 12. failed forms re-render with 200 --------------------------------------------------------


def test_item12_failed_form_is_200_json_is_400(app: Flask) -> None:
    client = app.test_client()
    r = client.post("/login", data={"email": "matt@example.com", "password": "wrong"})
    assert r.status_code == 200
    assert app.config["SECURITY_MSG_INVALID_PASSWORD"][0] in r.get_data(as_text=True)
    assert login(client, "matt@example.com", "wrong").status_code == 400
    assert client.get("/").status_code == 302  # nobody signed in


# -- 13. JSON 403 whatever UNAUTHORIZED_VIEW says ------------------------------------------------


def test_item13_json_client_gets_403_with_unauthorized_view_set() -> None:
    app = create_app({"SECURITY_UNAUTHORIZED_VIEW": "/public"})
    add_user(app, "joe@example.com", roles=("editor",))
    client = app.test_client()
    login(client, "joe@example.com")
    r = client.get("/admin", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json["meta"]["code"] == 403
    assert r.json["response"]["errors"]["auth"] == [app.config["SECURITY_MSG_UNAUTHORIZED"][0]]
    r = client.get("/admin")
    assert r.status_code == 302 and r.headers["Location"] == "/public"


def test_item13_403_page_and_anonymous_flash_say_unauthorized(app: Flask) -> None:
    text = app.config["SECURITY_MSG_UNAUTHORIZED"][0]
    client = app.test_client()
    r = client.get("/admin", follow_redirects=True)  # anonymous: sent to log in
    assert r.request.path == "/login" and text in r.get_data(as_text=True)
    r = client.get("/")  # login_required keeps its own message
    with client.session_transaction() as session:
        flashes = [m for _c, m in session.get("_flashes", [])]
    assert app.config["SECURITY_MSG_LOGIN"][0] in flashes and text not in flashes
    login(client, "joe@example.com")
    r = client.get("/admin")
    assert r.status_code == 403 and text in r.get_data(as_text=True)


# -- 14. change password: INVALID_PASSWORD on `password` -----------------------------------------


def test_item14_wrong_current_password_is_invalid_password(app: Flask) -> None:
    client = app.test_client()
    login(client, "matt@example.com")
    r = client.post(
        "/change",
        json={"password": "wrong", "new_password": "newpass1", "new_password_confirm": "newpass1"},
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"] == {
        "password": [app.config["SECURITY_MSG_INVALID_PASSWORD"][0]]
    }


# -- 16. registration does not expire the registered user ---------------------------------------


def test_item16_registered_user_kept_by_a_receiver_stays_readable() -> None:
    from flask_security.signals import user_registered

    app = create_app(
        {"SECURITY_REGISTERABLE": True, "SECURITY_CONFIRMABLE": True, "SQLALCHEMY_ECHO": False}
    )
    kept: list[Any] = []

    def receiver(sender: Any, user: Any, **extra: Any) -> None:
        kept.append(user)

    user_registered.connect(receiver, app)
    try:
        r = app.test_client().post(
            "/register", data={"email": "mary@example.com", "password": "password", "next": ""}
        )
    finally:
        user_registered.disconnect(receiver, app)
    assert r.status_code == 302
    # Confirmation pending: not signed in; the object the receiver kept is still
    # readable after the request (3.0 did not commit again).
    assert kept[0].email == "mary@example.com" and kept[0].confirmed_at is None
    assert _user(app, "mary@example.com") is not None
