"""Roles through a link model: :class:`RoleLinkMixin`, the part of
:class:`~fsec_store_peewee.PeeweeUserDatastore` that reads and writes the link rows
(peewee has no many-to-many list; see the package documentation).
"""

from __future__ import annotations

from typing import Any

import peewee

__all__ = ["RoleLinkMixin"]


class RoleLinkMixin:
    """A user's roles as rows of a link model, for a datastore that also derives from
    :class:`flask_security.datastore.UserDatastore` (``user_model``, ``role_model``,
    ``prepare_role_modify_args``).

    :ivar UserRole: the link model.
    """

    UserRole: Any
    user_model: Any
    role_model: Any

    def use_role_link(self, role_link: type) -> None:
        """Read and write roles through ``role_link``: one ``ForeignKeyField`` to
        ``user_model`` (whose ``backref`` is where a user's link rows are kept) and
        one to ``role_model``.

        :raises TypeError: ``role_link`` lacks one of the two foreign keys.
        """
        self.UserRole = role_link
        self._user_fk = self._foreign_key(role_link, self.user_model)
        self._role_fk = self._foreign_key(role_link, self.role_model)
        self._roles_attr = self._user_fk.backref

    @staticmethod
    def _foreign_key(link: type, target: type) -> peewee.ForeignKeyField:
        for field in link._meta.fields.values():
            if isinstance(field, peewee.ForeignKeyField) and field.rel_model is target:
                return field
        raise TypeError(f"{link.__name__} has no ForeignKeyField to {target.__name__}")

    def _load_roles(self, users: list[Any]) -> None:
        """Store each user's link rows (their ``role`` loaded) as ``user.<backref>``."""
        if not users:
            return
        by_id = {u._pk: u for u in users}
        rows: dict[Any, list[Any]] = {key: [] for key in by_id}
        query = (
            self.UserRole.select(self.UserRole, self.role_model)
            .join(self.role_model, on=(self._role_fk == self.role_model._meta.primary_key))
            .where(self._user_fk.in_(list(by_id)))
            .order_by(self.role_model.name)
        )
        for link in query:
            owner = by_id[link.__data__[self._user_fk.name]]
            setattr(link, self._user_fk.name, owner)
            link._dirty.clear()
            rows[owner._pk].append(link)
        for key, user in by_id.items():
            setattr(user, self._roles_attr, rows[key])

    def _links_of(self, user: Any) -> Any:
        return self.UserRole.select().where(self._user_fk == user._pk)

    def _refresh_roles(self, user: Any) -> None:
        self._load_roles([user])

    def add_role_to_user(self, user: Any, role: Any) -> bool:
        """See :meth:`flask_security.datastore.UserDatastore.add_role_to_user`: adds a
        link row."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None:
            return False
        exists = self._links_of(user).where(self._role_fk == role._pk).exists()
        if exists:
            return False
        self.UserRole.create(**{self._user_fk.name: user, self._role_fk.name: role})
        self._refresh_roles(user)
        return True

    def remove_role_from_user(self, user: Any, role: Any) -> bool:
        """See :meth:`flask_security.datastore.UserDatastore.remove_role_from_user`:
        deletes the link row."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None:
            return False
        deleted = (
            self.UserRole.delete()
            .where((self._user_fk == user._pk) & (self._role_fk == role._pk))
            .execute()
        )
        self._refresh_roles(user)
        return bool(deleted)
