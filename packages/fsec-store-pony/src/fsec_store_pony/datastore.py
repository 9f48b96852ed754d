"""Users and roles on Pony entities: :class:`PonyUserDatastore` (documented 3.0 API),
fsec's user datastore methods on :class:`~fsec_store_pony.persistence.PonyDatastore`,
each run in a ``db_session`` (:mod:`fsec_store_pony.session`).
"""

from __future__ import annotations

from typing import Any

from flask_security import RoleMixin
from flask_security.datastore import (
    UserDatastore,
    UserExistsError,
    coerce_int_key,
    user_write_error,
)
from pony.orm.core import CacheIndexError, TransactionIntegrityError

from .persistence import PonyDatastore, without_unsettable_none
from .session import in_session

__all__ = ["PonyUserDatastore"]


class PonyUserDatastore(PonyDatastore, UserDatastore):
    """Users and roles on Pony entities (documented 3.0 API).

    :param db: the ``pony.orm.Database``.
    :param user_model: the user entity (``UserMixin``) with ``roles = Set(Role)``;
        ``email`` should be ``unique=True`` so the database backs the duplicate check.
    :param role_model: the role entity (``RoleMixin``) with ``users = Set(User)``.
    :param webauthn_model: the WebAuthn credential entity (fsec-webauthn), or ``None``.
    """

    def __init__(
        self, db: Any, user_model: type, role_model: type, webauthn_model: type | None = None
    ) -> None:
        PonyDatastore.__init__(self, db)
        UserDatastore.__init__(self, user_model, role_model, webauthn_model)
        if role_model.__hash__ is RoleMixin.__hash__:
            # Pony adds an entity to its session cache's sets while creating it, before
            # ``name`` is set, so RoleMixin's hash-by-name cannot work for Pony roles.
            # Identity hashing is what Pony expects (its identity map keeps one object
            # per row in a session); roles still compare equal by name.
            role_model.__hash__ = object.__hash__  # type: ignore[method-assign,assignment]

    # -- primitives ------------------------------------------------------------------

    @property
    def _pk(self) -> Any:
        return self.user_model._pk_attrs_[0]  # type: ignore[attr-defined]

    def _coerce_pk(self, user_id: Any) -> Any:
        attr = self._pk
        if attr.py_type is int:
            return coerce_int_key(user_id)
        if user_id is None:
            return None
        try:
            return attr.validate(user_id, None, from_db=False)
        except (TypeError, ValueError):
            return None

    @in_session
    def load_user(self, user_id: Any) -> Any | None:
        """The user whose primary key is ``user_id`` (its roles prefetched), or
        ``None``; never raises on bad input."""
        key = self._coerce_pk(user_id)
        if key is None:
            return None
        query = self.user_model.select().filter(**{self._pk.name: key})
        roles = self.user_model._adict_.get("roles")  # type: ignore[attr-defined]
        if roles is not None:
            query = query.prefetch(roles)
        return query.first()

    @in_session
    def find_user_ci(self, attribute: str, value: str) -> Any | None:
        """The user whose ``attribute`` equals ``value`` ignoring case, or ``None``.

        An exact match first (served by the attribute's unique index), then
        ``value.lower() == attribute.lower()``: Pony runs ``lower`` as Python's
        ``str.lower`` on SQLite and as SQL ``lower()`` on PostgreSQL.
        """
        if attribute not in self.user_model._adict_ or not isinstance(value, str):  # type: ignore[attr-defined]
            return None
        exact = self.user_model.select().filter(**{attribute: value}).first()
        if exact is not None:
            return exact
        lowered = value.lower()
        return self.user_model.select(lambda u: getattr(u, attribute).lower() == lowered).first()

    @in_session
    def find_user(self, **kwargs: Any) -> Any | None:
        """The first user whose attributes equal ``kwargs``, or ``None`` (also for an
        ``id`` that cannot be a key)."""
        if "id" in kwargs:
            key = self._coerce_pk(kwargs.pop("id"))
            if key is None:
                return None
            kwargs[self._pk.name] = key
        return self.user_model.select().filter(**kwargs).first()

    @in_session
    def find_role(self, role: str) -> Any | None:
        """The role named ``role``, or ``None``."""
        return self.role_model.select().filter(name=role).first()

    # -- generic methods, each run in a session ----------------------------------------

    get_user = in_session(UserDatastore.get_user)
    find_user_by_identity = in_session(UserDatastore.find_user_by_identity)
    find_or_create_role = in_session(UserDatastore.find_or_create_role)
    toggle_active = in_session(UserDatastore.toggle_active)
    activate_user = in_session(UserDatastore.activate_user)
    deactivate_user = in_session(UserDatastore.deactivate_user)

    @in_session
    def create_user(self, **kwargs: Any) -> Any:
        """See :meth:`UserDatastore.create_user`; the row is flushed at once.

        :raises UserExistsError: an identity value is taken (also when Pony's
            session cache or the database's unique index refuses it because two
            requests raced); the session is rolled back then, so nothing of it is
            written.
        """
        kwargs = self.prepare_create_user_args(**kwargs)
        self.check_unique(kwargs)
        try:
            user = self.user_model(**without_unsettable_none(self.user_model, kwargs))
            self.db.flush()
        except CacheIndexError as exc:  # Pony's own unique index, before any SQL
            self.db.rollback()
            raise UserExistsError(
                f"a user with these identity values already exists: {exc}"
            ) from exc
        except TransactionIntegrityError as exc:
            self.db.rollback()
            raise user_write_error(exc) from exc
        return user

    @in_session
    def create_role(self, **kwargs: Any) -> Any:
        """Create and return a role (``None`` values of non-nullable attributes
        are left to their defaults)."""
        return self.role_model(**without_unsettable_none(self.role_model, kwargs))

    @in_session
    def add_role_to_user(self, user: Any, role: Any) -> bool:
        """See :meth:`UserDatastore.add_role_to_user` (Pony ``Set.add``)."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None or role in user.roles:
            return False
        user.roles.add(role)
        return True

    @in_session
    def remove_role_from_user(self, user: Any, role: Any) -> bool:
        """See :meth:`UserDatastore.remove_role_from_user` (Pony ``Set.remove``)."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None or role not in user.roles:
            return False
        user.roles.remove(role)
        return True

    @in_session
    def delete_user(self, user: Any) -> None:
        """Delete ``user``; Pony deletes its role links with it."""
        user.delete()
