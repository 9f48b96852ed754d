"""Entry point ``store-mongo``: makes :class:`MongoEngineUserDatastore` known to fsec.

Imported only when the application's datastore comes from this package (or the app
lists ``store-mongo`` in ``SECURITY_PLUGINS``); mongoengine is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_security import hookimpl


@hookimpl
def fsec_datastores(register: Callable[[str, type], None]) -> None:
    from . import MongoEngineUserDatastore

    register("MongoEngineUserDatastore", MongoEngineUserDatastore)
