"""The datastore views contract's account suite: a store driven through fsec's
change-password view, ``reset_user_access`` (and ``flask users reset-access``), and
the ``flask users`` / ``flask roles`` commands. Part of
:class:`~flask_security.testing.datastore_views_contract.DatastoreViewsContract`."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .datastore_views_suite_base import DatastoreViewsSuite


class DatastoreAccountViewsContract(DatastoreViewsSuite):
    """Changing an account through the views and the CLI on the store: its password,
    its access (sessions, remember cookies and tokens ended at once), its roles."""

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


__all__ = ["DatastoreAccountViewsContract"]
