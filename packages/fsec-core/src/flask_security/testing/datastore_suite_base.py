"""The base of the datastore contract's suites: the ``datastore`` fixture, the hooks
a store's subclass implements (``count_users``, ``count_role_links``) or may override
(``restart``) and the helpers the suites share. See
:mod:`flask_security.testing.datastore_contract`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from flask import Flask

from ..datastore import UserDatastore
from .store_contract_base import _STORED_HASH, _StoreRun


class DatastoreSuite(_StoreRun):
    """What every suite of the datastore contract shares.

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
