"""The store package contract: what a store distribution's import and packaging must
do (importing ``flask_security`` loads no ORM; the store registers its classes).
See :mod:`flask_security.testing.datastore_contract`."""

from __future__ import annotations

from typing import ClassVar

import pytest
from flask import Flask

#: ORM modules a store must not import unless it is the one the app uses.
ORM_MODULES = ("sqlalchemy", "flask_sqlalchemy", "peewee", "pony", "mongoengine", "pymongo")

_ORM_PROBE = """
import json, sys
ORMS = {orms!r}
import flask_security
before = sorted(m for m in ORMS if m in sys.modules)
{setup}
after = sorted(m for m in ORMS if m in sys.modules)
print(json.dumps([before, after]))
"""


class StorePackageContract:
    """How a store distribution plugs into fsec: its entry point, its lazy names in
    ``flask_security``, and no ORM imported but its own.

    Subclass it, set the class attributes and provide an ``app`` fixture (an app on
    the store's datastore).

    :cvar plugin: the entry-point name (``"store-pony"``).
    :cvar distribution: the distribution name (``"fsec-store-pony"``).
    :cvar package: the import package (``"fsec_store_pony"``).
    :cvar class_names: the datastore classes it exports (``("PonyUserDatastore",)``).
    :cvar orm_modules: the entries of :data:`ORM_MODULES` an app on this store loads.
    :cvar app_setup: Python source, run in a fresh interpreter after ``import
        flask_security``, that builds an app on the store and creates one user.
    """

    plugin: ClassVar[str]
    distribution: ClassVar[str]
    package: ClassVar[str]
    class_names: ClassVar[tuple[str, ...]]
    orm_modules: ClassVar[tuple[str, ...]]
    app_setup: ClassVar[str]

    def test_store_entry_point_enables_the_plugin(self, app: Flask) -> None:
        import importlib

        from ..plugins import discover

        module = importlib.import_module(self.package)
        state = app.extensions["security"]
        info = discover()[self.plugin]
        assert info.dist is not None
        assert info.dist.replace("_", "-").lower() == self.distribution
        assert self.plugin in state.plugins.infos
        for name in self.class_names:
            assert state.datastores[name] is getattr(module, name)
            assert state.contributions["fsec_datastores"][name] == self.plugin

    def test_store_lazy_names_and_missing_distribution(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import importlib
        import sys

        import flask_security
        import flask_security.datastore

        module = importlib.import_module(self.package)
        for name in self.class_names:
            assert getattr(flask_security, name) is getattr(module, name)
            assert getattr(flask_security.datastore, name) is getattr(module, name)
        monkeypatch.setitem(sys.modules, self.package, None)
        for name in self.class_names:
            with pytest.raises(ImportError, match=f"pip install {self.distribution}"):
                getattr(flask_security, name)

    def test_store_imports_no_other_orm(self) -> None:
        import json
        import subprocess
        import sys
        import textwrap

        code = _ORM_PROBE.format(orms=ORM_MODULES, setup=textwrap.dedent(self.app_setup))
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        before, after = json.loads(out.stdout.strip().splitlines()[-1])
        assert before == [], "import flask_security must import no ORM"
        assert after == sorted(self.orm_modules)


__all__ = ["ORM_MODULES", "StorePackageContract"]
