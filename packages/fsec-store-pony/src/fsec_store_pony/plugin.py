"""Entry point ``store-pony``: makes :class:`PonyUserDatastore` known to fsec and runs
each request of an application using it in a Pony ``db_session``.

Imported only when the application's datastore comes from this package (or the app
lists ``store-pony`` in ``SECURITY_PLUGINS``); Pony is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask_security import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask


@hookimpl
def fsec_datastores(register: Callable[[str, type], None]) -> None:
    from . import PonyUserDatastore

    register("PonyUserDatastore", PonyUserDatastore)


@hookimpl
def fsec_init_app(app: Flask, state: Any) -> None:
    """Open a ``db_session`` at the start of every request of an app whose datastore
    is a :class:`PonyUserDatastore` (closed when the request ends; see the package
    documentation)."""
    from . import PonyUserDatastore, ensure_session

    if isinstance(state.datastore, PonyUserDatastore):
        app.before_request(ensure_session)
