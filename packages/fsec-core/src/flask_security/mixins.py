"""The model mixins (documented 3.0 API): :class:`UserMixin`, :class:`RoleMixin`,
and :class:`AnonymousUser`, the user before login."""

from __future__ import annotations

from typing import Any

from flask_login import AnonymousUserMixin
from flask_login import UserMixin as BaseUserMixin

from .hashing import verify_and_update_password
from .state import current_security as _security


class UserMixin(BaseUserMixin):
    """Mixin for user models (documented 3.0 API).

    Requires the attributes ``id``, ``email``, ``password`` and ``active`` (and
    ``roles``, a collection of role objects with a ``name``).
    """

    @property
    def is_active(self) -> bool:
        """``True`` when the account is active (``active`` attribute)."""
        return bool(getattr(self, "active", False))

    def get_id(self) -> str:
        """Flask-Login's *alternative token*: ``"<id>:<password fingerprint>"``.

        Flask-Login keeps this string in the session and the remember cookie, so both
        die when the password changes
        (docs/migration.md#sessions-and-remember-cookies-die-with-the-password).

        :returns: the string Flask-Login stores.
        """
        return f"{self.id}:{_security.password_fingerprint(self)}"

    def get_auth_token(self) -> str:
        """A signed authentication token for the ``Authentication-Token`` header.

        The token holds the user id and the password fingerprint, signed with
        ``SECRET_KEY`` (HMAC-SHA256, itsdangerous); it stops working when the password
        changes, and after ``SECURITY_TOKEN_MAX_AGE`` seconds when that is set.

        :returns: the token (URL-safe ASCII).
        """
        return _security.auth_token_for(self)

    def has_role(self, role: Any) -> bool:
        """Whether the user has ``role`` (a role name ``str`` or a role object).

        :param role: a role name or role object.
        :returns: whether the user has it.
        """
        name = role if isinstance(role, str) else getattr(role, "name", None)
        return any(r.name == name for r in (getattr(self, "roles", None) or ()))

    def get_security_payload(self) -> dict[str, Any]:
        """The user part of JSON responses: ``{"id": "<id>"}`` by default.

        :returns: a JSON-serialisable dict; override to add fields.
        """
        return {"id": str(self.id)}

    def verify_and_update_password(self, password: str) -> bool:
        """Verify ``password`` and re-hash it when the stored hash is outdated.

        :param password: the password as typed.
        :returns: whether it matches.
        """
        return verify_and_update_password(password, self)


class RoleMixin:
    """Mixin for role models; roles compare equal by ``name`` (documented 3.0 API)."""

    def __eq__(self, other: object) -> bool:
        name = other if isinstance(other, str) else getattr(other, "name", None)
        return getattr(self, "name", None) == name

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(getattr(self, "name", None))


class AnonymousUser(AnonymousUserMixin):
    """The user before login: no roles."""

    def __init__(self) -> None:
        self.roles: list[Any] = []

    def has_role(self, *args: Any) -> bool:
        """Always ``False``.

        :param args: a role name or object (ignored).
        :returns: ``False``.
        """
        return False
