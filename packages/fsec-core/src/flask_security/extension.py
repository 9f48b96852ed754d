"""The :class:`Security` extension object (documented 3.0 API); ``init_app`` hands
the work to :func:`flask_security.assembly.build_state`."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from .assembly import build_state
from .callbacks import DeferredCallbacks, add_view_context_processors
from .state import SecurityState


@add_view_context_processors
class Security(DeferredCallbacks):
    """The Flask-Security extension (documented 3.0 API).

    ``Security(app, datastore, register_blueprint=True, **kwargs)`` or the factory
    form ``security = Security(); security.init_app(app, datastore)``.

    :param app: the Flask application, or ``None`` for the factory pattern.
    :param datastore: a :class:`~flask_security.datastore.UserDatastore`.
    :param register_blueprint: register the ``security`` blueprint with its views.
    :param kwargs: form overrides (``login_form=...``, ``register_form=...`` and the
        other names in :data:`FORM_NAMES`), ``anonymous_user`` (class) and
        ``login_manager`` (a pre-built Flask-Login ``LoginManager``).

    The datastore and keyword arguments given here are kept for a later
    ``init_app`` (in 3.0 they were lost with the factory pattern), and so are the
    decorators used before it (``@security.send_mail_task``,
    ``@security.context_processor``...: :class:`~flask_security.callbacks.DeferredCallbacks`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        datastore: Any = None,
        register_blueprint: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.app = app
        self.datastore = datastore
        self._register_blueprint = register_blueprint
        self._kwargs = kwargs
        self._state: SecurityState | None = None
        if app is not None and datastore is not None:
            self._state = self.init_app(app, datastore, register_blueprint, **kwargs)

    def init_app(
        self,
        app: Flask,
        datastore: Any = None,
        register_blueprint: bool | None = None,
        **kwargs: Any,
    ) -> SecurityState:
        """Set fsec up for ``app``; returns the app's :class:`SecurityState`.

        Called again for the same app (3.0 allowed it, e.g. to change password
        settings), the new state replaces the old one; the Flask-Login and
        Flask-Principal set-up and the blueprint of the first call stay.

        :raises RuntimeError: no datastore was given, or ``SECRET_KEY`` is missing.
        :raises flask_security.plugins.PluginError: a plugin problem (see
            :mod:`flask_security.plugins`).
        :raises flask_security.passwords.PasswordConfigError: bad password settings.

        :param app: the Flask application.
        :param datastore: the datastore (default: the one given to the constructor).
        :param register_blueprint: register the security blueprint (default: the
            constructor's value, ``True``).
        :param kwargs: form overrides and options, as for the constructor.
        :returns: the application's state, also ``app.extensions["security"]``.
        """
        datastore = datastore if datastore is not None else self.datastore
        if datastore is None:
            raise RuntimeError("Security.init_app needs a datastore")
        self.datastore = datastore
        if register_blueprint is None:
            register_blueprint = self._register_blueprint
        options = {**self._kwargs, **kwargs}
        state = build_state(app, datastore, bool(register_blueprint), options)
        self._apply_deferred(state)
        self._state = state
        # 3.0 set ``security.app`` in init_app too (factory pattern); the state of
        # the current app is still looked up per request (several apps may share one
        # ``Security``).
        self.app = app
        return state

    def _current_state(self) -> SecurityState | None:
        try:
            state = current_app.extensions.get("security")
        except RuntimeError:
            state = None
        return state or self._state

    def __getattr__(self, name: str) -> Any:
        # 3.0: attributes of the state are reachable on the extension object.
        if name.startswith("__"):
            raise AttributeError(name)
        state = self.__dict__.get("_state")
        if state is None:
            raise AttributeError(name)
        state = self._current_state()
        return getattr(state, name)


__all__ = ["Security"]
