"""fsec-store-sqlalchemy plugs in like every store: entry point, lazy names, no
foreign ORM (the store package contract)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_security.testing.datastore_contract import StorePackageContract
from fsec_store_sqlalchemy.testing import create_app


class TestStorePackage(StorePackageContract):
    plugin = "store-sqlalchemy"
    distribution = "fsec-store-sqlalchemy"
    package = "fsec_store_sqlalchemy"
    class_names = ("SQLAlchemyUserDatastore", "SQLAlchemySessionUserDatastore")
    orm_modules = ("flask_sqlalchemy", "sqlalchemy")
    app_setup = """
from fsec_store_sqlalchemy.testing import create_app
app = create_app()
with app.app_context():
    app.extensions["security"].datastore.create_user(email="a@example.com", password="x")
"""

    @pytest.fixture
    def app(self) -> Flask:
        return create_app()
