"""3.0's module path ``flask_security.registerable``: ``register_user(**kwargs)`` over
the fsec-registerable distribution (``ImportError`` naming it when it is missing)."""

from __future__ import annotations

from typing import Any

from ._lazy import import_feature_module

_impl = import_feature_module("fsec_registerable.registerable", "fsec-registerable", __name__)


def register_user(**kwargs: Any) -> Any:
    """Register a user from its fields, as 3.0's ``register_user(**kwargs)`` did.

    :param kwargs: user model fields; ``password`` in clear text (it is hashed).
    :returns: the new user, committed; ``user_registered`` was sent and the welcome
        mail (with the confirmation link when confirmable is on) handed to the sender.
    :raises flask_security.datastore.UserExistsError: the email is taken.
    """
    user, _extra = _impl.register_user_data(kwargs)
    return user


__all__ = ["register_user"]
