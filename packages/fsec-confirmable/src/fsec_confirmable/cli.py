"""``flask users confirm IDENTITY``: confirm a user's address from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_security import current_datastore
from flask_security.cli import BadInput


@click.command("confirm")
@click.argument("identity")
@with_appcontext
def users_confirm(identity: str) -> None:
    """Mark the email address of the user IDENTITY as confirmed.

    IDENTITY is looked up in ``SECURITY_USER_IDENTITY_ATTRIBUTES`` (ignoring case).
    Sets ``confirmed_at`` to ``SECURITY_DATETIME_FACTORY()`` and sends
    ``user_confirmed``. An unknown user exits with status 2 and one line on stderr
    (:class:`flask_security.cli.BadInput`).
    """
    from .confirmable import confirm_user

    user = current_datastore.find_user_by_identity(identity)
    if user is None:
        raise BadInput(f"no user {identity!r}")
    if confirm_user(user):
        click.echo(f"User {identity} confirmed.")
    else:
        click.echo(f"User {identity} was already confirmed.")


__all__ = ["users_confirm"]
