"""The :class:`Security` extension, its per-application state and the model mixins."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context, render_template, session
from flask_login import AnonymousUserMixin, LoginManager, decode_cookie, user_loaded_from_cookie
from flask_login import UserMixin as BaseUserMixin
from flask_login import current_user as _login_current_user
from flask_principal import (
    AnonymousIdentity,
    Identity,
    Principal,
    RoleNeed,
    UserNeed,
    identity_loaded,
)
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.local import LocalProxy
from werkzeug.utils import import_string

from . import plugins as _plugins
from .passwords import PasswordHasher

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask_mail import Message

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

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

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


class UserMixin(BaseUserMixin):
    """Mixin for user models (documented 3.0 API).

    Requires the attributes ``id``, ``email``, ``password`` and ``active`` (and
    ``roles``, a collection of role objects with a ``name``).
    """

    @property
    def is_active(self) -> bool:
        """``True`` when the account is active (``active`` attribute)."""
        return bool(getattr(self, "active", False))

    def get_id(self) -> str:
        """Flask-Login's *alternative token*: ``"<id>:<password fingerprint>"``.

        Flask-Login keeps this string in the session and the remember cookie, so both
        die when the password changes (compat-notes, unsafe point 7).
        """
        return f"{self.id}:{_security.password_fingerprint(self)}"

    def get_auth_token(self) -> str:
        """A signed authentication token for the ``Authentication-Token`` header.

        The token holds the user id and the password fingerprint, signed with
        ``SECRET_KEY`` (HMAC-SHA256, itsdangerous); it stops working when the password
        changes, and after ``SECURITY_TOKEN_MAX_AGE`` seconds when that is set.
        """
        return _security.auth_token_for(self)

    def has_role(self, role: Any) -> bool:
        """Whether the user has ``role`` (a role name ``str`` or a role object)."""
        name = role if isinstance(role, str) else getattr(role, "name", None)
        return any(r.name == name for r in (getattr(self, "roles", None) or ()))

    def get_security_payload(self) -> dict[str, Any]:
        """The user part of JSON responses: ``{"id": "<id>"}`` by default."""
        return {"id": str(self.id)}

    def verify_and_update_password(self, password: str) -> bool:
        """Verify ``password`` and re-hash it when the stored hash is outdated."""
        from .utils import verify_and_update_password

        return verify_and_update_password(password, self)


class RoleMixin:
    """Mixin for role models; roles compare equal by ``name`` (documented 3.0 API)."""

    def __eq__(self, other: object) -> bool:
        name = other if isinstance(other, str) else getattr(other, "name", None)
        return getattr(self, "name", None) == name

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(getattr(self, "name", None))


class AnonymousUser(AnonymousUserMixin):
    """The user before login: no roles."""

    def __init__(self) -> None:
        self.roles: list[Any] = []

    def has_role(self, *args: Any) -> bool:
        """Always ``False``."""
        return False


class SecurityState:
    """Everything fsec knows about one application (``app.extensions['security']``).

    Created by :meth:`Security.init_app`; documented 3.0 attributes such as
    ``datastore``, ``login_manager``, ``principal``, ``pwd_context`` and the
    decorators ``send_mail_task``, ``mail_context_processor``,
    ``unauthorized_handler`` and the ``*_context_processor`` family live here.
    """

    def __init__(self, app: Flask, datastore: Any, plugins: _plugins.PluginHost) -> None:
        self.app = app
        self.datastore = datastore
        self.plugins = plugins
        self.forms: dict[str, type] = {}
        self.messages: dict[str, tuple[str, str]] = {}
        #: ``{key: (text put into app.config, text to translate)}`` for default messages
        #: whose config copy had its placeholders filled in (3.0 compatibility).
        self.message_fills: dict[str, tuple[str, str]] = {}
        self.mails: dict[str, tuple[str, str | None]] = {}
        #: Mails registered with ``links=True``: their links must use a trusted host.
        self.link_mails: set[str] = set()
        self.signals: dict[str, Any] = {}
        self.datastores: dict[str, type] = {}
        self.template_folders: list[str] = []
        #: ``(folder, gettext domain)`` of every enabled plugin's catalogues, core's
        #: first (hook ``fsec_translation_directories``; see :mod:`flask_security.babel`).
        self.translation_directories: list[tuple[str, str]] = []
        self.cli_groups: dict[str, click.Group] = {}
        self.contributions: dict[str, dict[str, str]] = {}
        self._context_processors: dict[str | None, list[Callable[[], dict[str, Any]]]] = {}
        self._mail_context_processors: list[Callable[[], dict[str, Any]]] = []
        self._send_mail_task: Callable[[Message], Any] | None = None
        self._unauthorized_callback: Callable[[], Any] | None = None
        self.login_manager: LoginManager
        self.principal: Principal
        self.password_hasher: PasswordHasher
        self._serializers: dict[str, tuple[Any, URLSafeTimedSerializer]] = {}
        self._fingerprint_hmac: Any = None
        self.send_mail: Callable[..., Any] = self._default_send_mail
        #: The keyword arguments given to ``Security``/``init_app`` (form overrides
        #: and any a plugin documents, such as ``webauthn_util_cls``).
        self.init_options: dict[str, Any] = {}

    # -- configuration -------------------------------------------------------------

    def config(self, key: str, default: Any = None) -> Any:
        """``app.config["SECURITY_" + key]`` (``default`` when absent)."""
        return self.app.config.get("SECURITY_" + key, default)

    @property
    def pwd_context(self) -> Any:
        """The passlib ``CryptContext`` (3.0 name)."""
        return self.password_hasher.context

    @property
    def blueprint_name(self) -> str:
        return str(self.config("BLUEPRINT_NAME"))

    # -- keys and tokens -----------------------------------------------------------

    def secret_keys(self) -> tuple[str | bytes, ...]:
        """``SECRET_KEY`` then Flask 3.1's ``SECRET_KEY_FALLBACKS`` (most recent first).

        Read from ``app.config`` on every call, so a key changed at run time is used
        without a restart: the first key signs, every key verifies.
        """
        config = self.app.config
        return (config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ()))

    def serializer(self, name: str) -> URLSafeTimedSerializer:
        """The itsdangerous serializer for tokens of kind ``name``.

        Its salt is ``SECURITY_<NAME>_SALT`` (``confirm``, ``reset``, ``login``,
        ``remember`` ...); signatures are HMAC-SHA256 keyed by ``SECRET_KEY``, and
        tokens signed with a key in ``SECRET_KEY_FALLBACKS`` verify too (itsdangerous
        key rotation). Rebuilt when the salt or a key changes.

        :raises KeyError: no ``SECURITY_<NAME>_SALT`` is configured.
        """
        salt = self.app.config["SECURITY_" + name.upper() + "_SALT"]
        keys = self.secret_keys()
        cached = self._serializers.get(name)
        if cached is not None and cached[0] == (salt, keys):
            return cached[1]
        ser = URLSafeTimedSerializer(
            list(reversed(keys)),  # itsdangerous: oldest first, the last one signs
            salt=salt,
            signer_kwargs={"digest_method": hashlib.sha256},
        )
        self._serializers[name] = ((salt, keys), ser)
        return ser

    def legacy_payloads_allowed(self, name: str) -> bool:
        """Whether tokens of kind ``name`` may carry a payload without its purpose.

        Tokens issued before fsec put the purpose into every payload hold a bare list.
        Their kind is known only from the salt they were signed with, so they are
        accepted only while ``SECURITY_<NAME>_SALT`` differs from every other
        ``SECURITY_*_SALT`` (``PASSWORD_SALT`` aside): with two equal salts a token of
        one kind would pass as the other (issue: a reset link used as an auth token).
        """
        own_key = "SECURITY_" + name.upper() + "_SALT"
        config = self.app.config
        own = config.get(own_key)
        return not any(
            value == own
            for key, value in config.items()
            if key.startswith("SECURITY_")
            and key.endswith("_SALT")
            and key not in (own_key, "SECURITY_PASSWORD_SALT")
        )

    def dumps_token(self, name: str, purpose: str, data: list[Any]) -> str:
        """Sign ``{"p": purpose, "d": data}`` with the serializer ``name``.

        :param purpose: what the token is for (``"auth"``, ``"reset"``...); checked by
            :meth:`loads_token`, so a token of one purpose never passes as another even
            when two kinds share a salt.
        :returns: a URL-safe ASCII string (itsdangerous, timestamped).
        """
        return str(self.serializer(name).dumps({"p": purpose, "d": data}))

    def unwrap_payload(self, name: str, purpose: str, payload: Any) -> list[Any] | None:
        """The data of a loaded token payload when it is for ``purpose``, else ``None``.

        A bare list (a token from before purposes) is accepted when
        :meth:`legacy_payloads_allowed`.
        """
        if isinstance(payload, dict):
            if payload.get("p") == purpose and isinstance(payload.get("d"), list):
                return list(payload["d"])
            return None
        if isinstance(payload, list) and self.legacy_payloads_allowed(name):
            return payload
        return None

    def _fingerprint_macs(self) -> list[Any]:
        # One keyed HMAC object per secret key, copied for each call: keying a new one
        # costs several times more (OpenSSL looks the digest up again), on every
        # authenticated request. Rebuilt when SECRET_KEY or its fallbacks change.
        keys = self.secret_keys()
        cached = self._fingerprint_hmac
        if cached is None or cached[0] != keys:
            macs = []
            for key in keys:
                raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
                derived = hmac.new(raw, b"fsec-password-fingerprint", hashlib.sha256).digest()
                macs.append(hmac.new(derived, digestmod=hashlib.sha256))
            cached = self._fingerprint_hmac = (keys, macs)
        return list(cached[1])

    @staticmethod
    def _mac_hex(mac: Any, value: str | bytes | None) -> str:
        mac = mac.copy()
        mac.update(value.encode("utf-8") if isinstance(value, str) else (value or b""))
        return str(mac.hexdigest()[:32])

    def fingerprint(self, value: str | bytes | None) -> str:
        """A 128-bit HMAC-SHA256 of ``value`` (``None`` counts as empty) keyed from
        ``SECRET_KEY``, as 32 hex characters. Reveals nothing about ``value``."""
        return self._mac_hex(self._fingerprint_macs()[0], value)

    def fingerprint_key_index(self, value: str | bytes | None, expected: Any) -> int | None:
        """Which key's :meth:`fingerprint` of ``value`` equals ``expected``: ``0`` for
        ``SECRET_KEY``, ``1``... for ``SECRET_KEY_FALLBACKS``; ``None`` for none
        (constant-time comparisons)."""
        if not isinstance(expected, str):
            return None
        for index, mac in enumerate(self._fingerprint_macs()):
            if hmac.compare_digest(self._mac_hex(mac, value), expected):
                return index
        return None

    def fingerprint_matches(self, value: str | bytes | None, expected: Any) -> bool:
        """Whether ``expected`` is the :meth:`fingerprint` of ``value`` under
        ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS``."""
        return self.fingerprint_key_index(value, expected) is not None

    def access_state(self, user: Any) -> str:
        """What sessions, remember cookies and auth tokens of ``user`` are bound to:
        the password hash and, when the model has upstream's ``fs_uniquifier`` and it
        is set, that value. Changing either ends them all."""
        value = getattr(user, "password", None) or ""
        uniquifier = getattr(user, "fs_uniquifier", None)
        if uniquifier:
            value = f"{value}\x1f{uniquifier}"
        return str(value)

    def password_fingerprint(self, user: Any) -> str:
        """:meth:`fingerprint` of :meth:`access_state`.

        Sessions, remember cookies and auth tokens carry it; any password change (or
        ``fs_uniquifier`` change, see ``UserDatastore.reset_user_access``) changes it,
        which ends them all.
        """
        return self.fingerprint(self.access_state(user))

    def auth_token_for(self, user: Any) -> str:
        """A signed auth token for ``user`` (see :meth:`UserMixin.get_auth_token`).

        Payload ``{"p": "auth", "d": [user id, password fingerprint]}``, signed by the
        ``remember`` serializer.
        """
        return self.dumps_token("remember", "auth", [str(user.id), self.password_fingerprint(user)])

    def user_from_auth_token(self, token: str) -> Any | None:
        """The active user an auth token names, or ``None``.

        Cost: one HMAC verification and one primary-key lookup; no password hash.
        Checks the purpose (``"auth"``), ``SECURITY_TOKEN_MAX_AGE`` (seconds), the
        password fingerprint (constant-time, any of the secret keys) and
        :meth:`login_refusal` (``"token"``).
        """
        try:
            payload = self.serializer("remember").loads(token, max_age=self.config("TOKEN_MAX_AGE"))
        except (BadSignature, SignatureExpired, TypeError, ValueError):
            return None
        data = self.unwrap_payload("remember", "auth", payload)
        if not (
            isinstance(data, list) and len(data) == 2 and all(isinstance(x, str) for x in data)
        ):
            return None
        user = self.datastore.load_user(data[0])
        if user is None or not self.fingerprint_matches(self.access_state(user), data[1]):
            return None
        if self.login_refusal(user, "token") is not None:
            return None
        return user

    # -- authentication rules ------------------------------------------------------

    def login_refusal(self, user: Any, method: str) -> str | None:
        """The message key refusing ``user`` on ``method`` (``fsec_login_allowed``), or None."""
        return self.plugins.hook.fsec_login_allowed(user=user, method=method)

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
        """The form class for ``name`` (``"login_form"``), after app overrides."""
        try:
            return self.forms[name]
        except KeyError:
            raise RuntimeError(
                f"no fsec plugin provides the form {name!r}; is its feature enabled?"
            ) from None

    def render_template(self, template: str, **context: Any) -> str:
        """Render a security page, adding the context processors' values."""
        return render_template(template, **context)

    def _run_context_processors(self, view: str | None) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        for fn in self._context_processors.get(None, ()):
            ctx.update(fn())
        if view is not None:
            for fn in self._context_processors.get(view, ()):
                ctx.update(fn())
        return ctx

    # -- mail ----------------------------------------------------------------------

    def _default_send_mail(
        self, subject: str, recipient: str, template: str, **context: Any
    ) -> None:
        from .mail import send_mail_now

        send_mail_now(self, subject, recipient, template, **context)

    def send_mail_kind(self, name: str, recipient: str, user: Any = None, **context: Any) -> bool:
        """Send a registered mail (``fsec_mails``) unless its switch is off.

        The mail is rendered now and delivered as ``SECURITY_MAIL_DELIVERY`` says
        (after the response outside testing: :mod:`flask_security.mail`). A failure of
        the mail transport is logged (``app.logger``), not raised.

        :returns: whether a mail was rendered and handed over (inline: delivered).
        :raises KeyError: no plugin registered a mail called ``name``.
        """
        subject_key, enabled_key = self.mails[name]
        if enabled_key is not None and not self.config(enabled_key):
            return False
        context.setdefault("user", user)
        self.plugins.hook.fsec_mail_context(name=name, user=user, context=context)
        from .babel import gettext

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
        """
        from .mail import run_after_response

        run_after_response(self, fn, user, kind)

    # -- documented decorators -----------------------------------------------------

    def send_mail_task(self, fn: Callable[[Message], Any]) -> Callable[[Message], Any]:
        """Register ``fn(message)`` to send mails (e.g. through a task queue)."""
        self._send_mail_task = fn
        return fn

    def mail_context_processor(
        self, fn: Callable[[], dict[str, Any]]
    ) -> Callable[[], dict[str, Any]]:
        """Register ``fn() -> dict`` adding values to every mail's context."""
        self._mail_context_processors.append(fn)
        return fn

    def unauthorized_handler(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Register ``fn()`` answering when a user lacks a required role or credential."""
        self._unauthorized_callback = fn
        return fn

    def context_processor(self, fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        """Register ``fn() -> dict`` for every security page."""
        self._context_processors.setdefault(None, []).append(fn)
        return fn

    def add_context_processor(self, view: str, fn: Callable[[], dict[str, Any]]) -> None:
        """Register ``fn() -> dict`` for the security page ``view`` (``"login"``)."""
        self._context_processors.setdefault(view, []).append(fn)

    def __getattr__(self, name: str) -> Any:
        # 3.0 attribute names: remember_token_serializer, reset_serializer, ...
        if name.endswith("_serializer") and not name.startswith("_"):
            kind = name[: -len("_serializer")]
            kind = "remember" if kind == "remember_token" else kind
            try:
                return self.serializer(kind)
            except KeyError:
                raise AttributeError(name) from None
        # login_context_processor, register_context_processor, ... (documented).
        suffix = "_context_processor"
        if name.endswith(suffix) and not name.startswith("_"):
            view = name[: -len(suffix)]

            def decorator(fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
                self.add_context_processor(view, fn)
                return fn

            return decorator
        raise AttributeError(name)


#: The name this class had before it was public.
_SecurityState = SecurityState


class Security:
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
    ``init_app`` (in 3.0 they were lost with the factory pattern).
    """

    def __init__(
        self,
        app: Flask | None = None,
        datastore: Any = None,
        register_blueprint: bool = True,
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.datastore = datastore
        self._register_blueprint = register_blueprint
        self._kwargs = kwargs
        self._state: SecurityState | None = None
        self._deferred: list[Callable[[SecurityState], Any]] = []
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
        """
        from .setup import build_state

        datastore = datastore if datastore is not None else self.datastore
        if datastore is None:
            raise RuntimeError("Security.init_app needs a datastore")
        self.datastore = datastore
        if register_blueprint is None:
            register_blueprint = self._register_blueprint
        options = {**self._kwargs, **kwargs}
        state = build_state(app, datastore, bool(register_blueprint), options)
        for fn in self._deferred:
            fn(state)
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

    def _defer(self, apply: Callable[[SecurityState], Any]) -> None:
        self._deferred.append(apply)
        if self._state is not None:
            apply(self._state)

    # Decorators usable before init_app (factory pattern): applied to every state.
    def send_mail_task(self, fn: Callable[[Message], Any]) -> Callable[[Message], Any]:
        """See :meth:`SecurityState.send_mail_task`."""
        self._defer(lambda s: s.send_mail_task(fn))
        return fn

    def mail_context_processor(
        self, fn: Callable[[], dict[str, Any]]
    ) -> Callable[[], dict[str, Any]]:
        """See :meth:`SecurityState.mail_context_processor`."""
        self._defer(lambda s: s.mail_context_processor(fn))
        return fn

    def unauthorized_handler(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """See :meth:`SecurityState.unauthorized_handler`."""
        self._defer(lambda s: s.unauthorized_handler(fn))
        return fn

    def context_processor(self, fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        """See :meth:`SecurityState.context_processor`."""
        self._defer(lambda s: s.context_processor(fn))
        return fn

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        suffix = "_context_processor"
        if name.endswith(suffix) and not name.startswith("_"):
            view = name[: -len(suffix)]

            def decorator(fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
                self._defer(lambda s: s.add_context_processor(view, fn))
                return fn

            return decorator
        state = self.__dict__.get("_state")
        if state is None:
            raise AttributeError(name)
        state = self._current_state()
        return getattr(state, name)


def _user_loader(alternative_id: str) -> Any | None:
    """Flask-Login user loader of the current app (3.0 name, for custom login managers)."""
    return current_app.extensions["security"]._load_user_from_session(alternative_id)


def _request_loader(request: Any) -> Any | None:
    """Flask-Login request loader (auth token) of the current app (3.0 name)."""
    return current_app.extensions["security"]._load_user_from_request(request)


def resolve_form_override(value: Any) -> type:
    """A form class from config: the class itself or a dotted import path."""
    return import_string(value) if isinstance(value, str) else value


def template_loader(folders: list[str]) -> ChoiceLoader:
    """A Jinja loader searching ``folders`` in order."""
    return ChoiceLoader([FileSystemLoader(f) for f in folders])


__all__ = [
    "FORM_NAMES",
    "AnonymousUser",
    "RoleMixin",
    "Security",
    "SecurityState",
    "UserMixin",
    "_SecurityState",
    "current_user",
]
