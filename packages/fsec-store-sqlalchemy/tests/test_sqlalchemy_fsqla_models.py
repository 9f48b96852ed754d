"""Upstream Flask-Security 5.x's packaged models (``flask_security.models.fsqla``,
``fsqla_v2``, ``fsqla_v3``): the schema each version makes (checked against the
columns upstream's docs give: models.rst and the 3.3, 3.4 and 5.0 release notes),
``set_db_info``'s table names, ``AsaList``, and both SQLAlchemy datastores storing
users, roles and passkeys on them, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import datetime
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
from sqlalchemy.orm import scoped_session, sessionmaker

S, T, INT, B, D, BIN = sa.String, sa.Text, sa.Integer, sa.Boolean, sa.DateTime, sa.LargeBinary

#: column -> (type, length, nullable, unique): version 1's User, from upstream's docs.
USER_V1: dict[str, tuple[type, int | None, bool, bool]] = {
    "id": (INT, None, False, False),
    "email": (S, 255, False, True),
    "username": (S, 64, True, False),
    "password": (S, 255, False, False),
    "active": (B, None, False, False),
    "fs_uniquifier": (S, 64, False, True),
    "confirmed_at": (D, None, True, False),
    "last_login_at": (D, None, True, False),
    "current_login_at": (D, None, True, False),
    "last_login_ip": (S, 64, True, False),
    "current_login_ip": (S, 64, True, False),
    "login_count": (INT, None, True, False),
    "tf_primary_method": (S, 64, True, False),
    "tf_totp_secret": (S, 255, True, False),
    "tf_phone_number": (S, 128, True, False),
    "create_datetime": (D, None, False, False),
    "update_datetime": (D, None, False, False),
}
USER_V2 = {
    **USER_V1,
    "username": (S, 64, True, True),
    "us_totp_secrets": (T, None, True, False),
    "us_phone_number": (S, 64, True, False),
}
USER_V3 = {
    **USER_V2,
    "password": (S, 255, True, False),
    "us_phone_number": (S, 64, True, True),
    "fs_webauthn_user_handle": (S, 64, True, True),
    "mf_recovery_codes": (T, None, True, False),
}
ROLE = {
    "id": (INT, None, False, False),
    "name": (S, 80, False, True),
    "description": (S, 255, True, False),
    "permissions": (T, None, True, False),
    "update_datetime": (D, None, False, False),
}
WEBAUTHN = {
    "id": (INT, None, False, False),
    "credential_id": (BIN, 1024, False, True),
    "public_key": (BIN, 1024, False, False),
    "sign_count": (INT, None, False, False),
    "transports": (T, None, True, False),
    "extensions": (S, 255, True, False),
    "lastuse_datetime": (D, None, False, False),
    "name": (S, 64, False, False),
    "usage": (S, 64, False, False),
    "backup_state": (B, None, False, False),
    "device_type": (S, 64, False, False),
    "user_id": (INT, None, False, False),
}


def _declare(version: Any, *, webauthn: bool = False, **names: str) -> dict[str, Any]:
    """Models declared as upstream's docs show, on a new ``db``."""
    db = SQLAlchemy()
    version.FsModels.set_db_info(db, **names)

    class Role(db.Model, version.FsRoleMixin):
        pass

    class User(db.Model, version.FsUserMixin):
        pass

    models = {"db": db, "User": User, "Role": Role, "WebAuthn": None}
    if webauthn:

        class WebAuthn(db.Model, version.FsWebAuthnMixin):
            pass

        models["WebAuthn"] = WebAuthn
    return models


def _schema(table: sa.Table) -> dict[str, tuple[type, int | None, bool, bool]]:
    unique = {c.name for c in table.c if c.unique}
    unique |= {i.columns[0].name for i in table.indexes if i.unique and len(i.columns) == 1}
    out = {}
    for c in table.c:
        if isinstance(c.type, sa.TypeDecorator):  # AsaList: text underneath
            assert isinstance(c.type, AsaList) and isinstance(c.type.impl, sa.UnicodeText)
            kind: type = T
        else:
            kind = next(k for k in (T, S, INT, B, D, BIN) if isinstance(c.type, k))
        out[c.name] = (kind, getattr(c.type, "length", None), bool(c.nullable), c.name in unique)
    return out


@pytest.mark.parametrize(
    ("version", "user"),
    [(fsqla, USER_V1), (fsqla_v2, USER_V2), (fsqla_v3, USER_V3)],
    ids=["fsqla", "fsqla_v2", "fsqla_v3"],
)
def test_each_version_makes_upstream_s_user_and_role_tables(version: Any, user: Any) -> None:
    m = _declare(version)
    tables = m["db"].metadata.tables
    assert set(tables) == {"user", "role", "roles_users"}
    assert _schema(tables["user"]) == user
    assert _schema(tables["role"]) == ROLE
    links = tables["roles_users"]
    assert [c.name for c in links.c] == ["user_id", "role_id"]
    assert {fk.target_fullname for fk in links.foreign_keys} == {"user.id", "role.id"}
    # the mixins are fsec's own: UserMixin / RoleMixin are in them
    assert issubclass(m["User"], UserMixin) and issubclass(m["Role"], RoleMixin)
    assert not hasattr(m["User"], "webauthn")  # no WebAuthn model, no relationship


def test_v3_webauthn_model_has_upstream_s_fields_and_fsec_s_mixin() -> None:
    m = _declare(fsqla_v3, webauthn=True)
    table = m["db"].metadata.tables["webauthn"]
    assert _schema(table) == WEBAUTHN
    (fk,) = table.c.user_id.foreign_keys
    assert (fk.target_fullname, fk.ondelete) == ("user.id", "CASCADE")
    assert any(i.unique and [c.name for c in i.columns] == ["credential_id"] for i in table.indexes)
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


def test_set_db_info_table_names_are_used() -> None:
    names = {"user_table_name": "acct", "role_table_name": "grp", "webauthn_table_name": "pk"}
    m = _declare(fsqla_v3, webauthn=True, **names)
    tables = m["db"].metadata.tables
    assert set(tables) == {"acct", "grp", "pk", "roles_users"}
    fks = {fk.target_fullname for fk in tables["roles_users"].foreign_keys}
    assert fks == {"acct.id", "grp.id"}
    assert {fk.target_fullname for fk in tables["pk"].foreign_keys} == {"acct.id"}


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
    m = _declare(fsqla_v3, webauthn=True)
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
        for table in ("user", "webauthn", "roles_users"):
            count = conn.execute(sa.text(f'select count(*) from "{table}"')).scalar()
            assert count == 0, table
