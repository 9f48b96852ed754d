"""The base of the datastore views contract's suites: the app built by ``make_app``
with the contract's routes, and the helpers the suites share (adding a user, a
change committed through the datastore, JSON login, HTTP Basic headers). See
:mod:`flask_security.testing.datastore_views_contract`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify

from ..decorators import auth_token_required, http_auth_required, login_required, roles_required
from ..state import current_user
from .store_contract_base import _StoreRun


class DatastoreViewsSuite(_StoreRun):
    """What every suite of the views contract shares. The ``app`` fixture adds the
    routes ``/_contract/protected`` (``login_required``), ``/_contract/admin``
    (``roles_required("admin")``), ``/_contract/token`` (``auth_token_required``) and
    ``/_contract/basic`` (``http_auth_required``) to the app built by ``make_app``
    (with ``SECURITY_CHANGEABLE`` on)."""

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

    def _user_id(self, app: Flask, email: str) -> str:
        with app.app_context():
            return str(app.extensions["security"].datastore.find_user(email=email).id)


__all__ = ["DatastoreViewsSuite"]
