"""The datastore views contract's sign-in suite: a store driven through fsec's login
form and JSON login, a role-protected page, auth-token requests and HTTP Basic,
including the accounts that must be refused (no password, an id given as identity,
deactivated). Part of
:class:`~flask_security.testing.datastore_views_contract.DatastoreViewsContract`."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .datastore_views_suite_base import DatastoreViewsSuite


class DatastoreLoginViewsContract(DatastoreViewsSuite):
    """Signing in through the views on the store, and every refusal there."""

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


__all__ = ["DatastoreLoginViewsContract"]
