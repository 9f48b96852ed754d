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

The specifications live in three modules, all importable from here (pluggy reads them
from this package): :mod:`.contributions`, :mod:`.login` (a login's lifecycle) and
:mod:`.lifecycle` (the other events); the markers in :mod:`.markers`.
"""

from __future__ import annotations

# isort: off
# In the reference page's order (contribution hooks, then the lifecycle hooks in
# the order an app meets them).
from .markers import PROJECT_NAME, hookimpl, hookspec
from .contributions import (
    fsec_config_defaults,
    fsec_messages,
    fsec_forms,
    fsec_views,
    fsec_template_folders,
    fsec_static_folders,
    fsec_translation_directories,
    fsec_mails,
    fsec_cli_commands,
    fsec_signals,
    fsec_datastores,
)
from .lifecycle import fsec_init_app
from .login import (
    fsec_login_refusal,
    fsec_login_allowed,
    fsec_login_failed,
    fsec_login_refused,
    fsec_login_next_step,
    fsec_login_pending,
    fsec_login_step_failed,
    fsec_after_login,
    fsec_after_logout,
    fsec_user_access_reset,
    fsec_login_state,
    fsec_consume_login_state,
    RENAMED_HOOKS,
)
from .lifecycle import (
    fsec_password_changed,
    fsec_user_registered,
    fsec_mail_context,
    fsec_view_links,
    fsec_blueprint_created,
    fsec_json_response,
)
# isort: on

__all__ = [
    "PROJECT_NAME",
    "RENAMED_HOOKS",
    "fsec_after_login",
    "fsec_after_logout",
    "fsec_blueprint_created",
    "fsec_cli_commands",
    "fsec_config_defaults",
    "fsec_consume_login_state",
    "fsec_datastores",
    "fsec_forms",
    "fsec_init_app",
    "fsec_json_response",
    "fsec_login_allowed",
    "fsec_login_failed",
    "fsec_login_next_step",
    "fsec_login_pending",
    "fsec_login_refusal",
    "fsec_login_refused",
    "fsec_login_state",
    "fsec_login_step_failed",
    "fsec_mail_context",
    "fsec_mails",
    "fsec_messages",
    "fsec_password_changed",
    "fsec_signals",
    "fsec_static_folders",
    "fsec_template_folders",
    "fsec_translation_directories",
    "fsec_user_access_reset",
    "fsec_user_registered",
    "fsec_view_links",
    "fsec_views",
    "hookimpl",
    "hookspec",
]
