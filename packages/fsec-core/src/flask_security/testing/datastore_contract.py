"""Datastore contract suites: what every fsec datastore must do.

Shipped with fsec-core so that first-party and third-party store authors run the same
tests. Three suites, each class a set of ``test_*`` methods that pytest collects from
a subclass:

* :class:`DatastoreContract` calls every documented
  :class:`~flask_security.datastore.UserDatastore` method directly and checks its
  return value and what was stored (after a commit, with a fresh lookup). It combines
  four parts, each in its own module over :mod:`.datastore_suite_base`:
  :mod:`.datastore_users_contract` (creating and finding users),
  :mod:`.datastore_roles_contract` (roles, activation, deletion, revocation),
  :mod:`.datastore_cas_contract` (``compare_and_set``: one-time tokens and counters)
  and :mod:`.datastore_models_contract` (a feature's own models).
* :class:`~flask_security.testing.datastore_views_contract.DatastoreViewsContract`
  (module ``datastore_views_contract``) drives the same store through fsec's views and CLI:
  login, a role-protected page, an auth-token request, change password, basic auth,
  ``flask users create`` / ``flask roles create`` / ``flask roles add``.
* :class:`~flask_security.testing.store_package_contract.StorePackageContract`
  checks how the distribution plugs in (entry point, lazy names, no foreign ORM).

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

from .datastore_cas_contract import DatastoreCompareAndSetContract
from .datastore_models_contract import DatastoreModelsContract
from .datastore_roles_contract import DatastoreRolesContract
from .datastore_users_contract import DatastoreUsersContract

# The other two suites, importable from here as before they had modules of their own.
from .datastore_views_contract import DatastoreViewsContract as DatastoreViewsContract
from .store_contract_base import BAD_USER_IDS as BAD_USER_IDS
from .store_contract_base import TEST_APP_CONFIG as TEST_APP_CONFIG
from .store_package_contract import ORM_MODULES as ORM_MODULES
from .store_package_contract import StorePackageContract as StorePackageContract


class DatastoreContract(
    DatastoreUsersContract,
    DatastoreRolesContract,
    DatastoreCompareAndSetContract,
    DatastoreModelsContract,
):
    """Every documented ``UserDatastore`` method, its return value and its effect.

    The four suites combined (users, roles and accounts, compare-and-set, feature
    models; each in its own module, each usable alone); a store's test class
    subclasses this one. Fixtures: ``make_app`` (abstract, see the module
    documentation); ``datastore`` (built from ``make_app`` with
    ``SECURITY_USER_IDENTITY_ATTRIBUTES`` set to :attr:`identity_attributes`, yielded
    inside the app's application context; a subclass may override it).
    """


# (The re-exported suites are documented in their own modules.)
__all__ = ["BAD_USER_IDS", "TEST_APP_CONFIG", "DatastoreContract"]
