"""The pluggy markers of fsec's hooks: :data:`hookspec` marks a specification (core's
own, in :mod:`flask_security.hookspecs`), :data:`hookimpl` a plugin's implementation;
both under :data:`PROJECT_NAME`, the entry-point group's name."""

from __future__ import annotations

import pluggy

#: The project name pluggy uses, equal to the entry-point group name.
PROJECT_NAME = "flask_security"

#: The marker of hook specifications (fsec's own, in this module).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: The marker a plugin puts on its hook implementations: ``@hookimpl`` (pluggy's
#: options apply: ``@hookimpl(tryfirst=True)``, ``trylast``, ``wrapper``).
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
