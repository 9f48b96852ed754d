"""The datastore contract's roles and accounts suite: roles (create, find, give and
take away by object or name), activation, deleting a user with its role links,
``commit``, and revocation through ``fs_uniquifier``. Part of
:class:`~flask_security.testing.datastore_contract.DatastoreContract`."""

from __future__ import annotations

from ..datastore import UserDatastore
from .datastore_suite_base import DatastoreSuite
from .store_contract_base import (
    _role_names,
)


class DatastoreRoleLinksContract(DatastoreSuite):
    """Roles: create, find, give and take away by object or name."""

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


class DatastoreAccountsContract(DatastoreSuite):
    """Account changes: activation, deletion, ``commit`` and ``reset_user_access``."""

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


class DatastoreRolesContract(DatastoreRoleLinksContract, DatastoreAccountsContract):
    """Roles and account changes (both suites above)."""
