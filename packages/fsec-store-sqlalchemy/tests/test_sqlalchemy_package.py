"""fsec-store-sqlalchemy plugs in like every store: entry point, lazy names, no
foreign ORM (the store package contract)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_security.testing.app import create_app
from flask_security.testing.datastore_contract import StorePackageContract


class TestStorePackage(StorePackageContract):
    plugin = "store-sqlalchemy"
    distribution = "fsec-store-sqlalchemy"
    package = "fsec_store_sqlalchemy"
    class_names = ("SQLAlchemyUserDatastore", "SQLAlchemySessionUserDatastore")
    orm_modules = ("flask_sqlalchemy", "sqlalchemy")
    app_setup = """
from flask_security.testing.app import create_app
app = create_app()
with app.app_context():
    app.extensions["security"].datastore.create_user(email="a@example.com", password="x")
"""

    @pytest.fixture
    def app(self) -> Flask:
        return create_app()


def test_the_old_test_app_path_re_exports_core_s_and_warns():
    """``fsec_store_sqlalchemy.testing`` (where the shared test app lived) keeps
    working for one release: the same objects, with a DeprecationWarning."""
    import importlib
    import sys

    import flask_security.testing.app as core_app

    sys.modules.pop("fsec_store_sqlalchemy.testing", None)
    with pytest.warns(DeprecationWarning, match=r"flask_security\.testing\.app"):
        old = importlib.import_module("fsec_store_sqlalchemy.testing")
    for name in old.__all__:
        assert getattr(old, name) is getattr(core_app, name), name
    assert set(old.__all__) >= {"create_app", "add_user", "login", "User", "db"}
