"""The `flask users` / `flask roles` / `flask security` commands."""

from __future__ import annotations

import pytest
from flask_security.utils import verify_password


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _user(app, email):
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email)


def test_users_create_active_and_inactive(app, runner):
    r = runner.invoke(args=["users", "create", "new@example.com", "--password", "secret1", "-a"])
    assert r.exit_code == 0, r.output
    assert "created" in r.output
    with app.app_context():
        user = _user(app, "new@example.com")
        assert user.active is True
        assert verify_password("secret1", user.password)
    r = runner.invoke(args=["users", "create", "idle@example.com", "--password", "secret1"])
    assert r.exit_code == 0
    assert _user(app, "idle@example.com").active is False


def test_users_create_extra_fields(app, runner):
    r = runner.invoke(
        args=["users", "create", "u@example.com", "--password", "secret1", "-a", "username:uname"]
    )
    assert r.exit_code == 0, r.output
    assert _user(app, "u@example.com").username == "uname"


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "create", "not-an-email", "--password", "secret1"], "invalid email address"),
        (["users", "create", "x@example.com", "--password", "short"], "6 to 128 characters"),
        (["users", "create", "MATT@example.com", "--password", "secret1"], "already exists"),
        (["users", "create", "y@example.com", "--password", "secret1", "nofield:1"], "no field"),
        (["users", "create", "y@example.com", "--password", "secret1", "active:no"], "-a/--active"),
        (
            [
                "users",
                "create",
                "y@example.com",
                "--password",
                "secret1",
                "confirmed_at:2024-01-01",
            ],
            "could not be created",
        ),
        (["roles", "create", ""], "non-empty"),
        (["roles", "create", "   "], "non-empty"),
        (["roles", "create", "admin "], "leading or trailing"),
        (["users", "create", "y@example.com", "--password", "secret1", "junk"], "name:value"),
        (["users", "activate", "ghost@example.com"], "no user"),
        (["users", "deactivate", "ghost@example.com"], "no user"),
        (["roles", "create", "admin"], "already exists"),
        (["roles", "add", "ghost@example.com", "admin"], "no user"),
        (["roles", "add", "matt@example.com", "ghost"], "no role"),
        (["roles", "remove", "matt@example.com", "ghost"], "no role"),
        # undecodable bytes in argv arrive as lone surrogates (PEP 383); NUL likewise
        (["users", "activate", "\udcff@example.com"], "undecodable"),
        (["users", "deactivate", "a\x00b"], "undecodable"),
        (["roles", "create", "\udcff"], "undecodable"),
        (["roles", "add", "matt@example.com", "adm\udcffin"], "undecodable"),
        (["users", "create", "z@example.com", "--password", "pass\udcffword"], "undecodable"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(runner, args, message):
    # Status 2: click's usage error, as Flask-Security 3.0's commands raised.
    r = runner.invoke(args=args)
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1, r.output
    assert lines[0].startswith("Error:") and message in lines[0]
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_activate_deactivate(app, runner):
    r = runner.invoke(args=["users", "deactivate", "matt@example.com"])
    assert r.exit_code == 0 and _user(app, "matt@example.com").active is False
    r = runner.invoke(args=["users", "deactivate", "matt@example.com"])
    assert r.exit_code == 0 and "already inactive" in r.output
    r = runner.invoke(args=["users", "activate", "MATT@example.com"])
    assert r.exit_code == 0 and _user(app, "matt@example.com").active is True


def test_roles_create_add_remove(app, runner):
    assert runner.invoke(args=["roles", "create", "staff", "-d", "Staff"]).exit_code == 0
    with app.app_context():
        role = app.extensions["security"].datastore.find_role("staff")
        assert role.description == "Staff"
    assert runner.invoke(args=["roles", "add", "joe@example.com", "staff"]).exit_code == 0
    with app.app_context():
        ds = app.extensions["security"].datastore
        assert ds.find_user(email="joe@example.com").has_role("staff")
    # Adding a role the user has, or removing one they lack, is an error (3.0).
    r = runner.invoke(args=["roles", "add", "joe@example.com", "staff"])
    assert r.exit_code == 2 and "Error: joe@example.com already has role staff" in r.output
    assert runner.invoke(args=["roles", "remove", "joe@example.com", "staff"]).exit_code == 0
    with app.app_context():
        ds = app.extensions["security"].datastore
        assert not ds.find_user(email="joe@example.com").has_role("staff")
    r = runner.invoke(args=["roles", "remove", "joe@example.com", "staff"])
    assert r.exit_code == 2 and "does not have role staff" in r.output


def test_group_names_from_config(make_app):
    app = make_app({"SECURITY_CLI_USERS_NAME": "accounts", "SECURITY_CLI_ROLES_NAME": False})
    runner = app.test_cli_runner()
    r = runner.invoke(args=["accounts", "create", "a@example.com", "--password", "secret1", "-a"])
    assert r.exit_code == 0, r.output
    assert "roles" not in app.cli.commands and "users" not in app.cli.commands
    assert runner.invoke(args=["roles", "create", "x"]).exit_code != 0


def test_security_plugins_lists_core_and_store(runner):
    r = runner.invoke(args=["security", "plugins"])
    assert r.exit_code == 0
    lines = {line.split()[0]: line for line in r.output.splitlines()}
    assert r.output.splitlines()[0].split() == [
        "PLUGIN",
        "DISTRIBUTION",
        "VERSION",
        "STATE",
        "HOOKS",
    ]
    assert "enabled" in lines["core"] and "fsec-core" in lines["core"]
    assert "fsec_login_refusal" in lines["core"]
    assert "enabled" in lines["store-sqlalchemy"] and "fsec_datastores" in lines["store-sqlalchemy"]
