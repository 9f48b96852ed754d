"""Hook specifications of the fsec plugin host.

Every plugin (first-party features and stores, third-party plugins, and core itself)
talks to :class:`flask_security.Security` only through the hooks below. A plugin is a
module (the target of an entry point in the ``flask_security`` group) holding
functions decorated with :data:`flask_security.hookimpl` whose names match these
specs.

There are two kinds of hooks.

*Contribution hooks* (``fsec_config_defaults`` ... ``fsec_datastores``) are called once
per :class:`~flask_security.state.SecurityState`, during ``init_app``, in plugin order
(plugins before core, because core's implementations are ``trylast``). Each receives a
``register`` callable bound to the calling plugin, so the host knows who contributed
what. Registering a name that another (non-core) plugin already registered is a
:class:`~flask_security.plugins.PluginError`; a plugin registering a name that core
registers replaces core's contribution (that is how passwordless replaces the ``login``
view). Contribution hooks return ``None``.

*Lifecycle hooks* (``fsec_init_app`` and the ``fsec_*`` events after it) are ordinary
pluggy hooks called while the app runs. Each docstring says when it is called, what it
gets, what it returns and whether the first non-``None`` result wins.

Adding a hook here is how core grows: a feature never reaches into core's private
state, it asks for a general hook. Every hook has a section in ``docs/`` and a test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask import Blueprint, Flask

    from .state import SecurityState

#: The project name pluggy uses, equal to the entry-point group name.
PROJECT_NAME = "flask_security"

#: The marker of hook specifications (fsec's own, in this module).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: The marker a plugin puts on its hook implementations: ``@hookimpl`` (pluggy's
#: options apply: ``@hookimpl(tryfirst=True)``, ``trylast``, ``wrapper``).
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# --------------------------------------------------------------------------------------
# Contribution hooks: called once per Security state during init_app.
# --------------------------------------------------------------------------------------


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
        (``state.config("RESET_URL")``); ``options`` go to ``Blueprint.add_url_rule``.
    :param blueprint: the blueprint being built (read-only use, e.g. its name).
    :param state: the security state; ``state.config(key)`` reads ``SECURITY_<key>``.
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


# --------------------------------------------------------------------------------------
# Lifecycle hooks: called while the application runs.
# --------------------------------------------------------------------------------------


@hookspec
def fsec_init_app(app: Flask, state: SecurityState) -> None:
    """Finish setting up a plugin for one application.

    Called at the end of ``init_app``, after every contribution was collected. This
    is the place to validate the models (raise ``RuntimeError`` with a clear message
    when a required field is missing) or connect request hooks.

    :returns: ``None``; all implementations are called.
    """


@hookspec(firstresult=True)
def fsec_login_refusal(user: Any, method: str) -> str | None:
    """Refuse ``user`` on ``method`` now: the key of the refusal, or ``None`` to let
    the authentication go on (named ``fsec_login_allowed`` until fsec 0.1).

    Called on **every** authentication path: ``method`` is one of ``"form"`` (login
    form or JSON login), ``"session"`` (a user loaded from the session or the remember
    cookie), ``"token"``, ``"basic"``, or a plugin's own path (``"passwordless"``,
    ``"confirm"``, ``"reset"``...). Core refuses inactive accounts here.

    **The rule for password paths** (``"form"``, ``"basic"``; issue 15 item 2): core
    asks this hook *before* the password counts
    (:func:`flask_security.utils.authenticate_password`). When it refuses, the
    password is still verified (so the attempt costs the same time), the answer is the
    refusal whatever the password was, and ``fsec_login_failed`` and
    ``fsec_login_refused`` are both called for every such attempt. A plugin must keep
    it that way:

    * decide from the account's state only, never from whether the password was
      right (the hook does not get it), and do the same work for every attempt: a
      refusal that depends on the password, or costs more for the right one, turns
      the refusal into an oracle that confirms a guess;
    * count refused attempts too (``fsec_login_failed`` is called for them), so that
      guessing while an account is locked is not free;
    * refuse only the paths the refusal is about. A lock against password guessing
      should return ``None`` for ``"session"`` and ``"token"``: refusing those lets
      anyone sign a victim out of every device by typing wrong passwords (item 3).
      A disabled account, on the other hand, is refused everywhere.

    A refusal tells whoever typed the identity that the account is in that state
    (locked, disabled, unconfirmed) whatever the password; a plugin that must not
    reveal it can return ``"INVALID_PASSWORD"``, which answers exactly like a wrong
    password. fsec's :class:`~flask_security.testing.FeatureContract` checks the rule
    for every plugin.

    :param user: the user object (the identity was found).
    :param method: the authentication path (see above).
    :returns: ``None`` to allow, or a message key (``"DISABLED_ACCOUNT"``,
        ``"CONFIRMATION_REQUIRED"``...) to refuse; the first key returned wins and is
        shown to the user through :func:`flask_security.utils.get_message`.
    """


#: Former hook name -> current name. The former names stay specified (with a
#: ``DeprecationWarning`` when a plugin implements one) and are still called.
RENAMED_HOOKS: dict[str, str] = {"fsec_login_allowed": "fsec_login_refusal"}


@hookspec(
    firstresult=True,
    warn_on_impl=DeprecationWarning(
        "the fsec hook fsec_login_allowed is now called fsec_login_refusal (it returns a "
        "refusal, not a yes or no); rename the implementation"
    ),
)
def fsec_login_allowed(user: Any, method: str) -> str | None:
    """The name :func:`fsec_login_refusal` had until fsec 0.1 (it returns a refusal
    key, not whether the login is allowed). Implementations under this name are still
    asked, after every ``fsec_login_refusal`` one found nothing to refuse, and pluggy
    warns (``DeprecationWarning``) when a plugin registers one.

    :returns: ``None`` to allow, or a message key to refuse, as ``fsec_login_refusal``.
    """


@hookspec
def fsec_login_failed(user: Any | None, identity: str, method: str) -> None:
    """Called when a password login attempt fails (form, JSON or basic): a wrong
    password, an unknown identity, or any password for an account that
    ``fsec_login_refusal`` refuses (the same call whatever the password was).

    :param user: the user the identity named, or ``None`` when no such user exists.
    :param identity: the identity as given by the client.
    :param method: ``"form"`` or ``"basic"``.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_refused(user: Any, method: str, reason: str) -> None:
    """Called when ``fsec_login_refusal`` refused an interactive login.

    For observers (audit logs, alerts): the refusal itself comes from
    ``fsec_login_refusal``. On password paths it is called for every attempt on a
    refused account, whatever the password (which it is not told: see the rule in
    ``fsec_login_refusal``). Called on interactive paths only — the login form and
    JSON login (``"form"``), HTTP Basic (``"basic"``) and
    :func:`flask_security.utils.login_user` (``"register"``, ``"confirm"``,
    ``"reset"``, ``"passwordless"``...) — not for every request carrying a session
    or token of a refused account.

    :param reason: the refusing message key (``"DISABLED_ACCOUNT"``...).
    :returns: ``None``; all implementations are called.
    """


@hookspec(firstresult=True)
def fsec_login_next_step(user: Any, method: str, completed: tuple[str, ...]) -> Any:
    """Say whether ``user`` must take a further step (a second factor) before the login
    completes.

    Asked by :func:`flask_security.login_steps.begin_login` once the first factor was
    proven and ``fsec_login_refusal`` allowed it (``completed == ()``), again by
    :func:`~flask_security.login_steps.complete_login_step` each time a step succeeded
    (``completed`` names the steps done, in order), and by HTTP Basic
    (``method == "basic"``: a step returned there refuses the request, since Basic
    cannot show one).

    A plugin offering a second factor returns its step while the user has that
    factor set up (or must set one up) and none of ``completed`` is a step of its
    own; it returns ``None`` otherwise, so that a user with two factors is asked for
    one. Decide from the account's stored state only; the hook must not change it.

    :param user: the user whose first factor was proven.
    :param method: the first factor's path (``"form"``, ``"passwordless"``,
        ``"confirm"``, ``"reset"``, ``"register"``, ``"basic"``, ``"webauthn"``...).
    :param completed: names of the steps completed in this login so far.
    :returns: a :class:`flask_security.login_steps.LoginStep`, or ``None`` for no
        further step. The first step returned wins.
    """


@hookspec
def fsec_login_pending(user: Any, step: Any, method: str) -> None:
    """Called when a login became pending on ``step`` (a
    :class:`~flask_security.login_steps.LoginStep`), after the session record was
    written: the step's plugin sends its code here (two-factor mails or texts one).
    Other plugins ignore steps they do not own (compare ``step.name``).

    :param user: the user whose login is pending.
    :param method: the first factor's path.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_step_failed(user: Any, step: str, method: str, attempts: int, reason: str) -> None:
    """Called by :func:`flask_security.login_steps.fail_login_step` for each failed
    attempt at a pending login's step (a wrong two-factor code). The datastore is
    committed afterwards. The lockout example plugin counts it like a wrong password.

    :param user: the pending login's user.
    :param step: the step's name (``"tf_validate"``).
    :param method: the first factor's path.
    :param attempts: failed attempts at this step in this pending login, this one
        included; at ``SECURITY_PENDING_LOGIN_MAX_ATTEMPTS`` the pending login is
        dropped right after this call.
    :param reason: a short word from the step's plugin (``"invalid_code"``).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_after_login(user: Any, method: str) -> None:
    """Called by :func:`flask_security.utils.login_user` after a session login.

    Not called for per-request token or basic authentication. The view commits the
    datastore afterwards, so changes to ``user`` (login statistics) are saved.

    :param method: ``"form"``, ``"passwordless"``, ``"confirm"``, ``"reset"``,
        ``"register"`` ... (the path that logged the user in).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_after_logout(user: Any) -> None:
    """Called by :func:`flask_security.utils.logout_user` (the ``/logout`` view and
    apps calling it) after the session and remember cookie were cleared.

    :param user: the user who logged out.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_user_access_reset(user: Any) -> None:
    """Called by :meth:`flask_security.datastore.UserDatastore.reset_user_access`
    (also ``flask users reset-access``) after the user's ``fs_uniquifier`` was renewed,
    before the caller commits: every session, remember cookie and auth token of the
    user is already void. Revoke what your plugin keeps for the user on top of those
    (second-factor secrets, server-side sessions, refresh tokens), putting changes
    into the datastore; the password is not to be changed (upstream 5.x semantics).

    :param user: the user whose access was reset.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_state(user: Any) -> str | None:
    """Describe what a plugin records about ``user``'s logins, as a string that
    changes at every session login (every :func:`flask_security.utils.login_user`).

    A plugin that saves something on each login in ``fsec_after_login`` (trackable:
    ``login_count`` and ``current_login_at``) implements this. Tokens that must work
    only until the user's next login (one-time login links) are bound to
    :func:`flask_security.utils.login_state`; a plugin needing that can check
    ``state.plugins.implemented()`` at ``fsec_init_app`` for a provider.

    :returns: the string, or ``None`` when the plugin records nothing for this user.
        All non-``None`` results are combined (in hook call order).
    """


@hookspec(firstresult=True)
def fsec_consume_login_state(user: Any, expected: dict[str, Any]) -> bool | None:
    """Record a login of ``user`` now, only if its stored login state is still the one
    ``user`` was loaded with, in one atomic
    :meth:`~flask_security.datastore.Datastore.compare_and_set`.

    Called by :func:`flask_security.utils.consume_login_state` when a one-time link
    bound to :func:`~flask_security.utils.login_state` is used (passwordless login):
    of several requests using the same link at the same instant, exactly one gets
    ``True``. The plugin that implements ``fsec_login_state`` implements this too
    (trackable: ``UPDATE ... SET login_count = login_count + 1, current_login_at =
    ... WHERE id = ? AND login_count = <loaded value>``), and must not record the
    same login again when ``login_user`` then calls ``fsec_after_login`` in this
    request.

    :param expected: further ``{field: value}`` the stored row must still hold
        (passwordless: ``{"password": <loaded hash>}``), checked in the same write.
    :returns: ``True`` when the login was recorded; ``False`` when the stored state
        moved on (the link was used, or the user logged in or changed password
        meanwhile): nothing was written; ``None`` when the plugin records no logins.
        The first non-``None`` result is used.
    """


@hookspec
def fsec_password_changed(user: Any, reason: str) -> None:
    """Called after a user's password hash changed and was committed.

    Called through :func:`flask_security.utils.announce_password_changed`, by core's
    change password, by password recovery, and by any plugin that sets a password in
    a flow of its own (an invitation accepted), so implementations hear of every new
    password, whoever set it.

    :param reason: ``"change"`` (the change-password view), ``"reset"`` (password
        recovery), ``"cli"`` or a plugin's own word (``"invite"``).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_user_registered(user: Any, data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Called after a new user was created by registration (and committed).

    :param data: the validated registration data (form fields).
    :returns: a mapping of extra values for the ``user_registered`` signal and the
        welcome mail context (confirmable returns ``{"confirm_token": ...,
        "confirmation_link": ...}``), or ``None``. All results are merged.
    """


@hookspec
def fsec_mail_context(name: str, user: Any | None, context: dict[str, Any]) -> None:
    """Adjust the context of a mail before it is rendered.

    :param name: the mail's template base name (``"welcome"``).
    :param user: the recipient user, when known.
    :param context: the context dict; modify it in place.
    :returns: ``None``.
    """


@hookspec
def fsec_view_links(view: str, state: SecurityState) -> list[tuple[str, str]] | None:
    """Contribute links shown under a security page's form.

    :param view: the page, e.g. ``"login"``, ``"register"``; ``"login.password"``
        asks for links that become the login form's password field description
        (shown under the field; 3.0's place for "Forgot password?").
    :returns: a list of ``(label, url)`` pairs, or ``None``. Recoverable adds
        "Forgot password?" to the login form's password field this way.
    """


@hookspec
def fsec_blueprint_created(blueprint: Blueprint, state: SecurityState) -> None:
    """Called once the security blueprint holds every view, before it is registered.

    :returns: ``None``. Use it for ``before_request`` handlers scoped to the
        blueprint or error handlers.
    """


@hookspec
def fsec_json_response(endpoint: str | None, payload: dict[str, Any], status: int) -> None:
    """Adjust the ``response`` part of a JSON answer before it is sent.

    Called by :func:`flask_security.views.json_response` (and so by
    :func:`~flask_security.views.json_error`), which every built-in and feature view
    uses for its JSON answers, success and error alike. A plugin adds its own keys
    (the lockout example adds ``"lockout": {"locked_until": ..., "retry_after": ...}``
    to a refused login); it should not remove or rename keys other plugins put there.

    :param endpoint: the request's endpoint (``"security.login"``), or ``None``
        outside a request routed to a view.
    :param payload: the dict sent as ``response`` (``{"errors": {...}}`` for an
        error); modify it in place.
    :param status: the HTTP status about to be sent (also ``meta.code``).
    :returns: ``None``; all implementations are called.
    """


__all__ = [
    "PROJECT_NAME",
    "RENAMED_HOOKS",
    "hookimpl",
    "hookspec",
]
