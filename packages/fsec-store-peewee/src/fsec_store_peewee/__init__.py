"""fsec datastore for peewee 4: :class:`PeeweeUserDatastore` (documented 3.0 API).

peewee has no many-to-many list, so roles go through a link model (``role_link``,
the documented quickstart's ``UserRoles``) with a foreign key to the user (whose
``backref`` is ``roles``) and one to the role, and ``name`` / ``description``
properties that read its role's. ``user.roles`` is therefore a sequence of link rows
that answer ``.name`` like roles do, which is all ``has_role`` and the
Flask-Principal identity read.

* :meth:`PeeweeUserDatastore.load_user` reads the user, its link rows and their
  roles in one SQL statement (a ``LEFT OUTER JOIN``) and stores the rows as
  ``user.roles`` (a list), so a session-authenticated request that checks roles
  costs one statement.
* Identity lookups compare ``lower(column) = lower(value)`` in SQL. The datastore adds
  an expression index ``<table>_<column>_lower`` on ``lower(email)`` to the user
  model (unique when ``email`` is unique), so ``create_tables`` builds it and the
  lookup is index-backed and case-insensitively unique. On an existing database
  create it yourself: ``CREATE UNIQUE INDEX user_email_lower ON "user" (lower(email))``.
* ``class User(db.Model, UserMixin)`` lets peewee's ``Model.get_id`` (the bare
  primary key) shadow fsec's ``UserMixin.get_id`` (the session identifier that ties
  sessions to the password); the datastore puts fsec's back on the user model. Read
  the key as ``user.id``.
* Writes run in peewee's autocommit mode (every statement is committed), and
  ``create_user`` / ``delete_user`` write their rows in one ``atomic()`` block, so a
  failure leaves nothing half-written. :meth:`~PeeweeDatastore.commit` therefore has
  nothing to commit; inside the application's own ``atomic()`` block that block
  decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import peewee
from flask_security import UserMixin
from flask_security.datastore import (
    Datastore,
    DatastoreError,
    UserDatastore,
    check_cas_arguments,
    coerce_int_key,
    user_write_error,
)

from .roles import RoleLinkMixin

__all__ = ["PeeweeDatastore", "PeeweeUserDatastore", "add_identity_index"]

__version__ = "0.1.0"


def _database_of(db: Any) -> peewee.Database:
    """The ``peewee.Database`` behind ``db`` (itself, or ``db.database`` for
    ``playhouse.flask_utils.FlaskDB`` and flask-peewee's ``Database``)."""
    if isinstance(db, peewee.Database):
        return db
    inner = getattr(db, "database", None)
    if isinstance(inner, peewee.Database):
        return inner
    raise TypeError(
        f"PeeweeUserDatastore needs a peewee Database (or an object whose .database is "
        f"one, such as playhouse.flask_utils.FlaskDB), got {type(db).__name__}"
    )


def add_identity_index(model: type[peewee.Model], attribute: str) -> peewee.ModelIndex | None:
    """Add the expression index ``lower(<attribute>)`` to ``model``'s metadata.

    Named ``<table>_<attribute>_lower``; unique when the field is unique. Idempotent.

    :returns: the index, or ``None`` when the model has no such field.
    """
    field = model._meta.fields.get(attribute)
    if field is None:
        return None
    name = f"{model._meta.table_name}_{attribute}_lower"
    for index in model._meta.indexes:
        if isinstance(index, peewee.ModelIndex) and index._name == name:
            return index
    index = model.index(peewee.fn.lower(field), unique=bool(field.unique), name=name)
    model.add_index(index)
    return index


class PeeweeDatastore(Datastore):
    """Persistence for peewee models.

    :param db: a ``peewee.Database`` or an object whose ``database`` is one.
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self.database = _database_of(db)

    def put(self, model: Any) -> Any:
        """Save ``model`` (insert or update; committed in autocommit mode); returns it.

        A stored row gets only the fields changed on ``model`` since it was read
        (peewee's ``save()`` alone writes every field, which would undo what other
        requests stored meanwhile: a password reset, a login counter).
        """
        if model._pk is not None:
            dirty = model.dirty_fields
            if dirty:
                model.save(only=dirty)
            return model
        model.save()
        return model

    def delete(self, model: Any) -> None:
        """Delete ``model``'s row."""
        model.delete_instance()

    def commit(self) -> None:
        """Nothing to commit: peewee commits each statement unless the application runs
        inside its own ``atomic()`` block, which then commits at its end."""

    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """See :meth:`flask_security.datastore.Datastore.compare_and_set`.

        One ``UPDATE ... WHERE <pk> = ? AND <field> = ? [AND <field> IS NULL]``
        (committed at once in autocommit mode); its row count decides. On success
        the written values are put on ``model`` as clean (not dirty) data and
        incremented fields are read back.
        """
        cls = type(model)
        fields = cls._meta.fields
        expected, values, increment = check_cas_arguments(fields, expected, values, increment)
        if model._pk is None:
            raise DatastoreError("compare_and_set needs a stored model (no primary key)")
        pk_field = cls._meta.primary_key
        where = [pk_field == model._pk]
        for name, value in expected.items():
            where.append(fields[name].is_null() if value is None else fields[name] == value)
        changes: dict[Any, Any] = {fields[name]: value for name, value in values.items()}
        for name, amount in increment.items():
            changes[fields[name]] = peewee.fn.COALESCE(fields[name], 0) + amount
        if cls.update(changes).where(*where).execute() != 1:
            return False
        for name, value in values.items():
            model.__data__[name] = value
            model._dirty.discard(name)
        if increment:
            names = list(increment)
            row = (
                cls.select(*(fields[n] for n in names)).where(pk_field == model._pk).tuples().get()
            )
            for name, value in zip(names, row, strict=True):
                model.__data__[name] = value
                model._dirty.discard(name)
        return True

    @staticmethod
    def _where(model: Any, filters: dict[str, Any]) -> list[Any]:
        fields = model._meta.fields
        return [
            fields[name].is_null() if value is None else fields[name] == value
            for name, value in filters.items()
        ]

    def find_model(self, model: type, **filters: Any) -> Any | None:
        """See :meth:`flask_security.datastore.Datastore.find_model`."""
        query = model.select()  # type: ignore[attr-defined]
        if filters:
            query = query.where(*self._where(model, filters))
        return query.first()

    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """See :meth:`flask_security.datastore.Datastore.find_models`."""
        query = model.select()  # type: ignore[attr-defined]
        if filters:
            query = query.where(*self._where(model, filters))
        return list(query.order_by(model._meta.primary_key))  # type: ignore[attr-defined]

    def create_model(self, model: type, **fields: Any) -> Any:
        """See :meth:`flask_security.datastore.Datastore.create_model` (one
        ``INSERT``, committed in autocommit mode).

        :raises flask_security.datastore.DatastoreError: a constraint refused it.
        """
        try:
            with self.database.atomic():
                return model.create(**fields)  # type: ignore[attr-defined]
        except peewee.IntegrityError as exc:
            raise DatastoreError(f"the {model.__name__} could not be stored: {exc}") from exc


class PeeweeUserDatastore(PeeweeDatastore, RoleLinkMixin, UserDatastore):
    """Users and roles on peewee models (documented 3.0 API).

    :param db: a ``peewee.Database`` (or ``FlaskDB`` / flask-peewee ``Database``).
    :param user_model: the user model (``UserMixin``).
    :param role_model: the role model (``RoleMixin``), ``name`` unique.
    :param role_link: the link model: one ``ForeignKeyField`` to ``user_model``
        (``backref="roles"``) and one to ``role_model``, plus ``name`` and
        ``description`` properties reading its role's.
    :param webauthn_model: the WebAuthn credential model (upstream 5.x's fifth
        argument; fsec-webauthn), or ``None``.
    :raises TypeError: ``db`` is no peewee database, or ``role_link`` lacks one of
        the two foreign keys.
    """

    def __init__(
        self,
        db: Any,
        user_model: type,
        role_model: type,
        role_link: type,
        webauthn_model: type | None = None,
    ) -> None:
        PeeweeDatastore.__init__(self, db)
        UserDatastore.__init__(self, user_model, role_model, webauthn_model)
        self.use_role_link(role_link)
        self._pk = user_model._meta.primary_key
        add_identity_index(user_model, "email")
        if getattr(user_model, "get_id", None) is peewee.Model.get_id:
            # ``class User(db.Model, UserMixin)`` (the documented order) lets peewee's
            # Model.get_id (the bare primary key) shadow UserMixin.get_id, whose value
            # Flask-Login keeps in the session and which ties sessions to the password.
            # peewee itself reads keys through ``_pk``, never ``get_id``.
            user_model.get_id = UserMixin.get_id  # type: ignore[method-assign]

    # -- primitives ------------------------------------------------------------------

    def _coerce_pk(self, user_id: Any) -> Any:
        field = self._pk
        if isinstance(field, peewee.IntegerField):  # AutoField, BigAutoField...
            return coerce_int_key(user_id)
        if user_id is None:
            return None
        try:
            value = field.python_value(user_id)
            field.db_value(value)
        except (TypeError, ValueError, AttributeError):
            return None
        return value

    def load_user(self, user_id: Any) -> Any | None:
        """The user whose primary key is ``user_id``, its link rows and their roles read
        in the same SQL statement (stored as ``user.roles``, a list); ``None`` when
        there is none or ``user_id`` cannot be a key. Never raises on bad input."""
        key = self._coerce_pk(user_id)
        if key is None:
            return None
        User, Link, Role = self.user_model, self.UserRole, self.role_model
        query = (
            User.select(User, Link, Role)
            .join(Link, peewee.JOIN.LEFT_OUTER, on=(self._user_fk == self._pk), attr="_fsec_link")
            .join(Role, peewee.JOIN.LEFT_OUTER, on=(self._role_fk == Role._meta.primary_key))
            .where(self._pk == key)
            .order_by(Role.name)
        )
        user = None
        links: list[Any] = []
        for row in query:  # one row per role (one row with no link when it has none)
            if user is None:
                user = row
            link = row.__dict__.pop("_fsec_link", None)
            if link is not None and link._pk is not None:
                setattr(link, self._user_fk.name, user)
                link._dirty.clear()
                links.append(link)
        if user is None:
            return None
        setattr(user, self._roles_attr, links)
        return user

    def find_user_ci(self, attribute: str, value: str) -> Any | None:
        """The user whose ``attribute`` equals ``value`` ignoring case (``lower()`` on
        both sides, in SQL, served by the ``lower(email)`` index), or ``None``."""
        field = self.user_model._meta.fields.get(attribute)
        if field is None or not isinstance(value, str):
            return None
        return (
            self.user_model.select().where(peewee.fn.lower(field) == peewee.fn.lower(value)).first()
        )

    def find_user(self, **kwargs: Any) -> Any | None:
        """The first user whose fields equal ``kwargs``, or ``None`` (also for an
        ``id`` that cannot be a key)."""
        if "id" in kwargs:
            key = self._coerce_pk(kwargs.pop("id"))
            if key is None:
                return None
            kwargs[self._pk.name] = key
        return self.user_model.select().filter(**kwargs).first()

    def find_role(self, role: str) -> Any | None:
        """The role named ``role``, or ``None``."""
        return self.role_model.select().where(self.role_model.name == role).first()

    def create_user(self, **kwargs: Any) -> Any:
        """See :meth:`UserDatastore.create_user`. The user row and its link rows are
        written in one transaction.

        :raises UserExistsError: an identity value is taken (also when the unique
            index refuses the row because two requests raced); nothing is written.
        """
        kwargs = self.prepare_create_user_args(**kwargs)
        self.check_unique(kwargs)
        roles = kwargs.pop("roles", [])
        try:
            with self.database.atomic():
                user = self.user_model.create(**kwargs)
                for role in roles:
                    self.UserRole.create(**{self._user_fk.name: user, self._role_fk.name: role})
        except peewee.IntegrityError as exc:
            raise user_write_error(exc) from exc
        self._refresh_roles(user)
        return user

    def delete_user(self, user: Any) -> None:
        """Delete ``user``, its link rows and every row referring to it (a feature's
        own models, such as WebAuthn credentials: ``delete_instance(recursive=True)``
        as upstream 5.x does), in one transaction."""
        with self.database.atomic():
            self.UserRole.delete().where(self._user_fk == user._pk).execute()
            user.delete_instance(recursive=True)
