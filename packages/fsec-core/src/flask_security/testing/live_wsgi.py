"""The WSGI entry point gunicorn loads for :mod:`flask_security.testing.live`.

Each gunicorn worker imports this module, which builds the application with the
factory named in ``FSEC_LIVE_FACTORY`` (``"package.module:function"``, called with
one argument: the config dict) from the JSON object in ``FSEC_LIVE_CONFIG``, then
writes ``fsec-live: worker <pid> ready`` to stderr (the harness waits for one such
line per worker).
"""

from __future__ import annotations

import json
import os
import sys
from importlib import import_module
from typing import Any


def load_app() -> Any:
    """Build the app named by the environment.

    :raises KeyError: ``FSEC_LIVE_FACTORY`` or ``FSEC_LIVE_CONFIG`` is not set.
    :raises ValueError: the factory is not ``"module:function"``.
    """
    spec = os.environ["FSEC_LIVE_FACTORY"]
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"FSEC_LIVE_FACTORY must be 'module:function', got {spec!r}")
    factory = getattr(import_module(module_name), attr)
    return factory(json.loads(os.environ["FSEC_LIVE_CONFIG"]))


app = load_app()
print(f"fsec-live: worker {os.getpid()} ready", file=sys.stderr, flush=True)
