"""Role names read from the configuration at request time (:class:`ConfigRoles`),
for :func:`flask_security.decorators.roles_required` and ``roles_accepted``."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

_CONFIG_KEY = re.compile(r"[A-Z][A-Z0-9_]*")


class ConfigRoles:
    """Role names read from the application's configuration at request time, for
    :func:`flask_security.decorators.roles_required` and
    :func:`flask_security.decorators.roles_accepted`.

    ``@roles_required(ConfigRoles("INVITE_ROLES"))`` requires the roles in the
    setting ``INVITE_ROLES`` (``SECURITY_`` + key in ``app.config``) as it is when
    each request arrives, so a
    plugin can protect its view with a role the application chooses (and registers a
    default for with ``fsec_config_defaults``) without wrapping the view. A plain
    string given to the decorators is always a role *name*, never a key, so the two
    cannot be confused: ``roles_required("INVITE_ROLES")`` requires a role called
    ``INVITE_ROLES``. Both may be mixed: ``roles_required("staff",
    ConfigRoles("INVITE_ROLES"))``.

    The setting's value is one role name (``"admin"``) or a list of names
    (``["admin", "hr"]``: ``roles_required`` needs all of them, ``roles_accepted``
    any of them). **Fails closed:** when the key is missing or its value is empty or
    not text, nobody passes (signed-in users get the forbidden answer, visitors are
    sent to log in) and the application logger records an error naming the key.

    :param key: the setting without ``SECURITY_`` (``"INVITE_ROLES"``), upper case
        letters, digits and ``_``, as everywhere in the plugin API.
    :raises ValueError: ``key`` is not of that shape, or starts with ``SECURITY_``.
    """

    def __init__(self, key: str) -> None:
        if not isinstance(key, str) or not _CONFIG_KEY.fullmatch(key):
            raise ValueError(f"ConfigRoles needs a setting name like 'INVITE_ROLES', not {key!r}")
        if key.startswith("SECURITY_"):
            raise ValueError(
                f"give ConfigRoles the key without the SECURITY_ prefix: {key[9:]!r}, not {key!r}"
            )
        self.key = key

    def names(self) -> tuple[str, ...] | None:
        """The role names configured now (needs an application context).

        :returns: a tuple of one or more names, or ``None`` when the setting is
            missing, empty or not made of non-empty strings (then nobody passes).
        """
        value = current_app.config.get("SECURITY_" + self.key)
        names = (value,) if isinstance(value, str) else value
        if (
            not isinstance(names, list | tuple)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            current_app.logger.error(
                "fsec: SECURITY_%s must be a role name or a list of role names (got %r); "
                "nobody passes the views it protects",
                self.key,
                value,
            )
            return None
        return tuple(names)

    def __repr__(self) -> str:
        return f"ConfigRoles({self.key!r})"


def configured_role_names(roles: tuple[Any, ...]) -> list[Any] | None:
    """The roles of a decorator with every :class:`ConfigRoles` read now.

    :param roles: role names (``str``) and :class:`ConfigRoles`, as given to the
        decorator.
    :returns: the flat list of names, or ``None`` when a :class:`ConfigRoles` is
        misconfigured (the decorator then lets nobody in).
    """
    names: list[Any] = []
    for role in roles:
        if isinstance(role, ConfigRoles):
            configured = role.names()
            if configured is None:
                return None
            names.extend(configured)
        else:
            names.append(role)
    return names


__all__ = ["ConfigRoles", "configured_role_names"]
