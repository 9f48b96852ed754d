"""Registering, listing and deleting passkeys through the JSON API, driven by a
software authenticator: stored rows, signals, and every refusal."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask_security.testing.app import WebAuthn, db, login
from fsec_webauthn import wan_deleted, wan_registered
from fsec_webauthn.testing import SoftAuthenticator, b64url, unb64url


def _rows(app: Flask) -> list[Any]:
    with app.app_context():
        return list(db.session.execute(db.select(WebAuthn).order_by(WebAuthn.id)).scalars())


def test_register_stores_the_passkey_and_signals(app: Flask, flow: Any) -> None:
    sent: list[dict[str, Any]] = []

    def receiver(sender: Any, **kw: Any) -> None:
        sent.append(kw)

    with wan_registered.connected_to(receiver, app):
        response = flow.register("My laptop")
    assert response.status_code == 200, response.json
    assert response.json["response"]["user"]["id"]
    rows = _rows(app)
    assert len(rows) == 1
    row = rows[0]
    passkey = flow.auth.passkeys[0]
    assert bytes(row.credential_id) == passkey.credential_id
    assert row.name == "My laptop" and row.usage == "first"
    assert row.sign_count == 0 and row.transports == ["internal", "hybrid"]
    assert row.device_type == "single_device" and row.backup_state is False
    assert [s["name"] for s in sent] == ["My laptop"]
    assert sent[0]["user"].email == "matt@example.com"
    with app.app_context():
        from flask_security.testing.app import User

        user = db.session.get(User, row.user_id)
        assert user.email == "matt@example.com"
        assert passkey.user_handle == user.fs_webauthn_user_handle.encode()
        assert len(user.fs_webauthn_user_handle) == 32


def test_register_options_name_the_trusted_rp_and_user(app: Flask, flow: Any) -> None:
    body = flow.register_start("k1").json["response"]
    options = body["credential_options"]
    assert options["rp"] == {"id": "localhost", "name": "My Flask App"}
    assert options["user"]["name"] == "matt@example.com"
    assert len(body["wan_state"]) > 40


def test_rp_id_and_origin_come_from_the_trusted_host_not_the_host_header(
    make_app: Any,
) -> None:
    app = make_app(
        {"SERVER_NAME": None, "SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.com"}
    )
    from flask_security.testing.app import add_user

    add_user(app, "matt@example.com")
    client = app.test_client()
    headers = {"Host": "evil.example"}
    credentials = {"email": "matt@example.com", "password": "password"}
    assert client.post("/login", json=credentials, headers=headers).status_code == 200
    body = client.post("/wan-register", json={"name": "k"}, headers=headers).json["response"]
    options = body["credential_options"]
    assert options["rp"]["id"] == "accounts.example.com"
    # an answer made for the Host the request named is refused
    auth = SoftAuthenticator(origin="http://evil.example")
    credential = auth.create(options, rp_id="evil.example")
    response = client.post(
        f"/wan-register/{body['wan_state']}", json={"credential": credential}, headers=headers
    )
    assert response.status_code == 400
    # the real origin works
    body = client.post("/wan-register", json={"name": "k"}, headers=headers).json["response"]
    auth = SoftAuthenticator(origin="https://accounts.example.com")
    credential = auth.create(body["credential_options"])
    response = client.post(
        f"/wan-register/{body['wan_state']}", json={"credential": credential}, headers=headers
    )
    assert response.status_code == 200


def test_start_up_needs_a_trusted_host_and_the_models(make_app: Any) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="SECURITY_EXTERNAL_BASE_URL"):
        make_app({"SERVER_NAME": None})
    from flask import Flask as _Flask
    from flask_security import Security
    from flask_security.testing.app import TEST_CONFIG, Role, User
    from fsec_store_sqlalchemy import SQLAlchemyUserDatastore

    bare = _Flask("bare")
    bare.config.update(TEST_CONFIG)
    bare.config["SECURITY_WEBAUTHN"] = True
    with pytest.raises(RuntimeError, match="webauthn_model"):
        Security(bare, SQLAlchemyUserDatastore(db, User, Role))


def test_list_and_delete(app: Flask, flow: Any) -> None:
    assert flow.register("one").status_code == 200
    assert flow.register("two", auth=SoftAuthenticator()).status_code == 200
    listed = flow.client.get("/wan-register", headers={"Accept": "application/json"})
    items = listed.json["response"]["registered_credentials"]
    assert [i["name"] for i in items] == ["one", "two"]
    assert items[0]["usage"] == "first" and items[0]["transports"] == ["internal", "hybrid"]
    assert items[0]["credential_id"] == b64url(flow.auth.passkeys[0].credential_id)
    deleted: list[str] = []
    with wan_deleted.connected_to(lambda s, **kw: deleted.append(kw["name"]), app):
        response = flow.client.post("/wan-delete", json={"name": "one"})
    assert response.status_code == 200
    assert deleted == ["one"]
    assert [r.name for r in _rows(app)] == ["two"]
    missing = flow.client.post("/wan-delete", json={"name": "one"})
    assert missing.status_code == 400
    assert "name" in missing.json["response"]["errors"]


def test_delete_never_touches_another_users_passkey(app: Flask, flow: Any) -> None:
    assert flow.register("shared-name").status_code == 200
    joe = app.test_client()
    assert login(joe, "joe@example.com").status_code == 200
    response = joe.post("/wan-delete", json={"name": "shared-name"})
    assert response.status_code == 400
    assert len(_rows(app)) == 1


def test_name_rules(app: Flask, flow: Any) -> None:
    assert flow.register("taken").status_code == 200
    for name, key in [
        ("", "name"),
        ("taken", "name"),
        ("x" * 65, "name"),
        ("bad<script>", "name"),
    ]:
        response = flow.register_start(name)
        assert response.status_code == 400, name
        assert key in response.json["response"]["errors"]
    assert flow.register_start("Clé n°1").status_code == 400  # "°" is a symbol (So)
    assert flow.register_start("Clé nr 1").status_code == 200
    assert flow.register_start("k", usage="secondary").status_code == 400  # no two-factor


def test_register_requires_login(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/wan-register", json={"name": "k"})
    assert response.status_code == 401
    assert client.post("/wan-register/abc", json={"credential": "{}"}).status_code == 401


def test_state_is_single_use_and_bound_to_the_session(app: Flask, flow: Any) -> None:
    start = flow.register_start("k1").json["response"]
    credential = flow.auth.create(start["credential_options"])
    # another session of the same user cannot finish this ceremony
    other = app.test_client()
    login(other, "matt@example.com")
    stolen = other.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert stolen.status_code == 400
    assert "credential" in stolen.json["response"]["errors"]
    ok = flow.client.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert ok.status_code == 200
    again = flow.client.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert again.status_code == 400
    assert len(_rows(app)) == 1


def test_wrong_origin_rp_or_challenge_is_refused(app: Flask, flow: Any) -> None:
    for kwargs in ({"origin": "https://evil.example"}, {"rp_id": "evil.example"}):
        start = flow.register_start("k").json["response"]
        credential = flow.auth.create(start["credential_options"], **kwargs)
        response = flow.client.post(
            f"/wan-register/{start['wan_state']}", json={"credential": credential}
        )
        assert response.status_code == 400, kwargs
    # the answer to one challenge does not finish another ceremony
    first = flow.register_start("k").json["response"]
    credential = flow.auth.create(first["credential_options"])
    second = flow.register_start("k").json["response"]
    response = flow.client.post(
        f"/wan-register/{second['wan_state']}", json={"credential": credential}
    )
    assert response.status_code == 400
    assert _rows(app) == []


def test_garbage_credentials_are_400_not_500(app: Flask, flow: Any) -> None:
    for credential in ("", "{", "[]", '{"id": 1}', json.dumps({"id": "x", "rawId": "x"}), "\x00"):
        start = flow.register_start("k").json["response"]
        response = flow.client.post(
            f"/wan-register/{start['wan_state']}", json={"credential": credential}
        )
        assert response.status_code == 400, credential
    response = flow.client.post("/wan-register/not-a-token", json={"credential": "{}"})
    assert response.status_code == 400


def test_credential_id_registered_twice_is_refused(app: Flask, flow: Any) -> None:
    """A second registration answer carrying an id already stored (the same
    authenticator answering again) is refused; nothing is added."""
    assert flow.register("k1").status_code == 200
    start = flow.register_start("k2").json["response"]
    options = start["credential_options"]
    # the options exclude the stored passkey; an authenticator ignoring that list and
    # answering with the same credential id is refused by the server
    assert [o["id"] for o in options["excludeCredentials"]] == [
        b64url(flow.auth.passkeys[0].credential_id)
    ]
    options["excludeCredentials"] = []
    credential = json.loads(flow.auth.create(options))
    old_id = b64url(flow.auth.passkeys[0].credential_id)
    flow.auth.passkeys.pop()
    attestation = unb64url(credential["response"]["attestationObject"])
    new_id = unb64url(credential["id"])
    credential["response"]["attestationObject"] = b64url(
        attestation.replace(new_id, unb64url(old_id))
    )
    credential["id"] = credential["rawId"] = old_id
    response = flow.client.post(
        f"/wan-register/{start['wan_state']}", json={"credential": json.dumps(credential)}
    )
    assert response.status_code == 400
    assert "credential" in response.json["response"]["errors"]
    assert [r.name for r in _rows(app)] == ["k1"]
