"""gunicorn configuration module for :mod:`flask_security.testing.live`
(``-c python:flask_security.testing.live_gunicorn_conf``).

Runs in the gunicorn master before it forks the workers: it imports the app factory's
module and every ``flask_security`` plugin module, so the workers start with them
imported (one import instead of one per worker) while each worker still builds its own
app and opens its own database connections (nothing connection-holding is made here).
"""

from __future__ import annotations

import os
from importlib import import_module
from importlib.metadata import entry_points


def _warm_imports() -> None:
    import_module("flask_security")
    spec = os.environ.get("FSEC_LIVE_FACTORY", "")
    module_name = spec.partition(":")[0]
    if module_name:
        import_module(module_name)
    for entry in entry_points(group="flask_security"):
        try:
            entry.load()
        except Exception:  # noqa: S112 - a worker reports it when it matters
            continue


_warm_imports()
