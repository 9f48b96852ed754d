"""Datastore contract suites: what every fsec datastore must do.

Shipped with fsec-core so that first-party and third-party store authors run the same
tests. Three suites in three modules, each class a set of ``test_*`` methods that
pytest collects from a subclass:

* :class:`DatastoreContract` calls every documented
  :class:`~flask_security.datastore.UserDatastore` method directly and checks its
  return value and what was stored (after a commit, with a fresh lookup).
* :class:`~flask_security.testing.datastore_views_contract.DatastoreViewsContract`
  (module ``datastore_views_contract``) drives the same store through fsec's views and CLI:
  login, a role-protected page, an auth-token request, change password, basic auth,
  ``flask users create`` / ``flask roles create`` / ``flask roles add``.

A store's tests subclass both and provide the ``make_app`` fixture: a factory
``make_app(config: dict) -> Flask`` building a **new** app with ``Security`` on the
store, ``config`` applied over :data:`TEST_APP_CONFIG` (``SECRET_KEY``, a
``SECURITY_PASSWORD_SALT``, bcrypt at 4 rounds, CSRF off), on **empty** tables.
The models need what the documented quickstarts have plus a ``username``:

* user: ``id``, ``email`` (unique in the database), ``username`` (unique, may be
  empty), ``password``, ``active``, ``fs_uniquifier`` (upstream's revocation field: a
  string of up to 64 characters, unique, may be empty), ``confirmed_at`` (a datetime,
  may be empty), ``login_count`` (an integer, may be empty), ``roles`` (the user's
  roles, or link rows with a ``name``, as with peewee);
* role: ``name`` (unique), ``description``;
* upstream 5.x's WebAuthn credential model, passed as the datastore's
  ``webauthn_model``: ``credential_id`` (bytes, unique), ``public_key`` (bytes),
  ``sign_count``, ``transports`` (a list of strings), ``extensions``,
  ``lastuse_datetime``, ``name``, ``usage``, ``backup_state``, ``device_type``, a
  ``user`` reference and ``get_user_mapping()``; the user has
  ``fs_webauthn_user_handle`` and ``webauthn`` (its credentials). Deleting a user
  deletes its credentials. The ``test_model_webauthn_*`` cases store them through
  the generic primitives ``find_model``, ``find_models``, ``create_model``,
  ``delete`` and ``compare_and_set``.

Hooks a subclass may override: :meth:`DatastoreContract.restart` (end the unit of
work so the next lookup reads the database: remove the SQLAlchemy session, end the
Pony ``db_session``...), and it must implement :meth:`DatastoreContract.count_users`
and :meth:`DatastoreContract.count_role_links`. The class attributes ``store`` and
``database`` name the run; fsec's pytest plugin prints one line per contract, store
and database in the terminal summary with the number of cases that passed.

Example::

    class _SQLite:
        store = "sqlalchemy"
        database = "sqlite"

        @pytest.fixture
        def make_app(self):
            return lambda config: create_app(config)

        def count_users(self, datastore):
            return datastore.db.session.query(User).count()

        def count_role_links(self, datastore):
            return datastore.db.session.query(roles_users).count()


    class TestSQLiteDatastore(_SQLite, DatastoreContract):
        pass


    class TestSQLiteViews(_SQLite, DatastoreViewsContract):
        pass
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from flask import Flask

from ..datastore import DatastoreError, UserDatastore, UserExistsError
from .store_contract_base import (
    _STORED_HASH,
    BAD_USER_IDS,
    _ascii_upper,
    _role_names,
    _StoreRun,
)


class DatastoreContract(_StoreRun):
    """Every documented ``UserDatastore`` method, its return value and its effect.

    Fixtures: ``make_app`` (abstract, see the module documentation); ``datastore``
    (built from ``make_app`` with ``SECURITY_USER_IDENTITY_ATTRIBUTES`` set to
    :attr:`identity_attributes`, yielded inside the app's application context; a
    subclass may override it).
    """

    _fsec_contract = "datastore"

    #: Whether the run's database serves several connections at once (PostgreSQL),
    #: so that the ``compare_and_set`` races run in real threads, each with its own
    #: application context and connection; in-memory SQLite and mongomock runs keep
    #: ``False`` and race the same reads one after the other.
    concurrent_writers: ClassVar[bool] = False

    #: Identity attributes the contract configures and checks (``get_user`` finds
    #: users by each of them ignoring case).
    identity_attributes: ClassVar[tuple[str, ...]] = ("email", "username")

    @pytest.fixture
    def datastore(self, make_app: Callable[[dict[str, Any]], Flask]) -> Iterator[UserDatastore]:
        app = make_app({"SECURITY_USER_IDENTITY_ATTRIBUTES": list(self.identity_attributes)})
        with app.app_context():
            yield app.extensions["security"].datastore

    # -- hooks -----------------------------------------------------------------------

    def restart(self, datastore: UserDatastore) -> None:
        """Commit, then forget every cached object so that the next lookup reads the
        database (objects held from before must not be used afterwards).

        The default only commits: right for stores without an identity map."""
        datastore.commit()

    def count_users(self, datastore: UserDatastore) -> int:  # pragma: no cover
        """The number of user rows / documents in the database."""
        raise NotImplementedError

    def count_role_links(self, datastore: UserDatastore) -> int:  # pragma: no cover
        """The number of stored user-to-role links (rows of the link table, or role
        references held by user documents)."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------

    def _user(self, datastore: UserDatastore, email: str, **fields: Any) -> Any:
        fields.setdefault("password", _STORED_HASH)
        return datastore.create_user(email=email, **fields)

    def _fresh(self, datastore: UserDatastore, email: str) -> Any:
        return datastore.find_user(email=email)

    # -- create_user -----------------------------------------------------------------

    def test_create_user_returns_saved_user_with_defaults(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        assert user.email == "matt@example.com"
        assert user.active is True
        assert user.password == _STORED_HASH
        assert _role_names(user) == []
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored is not None and stored.id is not None
        assert stored.active is True and stored.password == _STORED_HASH
        assert _role_names(stored) == []
        assert self.count_users(datastore) == 1

    def test_create_user_without_a_password(self, datastore: UserDatastore) -> None:
        """``create_user(password=None)`` is supported: the account is stored with no
        password (``None``) and no password verifies against it."""
        from ..utils import verify_and_update_password

        user = datastore.create_user(email="nopass@example.com", password=None)
        assert user.password is None
        self.restart(datastore)
        stored = self._fresh(datastore, "nopass@example.com")
        assert stored is not None and stored.password is None and stored.active is True
        for guess in ("", "None", "password"):
            assert verify_and_update_password(guess, stored) is False
        self.restart(datastore)
        assert self._fresh(datastore, "nopass@example.com").password is None

    def test_create_user_keeps_given_active_and_fields(self, datastore: UserDatastore) -> None:
        self._user(datastore, "off@example.com", active=False, username="offline")
        self.restart(datastore)
        stored = self._fresh(datastore, "off@example.com")
        assert stored.active is False
        assert stored.username == "offline"

    def test_create_user_with_roles_by_name_and_object(self, datastore: UserDatastore) -> None:
        editor = datastore.create_role(name="editor")
        datastore.create_role(name="admin")
        user = self._user(datastore, "matt@example.com", roles=["admin", editor])
        assert _role_names(user) == ["admin", "editor"]
        assert user.has_role("admin") and user.has_role("editor")
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert _role_names(stored) == ["admin", "editor"]
        assert self.count_role_links(datastore) == 2

    def test_create_user_unknown_role_name_writes_nothing(self, datastore: UserDatastore) -> None:
        with pytest.raises(DatastoreError):
            self._user(datastore, "matt@example.com", roles=["no-such-role"])
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com") is None
        assert self.count_users(datastore) == 0

    def test_create_user_duplicate_email_raises_user_exists(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com", username="matt")
        self.restart(datastore)
        for email in ("matt@example.com", "MATT@Example.COM"):
            with pytest.raises(UserExistsError):
                self._user(datastore, email)
        with pytest.raises(UserExistsError):
            self._user(datastore, "other@example.com", username="MATT")
        assert issubclass(UserExistsError, DatastoreError)
        # The store is still usable and nothing of the refused users was written.
        self._user(datastore, "joe@example.com")
        self.restart(datastore)
        assert self.count_users(datastore) == 2
        assert datastore.find_user(email="MATT@Example.COM") is None
        assert datastore.find_user(email="other@example.com") is None

    def test_create_user_duplicate_refused_by_database_when_check_races(
        self, datastore: UserDatastore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two requests may both pass the duplicate check: the database's unique
        constraint on ``email`` must then refuse the second as ``UserExistsError``."""
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        monkeypatch.setattr(datastore, "check_unique", lambda kwargs: None)
        with pytest.raises(UserExistsError):
            self._user(datastore, "matt@example.com")
        monkeypatch.undo()
        self._user(datastore, "joe@example.com")
        self.restart(datastore)
        assert self.count_users(datastore) == 2
        assert self._fresh(datastore, "joe@example.com") is not None

    def test_create_user_unicode_email_and_names(self, datastore: UserDatastore) -> None:
        email = "Élodie.Müller@Exämple.org"
        role = datastore.create_role(name="rédacteur", description="Редактор · 編集者")
        self._user(datastore, email, username="Ünïcødé-ñame", roles=[role])
        self.restart(datastore)
        stored = self._fresh(datastore, email)
        assert stored is not None
        assert stored.email == email and stored.username == "Ünïcødé-ñame"
        assert _role_names(stored) == ["rédacteur"]
        assert datastore.find_role("rédacteur").description == "Редактор · 編集者"
        # An exact lookup always matches; ASCII letters match in any case.
        assert datastore.get_user(email).email == email
        assert datastore.find_user_by_identity(email).email == email
        assert datastore.get_user(_ascii_upper(email)).email == email
        assert datastore.get_user("ünïcødé-ñame".replace("ü", "Ü")).email == email
        assert datastore.get_user(_ascii_upper("Ünïcødé-ñame")).email == email

    # -- lookups ---------------------------------------------------------------------

    def test_get_user_by_id(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com")
        self._user(datastore, "joe@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "joe@example.com")
        user_id = user.id
        assert datastore.get_user(user_id).email == "joe@example.com"
        assert datastore.get_user(str(user_id)).email == "joe@example.com"

    def test_get_user_by_each_identity_attribute_ignoring_case(
        self, datastore: UserDatastore
    ) -> None:
        from ..utils import get_identity_attributes

        assert get_identity_attributes() == list(self.identity_attributes)
        self._user(datastore, "Matt.Wright@Example.com", username="MattW")
        self._user(datastore, "joe@example.com", username="joe")
        self.restart(datastore)
        values = {"email": "Matt.Wright@Example.com", "username": "MattW"}
        for attribute in self.identity_attributes:
            value = values[attribute]
            for variant in (value, value.lower(), value.upper(), value.swapcase()):
                found = datastore.get_user(variant)
                assert found is not None, (attribute, variant)
                assert found.email == "Matt.Wright@Example.com"
                assert datastore.find_user_by_identity(variant).email == found.email
        assert datastore.find_user_by_identity("MATTW", ["email"]) is None
        assert datastore.find_user_by_identity("MATTW", ["username"]).username == "MattW"

    def test_numeric_string_is_an_id_only_through_get_user(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user_id = str(self._fresh(datastore, "matt@example.com").id)
        assert datastore.get_user(user_id).email == "matt@example.com"
        assert datastore.find_user_by_identity(user_id) is None
        assert datastore.find_user_by_identity(f" {user_id} ") is None

    def test_unknown_and_blank_lookups_give_none(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        assert datastore.get_user("nobody@example.com") is None
        assert datastore.get_user("") is None
        assert datastore.get_user(None) is None
        assert datastore.get_user("987654") is None
        assert datastore.find_user_by_identity("") is None
        assert datastore.find_user_by_identity("   ") is None
        assert datastore.find_user_by_identity(None) is None  # type: ignore[arg-type]
        assert datastore.find_user(email="nobody@example.com") is None
        assert datastore.find_role("nobody") is None

    def test_identity_lookup_treats_pattern_characters_literally(
        self, datastore: UserDatastore
    ) -> None:
        """Regular-expression and SQL ``LIKE`` characters in a typed identity match
        only themselves (no pattern injection)."""
        self._user(datastore, "a.b+c@example.com", username="x_y%z")
        self._user(datastore, "axb@example.com", username="xqyqz")
        self.restart(datastore)
        assert datastore.find_user_by_identity("A.B+C@EXAMPLE.COM").email == "a.b+c@example.com"
        assert datastore.find_user_by_identity("X_Y%Z").email == "a.b+c@example.com"
        for probe in (
            "a.b+c@example.co.",
            ".*",
            "a.*",
            "^a.b\\+c@example\\.com$",
            "a?b@example.com",
            "a_b@example.com",
            "%",
            "%@example.com",
            "x_y_z",
            "xqyq_",
            "(a)",
            "[a-z]xb@example.com",
            "axb@example.com|a.b+c@example.com",
        ):
            assert datastore.find_user_by_identity(probe) is None, probe
        assert datastore.find_user_by_identity("axb@example.com").email == "axb@example.com"

    def test_find_user_by_exact_attributes(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com", username="matt")
        self._user(datastore, "joe@example.com", username="joe", active=False)
        self.restart(datastore)
        joe = datastore.find_user(email="joe@example.com")
        assert joe is not None and joe.username == "joe"
        assert datastore.find_user(id=joe.id).email == "joe@example.com"
        assert datastore.find_user(username="joe", active=False).email == "joe@example.com"
        assert datastore.find_user(username="joe", active=True) is None
        assert datastore.find_user(email="JOE@example.com") is None  # exact, not ignoring case

    def test_load_user_by_primary_key_string_with_roles(self, datastore: UserDatastore) -> None:
        datastore.create_role(name="admin")
        self._user(datastore, "matt@example.com", roles=["admin"])
        self.restart(datastore)
        user_id = self._fresh(datastore, "matt@example.com").id
        self.restart(datastore)
        user = datastore.load_user(str(user_id))
        assert user is not None and user.email == "matt@example.com"
        assert _role_names(user) == ["admin"]
        assert user.has_role("admin") and not user.has_role("editor")

    @pytest.mark.parametrize("bad", BAD_USER_IDS, ids=repr)
    def test_load_user_bad_input_gives_none(self, datastore: UserDatastore, bad: Any) -> None:
        self._user(datastore, "matt@example.com")
        self._user(datastore, "joe@example.com")
        self.restart(datastore)
        assert datastore.load_user(bad) is None
        # The store still answers afterwards (no aborted transaction left behind).
        assert datastore.find_user(email="joe@example.com") is not None

    # -- roles -----------------------------------------------------------------------

    def test_create_and_find_role(self, datastore: UserDatastore) -> None:
        role = datastore.create_role(name="admin", description="Administrators")
        assert role.name == "admin" and role.description == "Administrators"
        self.restart(datastore)
        found = datastore.find_role("admin")
        assert found is not None and found.description == "Administrators"
        assert datastore.find_role("Admin") is None

    def test_find_or_create_role(self, datastore: UserDatastore) -> None:
        created = datastore.find_or_create_role("admin", description="first")
        assert created.name == "admin" and created.description == "first"
        self.restart(datastore)
        again = datastore.find_or_create_role("admin", description="second")
        assert again.name == "admin" and again.description == "first"
        self.restart(datastore)
        assert datastore.find_role("admin").description == "first"
        other = datastore.find_or_create_role("editor")
        assert other.name == "editor"
        self.restart(datastore)
        assert datastore.find_role("editor") is not None

    def test_add_role_to_user_objects(self, datastore: UserDatastore) -> None:
        role = datastore.create_role(name="admin")
        user = self._user(datastore, "matt@example.com")
        assert datastore.add_role_to_user(user, role) is True
        assert user.has_role("admin")
        assert datastore.add_role_to_user(user, role) is False
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert _role_names(stored) == ["admin"]
        assert self.count_role_links(datastore) == 1
        assert datastore.add_role_to_user(stored, datastore.find_role("admin")) is False
        self.restart(datastore)
        assert self.count_role_links(datastore) == 1

    def test_add_role_to_user_by_email_and_name(self, datastore: UserDatastore) -> None:
        datastore.create_role(name="admin")
        datastore.create_role(name="editor")
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        assert datastore.add_role_to_user("matt@example.com", "admin") is True
        assert datastore.add_role_to_user("MATT@example.com", "editor") is True
        assert datastore.add_role_to_user("matt@example.com", "admin") is False
        self.restart(datastore)
        assert _role_names(self._fresh(datastore, "matt@example.com")) == ["admin", "editor"]

    def test_add_role_unknown_user_or_role_changes_nothing(self, datastore: UserDatastore) -> None:
        datastore.create_role(name="admin")
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        assert datastore.add_role_to_user("nobody@example.com", "admin") is False
        assert datastore.add_role_to_user("matt@example.com", "no-such-role") is False
        self.restart(datastore)
        assert _role_names(self._fresh(datastore, "matt@example.com")) == []
        assert self.count_role_links(datastore) == 0

    def test_remove_role_from_user(self, datastore: UserDatastore) -> None:
        datastore.create_role(name="admin")
        datastore.create_role(name="editor")
        self._user(datastore, "matt@example.com", roles=["admin", "editor"])
        self._user(datastore, "joe@example.com", roles=["admin"])
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert datastore.remove_role_from_user(user, datastore.find_role("admin")) is True
        assert not user.has_role("admin") and user.has_role("editor")
        assert datastore.remove_role_from_user(user, "admin") is False
        self.restart(datastore)
        assert _role_names(self._fresh(datastore, "matt@example.com")) == ["editor"]
        assert _role_names(self._fresh(datastore, "joe@example.com")) == ["admin"]
        assert datastore.remove_role_from_user("MATT@example.com", "editor") is True
        assert datastore.remove_role_from_user("matt@example.com", "editor") is False
        assert datastore.remove_role_from_user("nobody@example.com", "admin") is False
        assert datastore.remove_role_from_user("joe@example.com", "no-such-role") is False
        self.restart(datastore)
        assert _role_names(self._fresh(datastore, "matt@example.com")) == []
        assert self.count_role_links(datastore) == 1
        assert datastore.find_role("admin") is not None

    # -- activation ------------------------------------------------------------------

    def test_deactivate_and_activate_return_whether_changed(self, datastore: UserDatastore) -> None:
        # 3.0: these only change the attribute; the caller saves (put, commit).
        user = self._user(datastore, "matt@example.com")
        assert datastore.deactivate_user(user) is True
        assert user.active is False
        assert datastore.deactivate_user(user) is False
        datastore.put(user)
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert user.active is False and user.is_active is False
        assert datastore.activate_user(user) is True
        assert datastore.activate_user(user) is False
        datastore.put(user)
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").active is True

    def test_toggle_active_always_returns_true(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        assert datastore.toggle_active(user) is True
        datastore.put(user)
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert user.active is False
        assert datastore.toggle_active(user) is True
        datastore.put(user)
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").active is True

    # -- deletion and commit ---------------------------------------------------------

    def test_delete_user_removes_it_and_its_role_links(self, datastore: UserDatastore) -> None:
        datastore.create_role(name="admin")
        datastore.create_role(name="editor")
        self._user(datastore, "matt@example.com", roles=["admin", "editor"])
        self._user(datastore, "joe@example.com", roles=["admin"])
        self.restart(datastore)
        assert self.count_role_links(datastore) == 3
        user = self._fresh(datastore, "matt@example.com")
        user_id = user.id
        assert datastore.delete_user(user) is None
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com") is None
        assert datastore.get_user(user_id) is None
        assert datastore.load_user(str(user_id)) is None
        assert self.count_users(datastore) == 1
        assert self.count_role_links(datastore) == 1
        assert _role_names(self._fresh(datastore, "joe@example.com")) == ["admin"]
        assert datastore.find_role("editor") is not None
        # The address is free again.
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        assert self.count_users(datastore) == 2

    # -- revocation (fs_uniquifier) --------------------------------------------------

    def test_create_user_sets_fs_uniquifier_and_reset_user_access_renews_it(
        self, datastore: UserDatastore
    ) -> None:
        assert datastore.has_uniquifier, "the user model needs fs_uniquifier (string, 64)"
        matt = self._user(datastore, "matt@example.com")
        joe = self._user(datastore, "joe@example.com", fs_uniquifier="given-value")
        self.restart(datastore)
        first = self._fresh(datastore, "matt@example.com").fs_uniquifier
        assert isinstance(first, str) and len(first) == 32
        assert self._fresh(datastore, "joe@example.com").fs_uniquifier == "given-value"
        del matt, joe
        user = self._fresh(datastore, "matt@example.com")
        password = user.password
        assert datastore.reset_user_access(user) is None
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert user.fs_uniquifier not in (None, first)
        assert user.password == password
        datastore.set_uniquifier(user, "chosen")
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").fs_uniquifier == "chosen"

    def test_commit_persists_changes(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        user.username = "renamed"
        datastore.put(user)
        datastore.commit()
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").username == "renamed"
        assert datastore.put(self._fresh(datastore, "matt@example.com")) is not None

    # -- compare_and_set -------------------------------------------------------------

    def test_compare_and_set_applies_once_per_expected_state(
        self, datastore: UserDatastore
    ) -> None:
        user = self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        new_hash = _STORED_HASH + "-2"
        assert datastore.compare_and_set(user, {"password": _STORED_HASH}, {"password": new_hash})
        assert user.password == new_hash
        datastore.commit()
        # A second use of the same expectation (a replayed one-time link) is refused.
        assert not datastore.compare_and_set(
            user, {"password": _STORED_HASH}, {"password": _STORED_HASH + "-3"}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.password == new_hash
        # Every expected field must match; nothing is written otherwise.
        assert not datastore.compare_and_set(
            stored, {"password": new_hash, "active": False}, {"username": "x"}
        )
        assert datastore.compare_and_set(
            stored, {"password": new_hash, "active": True}, {"username": "matt", "active": False}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.username, stored.active, stored.password) == ("matt", False, new_hash)

    def test_compare_and_set_consumes_two_factor_state(self, datastore: UserDatastore) -> None:
        """fsec-two-factor's use of a code or recovery code: one conditional write on
        ``tf_totp_secret`` that also replaces the ``mf_recovery_codes`` list. Skipped
        for a user model without upstream's two-factor fields."""
        model = datastore.user_model
        fields = ("tf_primary_method", "tf_totp_secret", "mf_recovery_codes")
        if not all(
            hasattr(model, f) or f in (getattr(model, "_fields", None) or {}) for f in fields
        ):
            pytest.skip("the user model has no two-factor fields")
        old, new = "fsec1;g=0;{}", "fsec1;a=7,g=1;{}"
        user = self._user(
            datastore,
            "matt@example.com",
            tf_primary_method="authenticator",
            tf_totp_secret=old,
            mf_recovery_codes=["h1", "h2"],
        )
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert list(user.mf_recovery_codes) == ["h1", "h2"]
        assert datastore.compare_and_set(
            user, {"tf_totp_secret": old}, {"tf_totp_secret": new, "mf_recovery_codes": ["h2"]}
        )
        assert list(user.mf_recovery_codes) == ["h2"]
        datastore.commit()
        # The same expectation again (the same code replayed): refused, nothing written.
        assert not datastore.compare_and_set(
            user, {"tf_totp_secret": old}, {"tf_totp_secret": "x", "mf_recovery_codes": []}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.tf_totp_secret == new
        assert list(stored.mf_recovery_codes) == ["h2"]

    def test_compare_and_set_none_matches_an_unset_field(self, datastore: UserDatastore) -> None:
        import datetime

        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        when = datetime.datetime(2026, 5, 4, 3, 2, 1)
        assert datastore.compare_and_set(user, {"confirmed_at": None}, {"confirmed_at": when})
        assert user.confirmed_at == when
        datastore.commit()
        later = when + datetime.timedelta(days=1)
        assert not datastore.compare_and_set(user, {"confirmed_at": None}, {"confirmed_at": later})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.confirmed_at == when
        # Setting back to None, then a value equal to the stored one matches.
        assert datastore.compare_and_set(stored, {"confirmed_at": when}, {"confirmed_at": None})
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").confirmed_at is None

    def test_compare_and_set_increments_in_the_database(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert user.login_count is None
        assert datastore.compare_and_set(user, {}, increment={"login_count": 1})
        assert user.login_count == 1  # NULL counts as 0, the new value is read back
        datastore.commit()
        assert datastore.compare_and_set(user, {}, increment={"login_count": 2})
        assert user.login_count == 3
        datastore.commit()
        # Conditional on the counter itself: a version number.
        assert datastore.compare_and_set(user, {"login_count": 3}, increment={"login_count": 1})
        datastore.commit()
        assert not datastore.compare_and_set(user, {"login_count": 3}, increment={"login_count": 1})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.login_count == 4
        # A later write of another field through the same object keeps the counter.
        stored.username = "renamed"
        datastore.put(stored)
        datastore.commit()
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.login_count, stored.username) == (4, "renamed")

    def _racers(self, datastore: UserDatastore, count: int, act: Callable[[Any], Any]) -> list[Any]:
        """Run ``act(user)`` ``count`` times, each on its own copy of the user
        "matt@example.com" read before any of them writes. With
        :attr:`concurrent_writers`, each runs in its own thread, application context
        and database connection, released together by a barrier; otherwise one after
        the other (every copy read first)."""
        import threading

        from flask import current_app

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        user_id = str(self._fresh(datastore, "matt@example.com").id)
        self.restart(datastore)
        if not self.concurrent_writers:
            users = [datastore.load_user(user_id) for _ in range(count)]
            expectations = [act(u) for u in users]
            datastore.commit()
            return expectations
        barrier = threading.Barrier(count, timeout=30)
        results: list[Any] = [None] * count

        def run(i: int) -> None:
            with app.app_context():
                try:
                    user = datastore.load_user(user_id)
                    barrier.wait()
                    results[i] = act(user)
                    datastore.commit()
                except BaseException as exc:  # reported by the caller
                    results[i] = exc
                    barrier.abort()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    def test_compare_and_set_one_winner_among_simultaneous_writers(
        self, datastore: UserDatastore
    ) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)

        serial = itertools.count()

        def use_link(user: Any) -> tuple[bool, str]:
            mine = f"{_STORED_HASH}-{next(serial)}"
            expected = {"password": _STORED_HASH}
            applied = datastore.compare_and_set(user, expected, {"password": mine})
            return applied, mine

        outcomes = self._racers(datastore, 4, use_link)
        winners = [mine for applied, mine in outcomes if applied]
        assert len(winners) == 1, outcomes
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").password == winners[0]

    def test_compare_and_set_counts_every_simultaneous_increment(
        self, datastore: UserDatastore
    ) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        outcomes = self._racers(
            datastore, 8, lambda u: datastore.compare_and_set(u, {}, increment={"login_count": 1})
        )
        assert outcomes == [True] * 8
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").login_count == 8

    def test_compare_and_set_bad_arguments(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        with pytest.raises(ValueError, match="no_such_field"):
            datastore.compare_and_set(user, {"no_such_field": 1}, {"username": "x"})
        with pytest.raises(ValueError, match="no_such_field"):
            datastore.compare_and_set(user, {}, {"no_such_field": 1})
        with pytest.raises(ValueError, match="nothing to write"):
            datastore.compare_and_set(user, {"active": True})
        with pytest.raises(ValueError, match="login_count"):
            datastore.compare_and_set(user, {}, {"login_count": 1}, increment={"login_count": 1})
        with pytest.raises(TypeError):
            datastore.compare_and_set(user, {}, increment={"login_count": True})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.username, stored.login_count) == (None, None)

    # -- a feature's own models: upstream 5.x's WebAuthn credentials -----------------

    #: A credential id with bytes that are not text (NUL, 0xff, a lone UTF-8 lead).
    _CRED_ID = b"\x00\xff\xc3cred-\x01" + bytes(range(200, 256))

    def _credential(self, datastore: UserDatastore, user: Any, **fields: Any) -> Any:
        model = datastore.webauthn_model
        assert model is not None, (
            "the store's test app must pass a WebAuthn model (upstream 5.x's fields: "
            "credential_id, public_key, sign_count, transports, extensions, "
            "lastuse_datetime, name, usage, backup_state, device_type, a reference to "
            "the user and the user's list of them)"
        )
        values = {
            "user": user,
            "credential_id": self._CRED_ID,
            "public_key": b"\xa5\x01\x02\x03&" + bytes(range(256)),
            "sign_count": 0,
            "transports": ["usb", "internal"],
            "extensions": '{"credProps": true}',
            "lastuse_datetime": datetime.datetime(2030, 1, 2, 3, 4, 5, 123000),
            "name": "Clé USB ① key",
            "usage": "first",
            "backup_state": False,
            "device_type": "single_device",
        }
        values.update(fields)
        return datastore.create_model(model, **values)  # type: ignore[attr-defined]

    def test_model_webauthn_fields_stored_and_found(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com", fs_webauthn_user_handle="a" * 64)
        self._user(datastore, "joe@example.com")
        self._credential(datastore, user)
        self.restart(datastore)
        model = datastore.webauthn_model
        find = datastore.find_model  # type: ignore[attr-defined]
        found = find(model, credential_id=self._CRED_ID)
        assert found is not None
        assert bytes(found.credential_id) == self._CRED_ID
        assert bytes(found.public_key) == b"\xa5\x01\x02\x03&" + bytes(range(256))
        assert found.sign_count == 0
        assert list(found.transports) == ["usb", "internal"]
        assert found.extensions == '{"credProps": true}'
        assert found.lastuse_datetime.replace(microsecond=0) == datetime.datetime(
            2030, 1, 2, 3, 4, 5
        )
        assert (found.name, found.usage) == ("Clé USB ① key", "first")
        assert (found.backup_state, found.device_type) == (False, "single_device")
        assert find(model, credential_id=self._CRED_ID[:-1]) is None
        owner = datastore.find_user(**found.get_user_mapping())
        assert owner is not None and owner.email == "matt@example.com"
        assert owner.fs_webauthn_user_handle == "a" * 64
        listed = datastore.find_models(model, user=owner)  # type: ignore[attr-defined]
        assert [c.name for c in listed] == ["Clé USB ① key"]
        assert [c.name for c in owner.webauthn] == ["Clé USB ① key"]
        joe = self._fresh(datastore, "joe@example.com")
        assert datastore.find_models(model, user=joe) == []  # type: ignore[attr-defined]
        assert list(joe.webauthn) == []

    def test_model_webauthn_credential_id_is_unique(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user)
        self.restart(datastore)
        joe = self._user(datastore, "joe@example.com")
        with pytest.raises(DatastoreError):
            self._credential(datastore, joe, name="copy")
            datastore.commit()
        self.restart(datastore)
        model = datastore.webauthn_model
        assert len(datastore.find_models(model)) == 1  # type: ignore[attr-defined]

    def test_model_webauthn_sign_count_compare_and_set(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user, sign_count=5)
        self.restart(datastore)
        model = datastore.webauthn_model
        cred = datastore.find_model(model, credential_id=self._CRED_ID)  # type: ignore[attr-defined]
        when = datetime.datetime(2031, 1, 1, 0, 0, 0)
        assert datastore.compare_and_set(
            cred, {"sign_count": 5}, {"sign_count": 6, "lastuse_datetime": when}
        )
        # a second writer that read the same count loses
        assert not datastore.compare_and_set(cred, {"sign_count": 5}, {"sign_count": 6})
        self.restart(datastore)
        cred = datastore.find_model(model, credential_id=self._CRED_ID)  # type: ignore[attr-defined]
        assert (cred.sign_count, cred.lastuse_datetime) == (6, when)

    def test_model_webauthn_delete_and_user_delete(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user, name="one")
        self._credential(datastore, user, name="two", credential_id=b"\x02" * 64)
        self.restart(datastore)
        model = datastore.webauthn_model
        owner = self._fresh(datastore, "matt@example.com")
        one = datastore.find_model(model, user=owner, name="one")  # type: ignore[attr-defined]
        datastore.delete(one)  # type: ignore[attr-defined]
        self.restart(datastore)
        owner = self._fresh(datastore, "matt@example.com")
        assert [c.name for c in datastore.find_models(model, user=owner)] == ["two"]  # type: ignore[attr-defined]
        assert [c.name for c in owner.webauthn] == ["two"]
        datastore.delete_user(owner)
        self.restart(datastore)
        assert datastore.find_models(model) == []  # type: ignore[attr-defined]


# The other two suites, importable from here as before they had modules of their own.
from .datastore_views_contract import DatastoreViewsContract as DatastoreViewsContract  # noqa: E402
from .store_contract_base import BAD_USER_IDS as BAD_USER_IDS  # noqa: E402
from .store_contract_base import TEST_APP_CONFIG as TEST_APP_CONFIG  # noqa: E402
from .store_package_contract import ORM_MODULES as ORM_MODULES  # noqa: E402
from .store_package_contract import StorePackageContract as StorePackageContract  # noqa: E402

# (The re-exported suites are documented in their own modules.)
__all__ = ["BAD_USER_IDS", "TEST_APP_CONFIG", "DatastoreContract"]
