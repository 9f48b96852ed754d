"""fsec-trackable's hook implementations: the ``trackable`` entry point.

Imported only when ``SECURITY_TRACKABLE`` is true.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_security import hookimpl


@hookimpl
def fsec_init_app(app: Any, state: Any) -> None:
    """Check the user model at start-up.

    :raises RuntimeError: the user model lacks one of the trackable fields.
    """
    from .trackable import missing_fields

    model = state.datastore.user_model
    missing = missing_fields(model)
    if missing:
        raise RuntimeError(
            f"SECURITY_TRACKABLE needs these fields on the user model "
            f"{model.__name__}: {', '.join(missing)} (last_login_at and current_login_at "
            "hold datetimes, last_login_ip and current_login_ip strings of up to 100 "
            "characters, login_count an integer)"
        )


@hookimpl
def fsec_after_login(user: Any, method: str) -> None:
    """Every session login, whatever ``method``, is recorded (token and basic
    authentication of single requests are not logins and do not come here)."""
    from .trackable import record_login

    record_login(user)


@hookimpl
def fsec_login_state(user: Any) -> str | None:
    from .trackable import login_state

    return login_state(user)


@hookimpl
def fsec_consume_login_state(user: Any, expected: dict[str, Any]) -> bool:
    """A one-time login link is used: record the login atomically (see
    :func:`fsec_trackable.trackable.consume_login`)."""
    from .trackable import consume_login

    return consume_login(user, expected)


@hookimpl
def fsec_cli_commands(register: Callable[[str, Any], None]) -> None:
    from .cli import users_stats

    register("users", users_stats)
