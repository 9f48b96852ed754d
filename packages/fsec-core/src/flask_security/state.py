"""The per-application state (``app.extensions["security"]``) and the proxies that
reach it: :data:`current_security`, :data:`current_datastore`, :data:`current_user`.

The state is built in one step by :func:`flask_security.assembly.build_state`
(``Security.init_app``) from what the enabled plugins contributed. It sits below
every module that uses it (see the module map in ``docs/layout.md``): it imports only
the plugin host, the token component, the app callbacks, mail delivery and the leaf
modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template
from flask_login import current_user as _login_current_user
from werkzeug.local import LocalProxy

from .callbacks import AppCallbacks
from .config import config_value
from .mailer import StateMail
from .tokens import AccessFingerprints, RequestLoaders

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask import Flask
    from flask_login import LoginManager
    from flask_principal import Principal

    from .passwords import PasswordHasher
    from .plugins import PluginHost

#: The current user: Flask-Login's ``current_user`` proxy itself (documented name).
current_user: Any = _login_current_user

#: The current application's :class:`SecurityState` (a ``LocalProxy``; needs an
#: application context). The public accessor for plugins and apps.
current_security: Any = LocalProxy(lambda: current_app.extensions["security"])

#: The current application's datastore (a ``LocalProxy`` to
#: ``current_security.datastore``; needs an application context).
current_datastore: Any = LocalProxy(lambda: current_app.extensions["security"].datastore)

#: Flask-Security 3.0's private names for the two proxies above, kept for apps that
#: imported them; new code uses :data:`current_security` / :data:`current_datastore`.
_security: Any = current_security
_datastore: Any = current_datastore

#: Forms a view may need, and the config key naming an override for each.
FORM_NAMES = (
    "login_form",
    "register_form",
    "confirm_register_form",
    "forgot_password_form",
    "reset_password_form",
    "change_password_form",
    "send_confirmation_form",
    "passwordless_login_form",
)


class SecurityState(RequestLoaders, AccessFingerprints, StateMail, AppCallbacks):
    """Everything fsec knows about one application (``app.extensions['security']``).

    Built complete by :meth:`Security.init_app` (every argument below comes from the
    enabled plugins' contributions and the app's settings). Documented 3.0 attributes
    such as ``datastore``, ``login_manager``, ``principal``, ``pwd_context``, the
    serializers (``remember_token_serializer``...: :mod:`flask_security.tokens`) and
    the decorators ``send_mail_task``, ``mail_context_processor``,
    ``unauthorized_handler`` and the ``*_context_processor`` family
    (:mod:`flask_security.callbacks`) live here.

    :param app: the Flask application.
    :param datastore: the application's user datastore.
    :param plugins: the plugin host of the enabled plugins.
    :param password_hasher: the password hashing policy.
    :param login_manager: Flask-Login's manager for the app.
    :param principal: Flask-Principal's extension for the app.
    :param forms: form name (``"login_form"``) -> form class, after app overrides.
    :param messages: message key -> ``(text, category)`` defaults.
    :param message_fills: message key -> ``(text put into app.config, text to
        translate)`` for default messages whose config copy had its placeholders
        filled in (3.0 compatibility).
    :param mails: mail name -> ``(subject config key, switch config key or None)``.
    :param link_mails: names of the mails whose links must use a trusted host.
    :param signals: signal name -> blinker signal.
    :param datastores: datastore class name -> class.
    :param template_folders: template folders, searched in order.
    :param translation_directories: ``(folder, gettext domain)`` of every enabled
        plugin's catalogues, core's first (hook ``fsec_translation_directories``; see
        :mod:`flask_security.babel`).
    :param contributions: hook name -> {contributed key: plugin name}.
    :param cli_groups: CLI group key (``"users"``) -> the click group added to the app.
    :param init_options: the keyword arguments given to ``Security``/``init_app`` (form
        overrides and any a plugin documents, such as ``webauthn_util_cls``).
    """

    def __init__(
        self,
        app: Flask,
        datastore: Any,
        plugins: PluginHost,
        *,
        password_hasher: PasswordHasher,
        login_manager: LoginManager,
        principal: Principal,
        forms: Mapping[str, type] | None = None,
        messages: Mapping[str, tuple[str, str]] | None = None,
        message_fills: Mapping[str, tuple[str, str]] | None = None,
        mails: Mapping[str, tuple[str, str | None]] | None = None,
        link_mails: Iterable[str] | None = None,
        signals: Mapping[str, Any] | None = None,
        datastores: Mapping[str, type] | None = None,
        template_folders: Iterable[str] | None = None,
        translation_directories: Iterable[tuple[str, str]] | None = None,
        contributions: Mapping[str, dict[str, str]] | None = None,
        cli_groups: Mapping[str, click.Group] | None = None,
        init_options: Mapping[str, Any] | None = None,
    ) -> None:
        AppCallbacks.__init__(self)
        self.app = app
        self.datastore = datastore
        self.plugins = plugins
        self.password_hasher = password_hasher
        self.login_manager = login_manager
        self.principal = principal
        self.forms: dict[str, type] = dict(forms or {})
        self.messages: dict[str, tuple[str, str]] = dict(messages or {})
        self.message_fills: dict[str, tuple[str, str]] = dict(message_fills or {})
        self.mails: dict[str, tuple[str, str | None]] = dict(mails or {})
        #: Mails registered with ``links=True``: their links must use a trusted host.
        self.link_mails: set[str] = set(link_mails or ())
        self.signals: dict[str, Any] = dict(signals or {})
        self.datastores: dict[str, type] = dict(datastores or {})
        self.template_folders: list[str] = list(template_folders or ())
        self.translation_directories: list[tuple[str, str]] = list(translation_directories or ())
        self.contributions: dict[str, dict[str, str]] = dict(contributions or {})
        self.cli_groups: dict[str, click.Group] = dict(cli_groups or {})
        self.init_options: dict[str, Any] = dict(init_options or {})
        self._serializers = {}
        self._fingerprint_hmac = None
        #: Sends one rendered mail; replaceable (3.0 apps and tests assign it).
        self.send_mail: Callable[..., Any] = self._default_send_mail

    # -- configuration -------------------------------------------------------------

    def config(self, key: str, default: Any = None) -> Any:
        """The setting ``SECURITY_<key>`` of this state's app (also outside an app
        context): :func:`flask_security.utils.config_value` ``(key, self.app, default)``,
        which fsec's own code calls; kept for plugins and templates
        (``security.config("LOCKOUT_WINDOW")``) written against it.

        :param key: the setting without ``SECURITY_``, any case (``"RESET_URL"``).
        :param default: returned when the setting is absent.
        :returns: the value.
        """
        return config_value(key, self.app, default)

    @property
    def pwd_context(self) -> Any:
        """The passlib ``CryptContext`` (3.0 name)."""
        return self.password_hasher.context

    @property
    def blueprint_name(self) -> str:
        """``SECURITY_BLUEPRINT_NAME`` (``"security"`` by default)."""
        return str(config_value("BLUEPRINT_NAME", self.app))

    # -- authentication rules ------------------------------------------------------

    def login_refusal(self, user: Any, method: str) -> str | None:
        """The message key refusing ``user`` on ``method``, or ``None`` to allow.

        Asks the ``fsec_login_refusal`` hook (first key wins), then implementations of
        its former name ``fsec_login_allowed``.

        :param user: the user object.
        :param method: the authentication path (``"form"``, ``"session"``, ``"token"``...).
        :returns: the refusing message key, or ``None`` when allowed.
        """
        hook = self.plugins.hook
        refusal = hook.fsec_login_refusal(user=user, method=method)
        if refusal is None:
            refusal = hook.fsec_login_allowed(user=user, method=method)
        return refusal

    # -- templates, forms, messages ------------------------------------------------

    def form_class(self, name: str) -> type:
        """The form class for ``name`` (``"login_form"``), after app overrides.

        :param name: the registered form name (``"login_form"``, a plugin's ``"invite_form"``).
        :returns: the form class.
        :raises RuntimeError: no enabled plugin registered ``name``.
        """
        try:
            return self.forms[name]
        except KeyError:
            raise RuntimeError(
                f"no fsec plugin provides the form {name!r}; is its feature enabled?"
            ) from None

    def render_template(self, template: str, **context: Any) -> str:
        """Render a security page, adding the context processors' values.

        :param template: the template name (``"security/login_user.html"``).
        :param context: template variables.
        :returns: the rendered HTML.
        """
        return render_template(template, **context)


#: The name this class had before it was public.
_SecurityState = SecurityState

__all__ = [
    "FORM_NAMES",
    "SecurityState",
    "current_datastore",
    "current_security",
    "current_user",
]
