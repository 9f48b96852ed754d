"""Login statistics: every session login path counts, per-request auth does not,
client addresses come from ``remote_addr`` only, start-up checks, the CLI."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app, login
from flask_security.utils import capture_registrations, login_user
from werkzeug.middleware.proxy_fix import ProxyFix

T0 = datetime.datetime(2030, 1, 2, 3, 4, 5)


class Clock:
    """``SECURITY_DATETIME_FACTORY``: each call is one minute after the previous."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime.datetime:
        self.calls += 1
        return T0 + datetime.timedelta(minutes=self.calls - 1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(clock: Clock) -> Callable[..., Flask]:
    def make(config: dict[str, Any] | None = None) -> Flask:
        base = {"SECURITY_TRACKABLE": True, "SECURITY_DATETIME_FACTORY": clock}
        return create_app({**base, **(config or {})})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    application = make_app()
    add_user(application, "alice@example.com")
    return application


def stats(app: Flask, email: str = "alice@example.com") -> tuple[Any, ...]:
    """The trackable columns as stored in the database (fresh session)."""
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email=email)
        return (
            user.login_count,
            user.current_login_at,
            user.last_login_at,
            user.current_login_ip,
            user.last_login_ip,
        )


def from_addr(addr: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": addr}}


def basic(password: str = "password") -> dict[str, str]:
    raw = base64.b64encode(f"alice@example.com:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


# -- recorded logins -----------------------------------------------------------------------


def test_nothing_recorded_before_any_login(app: Flask) -> None:
    assert stats(app) == (None, None, None, None, None)


def test_form_login_recorded(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": "alice@example.com", "password": "password"},
        **from_addr("192.0.2.1"),
    )
    assert response.status_code == 302
    # On the first login the "last" values equal the current ones (3.0 behaviour).
    assert stats(app) == (1, T0, T0, "192.0.2.1", "192.0.2.1")


def test_second_login_shifts_current_to_last(app: Flask) -> None:
    assert login(app.test_client(), "alice@example.com", **{}).status_code == 200
    client = app.test_client()
    response = client.post(
        "/login",
        json={"email": "alice@example.com", "password": "password"},
        **from_addr("198.51.100.9"),
    )
    assert response.status_code == 200
    t1 = T0 + datetime.timedelta(minutes=1)
    assert stats(app) == (2, t1, T0, "198.51.100.9", "127.0.0.1")


def test_ipv6_address_recorded(app: Flask) -> None:
    client = app.test_client()
    client.post(
        "/login",
        json={"email": "alice@example.com", "password": "password"},
        **from_addr("2001:db8::1"),
    )
    assert stats(app)[3] == "2001:db8::1"


def test_default_datetime_factory_is_naive_utc(make_app: Callable[..., Flask]) -> None:
    from flask_security.config import CORE_DEFAULTS

    app = make_app({"SECURITY_DATETIME_FACTORY": CORE_DEFAULTS["DATETIME_FACTORY"]})
    add_user(app, "alice@example.com")
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert login(app.test_client(), "alice@example.com").status_code == 200
    after = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    at = stats(app)[1]
    assert at.tzinfo is None and before <= at <= after


def test_login_user_called_by_the_app_is_recorded(app: Flask) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.5"}):
        datastore = app.extensions["security"].datastore
        user = datastore.find_user(email="alice@example.com")
        assert login_user(user) is True
        datastore.commit()
    assert stats(app)[:1] == (1,) and stats(app)[3] == "203.0.113.5"


def test_login_user_outside_a_request_records_no_address(app: Flask) -> None:
    # A test request context without REMOTE_ADDR: the address is None, not a guess.
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        datastore = app.extensions["security"].datastore
        user = datastore.find_user(email="alice@example.com")
        assert login_user(user)
        datastore.commit()
    assert stats(app) == (1, T0, T0, None, None)


# -- not logins ----------------------------------------------------------------------------


def test_failed_and_refused_logins_are_not_recorded(app: Flask) -> None:
    add_user(app, "bob@example.com", active=False)
    assert login(app.test_client(), "alice@example.com", "wrong-password").status_code == 400
    assert login(app.test_client(), "bob@example.com").status_code == 400
    assert stats(app)[0] is None
    assert stats(app, "bob@example.com")[0] is None


def test_token_and_basic_auth_are_not_logins(app: Flask) -> None:
    response = login(app.test_client(), "alice@example.com")
    token = response.json["response"]["user"]["authentication_token"]
    assert stats(app)[0] == 1
    client = app.test_client()
    for _ in range(3):
        assert client.get("/token", headers={"Authentication-Token": token}).status_code == 200
        assert client.get("/api", headers={"Authentication-Token": token}).status_code == 200
        assert client.get("/basic", headers=basic()).status_code == 200
        assert client.get("/api", headers=basic()).status_code == 200
        assert client.get(f"/token?auth_token={token}").status_code == 200
    assert stats(app)[0] == 1


def test_session_and_remember_cookie_requests_are_not_logins(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "alice@example.com", remember=True).status_code == 200
    for _ in range(3):
        assert client.get("/").status_code == 200
    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert remembered.get("/").status_code == 200
    assert remembered.get("/").status_code == 200
    assert stats(app)[0] == 1


def test_feature_off_records_nothing(make_app: Callable[..., Flask]) -> None:
    app = make_app({"SECURITY_TRACKABLE": False})
    add_user(app, "alice@example.com")
    assert login(app.test_client(), "alice@example.com").status_code == 200
    assert stats(app) == (None, None, None, None, None)


# -- client address: remote_addr only, proxies through ProxyFix -------------------------------


def test_forwarded_header_is_ignored_without_proxyfix(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/login",
        json={"email": "alice@example.com", "password": "password"},
        headers={"X-Forwarded-For": "6.6.6.6", "X-Real-IP": "7.7.7.7", "Forwarded": "for=8.8.8.8"},
        **from_addr("10.0.0.2"),
    )
    assert response.status_code == 200
    assert stats(app)[3] == "10.0.0.2"


def test_proxyfix_supplies_the_client_address(app: Flask) -> None:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    client = app.test_client()
    response = client.post(
        "/login",
        json={"email": "alice@example.com", "password": "password"},
        # A spoofed entry from the client, then the one our single trusted proxy added.
        headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.50"},
        **from_addr("10.0.0.2"),
    )
    assert response.status_code == 200
    assert stats(app)[3] == "203.0.113.50"


# -- other login paths ----------------------------------------------------------------------


def test_register_auto_login_is_recorded(make_app: Callable[..., Flask]) -> None:
    pytest.importorskip("fsec_registerable")
    app = make_app({"SECURITY_REGISTERABLE": True, "SECURITY_SEND_REGISTER_EMAIL": False})
    client = app.test_client()
    response = client.post(
        "/register",
        json={"email": "new@example.com", "password": "password", "password_confirm": "password"},
        **from_addr("192.0.2.44"),
    )
    assert response.status_code == 200
    assert stats(app, "new@example.com") == (1, T0, T0, "192.0.2.44", "192.0.2.44")


def test_confirmation_auto_login_is_recorded(make_app: Callable[..., Flask]) -> None:
    pytest.importorskip("fsec_registerable")
    pytest.importorskip("fsec_confirmable")
    app = make_app({"SECURITY_REGISTERABLE": True, "SECURITY_CONFIRMABLE": True})
    with capture_registrations() as registrations:
        response = app.test_client().post(
            "/register", json={"email": "new@example.com", "password": "password"}
        )
    assert response.status_code == 200
    assert stats(app, "new@example.com")[0] is None  # unconfirmed: not signed in
    token = registrations[0]["confirm_token"]
    response = app.test_client().get(f"/confirm/{token}", **from_addr("192.0.2.45"))
    assert response.status_code == 302
    assert stats(app, "new@example.com")[0] == 1
    assert stats(app, "new@example.com")[3] == "192.0.2.45"


# -- start-up check ---------------------------------------------------------------------------


def test_missing_fields_fail_at_start_up() -> None:
    from flask_security import RoleMixin, Security, UserMixin
    from flask_sqlalchemy import SQLAlchemy
    from fsec_store_sqlalchemy import SQLAlchemyUserDatastore

    db = SQLAlchemy()

    class PlainRole(db.Model, RoleMixin):  # type: ignore[name-defined,misc]
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), unique=True)

    class PlainUser(db.Model, UserMixin):  # type: ignore[name-defined,misc]
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(255), unique=True)
        password = db.Column(db.String(255))
        active = db.Column(db.Boolean())
        login_count = db.Column(db.Integer)

    app = Flask("plain")
    app.config.update(
        SECRET_KEY="k",
        SECURITY_PASSWORD_SALT="s",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SECURITY_TRACKABLE=True,
    )
    db.init_app(app)
    with pytest.raises(RuntimeError) as err:
        Security(app, SQLAlchemyUserDatastore(db, PlainUser, PlainRole))
    message = str(err.value)
    assert message.startswith(
        "SECURITY_TRACKABLE needs these fields on the user model PlainUser: "
        "last_login_at, current_login_at, last_login_ip, current_login_ip ("
    )


# -- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def runner(app: Flask) -> Iterator[Any]:
    yield app.test_cli_runner()


def test_cli_stats_before_and_after_logins(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["users", "stats", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert "logins:         0" in result.output
    assert "current login:  never from -" in result.output
    login(app.test_client(), "alice@example.com")
    app.test_client().post(
        "/login",
        json={"email": "alice@example.com", "password": "password"},
        **from_addr("192.0.2.9"),
    )
    result = runner.invoke(args=["users", "stats", "ALICE@example.com"])
    assert result.exit_code == 0, result.output
    assert "User alice@example.com" in result.output
    assert "logins:         2" in result.output
    t1 = T0 + datetime.timedelta(minutes=1)
    assert f"current login:  {t1} from 192.0.2.9" in result.output
    assert f"previous login: {T0} from 127.0.0.1" in result.output


def test_cli_stats_unknown_user(runner: Any) -> None:
    result = runner.invoke(args=["users", "stats", "nobody@example.com"])
    assert result.exit_code == 2
    assert "Error: no user 'nobody@example.com'" in result.output
    assert "Traceback" not in result.output


def test_cli_group_follows_config(make_app: Callable[..., Flask]) -> None:
    app = make_app({"SECURITY_CLI_USERS_NAME": "accounts"})
    add_user(app, "alice@example.com")
    result = app.test_cli_runner().invoke(args=["accounts", "stats", "alice@example.com"])
    assert result.exit_code == 0 and "logins:" in result.output


def test_cli_command_absent_when_feature_off(make_app: Callable[..., Flask]) -> None:
    app = make_app({"SECURITY_TRACKABLE": False})
    add_user(app, "alice@example.com")
    result = app.test_cli_runner().invoke(args=["users", "stats", "alice@example.com"])
    assert result.exit_code != 0
    assert "No such command" in result.output


# -- login state hook --------------------------------------------------------------------------


def test_login_state_changes_at_every_login(app: Flask) -> None:
    from flask_security.utils import login_state

    states = []
    for _ in range(3):
        with app.test_request_context():
            user = app.extensions["security"].datastore.find_user(email="alice@example.com")
            states.append(login_state(user))
        login(app.test_client(), "alice@example.com")
    assert all(states) and len(set(states)) == 3


def test_login_state_is_none_without_trackable(make_app: Callable[..., Flask]) -> None:
    from flask_security.utils import login_state

    app = make_app({"SECURITY_TRACKABLE": False})
    add_user(app, "alice@example.com")
    with app.test_request_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert login_state(user) is None
