"""The datastore views contract: a store driven through fsec's views and CLI (login,
a role-protected page, an auth-token request, change password, basic auth, ``flask
users create`` / ``flask roles create`` / ``flask roles add``). Subclass it with the
``make_app`` fixture described in :mod:`flask_security.testing.datastore_contract`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify

from ..decorators import auth_token_required, http_auth_required, login_required, roles_required
from ..state import current_user
from .store_contract_base import (
    _StoreRun,
)


class DatastoreViewsContract(_StoreRun):
    """The store proven through fsec's views and CLI (the same smoke flow for every
    store). Adds the routes ``/_contract/protected`` (``login_required``),
    ``/_contract/admin`` (``roles_required("admin")``), ``/_contract/token``
    (``auth_token_required``) and ``/_contract/basic`` (``http_auth_required``) to
    the app built by ``make_app`` (with ``SECURITY_CHANGEABLE`` on)."""

    _fsec_contract = "views"

    @pytest.fixture
    def app(self, make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
        app = make_app({"SECURITY_CHANGEABLE": True})

        @login_required
        def protected() -> Any:
            return f"protected page for {current_user.email}"

        @roles_required("admin")
        def admin() -> Any:
            return "admin page"

        @auth_token_required
        def token() -> Any:
            return jsonify(email=current_user.email)

        @http_auth_required
        def basic() -> Any:
            return jsonify(email=current_user.email)

        for name, view in (
            ("protected", protected),
            ("admin", admin),
            ("token", token),
            ("basic", basic),
        ):
            app.add_url_rule(f"/_contract/{name}", f"fsec_contract_{name}", view)
        return app

    # -- helpers ---------------------------------------------------------------------

    def _add_user(
        self, app: Flask, email: str, password: str = "password", roles: tuple[str, ...] = ()
    ) -> str:
        from ..utils import hash_password

        with app.app_context():
            datastore = app.extensions["security"].datastore
            for name in roles:
                datastore.find_or_create_role(name)
            user = datastore.create_user(
                email=email, password=hash_password(password), roles=list(roles)
            )
            datastore.commit()
            return str(user.id)

    def _change(self, app: Flask, fn: Callable[[Any], Any]) -> Any:
        with app.app_context():
            datastore = app.extensions["security"].datastore
            result = fn(datastore)
            datastore.commit()
            return result

    @staticmethod
    def _login(client: Any, email: str, password: str = "password") -> Any:
        return client.post("/login", json={"email": email, "password": password})

    @staticmethod
    def _basic(user: str, password: str) -> dict[str, str]:
        raw = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}

    # -- the flow --------------------------------------------------------------------

    def test_views_login_form_then_protected_page(self, app: Flask) -> None:
        self._add_user(app, "matt@example.com")
        client = app.test_client()
        r = client.get("/_contract/protected")
        assert r.status_code == 302 and "/login" in r.headers["Location"]
        r = client.post("/login", data={"email": "matt@example.com", "password": "wrong!"})
        assert r.status_code == 200 and 'name="login_user_form"' in r.get_data(as_text=True)
        r = client.post("/login", data={"email": "MATT@example.com", "password": "password"})
        assert r.status_code == 302
        r = client.get("/_contract/protected")
        assert r.status_code == 200
        assert r.get_data(as_text=True) == "protected page for matt@example.com"
        client.get("/logout")
        assert client.get("/_contract/protected").status_code == 302

    def test_views_json_login_unknown_user_and_bad_password(self, app: Flask) -> None:
        self._add_user(app, "matt@example.com")
        client = app.test_client()
        for email, password in (("nobody@example.com", "password"), ("matt@example.com", "x!")):
            r = self._login(client, email, password)
            assert r.status_code == 400
            assert r.get_json()["meta"]["code"] == 400
        r = self._login(client, "matt@example.com")
        assert r.status_code == 200
        assert r.get_json()["response"]["user"]["id"] == self._user_id(app, "matt@example.com")

    def _user_id(self, app: Flask, email: str) -> str:
        with app.app_context():
            return str(app.extensions["security"].datastore.find_user(email=email).id)

    def test_views_role_protected_page(self, app: Flask) -> None:
        self._add_user(app, "admin@example.com", roles=("admin",))
        self._add_user(app, "joe@example.com")
        admin, joe = app.test_client(), app.test_client()
        assert self._login(admin, "admin@example.com").status_code == 200
        assert self._login(joe, "joe@example.com").status_code == 200
        assert admin.get("/_contract/admin").status_code == 200
        assert joe.get("/_contract/admin").status_code == 403
        assert self._change(app, lambda ds: ds.add_role_to_user("joe@example.com", "admin"))
        assert joe.get("/_contract/admin").status_code == 200
        assert self._change(app, lambda ds: ds.remove_role_from_user("joe@example.com", "admin"))
        assert joe.get("/_contract/admin").status_code == 403

    def test_views_token_request(self, app: Flask) -> None:
        self._add_user(app, "matt@example.com")
        r = self._login(app.test_client(), "matt@example.com")
        token = r.get_json()["response"]["user"]["authentication_token"]
        client = app.test_client()
        r = client.get("/_contract/token", headers={"Authentication-Token": token})
        assert r.status_code == 200 and r.get_json() == {"email": "matt@example.com"}
        r = client.get("/_contract/token", headers={"Authentication-Token": token + "x"})
        assert r.status_code == 401
        assert client.get("/_contract/token").status_code == 401

    def test_views_change_password(self, app: Flask) -> None:
        self._add_user(app, "matt@example.com")
        client = app.test_client()
        r = self._login(client, "matt@example.com")
        old_token = r.get_json()["response"]["user"]["authentication_token"]
        r = client.post(
            "/change",
            json={
                "password": "password",
                "new_password": "new-password",
                "new_password_confirm": "new-password",
            },
        )
        assert r.status_code == 200, r.get_data(as_text=True)
        assert client.get("/_contract/protected").status_code == 200
        r = app.test_client().get("/_contract/token", headers={"Authentication-Token": old_token})
        assert r.status_code == 401
        assert self._login(app.test_client(), "matt@example.com").status_code == 400
        assert self._login(app.test_client(), "matt@example.com", "new-password").status_code == 200

    def test_views_account_without_password_answers_like_a_wrong_password(self, app: Flask) -> None:
        """An account created with ``password=None``: JSON and form login and HTTP Basic
        refuse every password exactly as a wrong one (no "no password set" answer)."""

        def create(ds: Any) -> Any:
            return ds.create_user(email="nopass@example.com", password=None)

        self._change(app, create)
        self._add_user(app, "matt@example.com")
        client = app.test_client()
        for guess in ("password", "None", "no-password-at-all"):
            none = self._login(client, "nopass@example.com", guess)
            wrong = self._login(client, "matt@example.com", guess + "-wrong")
            assert none.status_code == 400
            assert none.get_json() == wrong.get_json()
            form = client.post("/login", data={"email": "nopass@example.com", "password": guess})
            assert form.status_code == 200
            headers = self._basic("nopass@example.com", guess)
            assert client.get("/_contract/basic", headers=headers).status_code == 401
            assert client.get("/_contract/protected").status_code == 302

    def test_views_basic_auth_never_takes_an_id_for_an_identity(self, app: Flask) -> None:
        user_id = self._add_user(app, "matt@example.com")
        client = app.test_client()
        r = client.get("/_contract/basic", headers=self._basic("matt@example.com", "password"))
        assert r.status_code == 200 and r.get_json() == {"email": "matt@example.com"}
        r = client.get("/_contract/basic", headers=self._basic(user_id, "password"))
        assert r.status_code == 401

    def test_views_deactivated_user_is_refused_everywhere(self, app: Flask) -> None:
        self._add_user(app, "matt@example.com")
        client = app.test_client()
        token = self._login(client, "matt@example.com").get_json()["response"]["user"][
            "authentication_token"
        ]
        assert client.get("/_contract/protected").status_code == 200

        def deactivate(ds: Any) -> bool:
            user = ds.find_user(email="matt@example.com")
            changed = ds.deactivate_user(user)
            ds.put(user)  # 3.0: deactivate_user only sets the attribute
            return changed

        assert self._change(app, deactivate)
        assert client.get("/_contract/protected").status_code == 302
        r = app.test_client().get("/_contract/token", headers={"Authentication-Token": token})
        assert r.status_code == 401
        r = app.test_client().get(
            "/_contract/basic", headers=self._basic("matt@example.com", "password")
        )
        assert r.status_code == 401
        assert self._login(app.test_client(), "matt@example.com").status_code == 400

    def test_views_reset_user_access_ends_sessions_cookies_and_tokens(self, app: Flask) -> None:
        """A session cookie copied before logout keeps working after it (logout is
        client-side); ``reset_user_access`` ends it, the remember cookie and every auth
        token at once, and leaves the password alone."""
        self._add_user(app, "matt@example.com")
        self._add_user(app, "joe@example.com")
        victim = app.test_client()
        r = victim.post(
            "/login", json={"email": "matt@example.com", "password": "password", "remember": True}
        )
        token = r.get_json()["response"]["user"]["authentication_token"]
        session_cookie = victim.get_cookie("session")
        remember_cookie = victim.get_cookie("remember_token")
        assert session_cookie is not None and remember_cookie is not None
        joe = app.test_client()
        assert self._login(joe, "joe@example.com").status_code == 200

        def copy(cookie: Any) -> Any:
            client = app.test_client()
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
            return client

        victim.get("/logout")
        assert victim.get("/_contract/protected").status_code == 302
        stolen = copy(session_cookie)
        assert stolen.get("/_contract/protected").status_code == 200  # client-side logout
        assert copy(remember_cookie).get("/_contract/protected").status_code == 200
        assert (
            self._change(
                app, lambda ds: ds.reset_user_access(ds.find_user(email="matt@example.com"))
            )
            is None
        )
        assert stolen.get("/_contract/protected").status_code == 302
        assert copy(session_cookie).get("/_contract/protected").status_code == 302
        assert copy(remember_cookie).get("/_contract/protected").status_code == 302
        r = app.test_client().get("/_contract/token", headers={"Authentication-Token": token})
        assert r.status_code == 401
        assert joe.get("/_contract/protected").status_code == 200  # other users untouched
        fresh = app.test_client()
        r = self._login(fresh, "matt@example.com")  # the password still works
        assert r.status_code == 200
        new_token = r.get_json()["response"]["user"]["authentication_token"]
        assert fresh.get("/_contract/protected").status_code == 200
        # The same through the CLI, under this name and upstream's.
        runner = app.test_cli_runner()
        for name in ("reset-access", "reset_access"):
            r = runner.invoke(args=["users", name, "MATT@example.com"])
            assert r.exit_code == 0, r.output
            assert fresh.get("/_contract/protected").status_code == 302
            r = app.test_client().get(
                "/_contract/token", headers={"Authentication-Token": new_token}
            )
            assert r.status_code == 401
            assert self._login(fresh, "matt@example.com").status_code == 200
        r = runner.invoke(args=["users", "reset-access", "nobody@example.com"])
        assert r.exit_code != 0 and "Traceback" not in r.output

    def test_views_cli_users_create_and_roles_add(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        r = runner.invoke(
            args=["users", "create", "cli@example.com", "--password", "secret-pw", "--active"]
        )
        assert r.exit_code == 0, r.output
        r = runner.invoke(args=["users", "create", "CLI@example.com", "--password", "secret-pw"])
        assert r.exit_code == 2 and "Error" in r.output
        assert runner.invoke(args=["roles", "create", "admin"]).exit_code == 0
        r = runner.invoke(args=["roles", "add", "cli@example.com", "admin"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(args=["roles", "add", "cli@example.com", "admin"])
        assert r.exit_code == 2 and "already" in r.output
        with app.app_context():
            datastore = app.extensions["security"].datastore
            user = datastore.find_user(email="cli@example.com")
            assert user is not None and user.active is True and user.has_role("admin")
            assert datastore.find_user(email="CLI@example.com") is None
        client = app.test_client()
        assert self._login(client, "cli@example.com", "secret-pw").status_code == 200
        assert client.get("/_contract/admin").status_code == 200
        r = runner.invoke(args=["roles", "remove", "cli@example.com", "admin"])
        assert r.exit_code == 0, r.output
        assert client.get("/_contract/admin").status_code == 403
        r = runner.invoke(args=["users", "deactivate", "cli@example.com"])
        assert r.exit_code == 0, r.output
        assert client.get("/_contract/protected").status_code == 302


__all__ = ["DatastoreViewsContract"]
