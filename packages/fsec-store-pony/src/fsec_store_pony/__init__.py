"""fsec datastore for Pony ORM 0.7: :class:`PonyUserDatastore` (documented 3.0 API).

Pony reads and writes entities only inside a ``db_session``. The datastore opens one
when it needs one, so application code does not wrap datastore calls itself:

* Every datastore method first makes sure a ``db_session`` is active. If Pony has one
  already (a ``with db_session:`` block, ``@db_session``, ``pony.flask.Pony``), the
  method runs in it and the datastore leaves it alone.
* Otherwise it opens one for the current Flask context: for the request when called
  during a request, else for the application context (``with app.app_context():``,
  CLI commands, ``flask shell``). That session ends when its context tears down:
  committed when the context ends normally, rolled back when it ends with an
  unhandled exception. fsec's own views still call ``datastore.commit()`` before they
  answer, so what a response reports is already stored.
* Once ``Security`` is set up with this datastore, every request of the application
  runs in such a session from its first ``before_request`` function on, so views can
  read ``current_user.roles`` or query entities without ``@db_session``. This nests
  cleanly with ``pony.flask.Pony(app)`` (Pony ignores an inner ``db_session``).
* Outside any Flask context and outside a ``db_session`` a datastore call raises
  ``RuntimeError``: there is no context whose end could close the session.

Pony creates role objects in sets before their ``name`` is set, so the datastore gives
the role entity identity hashing (roles still compare equal by name): create the
datastore before the first role object.

:func:`end_session` commits and closes the session the datastore opened for the
current context early, so that the next call starts a new one (fresh objects).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import appcontext_tearing_down, g, has_app_context, has_request_context, request
from flask_security import RoleMixin
from flask_security.datastore import (
    Datastore,
    DatastoreError,
    UserDatastore,
    UserExistsError,
    check_cas_arguments,
    coerce_int_key,
    user_write_error,
)
from pony.orm import core as _pony_core
from pony.orm import db_session
from pony.orm.core import CacheIndexError, TransactionIntegrityError

__all__ = ["PonyDatastore", "PonyUserDatastore", "end_session", "ensure_session"]

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])


class _Opened(threading.local):
    """Sessions this module opened in this thread: a stack of (owner, marker)."""

    def __init__(self) -> None:
        self.stack: list[object] = []


_opened = _Opened()


def _pony_session_active() -> bool:
    # Pony keeps the active db_session in a thread-local; 0.7.x has no public accessor.
    return _pony_core.local.db_session is not None


def _context_owner() -> object | None:
    """The object whose teardown ends a session opened now: the request, else the
    application context's ``g``; ``None`` outside Flask contexts."""
    if has_request_context():
        return request._get_current_object()  # type: ignore[attr-defined]
    if has_app_context():
        return g._get_current_object()  # type: ignore[attr-defined]
    return None


def ensure_session() -> None:
    """Make sure a Pony ``db_session`` is active (see the module documentation).

    :raises RuntimeError: no ``db_session`` is active and there is no Flask request
        or application context to scope a new one to.
    """
    if _pony_session_active():
        return
    owner = _context_owner()
    if owner is None:
        raise RuntimeError(
            "PonyUserDatastore needs a Flask application context (with app.app_context():) "
            "or an active Pony db_session"
        )
    db_session.__enter__()
    _opened.stack.append(owner)


def _close(owner: object | None, exc: BaseException | None) -> bool:
    if owner is None or not _opened.stack or _opened.stack[-1] is not owner:
        return False
    _opened.stack.pop()
    if exc is None:
        db_session.__exit__(None, None, None)
    else:
        db_session.__exit__(type(exc), exc, exc.__traceback__)
    return True


def end_session(exc: BaseException | None = None) -> bool:
    """End the ``db_session`` the datastore opened for the current Flask context.

    :param exc: roll back because of this exception instead of committing.
    :returns: ``True`` when a session was closed; ``False`` when the datastore had
        opened none for this context (a session the application opened itself is
        never closed here).
    """
    return _close(_context_owner(), exc)


def _on_request_teardown(sender: Any, exc: BaseException | None = None, **extra: Any) -> None:
    _close(request._get_current_object(), exc)  # type: ignore[attr-defined]


def _on_appcontext_teardown(sender: Any, exc: BaseException | None = None, **extra: Any) -> None:
    _close(g._get_current_object(), exc)  # type: ignore[attr-defined]


# Signals reach every application, including those whose datastore was used before
# Security was set up on them. Module-level functions: blinker's weak references hold.
from flask import request_tearing_down  # noqa: E402

request_tearing_down.connect(_on_request_teardown)
appcontext_tearing_down.connect(_on_appcontext_teardown)


def _in_session(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ensure_session()
        return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _without_unsettable_none(entity: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values of attributes that cannot hold ``None`` (Pony's
    non-nullable ``Optional(str)``), so their default applies instead."""
    result = {}
    for key, value in kwargs.items():
        attr = entity._adict_.get(key)
        if value is None and attr is not None and not attr.nullable:
            continue
        result[key] = value
    return result


class PonyDatastore(Datastore):
    """Persistence for Pony entities of the ``pony.orm.Database`` ``db``."""

    @_in_session
    def put(self, model: Any) -> Any:
        """Pony tracks changes to entities; returns ``model``."""
        return model

    @_in_session
    def delete(self, model: Any) -> None:
        """Delete ``model`` (Pony removes its many-to-many links too)."""
        model.delete()

    @_in_session
    def commit(self) -> None:
        """Commit the session's changes to ``db`` (the session stays open)."""
        self.db.commit()

    @_in_session
    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """See :meth:`flask_security.datastore.Datastore.compare_and_set`.

        Pony has no conditional bulk update, so this runs one SQL ``UPDATE ... WHERE
        <pk> = ? AND <column> = ? [AND <column> IS NULL]`` through ``db.execute``
        (which flushes the session's pending changes first) and reads its row count;
        the change commits with the session (:meth:`commit`). On success the entity's
        loaded state takes the written values (and the incremented columns, read
        back), so Pony's optimistic check at commit sees the row as it now is.
        """
        cls = type(model)
        adict = cls._adict_
        columns = {
            name: attr for name, attr in adict.items() if attr.columns and not attr.is_collection
        }
        expected, values, increment = check_cas_arguments(columns, expected, values, increment)
        pk_attrs = cls._pk_attrs_
        key = [model._vals_.get(attr) for attr in pk_attrs]
        if any(part is None for part in key):
            raise DatastoreError("compare_and_set needs a stored model (no primary key)")
        quote = self.db.provider.quote_name
        params: dict[str, Any] = {}

        def param(value: Any) -> str:
            name = f"p{len(params)}"
            params[name] = value
            return f"${name}"

        def db_value(name: str, value: Any) -> Any:
            # The column's own representation (a Json attribute's list becomes its
            # JSON text), as Pony writes it when it saves the entity.
            if value is None or not columns[name].converters:
                return value
            converter = columns[name].converters[0]
            return converter.val2dbval(converter.validate(value, model), model)

        sets = [f"{quote(columns[n].column)} = {param(db_value(n, v))}" for n, v in values.items()]
        for name, amount in increment.items():
            column = quote(columns[name].column)
            sets.append(f"{column} = COALESCE({column}, 0) + {param(int(amount))}")
        where = [f"{quote(a.column)} = {param(k)}" for a, k in zip(pk_attrs, key, strict=True)]
        for name, value in expected.items():
            column = quote(columns[name].column)
            where.append(
                f"{column} IS NULL"
                if value is None
                else f"{column} = {param(db_value(name, value))}"
            )
        # Identifiers are quoted by Pony's provider; every value is a bound parameter.
        table = quote(cls._table_)
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(where)}"  # noqa: S608
        cursor = self.db.execute(sql, {}, params)
        if cursor.rowcount != 1:
            return False
        synced: dict[Any, Any] = {columns[n]: v for n, v in values.items()}
        if increment:
            names = list(increment)
            select = ", ".join(quote(columns[n].column) for n in names)
            pk_where = " AND ".join(where[: len(key)])
            sql = f"SELECT {select} FROM {table} WHERE {pk_where}"  # noqa: S608
            row = self.db.select(sql, {}, params)[0]
            if len(names) == 1:
                row = (row,)
            synced.update({columns[n]: v for n, v in zip(names, row, strict=True)})
        for attr, value in synced.items():
            model._vals_[attr] = value
            model._dbvals_[attr] = value
        return True

    @_in_session
    def find_model(self, model: type, **filters: Any) -> Any | None:
        """See :meth:`flask_security.datastore.Datastore.find_model`."""
        return model.select().filter(**filters).first()  # type: ignore[attr-defined]

    @_in_session
    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """See :meth:`flask_security.datastore.Datastore.find_models`."""
        query = model.select().filter(**filters)  # type: ignore[attr-defined]
        return list(query.order_by(*model._pk_attrs_))  # type: ignore[attr-defined]

    @_in_session
    def create_model(self, model: type, **fields: Any) -> Any:
        """See :meth:`flask_security.datastore.Datastore.create_model`; flushed at
        once, so a unique constraint refuses it here (the session is rolled back).

        :raises flask_security.datastore.DatastoreError: a constraint refused it.
        """
        try:
            instance = model(**_without_unsettable_none(model, fields))
            self.db.flush()
        except (CacheIndexError, TransactionIntegrityError) as exc:
            self.db.rollback()
            raise DatastoreError(f"the {model.__name__} could not be stored: {exc}") from exc
        return instance


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

    @_in_session
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

    @_in_session
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

    @_in_session
    def find_user(self, **kwargs: Any) -> Any | None:
        """The first user whose attributes equal ``kwargs``, or ``None`` (also for an
        ``id`` that cannot be a key)."""
        if "id" in kwargs:
            key = self._coerce_pk(kwargs.pop("id"))
            if key is None:
                return None
            kwargs[self._pk.name] = key
        return self.user_model.select().filter(**kwargs).first()

    @_in_session
    def find_role(self, role: str) -> Any | None:
        """The role named ``role``, or ``None``."""
        return self.role_model.select().filter(name=role).first()

    # -- generic methods, each run in a session ----------------------------------------

    get_user = _in_session(UserDatastore.get_user)
    find_user_by_identity = _in_session(UserDatastore.find_user_by_identity)
    find_or_create_role = _in_session(UserDatastore.find_or_create_role)
    toggle_active = _in_session(UserDatastore.toggle_active)
    activate_user = _in_session(UserDatastore.activate_user)
    deactivate_user = _in_session(UserDatastore.deactivate_user)

    @_in_session
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
            user = self.user_model(**_without_unsettable_none(self.user_model, kwargs))
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

    @_in_session
    def create_role(self, **kwargs: Any) -> Any:
        """Create and return a role (``None`` values of non-nullable attributes
        are left to their defaults)."""
        return self.role_model(**_without_unsettable_none(self.role_model, kwargs))

    @_in_session
    def add_role_to_user(self, user: Any, role: Any) -> bool:
        """See :meth:`UserDatastore.add_role_to_user` (Pony ``Set.add``)."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None or role in user.roles:
            return False
        user.roles.add(role)
        return True

    @_in_session
    def remove_role_from_user(self, user: Any, role: Any) -> bool:
        """See :meth:`UserDatastore.remove_role_from_user` (Pony ``Set.remove``)."""
        user, role = self.prepare_role_modify_args(user, role)
        if user is None or role is None or role not in user.roles:
            return False
        user.roles.remove(role)
        return True

    @_in_session
    def delete_user(self, user: Any) -> None:
        """Delete ``user``; Pony deletes its role links with it."""
        user.delete()
