"""Assembling an application's :class:`~flask_security.state.SecurityState` from its
plugins (``Security.init_app``'s work): discover and enable plugins, collect their
contributions (defaults, messages, forms, mails, signals, stores, templates), set up
Flask-Login and Flask-Principal, then build the complete state in one step and wire
the blueprint and CLI groups of the app to it."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Flask
from flask.cli import AppGroup, with_appcontext
from flask_login import LoginManager
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.utils import import_string

from . import plugins as _plugins
from .babel import TRANSLATIONS_DIR, _fsdomain, current_language, format_period
from .cli import BadInput
from .config import CORE_DEFAULTS, config_value, read_bool_settings
from .decorators import check_api_enabled_methods, handle_unauthenticated
from .identity import _LoginManager, _Principal, _request_loader, _user_loader
from .mail import delivery_mode
from .mixins import AnonymousUser
from .password_schemes import with_installed_argon2
from .passwords import PasswordHasher
from .startup_reports import log_replacements, log_unread_settings
from .state import FORM_NAMES, SecurityState
from .utils import check_link_host, has_forbidden_characters, url_for_security

_CLI_GROUPS = {"users": "CLI_USERS_NAME", "roles": "CLI_ROLES_NAME", "security": None}
_CLI_HELP = {
    "users": "Manage fsec users.",
    "roles": "Manage fsec roles.",
    "security": "fsec (Flask-Security) tools.",
}


def build_state(
    app: Flask, datastore: Any, register_blueprint: bool, options: dict[str, Any]
) -> SecurityState:
    """Build and install the :class:`SecurityState` for ``app`` (see ``Security.init_app``)."""
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("fsec needs app.config['SECRET_KEY'] (a long random value)")
    available = _plugins.discover()
    # Flags are parsed before they choose plugins: "False" must not enable a feature.
    read_bool_settings(app.config, _plugins.FEATURE_FLAGS)
    names = _plugins.enabled_plugin_names(app.config, datastore, available)
    host = _plugins.PluginHost.create(names, available)

    parts = _collect_contributions(app, host, options)
    config = app.config
    password_hasher = PasswordHasher(
        scheme=config.get("SECURITY_PASSWORD_HASH"),
        schemes=with_installed_argon2(
            config.get("SECURITY_PASSWORD_SCHEMES"), CORE_DEFAULTS["PASSWORD_SCHEMES"]
        ),
        deprecated=config.get("SECURITY_DEPRECATED_PASSWORD_SCHEMES"),
        options=config.get("SECURITY_PASSWORD_HASH_OPTIONS"),
        salt=config.get("SECURITY_PASSWORD_SALT"),
        single_hash=config.get("SECURITY_PASSWORD_SINGLE_HASH"),
        normalize_form=config.get("SECURITY_PASSWORD_NORMALIZE_FORM"),
    )
    if config.get("SECURITY_I18N_DIRNAME") is None:
        # 3.0's documented default: core's translations folder, which stands for every
        # distribution's built-in catalogues (flask_security.babel).
        config["SECURITY_I18N_DIRNAME"] = TRANSLATIONS_DIR
    _cookie_defaults(app)
    previous = app.extensions.get("security")
    if previous is None:
        login_manager = _setup_login_manager(app, options)
        principal = _Principal(app)
    else:
        # A second init_app (3.0 allowed it): keep the request hooks of the first,
        # which read the current state through the app.
        login_manager = previous.login_manager
        principal = previous.principal
    cli_groups = _cli_groups(app, host)
    state = SecurityState(
        app,
        datastore,
        host,
        password_hasher=password_hasher,
        login_manager=login_manager,
        principal=principal,
        cli_groups=cli_groups,
        # The keyword arguments given to Security, for plugins reading their own
        # (upstream 5.x's webauthn_util_cls...).
        init_options=options,
        **parts,
    )
    # The views are collected with the finished state (fsec_views receives it).
    _setup_blueprint(app, state, register_blueprint)
    for group in cli_groups.values():
        app.cli.add_command(group)
    if "mail" not in app.extensions:
        from flask_mail import Mail  # (heavy: only when the app has no Mail yet)

        Mail(app)
    if app.jinja_env.globals.get("url_for_security") is not url_for_security:
        app.add_template_global(url_for_security, "url_for_security")
    log_replacements(state)
    log_unread_settings(state)
    # The default templates' logout form carries the CSRF token (also without
    # Flask-WTF's CSRFProtect, which would add its own csrf_token global).
    app.add_template_global(generate_csrf, "fsec_csrf_token")
    # Templates translate with _fsdomain("text", name=value) (upstream 5.x's name); it
    # works without Flask-Babel (then only formatting).
    app.add_template_global(_fsdomain, "_fsdomain")
    app.add_template_global(current_language, "fsec_language")
    app.add_template_global(format_period, "fsec_period")
    app.extensions["security"] = state
    host.hook.fsec_init_app(app=app, state=state)
    check_link_host(app, state)
    delivery_mode(state)  # a bad SECURITY_MAIL_DELIVERY fails at start-up
    check_api_enabled_methods(app)
    return state


def _collect_contributions(
    app: Flask, host: _plugins.PluginHost, options: dict[str, Any]
) -> dict[str, Any]:
    """What the enabled plugins contribute, as keyword arguments of
    :class:`SecurityState` (config defaults are put into ``app.config`` here)."""
    contributions: dict[str, dict[str, str]] = {}

    def record(hook: str, items: dict[Any, _plugins.Contribution]) -> None:
        contributions[hook] = {str(k): c.plugin for k, c in items.items()}

    defaults = host.collect("fsec_config_defaults", app=app)
    for key, c in defaults.items():
        owner = _plugins.FEATURE_FLAGS.get(str(key))
        if owner is not None and c.plugin not in (owner, _plugins.CORE_PLUGIN):
            raise _plugins.PluginError(
                f"fsec plugin {c.plugin!r} registers a default for SECURITY_{key}, the "
                f"flag of the feature {owner!r}: only the application switches it on"
            )
        app.config.setdefault("SECURITY_" + key, c.value)
    read_bool_settings(app.config, [str(k) for k, c in defaults.items() if type(c.value) is bool])
    record("fsec_config_defaults", defaults)

    messages = host.collect("fsec_messages")
    message_defaults = {k: c.value for k, c in messages.items()}
    # 3.0 put every default message into app.config (setdefault): apps and their
    # tests read ``app.config["SECURITY_MSG_<KEY>"]``; the app's own value wins.
    for key, value in message_defaults.items():
        app.config.setdefault("SECURITY_MSG_" + key, value)
    message_fills: dict[str, tuple[str, str]] = {}
    text, category = app.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"]
    if "%(min)s" in text or "%(max)s" in text:
        # 3.0's message had no placeholder, and apps (and 3.0's tests) format these
        # config values with the documented placeholders only: store it with the
        # configured range filled in.
        filled = text.replace(
            "%(min)s", str(app.config.get("SECURITY_PASSWORD_MIN_LENGTH", 6))
        ).replace("%(max)s", str(app.config.get("SECURITY_PASSWORD_MAX_LENGTH", 128)))
        app.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"] = (filled, category)
        # get_message translates the text with placeholders (the catalogues' msgid)
        # while the config keeps this filled-in copy.
        message_fills["PASSWORD_INVALID_LENGTH"] = (filled, text)
    record("fsec_messages", messages)

    forms = host.collect("fsec_forms")
    form_classes = {name: c.value for name, c in forms.items()}
    for name in set(FORM_NAMES) | set(form_classes):
        if options.get(name) is not None:
            form_classes[name] = options[name]
        elif app.config.get("SECURITY_" + name.upper()) is not None:
            form_classes[name] = resolve_form_override(app.config["SECURITY_" + name.upper()])
    record("fsec_forms", forms)

    mails = host.collect("fsec_mails")
    mail_kinds: dict[str, tuple[str, str | None]] = {}
    link_mails: set[str] = set()
    for name, c in mails.items():
        subject_key = c.args[0] if c.args else c.kwargs["subject_key"]
        enabled_key = c.args[1] if len(c.args) > 1 else c.kwargs.get("enabled_key")
        mail_kinds[name] = (subject_key, enabled_key)
        if c.kwargs.get("links"):
            link_mails.add(name)
    record("fsec_mails", mails)

    signals = host.collect("fsec_signals")
    record("fsec_signals", signals)

    stores = host.collect("fsec_datastores")
    record("fsec_datastores", stores)

    catalogues = host.collect_all("fsec_translation_directories")
    # Core's (trylast: collected last) first, then plugins in their order: a later
    # catalogue wins for a message two of them translate.
    ordered = [c for c in catalogues if c.plugin == _plugins.CORE_PLUGIN]
    ordered += [c for c in catalogues if c.plugin != _plugins.CORE_PLUGIN]
    folders = host.collect_all("fsec_template_folders")
    return {
        "forms": form_classes,
        "messages": message_defaults,
        "message_fills": message_fills,
        "mails": mail_kinds,
        "link_mails": link_mails,
        "signals": {k: c.value for k, c in signals.items()},
        "datastores": {k: c.value for k, c in stores.items()},
        "template_folders": [c.args[0] for c in folders],
        "translation_directories": [(str(c.args[0]), str(c.args[1])) for c in ordered],
        "contributions": contributions,
    }


def _cookie_defaults(app: Flask) -> None:
    """``SameSite=Lax`` and ``HttpOnly`` for the session and remember cookies, unless
    the application chose its own.

    ``Lax`` keeps the cookies off cross-site sub-requests and cross-site POSTs (a
    second line against CSRF, OWASP CSRF Prevention Cheat Sheet) while links from
    mails and other sites still arrive signed in; ``HttpOnly`` keeps them from page
    scripts. Flask's default ``SESSION_COOKIE_SAMESITE`` is ``None`` (no attribute),
    so ``None`` counts as unset here: an app that wants no attribute sets ``None``
    after ``init_app``. The ``REMEMBER_COOKIE_*`` keys are Flask-Login's: any value
    the app set (``None`` included) is kept.
    """
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)


def _setup_login_manager(app: Flask, options: dict[str, Any]) -> LoginManager:
    """The app's Flask-Login manager: ``options["login_manager"]`` when given, else
    fsec's, set up to answer through the app's current state."""
    lm: LoginManager | None = options.get("login_manager")
    if lm is None:
        lm = _LoginManager()
        lm.anonymous_user = options.get("anonymous_user") or AnonymousUser
        lm.login_view = f"{app.config.get('SECURITY_BLUEPRINT_NAME')}.login"
        # The app's current state answers (a second init_app replaces it).
        lm.user_loader(_user_loader)
        lm.request_loader(_request_loader)
        lm.unauthorized_handler(handle_unauthenticated)
        lm.init_app(app)
    return lm


def _setup_blueprint(app: Flask, state: SecurityState, register_blueprint: bool) -> None:
    name = state.blueprint_name
    loader = template_loader(state.template_folders)
    if name in app.blueprints or f"{name}_templates" in app.blueprints:
        return  # a second init_app: the first call's blueprint stays
    if not register_blueprint:
        holder = Blueprint(f"{name}_templates", __name__)
        holder.jinja_loader = loader  # type: ignore[misc]
        app.register_blueprint(holder)
        return
    bp = Blueprint(
        name,
        __name__,
        url_prefix=config_value("URL_PREFIX", state.app),
        subdomain=config_value("SUBDOMAIN", state.app),
    )
    bp.jinja_loader = loader  # type: ignore[misc]
    views = state.plugins.collect("fsec_views", blueprint=bp, state=state)
    for endpoint, c in views.items():
        args, kw = c.args, dict(c.kwargs)
        rule, view_func = args[0], args[1]
        methods = kw.pop("methods", args[2] if len(args) > 2 else ("GET", "POST"))
        bp.add_url_rule(rule, endpoint=endpoint, view_func=view_func, methods=methods, **kw)
    state.contributions["fsec_views"] = {k: c.plugin for k, c in views.items()}
    state.plugins.hook.fsec_blueprint_created(blueprint=bp, state=state)
    app.register_blueprint(bp)


def _refuse_forbidden_text(callback: Any) -> Any:
    """Wrap a command's callback so that an argument or option holding a NUL or an
    unpaired surrogate (what undecodable bytes in ``argv`` become) exits with status
    2 and one line, like any bad input, before the command runs."""

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            values = value if isinstance(value, (tuple, list)) else (value,)
            if any(isinstance(v, str) and has_forbidden_characters(v) for v in values):
                raise BadInput(
                    f"{name.upper()} holds a NUL or undecodable character; give it as plain text"
                )
        return callback(*args, **kwargs)

    return checked


def _ensure_appcontext(command: Any) -> None:
    """Run a contributed command inside the app context (as ``AppGroup.command`` does),
    refusing undecodable text in its arguments (:func:`_refuse_forbidden_text`)."""
    if getattr(command, "_fsec_appcontext", False) or command.callback is None:
        return
    command.callback = with_appcontext(_refuse_forbidden_text(command.callback))
    command._fsec_appcontext = True


def _cli_groups(app: Flask, host: _plugins.PluginHost) -> dict[str, AppGroup]:
    """The CLI groups holding the plugins' commands (``fsec_cli_commands``), by group
    key; a group whose ``SECURITY_CLI_*_NAME`` is ``False`` or ``None`` is left out."""
    commands = host.collect_all("fsec_cli_commands")
    groups: dict[str, AppGroup] = {}
    for c in commands:
        group_key, command = c.args[0], c.args[1]
        config_key = _CLI_GROUPS.get(group_key)
        if group_key not in _CLI_GROUPS:
            raise _plugins.PluginError(
                f"fsec plugin {c.plugin!r} registers a command in unknown group {group_key!r}"
            )
        group_name = "security" if config_key is None else app.config.get("SECURITY_" + config_key)
        if group_name is False or group_name is None:
            continue
        group = groups.get(group_key)
        if group is None:
            group = AppGroup(str(group_name), help=_CLI_HELP[group_key])
            groups[group_key] = group
        if command.name in group.commands:
            raise _plugins.PluginError(
                f"two fsec plugins add the command {group_name} {command.name}"
            )
        _ensure_appcontext(command)
        group.add_command(command)
    return groups


def resolve_form_override(value: Any) -> type:
    """A form class from config: the class itself or a dotted import path."""
    return import_string(value) if isinstance(value, str) else value


def template_loader(folders: list[str]) -> ChoiceLoader:
    """A Jinja loader searching ``folders`` in order."""
    return ChoiceLoader([FileSystemLoader(f) for f in folders])
