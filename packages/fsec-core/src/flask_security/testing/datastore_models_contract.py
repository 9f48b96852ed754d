"""The datastore contract's feature-models suite: a feature's own models (upstream
5.x's WebAuthn credentials) stored through the generic primitives ``find_model``,
``find_models``, ``create_model``, ``delete`` and ``compare_and_set``. Part of
:class:`~flask_security.testing.datastore_contract.DatastoreContract`."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from ..datastore import DatastoreError, UserDatastore
from .datastore_suite_base import DatastoreSuite


class DatastoreModelsContract(DatastoreSuite):
    """A feature's own models through the generic store primitives."""

    # -- a feature's own models: upstream 5.x's WebAuthn credentials -----------------

    #: A credential id with bytes that are not text (NUL, 0xff, a lone UTF-8 lead).
    _CRED_ID = b"\x00\xff\xc3cred-\x01" + bytes(range(200, 256))

    def _credential(self, datastore: UserDatastore, user: Any, **fields: Any) -> Any:
        model = datastore.webauthn_model
        assert model is not None, (
            "the store's test app must pass a WebAuthn model (upstream 5.x's fields: "
            "credential_id, public_key, sign_count, transports, extensions, "
            "lastuse_datetime, name, usage, backup_state, device_type, a reference to "
            "the user and the user's list of them)"
        )
        values = {
            "user": user,
            "credential_id": self._CRED_ID,
            "public_key": b"\xa5\x01\x02\x03&" + bytes(range(256)),
            "sign_count": 0,
            "transports": ["usb", "internal"],
            "extensions": '{"credProps": true}',
            "lastuse_datetime": datetime.datetime(2030, 1, 2, 3, 4, 5, 123000),
            "name": "Clé USB ① key",
            "usage": "first",
            "backup_state": False,
            "device_type": "single_device",
        }
        values.update(fields)
        return datastore.create_model(model, **values)  # type: ignore[attr-defined]

    def test_model_webauthn_fields_stored_and_found(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com", fs_webauthn_user_handle="a" * 64)
        self._user(datastore, "joe@example.com")
        self._credential(datastore, user)
        self.restart(datastore)
        model = datastore.webauthn_model
        find = datastore.find_model  # type: ignore[attr-defined]
        found = find(model, credential_id=self._CRED_ID)
        assert found is not None
        assert bytes(found.credential_id) == self._CRED_ID
        assert bytes(found.public_key) == b"\xa5\x01\x02\x03&" + bytes(range(256))
        assert found.sign_count == 0
        assert list(found.transports) == ["usb", "internal"]
        assert found.extensions == '{"credProps": true}'
        assert found.lastuse_datetime.replace(microsecond=0) == datetime.datetime(
            2030, 1, 2, 3, 4, 5
        )
        assert (found.name, found.usage) == ("Clé USB ① key", "first")
        assert (found.backup_state, found.device_type) == (False, "single_device")
        assert find(model, credential_id=self._CRED_ID[:-1]) is None
        owner = datastore.find_user(**found.get_user_mapping())
        assert owner is not None and owner.email == "matt@example.com"
        assert owner.fs_webauthn_user_handle == "a" * 64
        listed = datastore.find_models(model, user=owner)  # type: ignore[attr-defined]
        assert [c.name for c in listed] == ["Clé USB ① key"]
        assert [c.name for c in owner.webauthn] == ["Clé USB ① key"]
        joe = self._fresh(datastore, "joe@example.com")
        assert datastore.find_models(model, user=joe) == []  # type: ignore[attr-defined]
        assert list(joe.webauthn) == []

    def test_model_webauthn_credential_id_is_unique(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user)
        self.restart(datastore)
        joe = self._user(datastore, "joe@example.com")
        with pytest.raises(DatastoreError):
            self._credential(datastore, joe, name="copy")
            datastore.commit()
        self.restart(datastore)
        model = datastore.webauthn_model
        assert len(datastore.find_models(model)) == 1  # type: ignore[attr-defined]

    def test_model_webauthn_sign_count_compare_and_set(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user, sign_count=5)
        self.restart(datastore)
        model = datastore.webauthn_model
        cred = datastore.find_model(model, credential_id=self._CRED_ID)  # type: ignore[attr-defined]
        when = datetime.datetime(2031, 1, 1, 0, 0, 0)
        assert datastore.compare_and_set(
            cred, {"sign_count": 5}, {"sign_count": 6, "lastuse_datetime": when}
        )
        # a second writer that read the same count loses
        assert not datastore.compare_and_set(cred, {"sign_count": 5}, {"sign_count": 6})
        self.restart(datastore)
        cred = datastore.find_model(model, credential_id=self._CRED_ID)  # type: ignore[attr-defined]
        assert (cred.sign_count, cred.lastuse_datetime) == (6, when)

    def test_model_webauthn_delete_and_user_delete(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self._credential(datastore, user, name="one")
        self._credential(datastore, user, name="two", credential_id=b"\x02" * 64)
        self.restart(datastore)
        model = datastore.webauthn_model
        owner = self._fresh(datastore, "matt@example.com")
        one = datastore.find_model(model, user=owner, name="one")  # type: ignore[attr-defined]
        datastore.delete(one)  # type: ignore[attr-defined]
        self.restart(datastore)
        owner = self._fresh(datastore, "matt@example.com")
        assert [c.name for c in datastore.find_models(model, user=owner)] == ["two"]  # type: ignore[attr-defined]
        assert [c.name for c in owner.webauthn] == ["two"]
        datastore.delete_user(owner)
        self.restart(datastore)
        assert datastore.find_models(model) == []  # type: ignore[attr-defined]
