"""Datastore base classes (documented 3.0 API).

A store distribution (``fsec-store-sqlalchemy``...) subclasses :class:`Datastore`
(persistence: ``put``, ``delete``, ``commit``) and :class:`UserDatastore` (users and
roles). The generic behaviour (argument preparation, role changes, activation) is
written once here; a store implements the primitives marked *store primitive*.

``from flask_security.datastore import SQLAlchemyUserDatastore`` keeps working: the
store classes are imported lazily from their distributions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app, has_app_context

from ._lazy import lazy_getattr
from .config import get_identity_attributes, normalize_email


class DatastoreError(Exception):
    """Base class of datastore errors."""


class UserExistsError(DatastoreError, ValueError):
    """A user with this identity (email, or another unique attribute) already exists.

    Raised by ``create_user`` before anything is written; the database's unique
    constraint backs the check when two requests race.
    """


def user_write_error(exc: BaseException, detail: Any = None) -> DatastoreError:
    """The fsec error for a database integrity error raised while storing a new user.

    Stores call it from ``create_user`` with the driver's exception. A unique
    constraint or index (SQLite "UNIQUE constraint failed", PostgreSQL "duplicate
    key", MySQL "Duplicate entry") means the identity is taken, possibly by a racing
    request: :class:`UserExistsError`. Anything else (a ``NOT NULL`` column the
    model requires and the caller left out, a foreign key) is a different mistake and
    must not be reported as a duplicate: :class:`DatastoreError` naming the
    database's own message.

    :param exc: the exception the ORM raised.
    :param detail: the driver's exception or message, when the ORM wraps it
        (SQLAlchemy's ``exc.orig``); ``exc`` itself otherwise.
    :returns: the error to raise (``raise user_write_error(exc) from exc``).
    """
    text = str(detail if detail is not None else exc)
    lowered = text.lower()
    if "unique" in lowered or "duplicate" in lowered:
        return UserExistsError(f"a user with these identity values already exists: {text}")
    return DatastoreError(f"the user could not be stored: {text}")


def check_cas_arguments(
    fields: Iterable[str],
    expected: Mapping[str, Any],
    values: Mapping[str, Any] | None,
    increment: Mapping[str, int] | None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    """Validate :meth:`Datastore.compare_and_set` arguments for a model whose field
    names are ``fields``; returns ``(expected, values, increment)`` as new dicts.

    :raises ValueError: an unknown field, a field both set and incremented, or
        nothing to write.
    :raises TypeError: an increment amount that is not an ``int`` (``bool`` is not).

    :param fields: the model's field names.
    :param expected: ``{field: value}`` the stored row must hold.
    :param values: ``{field: new value}`` to write, or ``None``.
    :param increment: ``{field: amount}`` to add in the database, or ``None``.
    :returns: ``(expected, values, increment)`` as new dicts.
    """
    known = set(fields)
    expected, values, increment = dict(expected), dict(values or {}), dict(increment or {})
    unknown = sorted((set(expected) | set(values) | set(increment)) - known)
    if unknown:
        raise ValueError(f"compare_and_set: not fields of the model: {', '.join(unknown)}")
    both = sorted(set(values) & set(increment))
    if both:
        raise ValueError(f"compare_and_set: both set and incremented: {', '.join(both)}")
    if not values and not increment:
        raise ValueError("compare_and_set: nothing to write (no values, no increment)")
    for name, amount in increment.items():
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"compare_and_set: increment of {name} must be an int")
    return expected, values, increment


#: The largest primary key an integer key may hold (signed 64-bit, as SQL ``BIGINT``).
MAX_INT_KEY = 2**63 - 1


def coerce_int_key(user_id: Any) -> int | None:
    """``user_id`` (from a session, cookie or token) as an integer primary key, or
    ``None`` when it cannot be one.

    Only ASCII digits are read: ``str.isdigit`` also accepts ``"\uff11"`` (which
    ``int`` reads as 1) and ``"\u00b2"`` (which ``int`` refuses); negative keys and
    keys beyond 64 bits name no row. ``bool`` is not an integer here.

    :param user_id: the key as received.
    :returns: the integer key, or ``None``.
    """
    if isinstance(user_id, bool):
        return None
    if isinstance(user_id, int):
        return user_id if 0 <= user_id <= MAX_INT_KEY else None
    text = str(user_id) if user_id is not None else ""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INT_KEY:
        return None
    return int(text)


class Datastore:
    """Persistence primitives over a database object ``db``.

    :param db: the ORM's database / session object (store-specific).
    """

    def __init__(self, db: Any) -> None:
        self.db = db

    def commit(self) -> None:
        """Commit the pending changes (no-op for stores that write immediately)."""

    def put(self, model: Any) -> Any:
        """Save (add or update) ``model``; returns it. *Store primitive.*

        :param model: a user or role object of the store's models.
        :returns: ``model``.
        """
        raise NotImplementedError

    def delete(self, model: Any) -> None:
        """Delete ``model``. *Store primitive.*

        :param model: a user or role object.
        """
        raise NotImplementedError

    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """Atomically change ``model``'s stored row only if it still holds
        ``expected``, and report whether it did. *Store primitive.*

        One conditional write, decided by the database, not by Python: SQL stores run
        ``UPDATE <table> SET ... WHERE <primary key> = ? AND <field> = ? ...`` and read
        the row count; MongoDB runs one filtered ``find_one_and_update``. Of several
        requests (in any number of processes) that read the same state and try to
        move it on, exactly one succeeds. This is how a one-time thing is consumed:
        a reset link (``expected={"password": old_hash}``), a confirmation link
        (``{"confirmed_at": None}``), a passwordless link (the login counter), and a
        two-factor code (``{"tf_last_code_window": previous}`` or a list of unused
        recovery codes). Counters go up in the database: ``increment={"login_count":
        1}`` is ``SET login_count = COALESCE(login_count, 0) + 1``, never a
        read-modify-write in Python.

        :param model: a stored model instance (a user, or any model of this store)
            whose primary key is set.
        :param expected: ``{field: value}`` the stored row must hold now (``None``
            matches SQL ``NULL`` / a missing or null MongoDB field); may be empty
            (then only the row's existence is required).
        :param values: ``{field: new value}`` to write.
        :param increment: ``{field: int}`` to add in the database (``NULL`` counts
            as 0).
        :returns: ``True`` when the row matched and was changed: ``model``'s
            attributes then hold the written values and the incremented fields their
            new stored values (read back). ``False`` when the row no longer matches
            ``expected`` (or no longer exists): nothing was written and ``model`` is
            left as it was (it may be stale: load it again to see the stored state).
        :raises ValueError: a field name is not a field of the model, a field is both
            set and incremented, or neither ``values`` nor ``increment`` names a
            field.
        :raises TypeError: an ``increment`` amount is not an ``int``.
        :raises DatastoreError: ``model`` has no primary key (it was never stored).

        Transactions: the write joins the current unit of work and is made durable
        by :meth:`commit` (SQLAlchemy: the row stays locked until then, so a
        concurrent ``compare_and_set`` on it waits and then sees the committed
        state); stores that write immediately (peewee in autocommit mode, MongoDB)
        have it stored on return.
        """
        raise NotImplementedError

    # -- a feature's own models (upstream 5.x's WebAuthn credentials...) ---------------

    def find_model(self, model: type, **filters: Any) -> Any | None:
        """The first stored instance of ``model`` whose fields equal ``filters``, or
        ``None``. *Store primitive.*

        For the models a feature keeps beside users (fsec-webauthn's credentials): the
        feature stays store-agnostic and each store answers with its own query. A
        filter value may be a stored instance of another model for a reference field
        (``user=user``); ``bytes`` values compare as bytes.

        :param model: the model class (SQLAlchemy model, MongoEngine document, peewee
            model or Pony entity).
        :param filters: ``{field: value}``, all of which must match.
        :returns: the instance, or ``None``.
        """
        raise NotImplementedError

    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """Every stored instance of ``model`` whose fields equal ``filters`` (see
        :meth:`find_model`), in storage order. *Store primitive.*

        :returns: a list (empty when none matches).

        :param model: the model class.
        :param filters: ``{field: value}`` that must all match.
        """
        raise NotImplementedError

    def create_model(self, model: type, **fields: Any) -> Any:
        """Create an instance of ``model`` from ``fields`` and put it into the store;
        returns it. Not committed (the caller commits), except for stores that write
        at once.

        Stores keep the reverse side of a reference in step where the ORM does not
        (MongoEngine: a ``ListField(ReferenceField(model))`` on the referenced
        document gets the new instance appended), so ``user.webauthn`` lists a new
        credential everywhere.

        :param model: the model class.
        :param fields: its fields.
        :returns: the new instance.
        """
        return self.put(model(**fields))


class UserDatastore:
    """Users and roles over ``user_model`` and ``role_model``.

    :param user_model: the user model class (with :class:`~flask_security.UserMixin`).
    :param role_model: the role model class (with :class:`~flask_security.RoleMixin`).
    :param webauthn_model: upstream Flask-Security 5.x's fourth argument: the model
        of WebAuthn credentials (passkeys), used by fsec-webauthn; ``None`` when the
        application has none.
    """

    def __init__(
        self, user_model: type, role_model: type, webauthn_model: type | None = None
    ) -> None:
        self.user_model = user_model
        self.role_model = role_model
        self.webauthn_model = webauthn_model

    # -- store primitives ------------------------------------------------------------

    def load_user(self, user_id: Any) -> Any | None:
        """The user whose primary key is ``user_id`` (a ``str`` from a session, cookie
        or token), with its roles loaded in the same query where the ORM allows;
        ``None`` when there is none or ``user_id`` cannot be a key. Never raises on
        bad input. *Store primitive.*

        :param user_id: the key as text (or the store's own key type).
        :returns: the user, or ``None``.
        """
        raise NotImplementedError

    def find_user_ci(self, attribute: str, value: str) -> Any | None:
        """The user whose ``attribute`` equals ``value`` ignoring case, or ``None``.
        *Store primitive*; should use an index.

        :param attribute: a user model attribute name (``"email"``).
        :param value: the value to match, compared ignoring case, literally (no pattern).
        :returns: the user, or ``None``.
        """
        raise NotImplementedError

    def find_user(self, *args: Any, **kwargs: Any) -> Any | None:
        """The first user whose attributes equal ``kwargs`` exactly, or ``None``.
        *Store primitive* (stores take keyword arguments only; the base accepts
        positional ones too, as 3.0's did, and raises ``NotImplementedError``).

        :param args: not used by stores (3.0 accepted them).
        :param kwargs: ``{attribute: value}`` that must all match exactly.
        :returns: the user, or ``None``.
        """
        raise NotImplementedError

    def find_role(self, role: str) -> Any | None:
        """The role named ``role``, or ``None``. *Store primitive.*

        :param role: the role name.
        :returns: the role, or ``None``.
        """
        raise NotImplementedError

    def is_numeric_id(self, identifier: Any) -> bool:
        """Whether ``identifier`` looks like a primary key, for :meth:`get_user`: an
        ``int`` (not a ``bool``) or a string of digits. *Store hook*: a store whose
        keys look different (MongoDB's ObjectIds) overrides it.

        :param identifier: what :meth:`get_user` was given.
        :returns: ``True`` when it should be tried as a primary key first.
        """
        if isinstance(identifier, int) and not isinstance(identifier, bool):
            return True
        return isinstance(identifier, str) and identifier.isdigit()

    # -- lookups ---------------------------------------------------------------------

    def find_user_by_identity(
        self, value: str, attributes: Iterable[str] | None = None
    ) -> Any | None:
        """The user whose identity attribute equals ``value`` ignoring case.

        Used by login, basic auth and the CLI. ``attributes`` defaults to
        ``SECURITY_USER_IDENTITY_ATTRIBUTES``; a primary key is never tried, so
        ``"1"`` does not name user 1 (docs/migration.md#a-number-is-not-a-login-name).

        :param value: the login name as typed (any identity attribute).
        :param attributes: attribute names to try in order; ``None`` for
            ``SECURITY_USER_IDENTITY_ATTRIBUTES``.
        :returns: the user, or ``None`` (also for a blank or non-text ``value``).
        """
        if not isinstance(value, str) or not value.strip():
            return None
        if attributes is None:
            attributes = get_identity_attributes()
        value = normalize_email(value)  # blanks stripped (the case is ignored anyway)
        for attr in attributes:
            user = self.find_user_ci(attr, value)
            if user is not None:
                return user
        return None

    def get_user(self, identifier: Any) -> Any | None:
        """The user with primary key ``identifier`` (an ``int`` or a digit string, or
        the store's own key type), else the user whose identity attribute matches
        ``identifier`` ignoring case; ``None`` when there is none (documented 3.0).

        :param identifier: a primary key (``int``, digit string) or an identity value.
        :returns: the user, or ``None``.
        """
        if identifier is None or identifier == "":
            # Names no user; asked of the store primitive all the same, so that the
            # bare base class raises NotImplementedError as 3.0's did.
            return self.load_user("")
        if self.is_numeric_id(identifier) or not isinstance(identifier, str):
            user = self.load_user(str(identifier))
            if user is not None:
                return user
        return self.find_user_by_identity(str(identifier))

    # -- creation --------------------------------------------------------------------

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

    def prepare_create_user_args(self, **kwargs: Any) -> dict[str, Any]:
        """The attributes of a new user, completed. *For stores*: a store's
        ``create_user`` calls this, then :meth:`check_unique`, then saves.

        ``active`` defaults to ``True``; ``fs_uniquifier`` is filled in (a random 32
        hex characters) when the model has one; an unhashed ``password`` is logged
        (:meth:`warn_unhashed_password`); role names in ``roles`` become role objects.

        :param kwargs: the model's attributes (``email``, ``password``, ``roles``...).
        :returns: ``kwargs`` completed.
        :raises DatastoreError: a role name in ``roles`` names no role.
        """
        kwargs.setdefault("active", True)
        if self.has_uniquifier and not kwargs.get("fs_uniquifier"):
            kwargs["fs_uniquifier"] = uuid.uuid4().hex
        self.warn_unhashed_password(kwargs.get("password"))
        roles = kwargs.get("roles") or []
        resolved = []
        for role in roles:
            if isinstance(role, str):
                found = self.find_role(role)
                if found is None:
                    raise DatastoreError(f"no role named {role!r}")
                role = found
            resolved.append(role)
        kwargs["roles"] = resolved
        return kwargs

    def check_unique(self, kwargs: dict[str, Any]) -> None:
        """Refuse a new user whose identity attribute is taken, ignoring case.
        *For stores*: called by a store's ``create_user`` before it saves (the
        database's unique index remains the last word under concurrency).

        :param kwargs: the new user's attributes; each of
            ``SECURITY_USER_IDENTITY_ATTRIBUTES`` (``email`` outside an app) is checked.
        :raises UserExistsError: a user already has one of those values.
        """
        attrs = ["email"]
        if has_app_context() and "security" in current_app.extensions:
            attrs = get_identity_attributes()
        for attr in attrs:
            value = kwargs.get(attr)
            if isinstance(value, str) and self.find_user_ci(attr, value) is not None:
                raise UserExistsError(f"a user with {attr} {value!r} already exists")

    def warn_unhashed_password(self, password: Any) -> None:
        """Log a warning (``app.logger``) when ``password`` is not a hash of a
        configured scheme; called by :meth:`prepare_create_user_args`.

        3.0 stored such a value as it came and verified it as ``plaintext``; fsec does
        the same and re-hashes it at the first successful login (documented 3.0
        behaviour), but until then the password sits in the database in clear.

        :param password: the value given as ``password`` to ``create_user``.
        """
        if not isinstance(password, str) or not has_app_context():
            return
        state = current_app.extensions.get("security")
        hasher = getattr(state, "password_hasher", None)
        if hasher is None or hasher.scheme == "plaintext":
            return
        if hasher.identify(password) in (None, "plaintext"):
            current_app.logger.warning(
                "fsec: create_user received a password that is not hashed; it is stored "
                "as it is and re-hashed at the user's first login. Pass "
                "flask_security.utils.hash_password(password) instead."
            )

    # The names these methods had before they were documented for stores.
    _is_numeric_id = is_numeric_id
    _prepare_role_modify_args = prepare_role_modify_args
    _prepare_create_user_args = prepare_create_user_args
    _check_unique = check_unique
    _warn_unhashed_password = warn_unhashed_password

    def create_user(self, **kwargs: Any) -> Any:
        """Create, save and return a user from ``kwargs``.

        ``password`` should already be hashed (:func:`flask_security.utils.hash_password`);
        an unhashed one is stored as given (3.0), logged as a warning, verified as
        ``plaintext`` and re-hashed at the first successful login.

        ``password=None`` is supported, on every store: an account
        without a usable password, for users who will set one through a mailed link
        (password reset, an invitation plugin) or who sign in another way
        (passwordless links, tokens). No password can ever match it: the login form,
        JSON login and HTTP Basic answer exactly as for a wrong password
        (``INVALID_PASSWORD``, after the same dummy hash work), never with a
        "no password set" message (Flask-Security 3.0 answered ``PASSWORD_NOT_SET``,
        which told anyone that the account exists and has no password; see the
        migration notes). Change password refuses it too (the current password
        cannot match); a reset link works and sets the first password.

        ``fs_uniquifier`` is set to a random value when the model has it;
        ``active`` defaults to ``True``; ``roles`` may hold role objects or names.

        :param kwargs: the user model's fields (``email``, ``password``, ``active``,
            ``roles``...).
        :returns: the new user, put into the store (commit to save it).
        :raises UserExistsError: an identity attribute value (email...) is taken,
            compared ignoring case.
        :raises DatastoreError: a role name does not exist.
        """
        kwargs = self.prepare_create_user_args(**kwargs)
        self.check_unique(kwargs)
        user = self.user_model(**kwargs)
        return self.put(user)  # type: ignore[attr-defined]

    # -- revocation (upstream Flask-Security 5.x names) --------------------------------

    @property
    def has_uniquifier(self) -> bool:
        """Whether the user model has upstream's ``fs_uniquifier`` attribute (a string
        of up to 64 characters, unique). Sessions, remember cookies and auth tokens are
        then bound to it, and :meth:`reset_user_access` can end them all."""
        return hasattr(self.user_model, "fs_uniquifier")

    def set_uniquifier(self, user: Any, uniquifier: str | None = None) -> None:
        """Set ``user.fs_uniquifier`` (a new ``uuid4().hex`` when ``uniquifier`` is
        empty), which ends every session, remember cookie and auth token of the user.
        Put into the datastore, not committed (the caller commits).

        :raises DatastoreError: the user model has no ``fs_uniquifier``.

        :param user: the user.
        :param uniquifier: the new value, or ``None`` for a random one.
        """
        if not self.has_uniquifier:
            raise DatastoreError(
                "the user model has no fs_uniquifier attribute, so sessions and tokens "
                "cannot be revoked; add fs_uniquifier (string, 64, unique) to the model"
            )
        user.fs_uniquifier = uniquifier or uuid.uuid4().hex
        self.put(user)  # type: ignore[attr-defined]

    def reset_user_access(self, user: Any) -> None:
        """End every session, remember cookie and auth token of ``user`` at once
        (upstream Flask-Security 5.x API: a new ``fs_uniquifier``); the password is
        not changed. Meant for administrators after a compromise (also
        ``flask users reset-access IDENTITY``). Not committed: call ``commit()``.

        Without ``fs_uniquifier`` on the model there is nothing to change: logout is
        then client-side only, and only a password change (or deactivation) ends a
        copied session cookie.

        Then the ``fsec_user_access_reset`` hook lets plugins revoke what they keep
        (second factors, server-side sessions...).

        :raises DatastoreError: the user model has no ``fs_uniquifier``.

        :param user: the user.
        """
        self.set_uniquifier(user)
        state = current_app.extensions.get("security") if has_app_context() else None
        if state is not None:
            state.plugins.hook.fsec_user_access_reset(user=user)

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

    def toggle_active(self, user: Any) -> bool:
        """Flip ``user.active``. Always returns ``True`` (documented 3.0 behaviour).

        Only the attribute changes, as in 3.0: the caller saves it
        (``put(user)``, then ``commit()``).

        :param user: the user.
        :returns: ``True``.
        """
        user.active = not user.active
        return True

    def deactivate_user(self, user: Any) -> bool:
        """Set ``user.active`` to ``False``; ``True`` when it was active (3.0).

        Only the attribute changes: the caller saves it (``put(user)``, ``commit()``).

        :param user: the user.
        :returns: whether it was active.
        """
        if user.active:
            user.active = False
            return True
        return False

    def activate_user(self, user: Any) -> bool:
        """Set ``user.active`` to ``True``; ``True`` when it was inactive (3.0).

        Only the attribute changes: the caller saves it (``put(user)``, ``commit()``).

        :param user: the user.
        :returns: whether it was inactive.
        """
        if not user.active:
            user.active = True
            return True
        return False

    def delete_user(self, user: Any) -> None:
        """Delete ``user`` and its role links.

        :param user: the user (its role links go with it).
        """
        self.delete(user)  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    return lazy_getattr(__name__, name)


__all__ = [
    "MAX_INT_KEY",
    "Datastore",
    "DatastoreError",
    "UserDatastore",
    "UserExistsError",
    "check_cas_arguments",
    "coerce_int_key",
]
