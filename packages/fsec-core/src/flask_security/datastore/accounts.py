"""Changing accounts: revocation (``fs_uniquifier``, ``reset_user_access``),
activation and deletion. A part of :class:`~flask_security.datastore.UserDatastore`."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, has_app_context

from .support import DatastoreError


class AccountChanges:
    """The account-changing methods of :class:`~flask_security.datastore.UserDatastore`;
    they use its lookups and the store's ``put`` and ``delete``."""

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

    # -- activation and deletion -----------------------------------------------------

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
