"""Creating users: completing and checking a new user's attributes
(``prepare_create_user_args``, ``check_unique``, the unhashed-password warning), then
``create_user``. A part of
:class:`~flask_security.datastore.UserDatastore`."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, has_app_context

from ..config import get_identity_attributes
from .support import DatastoreError, UserExistsError


class UserCreation:
    """The creation methods of :class:`~flask_security.datastore.UserDatastore`; they
    use its lookups (``find_role``, ``find_user_ci``) and the store's ``put``."""

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
