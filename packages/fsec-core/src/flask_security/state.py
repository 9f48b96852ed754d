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

from flask import current_app, has_request_context, render_template, session
from flask_login import current_user as _login_current_user
from werkzeug.local import LocalProxy

from .babel import gettext
from .callbacks import AppCallbacks
from .mail import run_after_response, send_mail_now
from .tokens import AccessFingerprints

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


class SecurityState(AccessFingerprints, AppCallbacks):
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
        """``app.config["SECURITY_" + key]`` (``default`` when absent).

        :param key: the setting without ``SECURITY_`` (``"RESET_URL"``, ``"INVITE_WITHIN"``).
        :param default: returned when the setting is absent.
        :returns: the value.
        """
        return self.app.config.get("SECURITY_" + key, default)

    @property
    def pwd_context(self) -> Any:
        """The passlib ``CryptContext`` (3.0 name)."""
        return self.password_hasher.context

    @property
    def blueprint_name(self) -> str:
        """``SECURITY_BLUEPRINT_NAME`` (``"security"`` by default)."""
        return str(self.config("BLUEPRINT_NAME"))

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

    def _load_user_from_session(self, alternative_id: str) -> Any | None:
        user_id, sep, fingerprint = str(alternative_id).rpartition(":")
        if not sep or not user_id:
            return None
        user = self.datastore.load_user(user_id)
        if user is None:
            return None
        key_index = self.fingerprint_key_index(self.access_state(user), fingerprint)
        if key_index is None:
            return None
        if self.login_refusal(user, "session") is not None:
            return None
        if key_index > 0 and has_request_context() and session.get("_user_id") == alternative_id:
            # Signed with a key in SECRET_KEY_FALLBACKS: carry on under SECRET_KEY.
            session["_user_id"] = user.get_id()
        return user

    def _load_user_from_request(self, request: Any) -> Any | None:
        """The user of the auth token in the ``SECURITY_TOKEN_AUTHENTICATION_HEADER``
        header, else the ``SECURITY_TOKEN_AUTHENTICATION_KEY`` query argument, else
        that key of a JSON object body (the three places 3.0 read), or ``None``."""
        # Flask-Login's request loader: a token here also satisfies login_required and
        # auth_required("session") (3.0 behaviour). SECURITY_TOKEN_AUTHENTICATION_KEY =
        # None switches the query-string and JSON-body forms off (URLs end up in logs
        # and Referers).
        token = request.headers.get(self.config("TOKEN_AUTHENTICATION_HEADER"))
        query_key = self.config("TOKEN_AUTHENTICATION_KEY")
        if not token and query_key:
            token = request.args.get(query_key)
        if not token and query_key and request.is_json:
            try:
                body = request.get_json(silent=True)
            except Exception:  # a body the parser gives up on (too deep...) holds none
                body = None
            token = body.get(query_key) if isinstance(body, dict) else None
        if not token or not isinstance(token, str):
            return None
        return self.user_from_auth_token(token)

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

    # -- mail ----------------------------------------------------------------------

    def _default_send_mail(
        self, subject: str, recipient: str, template: str, **context: Any
    ) -> None:
        send_mail_now(self, subject, recipient, template, **context)

    def send_mail_kind(self, name: str, recipient: str, user: Any = None, **context: Any) -> bool:
        """Send a registered mail (``fsec_mails``) unless its switch is off.

        The mail is rendered now and delivered as ``SECURITY_MAIL_DELIVERY`` says
        (after the response outside testing: :mod:`flask_security.mail`). A failure of
        the mail transport is logged (``app.logger``), not raised.

        :returns: whether a mail was rendered and handed over (inline: delivered).
        :raises KeyError: no plugin registered a mail called ``name``.

        :param name: the registered mail (``"reset_instructions"``, a plugin's ``"invite"``):
            renders ``security/email/<name>.txt`` and ``.html``.
        :param recipient: the address.
        :param user: the recipient user, when there is one (``user`` in the templates, and
            passed to ``fsec_mail_context``).
        :param context: more template variables (``invite_link=...``).
        """
        subject_key, enabled_key = self.mails[name]
        if enabled_key is not None and not self.config(enabled_key):
            return False
        context.setdefault("user", user)
        self.plugins.hook.fsec_mail_context(name=name, user=user, context=context)
        try:
            self.send_mail(gettext(str(self.config(subject_key))), recipient, name, **context)
        except Exception:
            # The action the mail reports has already happened and been committed; a
            # mail server failure must not turn it into a 500 for the user.
            self.app.logger.exception("fsec could not send the %r mail to %s", name, recipient)
            return False
        return True

    def after_response(self, fn: Callable[[Any], Any], user: Any = None, kind: str = "") -> None:
        """Run ``fn(user)`` after the response in background mail delivery, else now.

        For the account work behind a mail (token, link, signal) in views that answer
        every address alike, so that an address with an account costs the request no
        more time than one without. See :func:`flask_security.mail.run_after_response`.

        :param fn: ``fn(user)``, the account work.
        :param user: passed to ``fn``.
        :param kind: the mail kind, for the log line when ``fn`` fails.
        """
        run_after_response(self, fn, user, kind)


#: The name this class had before it was public.
_SecurityState = SecurityState

__all__ = [
    "FORM_NAMES",
    "SecurityState",
    "current_datastore",
    "current_security",
    "current_user",
]
