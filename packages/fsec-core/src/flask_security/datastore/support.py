"""What every store implementation shares besides the base classes: the datastore
errors (:class:`DatastoreError`, :class:`UserExistsError`), the translation of a
database's integrity error (:func:`user_write_error`), the check of
``compare_and_set``'s arguments (:func:`check_cas_arguments`) and the reading of an
integer primary key from untrusted text (:func:`coerce_int_key`). Importable from
:mod:`flask_security.datastore`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


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
