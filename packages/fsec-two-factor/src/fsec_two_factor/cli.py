"""``flask users tf-reset IDENTITY`` (registered in the ``users`` group through
``fsec_cli_commands``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_security import current_datastore
from flask_security.cli import BadInput


@click.command("tf-reset")
@click.argument("identity")
@with_appcontext
def tf_reset_command(identity: str) -> None:
    """Remove the second factor of the account IDENTITY (method, secret, phone number,
    recovery codes) and send ``tf_disabled``; the user signs in with the first factor
    alone (or sets two-factor up again when ``SECURITY_TWO_FACTOR_REQUIRED``).

    IDENTITY is looked up like a login (``SECURITY_USER_IDENTITY_ATTRIBUTES``,
    ignoring case). An unknown identity exits with status 2 and one error line.
    """
    from .twofactor import disable, user_method

    user = current_datastore.find_user_by_identity(identity)
    if user is None:
        raise BadInput(f"no user {identity!r}")
    had = user_method(user)
    disable(user)
    if had:
        click.echo(f"Two-factor ({had}) removed from {identity}.")
    else:
        click.echo(f"{identity} had no two-factor method; nothing left to remove.")
