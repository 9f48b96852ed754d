"""PonyUserDatastore beyond the contract: the db_session handling, role hashing, the
README quickstart, the lazy import and ORM isolation."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from flask import Flask
from flask_security import RoleMixin, Security, UserMixin
from flask_security.testing.datastore_contract import StorePackageContract
from flask_security.utils import hash_password
from fsec_store_pony import PonyUserDatastore, end_session, ensure_session
from fsec_store_pony.testing import create_app
from pony.orm import Database, Optional, Required, Set, commit, db_session
from pony.orm.core import local as pony_local

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


@pytest.fixture
def app() -> Flask:
    app = create_app()
    app.config["PROPAGATE_EXCEPTIONS"] = True
    return app


def _ds(app: Flask) -> Any:
    return app.extensions["security"].datastore


def _count(app: Flask, email: str) -> int:
    with app.app_context():
        ensure_session()
        return int(_ds(app).user_model.select().filter(email=email).count())


# -- db_session handling ---------------------------------------------------------------


def test_outside_any_context_and_session_a_call_raises(app: Flask) -> None:
    assert pony_local.db_session is None
    with pytest.raises(RuntimeError, match="application context"):
        _ds(app).find_user(email="matt@example.com")
    with pytest.raises(RuntimeError):
        ensure_session()


def test_app_context_session_commits_when_the_context_ends(app: Flask) -> None:
    with app.app_context():
        _ds(app).create_user(email="matt@example.com", password="x")
        assert pony_local.db_session is not None
    assert pony_local.db_session is None
    assert _count(app, "matt@example.com") == 1


def test_app_context_ending_with_an_exception_rolls_back(app: Flask) -> None:
    with pytest.raises(ZeroDivisionError), app.app_context():
        _ds(app).create_user(email="matt@example.com", password="x")
        _ = 1 / 0
    assert pony_local.db_session is None
    assert _count(app, "matt@example.com") == 0


def test_a_session_the_application_opened_is_left_alone(app: Flask) -> None:
    with app.app_context():
        with db_session:
            _ds(app).create_user(email="matt@example.com", password="x")
            assert end_session() is False
        # The application's session committed when its block ended.
        assert pony_local.db_session is None
    assert _count(app, "matt@example.com") == 1
    with db_session:  # no Flask context at all: the datastore uses the open session
        assert _ds(app).find_user(email="matt@example.com") is not None


def test_end_session_commits_and_the_next_call_opens_a_new_one(app: Flask) -> None:
    with app.app_context():
        datastore = _ds(app)
        user = datastore.create_user(email="matt@example.com", password="x")
        assert end_session() is True
        assert pony_local.db_session is None
        assert end_session() is False
        again = datastore.find_user(email="matt@example.com")
        assert again is not None and again is not user
    assert _count(app, "matt@example.com") == 1


def test_nested_app_contexts_share_the_outer_session(app: Flask) -> None:
    with app.app_context():
        outer = _ds(app).create_user(email="matt@example.com", password="x")
        with app.app_context():
            assert _ds(app).find_user(email="matt@example.com") is outer
        assert pony_local.db_session is not None
    assert pony_local.db_session is None


def test_views_run_in_a_request_session(app: Flask) -> None:
    datastore = _ds(app)

    @app.route("/count")
    def count() -> Any:  # no @db_session and no datastore call
        return str(datastore.user_model.select().count())

    @app.route("/fail")
    def fail() -> Any:
        datastore.create_role(name="half-written")
        raise RuntimeError("the view failed after writing")

    with app.app_context():
        datastore.create_user(email="matt@example.com", password=hash_password("password"))
    client = app.test_client()
    assert client.get("/count").get_data(as_text=True) == "1"
    assert pony_local.db_session is None
    with pytest.raises(RuntimeError, match="failed after writing"):
        client.get("/fail")
    assert pony_local.db_session is None
    with app.app_context():
        assert datastore.find_role("half-written") is None
    r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"
    assert pony_local.db_session is None


def test_pony_flask_extension_nests_cleanly(app: Flask) -> None:
    from pony.flask import Pony

    Pony(app)
    with app.app_context():
        _ds(app).create_user(email="matt@example.com", password=hash_password("password"), roles=[])
        _ds(app).add_role_to_user("matt@example.com", _ds(app).create_role(name="admin"))
    client = app.test_client()
    r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/admin").get_data(as_text=True) == "admin area"
    assert pony_local.db_session is None


# -- entities --------------------------------------------------------------------------


def _plain_entities() -> tuple[Database, type, type]:
    db = Database()

    class Role(db.Entity, RoleMixin):  # type: ignore[name-defined,misc]
        name = Required(str, unique=True)
        description = Optional(str)  # not nullable: Pony stores "" for "no value"
        users = Set("User")

    class User(db.Entity, UserMixin):  # type: ignore[name-defined,misc]
        email = Required(str, unique=True)
        password = Optional(str)
        active = Required(bool, default=True)
        roles = Set(Role)

    db.bind(provider="sqlite", filename=":memory:")
    db.generate_mapping(create_tables=True)
    return db, User, Role


def test_roles_get_identity_hashing_and_still_compare_by_name() -> None:
    db, User, Role = _plain_entities()
    assert Role.__hash__ is RoleMixin.__hash__
    datastore = PonyUserDatastore(db, User, Role)
    assert Role.__hash__ is object.__hash__
    with db_session:
        admin = datastore.create_role(name="admin")
        commit()
        assert admin == "admin" and admin != "editor"
        assert len({admin, datastore.find_role("admin")}) == 1


def test_none_for_a_non_nullable_optional_attribute_means_its_default() -> None:
    """``flask roles create NAME`` passes ``description=None``."""
    db, User, Role = _plain_entities()
    app = Flask("pony_plain")
    app.config.update(SECRET_KEY="fsec-pony-plain", SECURITY_PASSWORD_SALT="salt")
    Security(app, PonyUserDatastore(db, User, Role))
    r = app.test_cli_runner().invoke(args=["roles", "create", "admin"])
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert _ds(app).find_role("admin").description == ""
        user = _ds(app).create_user(email="matt@example.com", password=None)
        assert user.password == ""


# -- README, lazy import, isolation ----------------------------------------------------


def _quickstart_source() -> str:
    with open(README, encoding="utf-8") as fh:
        section = fh.read().split("## Quickstart", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the README quickstart"
    return blocks[0]


def test_readme_quickstart_runs_and_logs_in(tmp_path: Any) -> None:
    # Pony puts a relative SQLite file beside the code calling db.bind: tmp_path here.
    code = compile(_quickstart_source(), str(tmp_path / "quickstart.py"), "exec")
    namespace: dict[str, Any] = {"__name__": "pony_readme_quickstart"}
    exec(code, namespace)  # our own README
    app = namespace["app"]
    app.config.update(WTF_CSRF_ENABLED=False)
    assert (tmp_path / "example.db").exists()
    assert pony_local.db_session is None
    client = app.test_client()
    assert client.get("/").status_code == 302
    r = client.post("/login", json={"email": "MATT@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["roles", "create", "admin"]).exit_code == 0
    assert runner.invoke(args=["roles", "add", "matt@example.com", "admin"]).exit_code == 0
    with app.app_context():
        assert namespace["user_datastore"].find_user(email="matt@example.com").has_role("admin")
    namespace["db"].disconnect()


class TestStorePackage(StorePackageContract):
    plugin = "store-pony"
    distribution = "fsec-store-pony"
    package = "fsec_store_pony"
    class_names = ("PonyUserDatastore",)
    orm_modules = ("pony",)
    app_setup = """
from fsec_store_pony.testing import create_app
app = create_app()
with app.app_context():
    app.extensions["security"].datastore.create_user(email="a@example.com", password="x")
"""
