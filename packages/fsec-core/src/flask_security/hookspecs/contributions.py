"""The contribution hooks (``fsec_config_defaults`` ... ``fsec_datastores``): called once
per :class:`~flask_security.state.SecurityState` during ``init_app``, each with a
``register`` callable bound to the calling plugin (see :mod:`flask_security.hookspecs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .markers import hookspec

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask import Blueprint, Flask

    from ..state import SecurityState


@hookspec
def fsec_config_defaults(register: Callable[[str, Any], None], app: Flask) -> None:
    """Contribute configuration defaults.

    Called during ``init_app`` before any other contribution hook.

    :param register: ``register(key, default)``; ``key`` is the name **without** the
        ``SECURITY_`` prefix, e.g. ``register("RESET_URL", "/reset")``. The default is
        applied with ``app.config.setdefault("SECURITY_" + key, default)``, so the
        application's own configuration always wins.
    :param app: the Flask application being initialised.
    :returns: ``None``.
    """


@hookspec
def fsec_messages(register: Callable[[str, tuple[str, str]], None]) -> None:
    """Contribute user-facing messages.

    :param register: ``register(key, (text, category))``; ``key`` without the
        ``MSG_`` prefix (``"INVALID_PASSWORD"``); ``category`` is the flash category
        (``"error"``, ``"info"``, ``"success"``). ``text`` may hold ``%(name)s``
        placeholders. The application overrides a message with
        ``SECURITY_MSG_<KEY> = (text, category)``.
    :returns: ``None``.
    """


@hookspec
def fsec_forms(register: Callable[[str, type], None]) -> None:
    """Contribute form classes.

    :param register: ``register(name, form_class)``, ``name`` being the documented
        keyword, e.g. ``"login_form"``. The application overrides the class with the
        ``Security(..., login_form=MyForm)`` keyword or ``SECURITY_LOGIN_FORM`` config
        (class or dotted import path), in that order of precedence.
    :returns: ``None``.
    """


@hookspec
def fsec_views(
    register: Callable[..., None],
    blueprint: Blueprint,
    state: SecurityState,
) -> None:
    """Contribute views to the security blueprint.

    :param register: ``register(endpoint, rule, view_func, methods=("GET", "POST"),
        **options)``. ``endpoint`` is the name inside the blueprint (``"login"`` gives
        ``security.login``); ``rule`` is the URL rule, usually read from config
        (``config_value("RESET_URL", state.app)``); ``options`` go to
        ``Blueprint.add_url_rule``.
    :param blueprint: the blueprint being built (read-only use, e.g. its name).
    :param state: the security state; ``config_value(key, state.app)``
        (:func:`flask_security.utils.config_value`) reads ``SECURITY_<key>``.
    :returns: ``None``. Called only when ``register_blueprint`` is true.
    """


@hookspec
def fsec_template_folders(register: Callable[[str], None]) -> None:
    """Contribute folders searched for ``security/...`` templates (pages and mails).

    :param register: ``register(path)`` with an absolute folder path holding a
        ``security/`` sub-folder. Plugin folders are searched before core's; the
        application's own ``templates/`` folder is searched before all of them, so an
        app overrides any template by creating a file with the same name.
    :returns: ``None``.
    """


@hookspec
def fsec_static_folders(register: Callable[[str], None]) -> None:
    """Contribute folders of static files (scripts, styles) the pages load, served by
    core's ``static`` endpoint at ``SECURITY_STATIC_FOLDER_URL`` (upstream 5.x:
    ``/fs-static``) under the security blueprint: a template links to
    ``url_for_security("static", filename="webauthn.js")``.

    :param register: ``register(path)`` with an absolute folder path. A file name is
        looked up in the folders in plugin order; the first folder holding it serves
        it. Names that leave the folder (``../``) are refused (``404``).
    :returns: ``None``.
    """


@hookspec
def fsec_translation_directories(register: Callable[[str, str], None]) -> None:
    """Make a plugin's gettext catalogues known, so its strings are translated.

    Each distribution carries its own catalogues for its own strings (messages, form
    labels, page texts, mail subjects and bodies), compiled with Babel into
    ``<folder>/<locale>/LC_MESSAGES/<domain>.mo`` inside its wheel
    (``scripts/i18n.py`` extracts, updates, compiles and checks them). Core merges the
    catalogues of core and of every enabled plugin for the request's locale (see
    :mod:`flask_security.babel`: ``SECURITY_I18N_DIRNAME``'s ``"builtin"``), so
    :func:`flask_security.babel.gettext`, ``lazy_gettext``, ``get_message`` and the
    templates' ``_fsdomain`` find a plugin's strings without naming its domain.

    :param register: ``register(folder, domain)``: ``folder`` is the absolute path of
        the folder holding the ``<locale>/`` sub-folders (usually
        ``os.path.join(os.path.dirname(__file__), "translations")``); ``domain`` the
        catalogues' file name without ``.mo`` (fsec's first-party plugins use their
        import package name, ``"fsec_recoverable"``; core's is ``"flask_security"``).
        Catalogues registered later win for a message two of them translate (core's
        come first).
    :returns: ``None``.
    """


@hookspec
def fsec_mails(register: Callable[..., None]) -> None:
    """Describe the mails a plugin sends.

    :param register: ``register(name, subject_key, enabled_key=None, links=False)``:
        ``name`` is the template base name (``"reset_instructions"`` renders
        ``security/email/reset_instructions.txt`` and ``.html``); ``subject_key`` is the
        config key holding the subject (``"EMAIL_SUBJECT_PASSWORD_RESET"``);
        ``enabled_key`` the boolean config key that switches the mail off, if any;
        ``links=True`` says the mail carries links into the site (build them with
        ``flask_security.utils.external_url_for``): while such a mail is on, start-up
        requires a trusted host (``SECURITY_EXTERNAL_BASE_URL``, ``SERVER_NAME`` or
        ``TRUSTED_HOSTS``) outside debug and testing.
        Registered mails are sent with :meth:`SecurityState.send_mail_kind`.
    :returns: ``None``.
    """


@hookspec
def fsec_cli_commands(register: Callable[[str, click.Command], None]) -> None:
    """Contribute ``flask`` CLI commands.

    :param register: ``register(group, command)`` where ``group`` is ``"users"`` (the
        group named by ``SECURITY_CLI_USERS_NAME``), ``"roles"``
        (``SECURITY_CLI_ROLES_NAME``) or ``"security"`` (always ``flask security``).
        A group whose configured name is ``False`` is not added and its commands are
        dropped.
    :returns: ``None``.
    """


@hookspec
def fsec_signals(register: Callable[[str, Any], None]) -> None:
    """Make a plugin's own blinker signals known by name.

    The documented signals live in :mod:`flask_security.signals`; a plugin that
    defines more (say ``account_locked``) registers them so they are listed by
    ``flask security plugins`` and reachable as ``state.signals[name]``.

    :param register: ``register(name, signal)``.
    :returns: ``None``.
    """


@hookspec
def fsec_datastores(register: Callable[[str, type], None]) -> None:
    """Make datastore classes known by name.

    :param register: ``register(class_name, datastore_class)``; the name must be the
        one the class is imported by (``"SQLAlchemyUserDatastore"``).
    :returns: ``None``.
    """
