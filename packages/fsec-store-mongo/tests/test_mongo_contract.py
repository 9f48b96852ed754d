"""The datastore contract (flask_security.testing.datastore_contract) on MongoEngine:
mongomock in-process, or the real MongoDB server named by FSEC_TEST_MONGODB_URI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import mongoengine
import pytest
from flask import Flask
from flask_security.testing.datastore_contract import DatastoreContract, DatastoreViewsContract
from fsec_store_mongo.testing import connect, create_app, database_kind

if database_kind() == "mongomock":
    pytest.importorskip("mongomock")


class _Mongo:
    store = "mongo"
    database = database_kind()

    @pytest.fixture
    def make_app(self) -> Iterator[Callable[[dict[str, Any]], Flask]]:
        connect("fsec_mongo_contract")
        yield lambda config: create_app(config)
        mongoengine.disconnect()

    def count_users(self, datastore: Any) -> int:
        return datastore.user_model.objects.count()

    def count_role_links(self, datastore: Any) -> int:
        return sum(len(user.roles) for user in datastore.user_model.objects)


class TestMongoEngineDatastore(_Mongo, DatastoreContract):
    pass


class TestMongoEngineViews(_Mongo, DatastoreViewsContract):
    pass
