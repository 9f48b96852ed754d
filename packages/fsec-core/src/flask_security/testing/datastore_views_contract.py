"""The datastore views contract: a store driven through fsec's views and CLI (login,
a role-protected page, an auth-token request, change password, basic auth, ``flask
users create`` / ``flask roles create`` / ``flask roles add``). Subclass it with the
``make_app`` fixture described in :mod:`flask_security.testing.datastore_contract`.

:class:`DatastoreViewsContract` combines two suites, each in its own module over
:class:`~flask_security.testing.datastore_views_suite_base.DatastoreViewsSuite` (the
app with the contract's routes, the shared helpers) and each usable alone:
:class:`~flask_security.testing.datastore_views_login_contract.DatastoreLoginViewsContract`
(signing in and the refusals) and
:class:`~flask_security.testing.datastore_views_account_contract.DatastoreAccountViewsContract`
(change password, reset access, the CLI)."""

from __future__ import annotations

from .datastore_views_account_contract import DatastoreAccountViewsContract
from .datastore_views_login_contract import DatastoreLoginViewsContract


class DatastoreViewsContract(DatastoreLoginViewsContract, DatastoreAccountViewsContract):
    """The store proven through fsec's views and CLI (the same smoke flow for every
    store): the two suites combined; a store's test class subclasses this one. The
    ``app`` fixture adds the routes ``/_contract/protected`` (``login_required``),
    ``/_contract/admin`` (``roles_required("admin")``), ``/_contract/token``
    (``auth_token_required``) and ``/_contract/basic`` (``http_auth_required``) to
    the app built by ``make_app`` (with ``SECURITY_CHANGEABLE`` on)."""


# (The suites are documented in their own modules.)
__all__ = ["DatastoreViewsContract"]
