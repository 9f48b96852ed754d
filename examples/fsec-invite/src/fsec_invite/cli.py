"""``flask users invite EMAIL`` (registered in the ``users`` group via ``fsec_cli_commands``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_security.cli import validate_cli_form
from flask_security.utils import get_message

from .invite import invite_user


# --8<-- [start:cli]
@click.command("invite")
@click.argument("email")
@with_appcontext
def invite_command(email: str) -> None:
    """Invite EMAIL: create its account without a password and mail it a link to
    choose one. The address is checked by the web ``invite_form`` (syntax, no account
    has it yet); bad input exits with status 2 and one error line."""
    form = validate_cli_form("invite_form", {"email": email})
    invite_user(form.email.data)
    click.echo(get_message("INVITE_SENT", email=form.email.data)[0])


# --8<-- [end:cli]
