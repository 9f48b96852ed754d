"""Roles and the links between users and roles: ``create_role``,
``find_or_create_role``, ``add_role_to_user`` and ``remove_role_from_user`` (a user
by object or email, a role by object or name). A part of
:class:`~flask_security.datastore.UserDatastore`."""

from __future__ import annotations

from typing import Any


class RoleChanges:
    """The role methods of :class:`~flask_security.datastore.UserDatastore`; they use
    its lookups (``find_role``, ``find_user_by_identity``) and the store's ``put``."""

    def create_role(self, **kwargs: Any) -> Any:
        """Create, save and return a role from ``kwargs`` (``name``, ``description``).

        :param kwargs: the role model's fields (``name``, ``description``...).
        :returns: the new role, put into the store (commit to save it).
        """
        role = self.role_model(**kwargs)
        return self.put(role)  # type: ignore[attr-defined]

    def find_or_create_role(self, name: str, **kwargs: Any) -> Any:
        """The role named ``name``, created with ``kwargs`` when it does not exist.

        :param name: the role name.
        :param kwargs: more fields for a role that is created.
        :returns: the existing or new role.
        """
        kwargs["name"] = name
        return self.find_role(name) or self.create_role(**kwargs)

    def prepare_role_modify_args(self, user: Any, role: Any) -> tuple[Any, Any]:
        """The user and role objects for ``add_role_to_user`` / ``remove_role_from_user``.
        *For stores*: a store's implementation of those two calls this first.

        :param user: a user object, or an email address (``str``).
        :param role: a role object, or a role name (``str``).
        :returns: ``(user, role)``; either is ``None`` when its name matched nothing.
        """
        if isinstance(user, str):
            user = self.find_user_by_identity(user, ["email"])
        if isinstance(role, str):
            role = self.find_role(role)
        return user, role

    # The name this method had before it was documented for stores.
    _prepare_role_modify_args = prepare_role_modify_args

    # -- changes ---------------------------------------------------------------------

    def add_role_to_user(self, user: Any, role: Any) -> bool:
        """Give ``role`` (object or name) to ``user`` (object or email).

        :returns: ``True`` when the user did not have the role (and now has it);
            ``False`` when nothing changed or the user or role does not exist.

        :param user: a user object, or an email address.
        :param role: a role object, or a role name.
        """
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None:
            return False
        if role in list(user.roles):
            return False
        user.roles.append(role)
        self.put(user)  # type: ignore[attr-defined]
        return True

    def remove_role_from_user(self, user: Any, role: Any) -> bool:
        """Take ``role`` (object or name) from ``user`` (object or email).

        :returns: ``True`` when the user had the role, ``False`` otherwise.

        :param user: a user object, or an email address.
        :param role: a role object, or a role name.
        """
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None:
            return False
        if role not in list(user.roles):
            return False
        user.roles.remove(role)
        self.put(user)  # type: ignore[attr-defined]
        return True
