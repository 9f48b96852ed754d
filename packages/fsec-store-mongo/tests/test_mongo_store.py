"""MongoEngineUserDatastore beyond the contract: key types, the lookup query, the
flask-mongoengine-3 db object, the README quickstart, the lazy import, ORM isolation."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import mongoengine as me
import pytest
from bson import ObjectId
from flask import Flask
from flask_security import RoleMixin, Security, UserMixin, roles_required
from flask_security.testing.datastore_contract import StorePackageContract
from flask_security.utils import hash_password
from fsec_store_mongo import MongoEngineUserDatastore
from fsec_store_mongo.testing import (
    MONGODB_URI_VARIABLE,
    User,
    connect,
    create_app,
    database_kind,
)

if database_kind() == "mongomock":
    pytest.importorskip("mongomock")

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


@pytest.fixture
def app() -> Iterator[Flask]:
    connect("fsec_mongo_store")
    yield create_app()
    me.disconnect()


def _ds(app: Flask) -> Any:
    return app.extensions["security"].datastore


class SeqRole(me.Document, RoleMixin):
    name = me.StringField(max_length=80, unique=True)
    description = me.StringField(max_length=255)
    meta = {"collection": "fsec_seq_role"}


class SeqUser(me.Document, UserMixin):
    id = me.SequenceField(primary_key=True)
    email = me.StringField(max_length=255, unique=True)
    password = me.StringField(max_length=255)
    active = me.BooleanField(default=True)
    roles = me.ListField(me.ReferenceField(SeqRole), default=[])
    meta = {"collection": "fsec_seq_user"}


def test_object_id_keys(app: Flask) -> None:
    with app.app_context():
        datastore = _ds(app)
        user = datastore.create_user(email="matt@example.com", password="x")
        assert isinstance(user.id, ObjectId)
        for key in (user.id, str(user.id), str(user.id).upper()):
            assert datastore.get_user(key).email == "matt@example.com", key
        assert datastore.load_user(str(user.id)).email == "matt@example.com"
        assert datastore.find_user(id=str(user.id)).email == "matt@example.com"
        assert datastore.find_user(id="not-an-object-id") is None
        assert datastore.find_user_by_identity(str(user.id)) is None
        assert datastore.load_user(str(ObjectId())) is None


def test_sequence_keys() -> None:
    connect("fsec_mongo_store")
    try:
        for document in (SeqUser, SeqRole):
            document.drop_collection()
        app = Flask("fsec_mongo_seq")
        app.config.update(SECRET_KEY="fsec-seq", SECURITY_PASSWORD_SALT="salt")
        datastore = MongoEngineUserDatastore(me, SeqUser, SeqRole)
        Security(app, datastore)
        with app.app_context():
            datastore.create_role(name="admin")
            user = datastore.create_user(email="matt@example.com", password="x", roles=["admin"])
            other = datastore.create_user(email="joe@example.com", password="x")
            assert isinstance(user.id, int) and other.id == user.id + 1
            assert datastore.load_user(str(other.id)).email == "joe@example.com"
            assert datastore.get_user(str(user.id)).has_role("admin")
            assert datastore.find_user_by_identity(str(user.id)) is None
            for bad in ("abc", "-1", "\uff11", "9" * 30, "", None):
                assert datastore.load_user(bad) is None, bad
    finally:
        me.connection.get_db().client.drop_database("fsec_mongo_store")
        me.disconnect()


def test_case_insensitive_lookup_sends_an_escaped_anchored_pattern(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    original = User.objects.__class__.__call__

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(User.objects.__class__, "__call__", spy)
    with app.app_context():
        _ds(app).create_user(email="a.b+c@example.com", password="x")
        sent.clear()
        assert _ds(app).find_user_ci("email", "A.B+C@example.com").email == "a.b+c@example.com"
    assert sent[0] == {"email": "A.B+C@example.com"}  # the exact, indexed try
    raw = sent[1]["__raw__"]["email"]
    assert raw == {"$regex": "^" + re.escape("A.B+C@example.com") + "$", "$options": "i"}


def test_unknown_attribute_and_non_string_values_find_nothing(app: Flask) -> None:
    with app.app_context():
        datastore = _ds(app)
        datastore.create_user(email="matt@example.com", password="x")
        assert datastore.find_user_ci("no_such_field", "matt@example.com") is None
        assert datastore.find_user_ci("email", {"$ne": ""}) is None  # type: ignore[arg-type]


def test_flask_mongoengine_3_db_object() -> None:
    """``db = MongoEngine(app)`` from flask-mongoengine-3 (Flask 3.1)."""
    flask_mongoengine = pytest.importorskip("flask_mongoengine")
    import mongomock

    settings: dict[str, Any] = {"db": "fsec_mongo_fme", "uuidRepresentation": "standard"}
    uri = os.environ.get(MONGODB_URI_VARIABLE)
    if uri:
        settings["host"] = uri
    else:
        settings.update(host="mongodb://localhost", mongo_client_class=mongomock.MongoClient)
    app = Flask("fsec_flask_mongoengine")
    app.config.update(
        SECRET_KEY="fsec-fme",
        SECURITY_PASSWORD_SALT="salt",
        SECURITY_PASSWORD_HASH_OPTIONS={"bcrypt": {"rounds": 4}},
        WTF_CSRF_ENABLED=False,
        MONGODB_SETTINGS=[settings],
    )
    db = flask_mongoengine.MongoEngine(app)

    class FmeRole(db.Document, RoleMixin):
        name = db.StringField(max_length=80, unique=True)
        description = db.StringField(max_length=255)

    class FmeUser(db.Document, UserMixin):
        email = db.StringField(max_length=255, unique=True)
        password = db.StringField(max_length=255)
        active = db.BooleanField(default=True)
        # flask-mongoengine-3's fields take keyword arguments only
        roles = db.ListField(field=db.ReferenceField(document_type=FmeRole), default=[])

    try:
        for document in (FmeUser, FmeRole):
            document.drop_collection()
        datastore = MongoEngineUserDatastore(db, FmeUser, FmeRole)
        Security(app, datastore)
        app.add_url_rule("/admin", "admin", roles_required("admin")(lambda: "admin area"))
        with app.app_context():
            datastore.create_user(email="matt@example.com", password=hash_password("password"))
            assert datastore.add_role_to_user(
                "MATT@example.com", datastore.create_role(name="admin")
            )
        client = app.test_client()
        r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
        assert r.status_code == 200
        assert client.get("/admin").get_data(as_text=True) == "admin area"
    finally:
        me.connection.get_db().client.drop_database("fsec_mongo_fme")
        me.disconnect_all()


def _quickstart_source() -> str:
    with open(README, encoding="utf-8") as fh:
        section = fh.read().split("## Quickstart", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the README quickstart"
    return blocks[0]


def test_readme_quickstart_runs_and_logs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def test_connect(db: str, host: str = "", **kwargs: Any) -> Any:
        calls.append((db, host))
        return connect(db)  # mongomock, or the server in FSEC_TEST_MONGODB_URI

    monkeypatch.setattr(me, "connect", test_connect)
    namespace: dict[str, Any] = {"__name__": "mongo_readme_quickstart"}
    try:
        exec(compile(_quickstart_source(), README, "exec"), namespace)  # our own README
        assert calls == [("mydatabase", "mongodb://localhost:27017")]
        app = namespace["app"]
        app.config.update(WTF_CSRF_ENABLED=False)
        client = app.test_client()
        assert client.get("/").status_code == 302
        r = client.post("/login", json={"email": "MATT@example.com", "password": "password"})
        assert r.status_code == 200
        assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"
        runner = app.test_cli_runner()
        assert runner.invoke(args=["roles", "create", "admin"]).exit_code == 0
        assert runner.invoke(args=["roles", "add", "matt@example.com", "admin"]).exit_code == 0
        with app.app_context():
            user = namespace["user_datastore"].find_user(email="matt@example.com")
            assert user.has_role("admin")
    finally:
        monkeypatch.undo()
        me.connection.get_db().client.drop_database("mydatabase")
        me.disconnect()


class TestStorePackage(StorePackageContract):
    plugin = "store-mongo"
    distribution = "fsec-store-mongo"
    package = "fsec_store_mongo"
    class_names = ("MongoEngineUserDatastore",)
    orm_modules = ("mongoengine", "pymongo")
    app_setup = """
from fsec_store_mongo.testing import connect, create_app
connect("fsec_mongo_isolation")
app = create_app()
with app.app_context():
    app.extensions["security"].datastore.create_user(email="a@example.com", password="x")
"""
