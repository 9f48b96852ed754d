"""The base of the feature contract's suites: the attributes a feature's test class
sets, the ``make_app`` fixture it provides, the configuration switching the feature
on and off, and the test account the behaviour checks create (overridable through
:meth:`FeatureSuite.user_fields` and :meth:`FeatureSuite.refuse_account`). See
:mod:`flask_security.testing.contracts`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask

from ..babel import LOCALES

#: Password of the account the contract's behaviour tests create.
CONTRACT_PASSWORD = "contract-Password-1"


class FeatureSuite:
    """What every suite of the feature contract shares. Override the class attributes.

    :cvar name: the entry-point name (``"recoverable"``).
    :cvar distribution: the distribution name (``"fsec-recoverable"``).
    :cvar flag: the config key that switches it on; ``None`` when it is enabled
        through ``SECURITY_PLUGINS`` (third-party plugins).
    :cvar endpoints: endpoints it adds to the security blueprint when on.
    :cvar config_defaults: ``{key without SECURITY_: default}`` it contributes.
    :cvar messages: message keys it contributes.
    :cvar templates: page templates it ships (``security/...``).
    :cvar mails: mail names it registers (templates ``security/email/<name>.txt/.html``).
    :cvar extra_config: config needed besides the flag (e.g. another feature's flag).
    :cvar translated_locales: locales whose catalogues must translate every message
        and mail subject the feature registers (default: every locale fsec ships,
        :data:`flask_security.babel.LOCALES`; ``()`` for a plugin without catalogues).
        Checked against the installed distribution's compiled catalogues, registered
        through ``fsec_translation_directories``, when Flask-Babel is installed.

    The behaviour tests (hostile ``next`` values on every endpoint; a refused account
    answering the same whatever the password) create a user with
    ``datastore.create_user`` and may be adapted by overriding :meth:`user_fields` and
    :meth:`refuse_account`.
    """

    name: ClassVar[str]
    distribution: ClassVar[str]
    flag: ClassVar[str | None] = None
    endpoints: ClassVar[tuple[str, ...]] = ()
    config_defaults: ClassVar[dict[str, Any]] = {}
    messages: ClassVar[tuple[str, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()
    mails: ClassVar[tuple[str, ...]] = ()
    extra_config: ClassVar[dict[str, Any]] = {}
    translated_locales: ClassVar[tuple[str, ...]] = LOCALES

    @pytest.fixture
    def make_app(self) -> Callable[[dict[str, Any]], Flask]:  # pragma: no cover
        raise NotImplementedError("a FeatureContract subclass must provide make_app")

    def _on(self, **config: Any) -> dict[str, Any]:
        result = dict(self.extra_config)
        if self.flag:
            result[self.flag] = True
        else:
            result["SECURITY_PLUGINS"] = [self.name]
        result.update(config)
        return result

    def _off(self) -> dict[str, Any]:
        return {k: v for k, v in self.extra_config.items() if k != self.flag}

    def user_fields(self) -> dict[str, Any]:
        """Extra fields for the user the behaviour tests create (called inside an app
        context; override for models needing more). Default: ``confirmed_at`` (now)
        when the model has it."""
        from flask import current_app

        from ..utils import config_value

        state = current_app.extensions["security"]
        if hasattr(state.datastore.user_model, "confirmed_at"):
            return {"confirmed_at": config_value("DATETIME_FACTORY")()}
        return {}

    def refuse_account(self, app: Flask, email: str) -> None:
        """Put the account ``email`` into a state ``fsec_login_refusal`` refuses.

        Default: deactivate it (core's refusal). A plugin that refuses accounts
        itself overrides this to use its own state (the lockout example locks it).
        """
        with app.app_context():
            datastore = app.extensions["security"].datastore
            user = datastore.find_user(email=email)
            datastore.deactivate_user(user)
            datastore.put(user)
            datastore.commit()

    def _add_user(self, app: Flask, email: str) -> None:
        from ..utils import hash_password

        with app.app_context():
            datastore = app.extensions["security"].datastore
            datastore.create_user(
                email=email,
                password=hash_password(CONTRACT_PASSWORD),
                active=True,
                **self.user_fields(),
            )
            datastore.commit()


__all__ = ["CONTRACT_PASSWORD", "FeatureSuite"]
