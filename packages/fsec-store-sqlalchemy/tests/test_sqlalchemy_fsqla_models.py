"""Upstream Flask-Security 5.x's packaged models (``flask_security.models.fsqla``,
``fsqla_v2``, ``fsqla_v3``): the schema each version makes, compared with the one
upstream 5.9.2 itself makes for the same application code, table naming and
``set_db_info``, ``AsaList``, and both SQLAlchemy datastores storing users, roles and
passkeys on them, on SQLite and on a real PostgreSQL.

``fsqla_schema_5_9_2.json`` is the schema measured on the real Flask-Security 5.9.2
(2026-12-02; Flask-SQLAlchemy 3.1.1, SQLAlchemy 2.1.9, SQLite; tables, columns with
declared and reflected types, nullability, server defaults, primary keys, unique
constraints, indexes, foreign keys with ``ondelete``), by ``scripts/fsqla_schema.py``
in a 5.9.2 virtualenv; re-measure with::

    python3 -m venv /tmp/fs59
    /tmp/fs59/bin/pip install "flask-security[fsqla,common,mfa]==5.9.2" webauthn
    /tmp/fs59/bin/python scripts/fsqla_schema.py \\
        > packages/fsec-store-sqlalchemy/tests/fsqla_schema_5_9_2.json

The cases below declare the models as that script does (a case that 5.9.2 refuses
to configure is recorded as ``{"error": ...}`` and fsec must refuse it too).
"""

from __future__ import annotations

import datetime
import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security import (
    AsaList,
    RoleMixin,
    Security,
    SQLAlchemySessionUserDatastore,
    SQLAlchemyUserDatastore,
    UserMixin,
    WebAuthnMixin,
)
from flask_security.models import fsqla, fsqla_v2, fsqla_v3
from flask_security.testing.app import TEST_CONFIG
from flask_security.utils import hash_password
from flask_sqlalchemy import SQLAlchemy
from fsec_store_sqlalchemy.models.schema import describe
from sqlalchemy.orm import scoped_session, sessionmaker

UPSTREAM = json.loads((pathlib.Path(__file__).parent / "fsqla_schema_5_9_2.json").read_text())
VERSIONS = {"fsqla": fsqla, "fsqla_v2": fsqla_v2, "fsqla_v3": fsqla_v3}
NAMES = {"user_table_name": "acct", "role_table_name": "grp", "webauthn_table_name": "pk"}
RENAMED = {"User": "acct", "Role": "grp", "WebAuthn": "pk"}
#: case -> (version, passkey class name, set_db_info keywords, ``__tablename__`` by class)
CASES: dict[str, tuple[str, str | None, dict[str, str], dict[str, str]]] = {
    "fsqla": ("fsqla", None, {}, {}),
    "fsqla_v2": ("fsqla_v2", None, {}, {}),
    "fsqla_v3": ("fsqla_v3", "WebAuthn", {}, {}),
    "fsqla_v3_named": ("fsqla_v3", "WebAuthn", NAMES, RENAMED),
    "fsqla_named_db_info_only": ("fsqla", None, {"user_table_name": "acct"}, {}),
    "fsqla_v3_webauthn_table_name_only": (
        "fsqla_v3",
        "WebAuthn",
        {"webauthn_table_name": "pk"},
        {},
    ),
    "fsqla_v3_tablename_only": ("fsqla_v3", "WebAuthn", {}, RENAMED),
    "fsqla_v3_passkey_class": ("fsqla_v3", "Passkey", {}, {}),
    "fsqla_v3_passkey_class_named": (
        "fsqla_v3",
        "Passkey",
        {"webauthn_table_name": "passkey"},
        {"Passkey": "passkey"},
    ),
}


def _declare(
    version: Any,
    *,
    webauthn: str | None = None,
    tablenames: dict[str, str] | None = None,
    **names: str,
) -> dict[str, Any]:
    """Models declared as upstream's docs show, on a new ``db``; ``webauthn`` is the
    passkey class's name (none without it), ``tablenames`` the ``__tablename__``
    each class sets."""
    db = SQLAlchemy()
    version.FsModels.set_db_info(db, **names)
    models: dict[str, Any] = {"db": db, "WebAuthn": None}
    mixins = [("Role", version.FsRoleMixin), ("User", version.FsUserMixin)]
    if webauthn:
        mixins.append((webauthn, version.FsWebAuthnMixin))
    for name, mixin in mixins:
        body = {"__module__": __name__}
        if name in (tablenames or {}):
            body["__tablename__"] = tablenames[name]  # type: ignore[index]
        models[name] = type(name, (db.Model, mixin), body)
    if webauthn:
        models["WebAuthn"] = models[webauthn]
    return models


def test_the_recorded_5_9_2_schema_is_the_script_s_cases() -> None:
    assert set(UPSTREAM) == set(CASES)
    refused = {c for c in CASES if "error" in UPSTREAM[c]}
    assert refused == {
        "fsqla_named_db_info_only",  # roles_users points at "acct", the table is "user"
        "fsqla_v3_tablename_only",  # the tables are renamed, the foreign keys are not
        "fsqla_v3_passkey_class",  # User.webauthn needs a class called WebAuthn
        "fsqla_v3_passkey_class_named",
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_makes_the_schema_5_9_2_makes(case: str) -> None:
    version, passkey, names, tablenames = CASES[case]
    expected = UPSTREAM[case]
    m = _declare(VERSIONS[version], webauthn=passkey, tablenames=tablenames, **names)
    if "error" in expected:  # 5.9.2 cannot configure these models: neither can fsec
        registry = m["db"].Model.registry
        try:
            with pytest.raises(sa.exc.SQLAlchemyError) as refused:
                registry.configure()
            assert type(refused.value).__name__ == expected["error"].split(":")[0]
        finally:
            registry.dispose()
        return
    engine = sa.create_engine("sqlite://")
    try:
        assert describe(m["db"].metadata, engine) == expected
    finally:
        engine.dispose()


def test_5_x_names_the_passkey_table_web_authn_and_its_columns() -> None:
    """The facts a 5.x database depends on, spelled out (the newcomer's report)."""
    v3 = UPSTREAM["fsqla_v3"]
    assert set(v3) == {"user", "role", "roles_users", "web_authn"}
    assert v3["user"]["columns"]["username"][0] == "String(255)"
    assert v3["user"]["columns"]["us_phone_number"][0] == "String(128)"
    assert v3["web_authn"]["columns"]["create_datetime"][:3] == ["DateTime", "DATETIME", False]
    assert v3["web_authn"]["columns"]["sign_count"][2] is True  # nullable
    assert v3["web_authn"]["fks"] == [[["user_id"], "user", ["id"], "CASCADE"]]


def test_the_mixins_are_fsec_s_and_user_links_its_passkeys() -> None:
    m = _declare(fsqla_v2)
    assert issubclass(m["User"], UserMixin) and issubclass(m["Role"], RoleMixin)
    assert not hasattr(m["User"], "webauthn")  # no WebAuthn model, no relationship
    m = _declare(fsqla_v3, webauthn="WebAuthn")
    assert m["WebAuthn"].__table__.name == "web_authn"
    assert issubclass(m["WebAuthn"], WebAuthnMixin)
    assert sa.inspect(m["User"]).relationships["webauthn"].mapper.class_ is m["WebAuthn"]


def test_webauthn_declared_before_user_is_linked_too() -> None:
    db = SQLAlchemy()
    fsqla_v3.FsModels.set_db_info(db)

    class WebAuthn(db.Model, fsqla_v3.FsWebAuthnMixin):
        pass

    class Role(db.Model, fsqla_v3.FsRoleMixin):
        pass

    class User(db.Model, fsqla_v3.FsUserMixin):
        pass

    assert sa.inspect(User).relationships["webauthn"].mapper.class_ is WebAuthn
    assert sa.inspect(WebAuthn).relationships["user"].mapper.class_ is User


def test_an_app_s_own_tablename_and_columns_win() -> None:
    db = SQLAlchemy()
    fsqla_v2.FsModels.set_db_info(db, user_table_name="people")

    class Role(db.Model, fsqla_v2.FsRoleMixin):
        pass

    class User(db.Model, fsqla_v2.FsUserMixin):
        __tablename__ = "people"
        nickname = sa.Column(sa.String(40))

    assert User.__table__.name == "people"
    assert "nickname" in User.__table__.c and "us_totp_secrets" in User.__table__.c


def test_models_before_set_db_info_are_refused_with_the_documented_order() -> None:
    class FreshModels(fsqla_v3.FsModels):
        pass

    class Mixin(fsqla_v3.FsUserMixin):
        _fs_models = FreshModels

    db = SQLAlchemy()
    with pytest.raises(RuntimeError, match=r"FsModels\.set_db_info\(db\) before declaring"):

        class User(db.Model, Mixin):
            pass


def test_set_db_info_refuses_what_is_not_a_database() -> None:
    class FreshModels(fsqla.FsModels):
        pass

    with pytest.raises(TypeError, match=r"flask_sqlalchemy\.SQLAlchemy"):
        FreshModels.set_db_info(object())


def test_versions_keep_their_own_settings() -> None:
    db1, db3 = SQLAlchemy(), SQLAlchemy()
    fsqla.FsModels.set_db_info(db1, user_table_name="one")
    fsqla_v3.FsModels.set_db_info(db3)
    assert fsqla.FsModels.db is db1 and fsqla_v3.FsModels.db is db3
    assert (fsqla.FsModels.user_table_name, fsqla_v3.FsModels.user_table_name) == ("one", "user")


def test_asalist_round_trip_and_refusals() -> None:
    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    t = sa.Table(
        "t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", AsaList())
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"id": 1, "v": ["usb", "nfc"]}, {"id": 2, "v": []}])
        conn.execute(t.insert(), [{"id": 3, "v": None}])
        raw = dict(conn.execute(sa.text("select id, v from t")).all())
        read = dict(conn.execute(sa.select(t.c.id, t.c.v)).all())
        assert conn.execute(sa.select(t.c.id).where(t.c.v.contains("nfc"))).scalar() == 1
    assert raw == {1: "usb,nfc", 2: "", 3: None}  # upstream's comma-separated text
    assert read == {1: ["usb", "nfc"], 2: [], 3: None}
    with engine.begin() as conn, pytest.raises(sa.exc.StatementError, match="comma"):
        conn.execute(t.insert(), [{"id": 4, "v": ["a,b"]}])
    with engine.begin() as conn, pytest.raises(sa.exc.StatementError, match="strings"):
        conn.execute(t.insert(), [{"id": 5, "v": [1]}])


def test_the_core_paths_name_the_distribution_when_it_is_missing(monkeypatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "fsec_store_sqlalchemy.models.fsqla_v2", None)
    monkeypatch.delitem(sys.modules, "flask_security.models.fsqla_v2")
    with pytest.raises(ImportError, match="pip install fsec-store-sqlalchemy"):
        importlib.import_module("flask_security.models.fsqla_v2")


# -- both datastores on the v3 models, SQLite and PostgreSQL ------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "sqlite://"
    server = request.getfixturevalue("fsec_postgres")
    server.create_database("fsec_fsqla_models")
    return server.url("fsec_fsqla_models")


@pytest.fixture(params=["flask-sqlalchemy", "session"])
def app(request: pytest.FixtureRequest, database_url: str) -> Iterator[Flask]:
    m = _declare(fsqla_v3, webauthn="WebAuthn")
    app = Flask("fsqla_models_app")
    app.config.update(TEST_CONFIG)
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url)
    db = m["db"]
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    session = None
    if request.param == "flask-sqlalchemy":
        datastore = SQLAlchemyUserDatastore(db, m["User"], m["Role"], m["WebAuthn"])
    else:
        session = scoped_session(sessionmaker(bind=engine))
        datastore = SQLAlchemySessionUserDatastore(session, m["User"], m["Role"], m["WebAuthn"])
    try:
        db.metadata.drop_all(engine)
        db.metadata.create_all(engine)
        Security(app, datastore)
        app.fs_models = m  # type: ignore[attr-defined]
        yield app
    finally:
        if session is not None:
            session.remove()
        with app.app_context():
            db.session.remove()
        engine.dispose()


def test_users_roles_and_passkeys_are_stored_and_deleted_together(app: Flask) -> None:
    m = app.fs_models  # type: ignore[attr-defined]
    ds = app.extensions["security"].datastore
    with app.app_context():
        user = ds.create_user(email="matt@example.com", password=hash_password("password1"))
        ds.add_role_to_user(user, ds.find_or_create_role("admin", permissions=["read", "write"]))
        ds.commit()
        uid = user.id
        assert user.fs_uniquifier and user.password.startswith("$2b$")
        assert isinstance(user.create_datetime, datetime.datetime)
        ds.create_model(
            m["WebAuthn"],
            credential_id=b"\x01" * 32,
            public_key=b"\x02" * 64,
            sign_count=0,
            transports=["usb", "internal"],
            lastuse_datetime=datetime.datetime(2026, 1, 1),
            name="laptop",
            usage="first",
            backup_state=False,
            device_type="single_device",
            user=user,
        )
        ds.commit()
    client = app.test_client()
    r = client.post("/login", json={"email": "matt@example.com", "password": "password1"})
    assert r.status_code == 200, r.json
    with app.app_context():
        user = ds.find_user(email="matt@example.com")
        assert [r.name for r in user.roles] == ["admin"] and user.has_role("admin")
        role = ds.find_role("admin")
        assert role.permissions == ["read", "write"]
        assert [u.email for u in role.users] == ["matt@example.com"]
        (cred,) = user.webauthn
        assert (cred.transports, cred.user_id, cred.get_user_mapping()) == (
            ["usb", "internal"],
            uid,
            {"id": uid},
        )
        ds.delete_user(user)
        ds.commit()
        conn = ds.session.connection()
        for table in ("user", "web_authn", "roles_users"):
            count = conn.execute(sa.text(f'select count(*) from "{table}"')).scalar()
            assert count == 0, table
