"""The persistence half of a store: :class:`Datastore`, the primitives over the ORM's
database object (``put``, ``delete``, ``commit``, ``compare_and_set`` and a feature's
own models). A store subclasses it beside :class:`~flask_security.datastore.UserDatastore`;
importable from :mod:`flask_security.datastore`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
