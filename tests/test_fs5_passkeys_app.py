"""A Flask-Security 5.x application with passkeys runs on fsec (issue 12: "a 5.x app
using WebAuthn runs on fsec with only its requirements changed").

``examples/fs5-passkeys/app.py`` is written from upstream 5.x's documentation only:
its quickstart (packaged ``fsqla_v3`` models declared with ``pass``,
``SQLAlchemyUserDatastore``, ``auth_required``, ``hash_password`` from
``flask_security``) plus ``SECURITY_WEBAUTHN`` and the WebAuthn model. A JSON client,
as 5.x's single-page-application docs describe one (CSRF token from ``GET /login``),
registers an account, adds a passkey with a software authenticator, signs out and
signs in with the passkey alone; the rows are then read with plain SQL. On SQLite and
on a real PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from fsec_webauthn.testing import SoftAuthenticator, unb64url

APP = Path(__file__).resolve().parent.parent / "examples" / "fs5-passkeys" / "app.py"
_loaded = iter(range(1000))


@pytest.fixture(params=["sqlite", "postgresql"])
def example(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    if request.param == "postgresql":
        server = request.getfixturevalue("fsec_postgres")
        server.create_database("fsec_fs5_passkeys")
        monkeypatch.setenv("DATABASE_URL", server.url("fsec_fs5_passkeys"))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SERVER_NAME", raising=False)
    name = f"fsec_fs5_passkeys_app_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)  # creates the tables and test@me.com, as written
    module.app.config["SECURITY_PASSWORD_HASH_OPTIONS"] = {"bcrypt": {"rounds": 4}}
    yield module
    with module.app.app_context():
        module.db.session.remove()
        module.db.engine.dispose()


class Spa:
    """A JSON client: every POST carries the CSRF token, as 5.x's SPA docs say."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.csrf = ""
        self.refresh_csrf()

    def refresh_csrf(self) -> None:
        r = self.client.get("/login", headers={"Accept": "application/json"})
        self.csrf = r.json["response"]["csrf_token"]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"X-CSRFToken": self.csrf})


def _rows(module: ModuleType, sql: str, **params: Any) -> list[Any]:
    with module.app.app_context():
        return list(module.db.session.execute(sa.text(sql), params).mappings())


def test_register_add_a_passkey_and_sign_in_with_it(example: ModuleType) -> None:
    app = example.app
    assert app.config["SECURITY_WEBAUTHN"] is True
    client = app.test_client()
    spa = Spa(client)
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    # 5.x's @auth_required() sends a browser to log in (no Basic password dialog)
    page = client.get("/")
    assert page.status_code == 302 and "WWW-Authenticate" not in page.headers
    assert page.headers["Location"].endswith("/login?next=%2F")

    # register an account (logs it in, as in 5.x without confirmation)
    r = spa.post(
        "/register",
        {
            "email": "ann@example.com",
            "password": "a long passphrase",
            "password_confirm": "a long passphrase",
        },
    )
    assert r.status_code == 200, r.json
    spa.refresh_csrf()  # a login starts a new session and CSRF token
    assert client.get("/").get_data(as_text=True) == "Hello ann@example.com"

    # add a passkey (5.x's JSON: name + usage, then the browser's answer)
    auth = SoftAuthenticator(origin="http://localhost:5000")
    start = spa.post("/wan-register", {"name": "laptop", "usage": "first"})
    assert start.status_code == 200, start.json
    options = start.json["response"]["credential_options"]
    assert options["rp"] == {"id": "localhost", "name": "Passkey example"}
    credential = auth.create(options)
    done = spa.post(
        f"/wan-register/{start.json['response']['wan_state']}", {"credential": credential}
    )
    assert done.status_code == 200, done.json
    listed = client.get("/wan-register", headers={"Accept": "application/json"}).json
    assert [c["name"] for c in listed["response"]["registered_credentials"]] == ["laptop"]

    # sign out, then in with the passkey alone (usernameless)
    assert spa.post("/logout", {}).status_code == 200
    spa.refresh_csrf()
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    begin = spa.post("/wan-signin", {})
    assert begin.status_code == 200, begin.json
    assertion = auth.get(begin.json["response"]["credential_options"])
    signed = spa.post(
        f"/wan-signin/{begin.json['response']['wan_state']}", {"credential": assertion}
    )
    assert signed.status_code == 200, signed.json
    assert signed.json["response"]["user"]["authentication_token"]
    assert client.get("/").get_data(as_text=True) == "Hello ann@example.com"

    # the rows: upstream's documented fields, the user's handle and uniquifier
    (user,) = _rows(example, 'SELECT * FROM "user" WHERE email = :e', e="ann@example.com")
    assert re.fullmatch(r"[0-9a-f]{32}", user["fs_uniquifier"])
    assert user["fs_webauthn_user_handle"].encode("ascii") == auth.passkeys[0].user_handle
    assert user["fs_webauthn_user_handle"].encode("ascii") == unb64url(options["user"]["id"])
    assert user["active"] in (True, 1) and user["password"].startswith("$2b$")
    assert user["create_datetime"] is not None and user["mf_recovery_codes"] is None
    (row,) = _rows(example, "SELECT * FROM web_authn")
    assert bytes(row["credential_id"]) == auth.passkeys[0].credential_id
    assert len(bytes(row["public_key"])) > 64  # the COSE key
    assert row["sign_count"] == auth.passkeys[0].sign_count == 1
    assert row["transports"] == "internal,hybrid"  # AsaList: comma-separated text
    assert (row["name"], row["usage"], row["device_type"]) == ("laptop", "first", "single_device")
    assert row["backup_state"] in (False, 0) and row["lastuse_datetime"] is not None
    assert row["create_datetime"] is not None  # 5.x's column, set when made
    assert row["user_id"] == user["id"]
    (test_user,) = _rows(example, 'SELECT * FROM "user" WHERE email = :e', e="test@me.com")
    assert test_user["fs_webauthn_user_handle"] is None  # made on first passkey use only

    # deleting the user deletes the passkey (ON DELETE CASCADE / cascade="all, delete")
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.delete_user(ds.find_user(email="ann@example.com"))
        ds.commit()
    assert _rows(example, "SELECT id FROM web_authn") == []
