"""``flask users unlock IDENTITY`` (registered in the ``users`` group via ``fsec_cli_commands``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_security.cli import BadInput

from .policy import lockout_status, unlock_user


@click.command("unlock")
@click.argument("identity")
@with_appcontext
def unlock_command(identity: str) -> None:
    """Unlock the account IDENTITY and clear its failed sign-in count.

    IDENTITY is looked up like a login (``SECURITY_USER_IDENTITY_ATTRIBUTES``,
    ignoring case). An unknown identity exits with status 2 and one error line (fsec's
    ``BadInput``, like every fsec command).
    """
    datastore = current_app.extensions["security"].datastore
    user = datastore.find_user_by_identity(identity)
    if user is None:
        raise BadInput(f"no user {identity!r}")
    status = lockout_status(user)
    changed = unlock_user(user, commit=True)
    if status.locked:
        click.echo(f"User {identity} unlocked.")
    elif changed:
        click.echo(f"User {identity} was not locked; its failed sign-in count is cleared.")
    else:
        click.echo(f"User {identity} was not locked.")
