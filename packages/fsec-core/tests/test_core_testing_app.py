"""The shared test application lives in core (``flask_security.testing.app``) without
making fsec-core depend on SQLAlchemy: the module imports with no SQLAlchemy at all,
and says what to install when an app is built without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from flask_security.testing.app import User, add_test_routes, add_user, create_app, login

# Blocks the SQLAlchemy stack in a fresh interpreter (a None entry makes import fail).
_NO_SQLALCHEMY = """
import sys
for name in ("sqlalchemy", "flask_sqlalchemy", "fsec_store_sqlalchemy"):
    sys.modules[name] = None
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _NO_SQLALCHEMY + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_module_imports_without_sqlalchemy():
    done = _run(
        """
        import flask_security.testing.app as app_module
        print(sorted(app_module.__all__))
        print(app_module.TEST_CONFIG["SECURITY_PASSWORD_HASH_OPTIONS"])
        """
    )
    assert done.returncode == 0, done.stderr
    assert "'add_user', 'create_app'" in done.stdout
    assert "{'bcrypt': {'rounds': 4}}" in done.stdout


def test_building_the_app_without_sqlalchemy_names_what_is_missing():
    done = _run(
        """
        from flask_security.testing.app import create_app
        create_app()
        """
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("ModuleNotFoundError")
    assert "flask_sqlalchemy" in done.stderr


def test_the_app_serves_its_routes_and_users():
    app = create_app()
    add_user(app, "alice@example.com", roles=("editor",))
    client = app.test_client()
    assert client.get("/public").text == "public"
    assert client.get("/editor").status_code == 302  # anonymous: to the login page
    assert login(client, "alice@example.com").status_code == 200
    assert client.get("/").text == "Hello alice@example.com"
    assert client.get("/editor").text == "editor area"
    assert client.get("/admin").status_code == 403
    with app.app_context():
        assert [r.name for r in User.query.filter_by(email="alice@example.com").one().roles] == [
            "editor"
        ]


def test_add_test_routes_gives_another_app_the_same_pages():
    from flask import Flask

    other = Flask("other")
    add_test_routes(other)
    rules = {r.rule for r in other.url_map.iter_rules()}
    assert {"/", "/admin", "/editor", "/token", "/basic", "/api", "/public"} <= rules
