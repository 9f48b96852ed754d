"""``flask users ...``, ``flask roles ...`` and ``flask security plugins`` (click).

Group names come from ``SECURITY_CLI_USERS_NAME`` / ``SECURITY_CLI_ROLES_NAME``
(``False`` removes the group). Bad input exits with status 2, click's usage-error
status, as in 3.0, and one line on stderr (``Error: ...``), never a traceback.

Each command carries ``with_appcontext``, so it also runs when invoked directly
(``CliRunner().invoke(users_create, obj=ScriptInfo(create_app=...))``, as 3.0's
own tests did), not only through ``flask``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask.cli import with_appcontext

from .config import config_value, get_identity_attributes, normalize_email
from .datastore import DatastoreError
from .hashing import hash_password
from .plugins import discover
from .state import _datastore, _security


class BadInput(click.UsageError):
    """Bad input to an fsec command: exit status 2 (click's ``UsageError``, as 3.0
    raised) and a single ``Error: <message>`` line on stderr, without the usage text.

    Plugins' commands raise it too, so every fsec command fails the same way.
    """

    def show(self, file: Any = None) -> None:
        """Print ``Error: <message>`` (one line) on stderr.

        :param file: where to write (``None``: stderr).
        """
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def validate_cli_form(name_or_class: str | type, data: Mapping[str, Any], **kwargs: Any) -> Any:
    """Validate a command's input with a security form's rules and messages, or exit.

    :func:`flask_security.forms.validate_form_data` for click commands: the
    registered form (after the application's overrides) validates ``data`` exactly
    as on the web, without a request context; invalid data stops the command with
    :class:`BadInput` (exit status 2, one line ``Error: email: Invalid email
    address.; password: ...``).

    :param name_or_class: a registered form name (``"register_form"``) or a form class.
    :param data: ``{field name: value}`` (text; booleans for checkboxes).
    :param kwargs: more keyword arguments for the form's constructor.
    :returns: the validated form (read ``form.<field>.data``).
    :raises BadInput: a field failed; the message names each field and its errors.
    :raises RuntimeError: no enabled plugin registered the form.
    """
    from .forms import validate_form_data

    form, errors = validate_form_data(name_or_class, data, **kwargs)
    if errors:
        _fail(
            "; ".join(
                f"{field}: {' '.join(' '.join(m.split()) for m in messages)}"
                for field, messages in errors.items()
            )
        )
    return form


def _fail(message: str) -> None:
    raise BadInput(message)


def _find_user(identity: str) -> Any:
    user = _datastore.find_user_by_identity(normalize_email(identity))
    if user is None:
        _fail(f"no user {identity!r}")
    return user


def _find_role(name: str) -> Any:
    role = _datastore.find_role(name)
    if role is None:
        _fail(f"no role {name!r}")
    return role


_RESERVED_FIELDS = {
    "id": "the datastore assigns it",
    "password": "use --password",
    "active": "use -a/--active",
    "roles": "use 'roles add' after creating the user",
}


def _parse_attributes(pairs: tuple[str, ...]) -> dict[str, str]:
    model = _datastore.user_model
    attributes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition(":")
        if not sep:
            key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"attribute {pair!r} must look like name:value")
        if key in _RESERVED_FIELDS:
            _fail(f"{key!r} cannot be given as name:value ({_RESERVED_FIELDS[key]})")
        if not hasattr(model, key):
            _fail(f"the user model has no field {key!r}")
        attributes[key] = value
    return attributes


def check_password(password: str) -> None:
    """Exit with an error when ``password`` breaks the length rule (6..128 by default).

    :param password: the password given on the command line.
    :raises BadInput: it is shorter than ``SECURITY_PASSWORD_MIN_LENGTH`` or longer than
        ``SECURITY_PASSWORD_MAX_LENGTH`` (exit status 2, one line).
    """
    low = config_value("PASSWORD_MIN_LENGTH", default=6)
    high = config_value("PASSWORD_MAX_LENGTH", default=128)
    if not (low <= len(password) <= high):
        _fail(f"the password must be {low} to {high} characters long")


@click.command("create")
@click.argument("identity")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("-a", "--active", is_flag=True, default=False, help="Create the user active.")
@click.argument("attributes", nargs=-1)
@with_appcontext
def users_create(identity: str, password: str, active: bool, attributes: tuple[str, ...]) -> None:
    """Create a user. IDENTITY is the first identity attribute (email by default);
    ATTRIBUTES are other text fields of the user model as name:value. Without
    -a/--active the user is created inactive (documented 3.0 behaviour)."""
    attr = get_identity_attributes()[0]
    extra = _parse_attributes(attributes)
    if attr == "email":
        # the address as every form takes it (surrounding blanks, domain's case)
        identity = normalize_email(identity)
        from email_validator import EmailNotValidError, validate_email  # ~15 ms: on use

        try:
            validate_email(identity, check_deliverability=False)
        except EmailNotValidError as exc:
            _fail(f"invalid email address {identity!r}: {exc}")
    check_password(password)
    try:
        _datastore.create_user(
            **{attr: identity}, password=hash_password(password), active=active, **extra
        )
        _datastore.commit()
    except DatastoreError as exc:
        _fail(str(exc))
    except Exception as exc:
        # name:value attributes arrive as text; a field of another type (a date, a
        # number) is refused by the ORM. Report it in one line, as for any bad input.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _fail(f"the user could not be created: {first_line}")
    click.echo(f"User {identity} created ({'active' if active else 'inactive'}).")


@click.command("activate")
@click.argument("identity")
@with_appcontext
def users_activate(identity: str) -> None:
    """Activate the user IDENTITY."""
    user = _find_user(identity)
    if _datastore.activate_user(user):
        _datastore.put(user)
        _datastore.commit()
        click.echo(f"User {identity} activated.")
    else:
        click.echo(f"User {identity} was already active.")


@click.command("deactivate")
@click.argument("identity")
@with_appcontext
def users_deactivate(identity: str) -> None:
    """Deactivate the user IDENTITY (every session and token stops working)."""
    user = _find_user(identity)
    if _datastore.deactivate_user(user):
        _datastore.put(user)
        _datastore.commit()
        click.echo(f"User {identity} deactivated.")
    else:
        click.echo(f"User {identity} was already inactive.")


def _reset_access(identity: str) -> None:
    user = _find_user(identity)
    try:
        _datastore.reset_user_access(user)
    except DatastoreError as exc:
        _fail(str(exc))
    _datastore.commit()
    click.echo(f"User {identity}: every session, remember cookie and auth token now stops working.")


@click.command("reset-access")
@click.argument("identity")
@with_appcontext
def users_reset_access(identity: str) -> None:
    """End every session, remember cookie and auth token of the user IDENTITY (a new
    fs_uniquifier; the password is kept)."""
    _reset_access(identity)


@click.command("reset_access", hidden=True)
@click.argument("identity")
@with_appcontext
def users_reset_access_upstream(identity: str) -> None:
    """Upstream Flask-Security 5.x's name of ``reset-access``."""
    _reset_access(identity)


@click.command("create")
@click.argument("name")
@click.option("-d", "--description", default=None)
@with_appcontext
def roles_create(name: str, description: str | None) -> None:
    """Create the role NAME (no surrounding blanks)."""
    if not name.strip() or name != name.strip():
        _fail(f"role name {name!r} must be non-empty and have no leading or trailing blanks")
    if _datastore.find_role(name) is not None:
        _fail(f"role {name!r} already exists")
    _datastore.create_role(name=name, description=description)
    _datastore.commit()
    click.echo(f"Role {name} created.")


@click.command("add")
@click.argument("user")
@click.argument("role")
@with_appcontext
def roles_add(user: str, role: str) -> None:
    """Give ROLE to USER (an identity). A user who already has it is an error (3.0)."""
    u, r = _find_user(user), _find_role(role)
    if not _datastore.add_role_to_user(u, r):
        _fail(f"{user} already has role {role}")
    _datastore.commit()
    click.echo(f"Role {role} added to {user}.")


@click.command("remove")
@click.argument("user")
@click.argument("role")
@with_appcontext
def roles_remove(user: str, role: str) -> None:
    """Take ROLE from USER (an identity). A user without it is an error (3.0)."""
    u, r = _find_user(user), _find_role(role)
    if not _datastore.remove_role_from_user(u, r):
        _fail(f"{user} does not have role {role}")
    _datastore.commit()
    click.echo(f"Role {role} removed from {user}.")


@click.command("plugins")
@with_appcontext
def security_plugins() -> None:
    """List discovered fsec plugins: name, distribution, version, enabled, hooks."""
    host = _security.plugins
    implemented = host.implemented()
    rows = [("PLUGIN", "DISTRIBUTION", "VERSION", "STATE", "HOOKS")]
    for name, info in discover().items():
        enabled = name in host.infos
        hooks = ", ".join(implemented.get(name, [])) if enabled else "-"
        state = "enabled" if enabled else "disabled"
        rows.append((name, info.dist or "?", info.version or "?", state, hooks))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        click.echo("  ".join([*cells, row[4]]).rstrip())


CORE_COMMANDS: list[tuple[str, click.Command]] = [
    ("users", users_create),
    ("users", users_activate),
    ("users", users_deactivate),
    ("users", users_reset_access),
    ("users", users_reset_access_upstream),
    ("roles", roles_create),
    ("roles", roles_add),
    ("roles", roles_remove),
    ("security", security_plugins),
]


#: The names a plugin's commands may use (the rest of this module is fsec's own commands).
__all__ = ["BadInput", "check_password", "validate_cli_form"]
