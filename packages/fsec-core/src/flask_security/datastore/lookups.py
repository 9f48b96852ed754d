"""Finding users and roles: the store primitives a store implements (``load_user``,
``find_user_ci``, ``find_user``, ``find_role``) and the lookups written once over them
(``get_user``, ``find_user_by_identity``). A part of
:class:`~flask_security.datastore.UserDatastore`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config import get_identity_attributes, normalize_email


class UserLookups:
    """The lookups of :class:`~flask_security.datastore.UserDatastore` (its store
    primitives and what is built on them)."""

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

    # The name this method had before it was documented for stores.
    _is_numeric_id = is_numeric_id
