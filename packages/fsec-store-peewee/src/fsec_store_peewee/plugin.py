"""Entry point ``store-peewee``: makes :class:`PeeweeUserDatastore` known to fsec.

Imported only when the application's datastore comes from this package (or the app
lists ``store-peewee`` in ``SECURITY_PLUGINS``); peewee is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_security import hookimpl


@hookimpl
def fsec_datastores(register: Callable[[str, type], None]) -> None:
    from . import PeeweeUserDatastore

    register("PeeweeUserDatastore", PeeweeUserDatastore)
