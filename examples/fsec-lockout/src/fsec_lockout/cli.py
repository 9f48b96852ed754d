"""``flask users unlock IDENTITY`` (registered in the ``users`` group via ``fsec_cli_commands``)."""

from __future__ import annotations

import click
from flask import current_app

from .policy import lockout_status, unlock_user


@click.command("unlock")
@click.argument("identity")
def unlock_command(identity: str) -> None:
    """Unlock the account IDENTITY and clear its failed sign-in count.

    IDENTITY is looked up like a login (``SECURITY_USER_IDENTITY_ATTRIBUTES``,
    ignoring case). An unknown identity exits with status 1 and one error line.
    """
    datastore = current_app.extensions["security"].datastore
    user = datastore.find_user_by_identity(identity)
    if user is None:
        raise click.ClickException(f"no user {identity!r}")
    status = lockout_status(user)
    changed = unlock_user(user, commit=True)
    if status.locked:
        click.echo(f"User {identity} unlocked.")
    elif changed:
        click.echo(f"User {identity} was not locked; its failed sign-in count is cleared.")
    else:
        click.echo(f"User {identity} was not locked.")
