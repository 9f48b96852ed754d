"""PeeweeUserDatastore beyond the contract: statements per request, the lower(email)
index, the db argument, the model checks, the README quickstart, the lazy import."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from flask import Flask
from flask_security import RoleMixin, Security, UserMixin, roles_required
from flask_security.testing.datastore_contract import StorePackageContract
from flask_security.utils import hash_password
from fsec_store_peewee import PeeweeUserDatastore, add_identity_index
from fsec_store_peewee.testing import Role, User, UserRoles, create_app

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


@pytest.fixture(scope="module")
def pg_database(fsec_postgres: Any) -> Iterator[peewee.PostgresqlDatabase]:
    fsec_postgres.create_database("fsec_peewee_store")
    database = peewee.PostgresqlDatabase(
        "fsec_peewee_store",
        host=fsec_postgres.host,
        port=fsec_postgres.port,
        user=fsec_postgres.user,
        prefer_psycopg3=True,
    )
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    if request.param == "sqlite":
        database: peewee.Database = peewee.SqliteDatabase(":memory:")
    else:
        database = request.getfixturevalue("pg_database")
    yield create_app({}, database)
    if request.param == "sqlite":
        database.close()


def _add(app: Flask, email: str, roles: tuple[str, ...] = ()) -> Any:
    with app.app_context():
        datastore = app.extensions["security"].datastore
        for name in roles:
            datastore.find_or_create_role(name)
        return datastore.create_user(
            email=email, password=hash_password("password"), roles=list(roles)
        ).id


class StatementLog(logging.Handler):
    """Every statement peewee sends (its ``peewee`` logger, DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[str, Any]] = []
        self.logger = logging.getLogger("peewee")

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple):
            self.statements.append(record.msg)

    def __enter__(self) -> StatementLog:
        self._level = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self._level)


def test_session_request_checking_roles_costs_one_statement(app: Flask) -> None:
    _add(app, "admin@example.com", roles=("admin", "editor"))
    _add(app, "joe@example.com", roles=("editor",))
    admin, joe = app.test_client(), app.test_client()
    for client, email in ((admin, "admin@example.com"), (joe, "joe@example.com")):
        r = client.post("/login", json={"email": email, "password": "password"})
        assert r.status_code == 200
    for client, status in ((admin, 200), (joe, 403)):
        with StatementLog() as log:
            r = client.get("/admin")
        assert r.status_code == status
        assert len(log.statements) == 1, log.statements
        assert "JOIN" in log.statements[0][0]


def test_load_user_keeps_roles_as_link_rows_that_read_like_roles(app: Flask) -> None:
    user_id = _add(app, "matt@example.com", roles=("admin", "editor"))
    with app.app_context():
        datastore = app.extensions["security"].datastore
        with StatementLog() as log:
            user = datastore.load_user(str(user_id))
            names = [r.name for r in user.roles]
            link_users = {r.user.email for r in user.roles}
            assert user.has_role("editor") and not user.has_role("viewer")
        assert len(log.statements) == 1
        assert names == ["admin", "editor"]
        assert link_users == {"matt@example.com"}
        assert all(isinstance(r, UserRoles) for r in user.roles)
        assert user.get_id().startswith(f"{user_id}:")
        assert datastore.load_user(str(user_id + 1000)) is None


def test_lower_email_index_exists_is_unique_and_used(app: Flask) -> None:
    database = User._meta.database
    with database.atomic():
        User.insert_many(
            [{"email": f"user{i}@example.com", "active": True} for i in range(3000)]
        ).execute()
    with app.app_context():
        datastore = app.extensions["security"].datastore
        with StatementLog() as log:
            assert datastore.find_user_by_identity("User1234@Example.COM").email == (
                "user1234@example.com"
            )
    sql, params = next(s for s in log.statements if "lower" in s[0])
    if isinstance(database, peewee.SqliteDatabase):
        index_sql = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'user_email_lower'"
        ).fetchone()[0]
        assert index_sql.startswith("CREATE UNIQUE INDEX")
        assert 'lower("email")' in index_sql
        plan = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        details = " ".join(str(row[-1]) for row in plan)
        assert "USING INDEX user_email_lower" in details, details
    else:
        indexdef = database.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'user_email_lower'"
        ).fetchone()[0]
        assert indexdef.startswith("CREATE UNIQUE INDEX")
        assert "lower((email)::text)" in indexdef
        database.execute_sql("ANALYZE")
        plan = "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
        assert "user_email_lower" in plan and "Seq Scan" not in plan, plan


def test_lower_email_index_refuses_case_variants(app: Flask) -> None:
    User.insert(email="Matt@Example.com", active=True).execute()
    for variant in ("matt@example.com", "MATT@EXAMPLE.COM"):
        with pytest.raises(peewee.IntegrityError), User._meta.database.atomic():
            User.insert(email=variant, active=True).execute()
    assert User.select().count() == 1


def test_add_identity_index_is_idempotent_and_skips_missing_fields() -> None:
    first = add_identity_index(User, "email")
    assert first is not None and add_identity_index(User, "email") is first
    assert add_identity_index(User, "no_such_field") is None
    names = [i._name for i in User._meta.indexes if isinstance(i, peewee.ModelIndex)]
    assert names.count("user_email_lower") == 1


def test_db_argument_forms() -> None:
    database = peewee.SqliteDatabase(":memory:")

    class Holder:
        def __init__(self, inner: Any) -> None:
            self.database = inner

    assert PeeweeUserDatastore(database, User, Role, UserRoles).database is database
    assert PeeweeUserDatastore(Holder(database), User, Role, UserRoles).database is database
    for bad in (object(), Holder("example.db"), "sqlite:///example.db"):
        with pytest.raises(TypeError, match="peewee Database"):
            PeeweeUserDatastore(bad, User, Role, UserRoles)


def test_link_model_without_foreign_keys_is_refused() -> None:
    class Unrelated(peewee.Model):
        user = peewee.ForeignKeyField(User, backref="unrelated_links")

    try:
        with pytest.raises(TypeError, match="no ForeignKeyField to Role"):
            PeeweeUserDatastore(peewee.SqliteDatabase(":memory:"), User, Role, Unrelated)
    finally:
        # The foreign key made User refer back to Unrelated; left there, every later
        # delete_user (delete_instance(recursive=True)) would look for its table.
        Unrelated._meta.remove_field("user")


def test_flask_peewee_database_object(tmp_path: Any) -> None:
    """flask-peewee's ``Database`` (the documented 3.0 quickstart's) also works."""
    flask_peewee_db = pytest.importorskip("flask_peewee.db")
    app = Flask("flask_peewee_app")
    app.config.update(
        SECRET_KEY="fsec-flask-peewee",
        SECURITY_PASSWORD_SALT="salt",
        SECURITY_PASSWORD_HASH_OPTIONS={"bcrypt": {"rounds": 4}},
        WTF_CSRF_ENABLED=False,
        DATABASE={"name": str(tmp_path / "fp.db"), "engine": "peewee.SqliteDatabase"},
    )
    db = flask_peewee_db.Database(app)

    class FPRole(db.Model, RoleMixin):
        name = peewee.CharField(unique=True)
        description = peewee.TextField(null=True)

    class FPUser(db.Model, UserMixin):
        email = peewee.TextField(unique=True)
        password = peewee.TextField()
        active = peewee.BooleanField(default=True)

    class FPUserRoles(db.Model):
        user = peewee.ForeignKeyField(FPUser, backref="roles")
        role = peewee.ForeignKeyField(FPRole, backref="users")
        name = property(lambda self: self.role.name)

    datastore = PeeweeUserDatastore(db, FPUser, FPRole, FPUserRoles)
    Security(app, datastore)
    app.add_url_rule("/admin", "admin", roles_required("admin")(lambda: "admin area"))
    db.database.create_tables([FPRole, FPUser, FPUserRoles])
    with app.app_context():
        datastore.create_user(
            email="matt@example.com", password=hash_password("password"), roles=[]
        )
        datastore.add_role_to_user("matt@example.com", datastore.create_role(name="admin"))
    client = app.test_client()
    r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/admin").get_data(as_text=True) == "admin area"


def _quickstart_source() -> str:
    with open(README, encoding="utf-8") as fh:
        section = fh.read().split("## Quickstart", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the README quickstart"
    return blocks[0]


def test_readme_quickstart_runs_and_logs_in(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the quickstart's example.db goes here
    namespace: dict[str, Any] = {"__name__": "peewee_readme_quickstart"}
    exec(compile(_quickstart_source(), README, "exec"), namespace)  # our own README
    app = namespace["app"]
    app.config.update(WTF_CSRF_ENABLED=False)
    assert (tmp_path / "example.db").exists()
    client = app.test_client()
    assert client.get("/").status_code == 302
    r = client.post("/login", json={"email": "MATT@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"
    with app.app_context():
        datastore = namespace["user_datastore"]
        assert datastore.add_role_to_user("matt@example.com", datastore.create_role(name="admin"))
        user = datastore.find_user(email="matt@example.com")
        assert user.has_role("admin") and [r.description for r in user.roles] == [None]


class TestStorePackage(StorePackageContract):
    plugin = "store-peewee"
    distribution = "fsec-store-peewee"
    package = "fsec_store_peewee"
    class_names = ("PeeweeUserDatastore",)
    orm_modules = ("peewee",)
    app_setup = """
from fsec_store_peewee.testing import create_app
app = create_app()
with app.app_context():
    app.extensions["security"].datastore.create_user(email="a@example.com", password="x")
"""


def test_put_writes_only_changed_fields(app: Flask) -> None:
    """peewee has no identity map: two requests hold two objects of one row. A write
    through a stale object must not undo what the other stored (a reset password, a
    login counter): ``put`` saves only the fields changed on the object."""
    with app.app_context():
        datastore = app.extensions["security"].datastore
        user_id = datastore.create_user(email="stale@example.com", password="old-hash").id
        stale = User.get_by_id(user_id)
        fresh = User.get_by_id(user_id)
        assert datastore.compare_and_set(fresh, {"password": "old-hash"}, {"password": "new"})
        assert datastore.compare_and_set(fresh, {}, increment={"login_count": 1})
        stale.username = "renamed"
        datastore.put(stale)
        stored = User.get_by_id(user_id)
        assert (stored.password, stored.login_count, stored.username) == ("new", 1, "renamed")
        # Nothing changed: nothing written (and no error).
        assert datastore.put(stored) is stored


def test_required_column_left_out_is_not_reported_as_a_duplicate(tmp_path) -> None:
    """A model column that is NOT NULL and not given to create_user fails as what it
    is, not as "a user with these identity values already exists" (found with
    Flask-Security 3.0's own peewee test model, whose username is required)."""
    import peewee
    from flask_security import RoleMixin, UserMixin
    from flask_security.datastore import DatastoreError, UserExistsError
    from fsec_store_peewee import PeeweeUserDatastore

    db = peewee.SqliteDatabase(str(tmp_path / "strict.db"))

    class Base(peewee.Model):
        class Meta:
            database = db

    class Role(Base, RoleMixin):
        name = peewee.CharField(unique=True)
        description = peewee.TextField(null=True)

    class User(Base, UserMixin):
        email = peewee.TextField(unique=True)
        username = peewee.TextField()  # NOT NULL, no default
        password = peewee.TextField(null=True)
        active = peewee.BooleanField(default=True)
        confirmed_at = peewee.DateTimeField(null=True)

    class UserRoles(Base):
        user = peewee.ForeignKeyField(User, backref="roles")
        role = peewee.ForeignKeyField(Role, backref="users")

    db.create_tables([Role, User, UserRoles])
    ds = PeeweeUserDatastore(db, User, Role, UserRoles)
    with pytest.raises(DatastoreError) as info:
        ds.create_user(email="a@example.com", password="x")
    assert not isinstance(info.value, UserExistsError)
    assert "NOT NULL" in str(info.value)
    ds.create_user(email="a@example.com", username="a", password="x")
    with pytest.raises(UserExistsError):
        # the store's own check or the unique index: a duplicate either way
        ds.create_user(email="a@example.com", username="b", password="x")
