"""``flask users stats IDENTITY``: a user's login statistics."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from flask_security import current_datastore
from flask_security.cli import BadInput


def _when(value: Any) -> str:
    return "never" if value is None else str(value)


@click.command("stats")
@click.argument("identity")
@with_appcontext
def users_stats(identity: str) -> None:
    """Show the login statistics of the user IDENTITY (an identity attribute value,
    the email by default): login count, current and previous login time and address."""
    user = current_datastore.find_user_by_identity(identity)
    if user is None:
        raise BadInput(f"no user {identity!r}")
    click.echo(f"User {user.email}")
    click.echo(f"  logins:         {user.login_count or 0}")
    click.echo(
        f"  current login:  {_when(user.current_login_at)} from {user.current_login_ip or '-'}"
    )
    click.echo(f"  previous login: {_when(user.last_login_at)} from {user.last_login_ip or '-'}")
