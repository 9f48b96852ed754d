"""Who the request's user is, for Flask-Login and Flask-Principal: fsec's lazy
Principal identity, its ``Principal`` and ``LoginManager`` subclasses, and the
session and request loaders of the current application's state."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, session
from flask_login import LoginManager, decode_cookie, user_loaded_from_cookie
from flask_login import current_user as _login_current_user
from flask_principal import (
    AnonymousIdentity,
    Identity,
    Principal,
    RoleNeed,
    UserNeed,
    identity_loaded,
)


def _get_current_user() -> Any:
    return _login_current_user._get_current_object()


class _LazyIdentity(Identity):
    """A Flask-Principal identity whose needs are computed on first use.

    Flask-Principal loads an identity before every request; computing it eagerly
    would load the user (one SQL query) even on routes that never look at it. This
    identity reads ``current_user`` only when ``id`` or ``provides`` is first read.
    """

    def __init__(self) -> None:
        self._resolved = False
        self._id: Any = None
        self._provides: set[Any] = set()
        self.auth_type = "fsec"

    def _resolve(self) -> None:
        if self._resolved:
            return
        self._resolved = True
        user = _get_current_user()
        if getattr(user, "is_authenticated", False):
            self._id = user.id
            self._provides.add(UserNeed(user.id))
            for role in getattr(user, "roles", None) or ():
                self._provides.add(RoleNeed(role.name))

    @property  # type: ignore[override]
    def id(self) -> Any:
        self._resolve()
        return self._id

    @id.setter
    def id(self, value: Any) -> None:
        self._resolved = True
        self._id = value

    @property  # type: ignore[override]
    def provides(self) -> set[Any]:
        self._resolve()
        return self._provides

    @provides.setter
    def provides(self, value: set[Any]) -> None:
        self._provides = value


class _Principal(Principal):
    """Flask-Principal for one app, with a start of request that costs nothing unused.

    Principal's own ``before_request`` builds an identity and sends
    ``identity_loaded`` on every request, protected or not. fsec's identity is a
    :class:`_LazyIdentity`, so while the application has added no identity loader,
    identity saver or ``identity_loaded`` receiver of its own, the start of a request
    only sets ``g.identity`` (nobody could observe the rest); otherwise Principal's
    full sequence runs. An identity the application sets itself (``identity_changed``
    with a plain ``Identity``) gets the current user's ``UserNeed`` and ``RoleNeed`` needs
    before ``identity_loaded`` is sent.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app, use_sessions=False)
        self._app = app
        self.identity_loader(_LazyIdentity)

    def _on_before_request(self) -> None:
        if (
            len(self.identity_loaders) == 1
            and not self.identity_savers
            and not identity_loaded.has_receivers_for(self._app)
        ):
            g.identity = _LazyIdentity()
            return
        super()._on_before_request()

    def _set_thread_identity(self, identity: Any) -> None:
        # (logout_user sets an AnonymousIdentity while the user is still loaded.)
        if not isinstance(identity, _LazyIdentity | AnonymousIdentity):
            user = _get_current_user()
            if getattr(user, "is_authenticated", False):
                identity.provides.add(UserNeed(user.id))
                for role in getattr(user, "roles", None) or ():
                    identity.provides.add(RoleNeed(role.name))
        super()._set_thread_identity(identity)


class _LoginManager(LoginManager):
    """Flask-Login's ``LoginManager``, also reading remember cookies signed with a key
    in Flask 3.1's ``SECRET_KEY_FALLBACKS``.

    Flask-Login checks the remember cookie with ``SECRET_KEY`` only, so rotating the
    key would sign every remembered user out. A cookie that fails with it is checked
    with each fallback key (``flask_login.utils.decode_cookie``); when one verifies, the
    user is loaded as Flask-Login does and the cookie is issued again under
    ``SECRET_KEY`` at the end of the request.
    """

    def _load_user_from_remember_cookie(self, cookie: str) -> Any:
        user = super()._load_user_from_remember_cookie(cookie)
        if user is not None:
            return user
        for key in current_app.config.get("SECRET_KEY_FALLBACKS") or ():
            user_id = decode_cookie(cookie, key=key)
            if user_id is None:
                continue
            session["_user_id"] = user_id
            session["_fresh"] = False
            user = self._user_callback(user_id) if self._user_callback else None
            if user is None:
                return None
            session["_remember"] = "set"
            user_loaded_from_cookie.send(current_app._get_current_object(), user=user)
            return user
        return None


def _user_loader(alternative_id: str) -> Any | None:
    """Flask-Login user loader of the current app (3.0 name, for custom login managers)."""
    return current_app.extensions["security"]._load_user_from_session(alternative_id)


def _request_loader(request: Any) -> Any | None:
    """Flask-Login request loader (auth token) of the current app (3.0 name)."""
    return current_app.extensions["security"]._load_user_from_request(request)
