"""The datastore contract's user suite: ``create_user`` (defaults, no password, roles
by name and object, duplicate identities refused also when the check races, Unicode)
and every user lookup (``get_user``, ``find_user``, ``load_user``, identity lookups
ignoring case and taking pattern characters literally). Part of
:class:`~flask_security.testing.datastore_contract.DatastoreContract`."""

from __future__ import annotations

from typing import Any

import pytest

from ..datastore import DatastoreError, UserDatastore, UserExistsError
from .datastore_suite_base import DatastoreSuite
from .store_contract_base import (
    _STORED_HASH,
    BAD_USER_IDS,
    _ascii_upper,
    _role_names,
)


class DatastoreCreateUserContract(DatastoreSuite):
    """``create_user``: defaults, no password, roles, duplicates (also racing), Unicode."""

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


class DatastoreLookupContract(DatastoreSuite):
    """``get_user``, ``find_user``, ``load_user`` and the identity lookups."""

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


class DatastoreUsersContract(DatastoreCreateUserContract, DatastoreLookupContract):
    """Creating users and finding them again (both suites above)."""
