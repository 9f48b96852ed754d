"""What start-up tells the operator (``Security.init_app``, :mod:`flask_security.assembly`):
which plugin replaced which of core's contributions, and which ``SECURITY_*`` settings
nothing enabled reads. Both go to the ``flask_security`` logger, once per app."""

from __future__ import annotations

import logging

from . import plugins as _plugins
from .config import unread_settings
from .state import SecurityState


def known_settings(state: SecurityState) -> frozenset[str]:
    """The settings (keys without ``SECURITY_``) that core and the enabled plugins of
    ``state`` read: their registered defaults, the feature flags, ``<NAME>_FORM`` of
    their forms and ``MSG_<KEY>`` of their messages. Any other ``SECURITY_*`` key of
    the app is reported at start-up (:func:`flask_security.config.unread_settings`).

    :param state: the application's :class:`SecurityState`.
    :returns: the key names.
    """
    return frozenset(
        [*state.contributions.get("fsec_config_defaults", {}), *_plugins.FEATURE_FLAGS]
        + [name.upper() for name in state.forms]
        + [f"MSG_{key}" for key in state.messages]
    )


def log_unread_settings(state: SecurityState) -> None:
    """Log one WARNING naming every ``SECURITY_*`` key of the app that nothing enabled
    reads (:func:`known_settings`); nothing when there is none."""
    unread = unread_settings(state.app.config, known_settings(state))
    if unread:
        logger.warning(
            "fsec: no enabled part of fsec reads %s: a typo, a feature not switched on, "
            "or an upstream 5.x setting fsec does not support (docs/configuration.md)",
            ", ".join(unread),
        )


#: Logger of start-up reports (which plugin replaced which of core's contributions).
logger = logging.getLogger("flask_security")

_REPLACED_WHAT = {
    "fsec_views": "view",
    "fsec_forms": "form",
    "fsec_config_defaults": "default",
    "fsec_messages": "message",
    "fsec_mails": "mail",
    "fsec_signals": "signal",
    "fsec_datastores": "datastore",
}


def log_replacements(state: SecurityState) -> None:
    """Log, once at start-up, every contribution of core's that a plugin replaced.

    First-party features replacing core (passwordless's login view) are logged at
    INFO; any other plugin at WARNING, since it changes how users sign in or what
    they are told (security review: a plugin in ``SECURITY_PLUGINS`` can replace
    views, forms, defaults and messages). The same list is in
    ``state.plugins.replaced``.
    """
    first_party = set(_plugins.FIRST_PARTY_FEATURES) | set(_plugins.FIRST_PARTY_STORES)
    for hookname, key, plugin, replaced in state.plugins.replaced:
        what = _REPLACED_WHAT.get(hookname, hookname)
        label = f"SECURITY_{key}" if hookname == "fsec_config_defaults" else repr(key)
        level = logging.INFO if plugin in first_party else logging.WARNING
        logger.log(
            level,
            "fsec plugin %r replaces %s's %s %s (%s)",
            plugin,
            replaced,
            what,
            label,
            hookname,
        )


__all__ = ["known_settings", "log_replacements", "log_unread_settings", "logger"]
