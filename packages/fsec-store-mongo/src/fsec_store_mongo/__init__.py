"""fsec datastore for MongoEngine: :class:`MongoEngineUserDatastore` (documented 3.0 API).

``db`` is either a Flask-MongoEngine extension object (``flask-mongoengine-3`` works on
Flask 3.1; ``flask-mongoengine`` 1.0 does not import on Flask 3) or the ``mongoengine``
module itself after ``mongoengine.connect(...)``. Documents save themselves, so the
datastore never needs more from ``db`` than its presence.

Case-insensitive identity lookups first try an exact match (served by the unique index
on ``email``), then an anchored, case-insensitive regular expression built from
``re.escape(value)``: characters such as ``.``, ``*`` or ``(`` in what a visitor types
are matched literally, never as a pattern. MongoDB cannot serve a case-insensitive
regular expression from an index as tightly as an equality match (it scans the
index's keys), which is why the exact match comes first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bson import ObjectId
from flask_security.datastore import (
    Datastore,
    DatastoreError,
    UserDatastore,
    UserExistsError,
    check_cas_arguments,
)
from mongoengine import ObjectIdField, SequenceField
from mongoengine.errors import NotUniqueError, ValidationError
from pymongo import ReturnDocument

__all__ = ["MongoEngineDatastore", "MongoEngineUserDatastore"]

__version__ = "0.1.0"


class MongoEngineDatastore(Datastore):
    """Persistence for MongoEngine documents: each write is sent at once.

    :param db: a Flask-MongoEngine object or the ``mongoengine`` module.
    """

    def put(self, model: Any) -> Any:
        """Save ``model`` (insert or update); returns it.

        :raises mongoengine.errors.NotUniqueError: a unique index refused the write.
        """
        model.save()
        return model

    def delete(self, model: Any) -> None:
        """Delete ``model``'s document."""
        model.delete()

    def commit(self) -> None:
        """Nothing to do: MongoDB writes each document when it is saved."""

    def compare_and_set(
        self,
        model: Any,
        expected: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> bool:
        """See :meth:`flask_security.datastore.Datastore.compare_and_set`.

        One ``find_one_and_update`` filtered on ``_id`` and the expected values
        (``None`` matches a null or missing field), with an update pipeline:
        ``{"$set": {field: {"$literal": value}}}`` (a value starting with ``$``, such
        as a bcrypt hash, stays a value) and, for increments, ``{"$add":
        [{"$ifNull": ["$field", 0]}, amount]}`` (a plain ``$inc`` fails on null).
        Needs MongoDB 4.2+. The returned document gives the new values, which are put
        on ``model`` without marking them changed.
        """
        cls = type(model)
        fields = cls._fields
        expected, values, increment = check_cas_arguments(fields, expected, values, increment)
        if model.pk is None:
            raise DatastoreError("compare_and_set needs a stored model (no primary key)")
        query: dict[str, Any] = {"_id": fields[cls._meta["id_field"]].to_mongo(model.pk)}
        for name, value in expected.items():
            field = fields[name]
            query[field.db_field] = None if value is None else field.to_mongo(value)
        new_values: dict[str, Any] = {}
        for name, value in values.items():
            field = fields[name]
            stored = None if value is None else field.to_mongo(value)
            new_values[field.db_field] = {"$literal": stored}
        for name, amount in increment.items():
            column = "$" + fields[name].db_field
            new_values[fields[name].db_field] = {"$add": [{"$ifNull": [column, 0]}, amount]}
        document = cls._get_collection().find_one_and_update(
            query, [{"$set": new_values}], return_document=ReturnDocument.AFTER
        )
        if document is None:
            return False
        for name in [*values, *increment]:
            stored = document.get(fields[name].db_field)
            model._data[name] = None if stored is None else fields[name].to_python(stored)
        changed = set(values) | set(increment)
        model._changed_fields = [f for f in model._changed_fields if f not in changed]
        return True

    def find_model(self, model: type, **filters: Any) -> Any | None:
        """See :meth:`flask_security.datastore.Datastore.find_model`; ``None`` also
        when a value is invalid for its field."""
        try:
            return model.objects(**filters).first()  # type: ignore[attr-defined]
        except ValidationError:
            return None

    def find_models(self, model: type, **filters: Any) -> list[Any]:
        """See :meth:`flask_security.datastore.Datastore.find_models`."""
        try:
            return list(model.objects(**filters))  # type: ignore[attr-defined]
        except ValidationError:
            return []

    def create_model(self, model: type, **fields: Any) -> Any:
        """See :meth:`flask_security.datastore.Datastore.create_model`: the document
        is saved, then appended to every ``ListField(ReferenceField(model))`` of the
        documents it references (upstream's ``User.webauthn`` list), which are saved.

        :raises flask_security.datastore.DatastoreError: a unique index refused it.
        """
        from mongoengine import Document, ListField, ReferenceField

        try:
            instance = model(**fields).save()
        except NotUniqueError as exc:
            raise DatastoreError(f"the {model.__name__} could not be stored: {exc}") from exc
        for value in fields.values():
            if not isinstance(value, Document):
                continue
            for name, field in type(value)._fields.items():
                inner = getattr(field, "field", None)
                if (
                    isinstance(field, ListField)
                    and isinstance(inner, ReferenceField)
                    and inner.document_type is model
                ):
                    getattr(value, name).append(instance)
                    value.save()
        return instance


class MongoEngineUserDatastore(MongoEngineDatastore, UserDatastore):
    """Users and roles on MongoEngine documents (documented 3.0 API).

    :param db: a Flask-MongoEngine object or the ``mongoengine`` module.
    :param user_model: the user ``Document`` (with ``UserMixin``); ``roles`` is a
        ``ListField(ReferenceField(Role))``; ``email`` should be ``unique=True`` so
        the database backs the duplicate check.
    :param role_model: the role ``Document`` (with ``RoleMixin``).
    :param webauthn_model: the WebAuthn credential ``Document`` (upstream 5.x's
        fourth argument; fsec-webauthn), or ``None``.
    """

    def __init__(
        self, db: Any, user_model: type, role_model: type, webauthn_model: type | None = None
    ) -> None:
        MongoEngineDatastore.__init__(self, db)
        UserDatastore.__init__(self, user_model, role_model, webauthn_model)

    # -- primitives ------------------------------------------------------------------

    def is_numeric_id(self, identifier: Any) -> bool:
        if isinstance(identifier, ObjectId):
            return True
        if isinstance(identifier, str) and ObjectId.is_valid(identifier):
            return True
        return super().is_numeric_id(identifier)

    def _coerce_pk(self, user_id: Any) -> Any:
        """``user_id`` as a value of the primary key field, or ``None`` when it
        cannot be one (an ``ObjectId`` key accepts only 24 hex digits)."""
        field = self.user_model._fields[self.user_model._meta["id_field"]]
        if isinstance(field, ObjectIdField):
            if isinstance(user_id, ObjectId):
                return user_id
            if isinstance(user_id, str) and len(user_id) == 24 and ObjectId.is_valid(user_id):
                return ObjectId(user_id)
            return None
        if isinstance(field, SequenceField) or getattr(field, "python_type", None) is int:
            text = str(user_id)
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                return None
            return int(text)
        if user_id is None:
            return None
        try:
            value = field.to_python(user_id)
            field.validate(value)
        except Exception:  # any value the field refuses is "no such user"
            return None
        return value

    def load_user(self, user_id: Any) -> Any | None:
        """The user whose primary key is ``user_id`` (a ``str``), or ``None``.

        The roles are dereferenced with it. Never raises on bad input.
        """
        key = self._coerce_pk(user_id)
        if key is None:
            return None
        return self.user_model.objects(pk=key).first()

    def find_user_ci(self, attribute: str, value: str) -> Any | None:
        """The user whose ``attribute`` equals ``value`` ignoring case, or ``None``.

        An exact (indexed) match first, then ``^<re.escape(value)>$`` with the
        ``i`` option, so the value can never act as a pattern.
        """
        field = self.user_model._fields.get(attribute)
        if field is None or not isinstance(value, str):
            return None
        exact = self.user_model.objects(**{attribute: value}).first()
        if exact is not None:
            return exact
        pattern = "^" + re.escape(value) + "$"
        query = {field.db_field: {"$regex": pattern, "$options": "i"}}
        return self.user_model.objects(__raw__=query).first()

    def find_user(self, **kwargs: Any) -> Any | None:
        """The first user whose fields equal ``kwargs``; ``None`` also when a value
        is invalid for its field (an id that is no ``ObjectId``...)."""
        if "id" in kwargs:
            key = self._coerce_pk(kwargs.pop("id"))
            if key is None:
                return None
            kwargs["pk"] = key
        try:
            return self.user_model.objects(**kwargs).first()
        except ValidationError:
            return None

    def find_role(self, role: str) -> Any | None:
        """The role named ``role``, or ``None``."""
        return self.role_model.objects(name=role).first()

    # -- writes ----------------------------------------------------------------------

    def create_user(self, **kwargs: Any) -> Any:
        """See :meth:`UserDatastore.create_user`.

        :raises UserExistsError: also when the unique index refuses the document
            (two requests raced); nothing is written then.
        """
        try:
            return super().create_user(**kwargs)
        except NotUniqueError as exc:
            raise UserExistsError(
                f"a user with these identity values already exists: {exc}"
            ) from exc
