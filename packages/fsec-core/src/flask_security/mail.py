"""Rendering and sending fsec's mails through Flask-Mail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, render_template

if TYPE_CHECKING:  # pragma: no cover
    from .core import _SecurityState


def default_sender(state: _SecurityState) -> str:
    """``SECURITY_EMAIL_SENDER``, else ``MAIL_DEFAULT_SENDER``, else ``no-reply@localhost``."""
    return (
        state.config("EMAIL_SENDER")
        or state.app.config.get("MAIL_DEFAULT_SENDER")
        or "no-reply@localhost"
    )


def build_message(
    state: _SecurityState, subject: str, recipient: str, template: str, **context: Any
) -> Any:
    """Render ``security/email/<template>.txt`` / ``.html`` into a Flask-Mail ``Message``.

    The context gets ``security`` (the state) and the values of every
    ``@security.mail_context_processor``. ``SECURITY_EMAIL_PLAINTEXT`` and
    ``SECURITY_EMAIL_HTML`` choose the parts.
    """
    from flask_mail import Message

    context.setdefault("security", state)
    for processor in state._mail_context_processors:
        context.update(processor())
    msg = Message(subject, sender=default_sender(state), recipients=[recipient])
    if state.config("EMAIL_PLAINTEXT"):
        msg.body = render_template(f"security/email/{template}.txt", **context)
    if state.config("EMAIL_HTML"):
        msg.html = render_template(f"security/email/{template}.html", **context)
    return msg


def send_mail_now(
    state: _SecurityState, subject: str, recipient: str, template: str, **context: Any
) -> None:
    """Build the message and hand it to ``@send_mail_task`` or Flask-Mail."""
    msg = build_message(state, subject, recipient, template, **context)
    if state._send_mail_task is not None:
        state._send_mail_task(msg)
        return
    current_app.extensions["mail"].send(msg)
