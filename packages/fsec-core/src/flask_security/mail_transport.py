"""Sending one message over SMTP and what a task queue needs around it.

:func:`send_message` sends a ``flask_mail.Message`` now, every SMTP step bounded by
``MAIL_TIMEOUT`` seconds (Flask-Mail 0.10 has no timeout of its own:
pallets-eco/flask-mail#114); :func:`log_mail_failure` logs a mail that was finally not
delivered; :func:`message_to_dict` and :func:`message_from_dict` carry a message
through a task queue (the Celery recipe). Knows nothing of fsec's state; everything
is importable from :mod:`flask_security.mail`, which decides when a mail is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

#: Seconds each SMTP step may take when ``MAIL_TIMEOUT`` is not set.
DEFAULT_MAIL_TIMEOUT = 10.0


def send_message(msg: Any) -> None:
    """Send ``msg`` now through Flask-Mail, every SMTP step bounded by ``MAIL_TIMEOUT``.

    Uses the ``MAIL_*`` settings of the current app (``MAIL_SUPPRESS_SEND`` included:
    Flask-Mail's ``email_dispatched`` signal is sent either way). The Celery recipe's
    task calls this.

    :param msg: a ``flask_mail.Message``.
    :raises OSError: connection refused, timed out (``TimeoutError``, after
        ``MAIL_TIMEOUT`` seconds without progress) or broken.
    :raises smtplib.SMTPException: the server refused the mail (e.g. ``554``).
    :raises RuntimeError: no application context, or Flask-Mail is not set up.
    """
    mail = current_app.extensions["mail"]
    if not hasattr(mail, "server"):  # another mail extension: use its own send
        mail.send(msg)
        return
    timeout = float(current_app.config.get("MAIL_TIMEOUT") or DEFAULT_MAIL_TIMEOUT)
    with _timed_connection(mail, timeout) as connection:
        connection.send(msg)


def _timed_connection(mail: Any, timeout: float) -> Any:
    import smtplib  # on first delivery: importing flask_security stays light

    from flask_mail import Connection

    class TimedConnection(Connection):
        """Flask-Mail's connection, its socket created with a timeout."""

        def configure_host(self) -> Any:
            m = self.mail
            factory = smtplib.SMTP_SSL if m.use_ssl else smtplib.SMTP
            host = factory(m.server, m.port, timeout=timeout)
            host.set_debuglevel(int(m.debug))
            if m.use_tls:
                host.starttls()
            if m.username and m.password:
                host.login(m.username, m.password)
            return host

    return TimedConnection(mail)


def log_mail_failure(app: Flask, msg: Any, exc: BaseException | None = None) -> None:
    """Log on ``app.logger`` (level ERROR) that a mail was finally not delivered.

    The record names the mail's kind (``msg.fsec_kind``, e.g. ``reset_instructions``),
    the user's id (``msg.fsec_user_id``) and the exception's type and message; the
    traceback is added unless the error came from the mail transport (``OSError``,
    ``smtplib.SMTPException``). The Celery
    recipe calls it when the last retry failed.

    :param app: the application.
    :param msg: a message built by fsec, or a dict from :func:`message_to_dict`.
    :param exc: the last error, if known.
    """
    get = msg.get if isinstance(msg, dict) else lambda k: getattr(msg, k, None)
    # A refused, timed-out or rejected delivery is one line (its type and message);
    # anything else (a template or task bug) also gets its traceback.
    import smtplib

    transport = isinstance(exc, OSError | smtplib.SMTPException)
    app.logger.error(
        "fsec could not deliver the %r mail of user %s: %s: %s",
        get("fsec_kind"),
        get("fsec_user_id"),
        type(exc).__name__ if exc is not None else "Error",
        exc,
        exc_info=exc if exc is not None and not transport else None,
    )


_MESSAGE_FIELDS = ("subject", "sender", "recipients", "body", "html", "fsec_kind", "fsec_user_id")


def message_to_dict(msg: Any) -> dict[str, Any]:
    """A JSON-serialisable dict of ``msg`` for a task queue (``subject``, ``sender``,
    ``recipients``, ``body``, ``html``, ``fsec_kind``, ``fsec_user_id``).

    Attachments, headers and ``cc``/``bcc`` are not carried (fsec's mails have none).
    """
    data = {k: getattr(msg, k, None) for k in _MESSAGE_FIELDS}
    data["recipients"] = list(data["recipients"] or [])
    sender = data["sender"]
    data["sender"] = list(sender) if isinstance(sender, tuple) else sender
    return data


def message_from_dict(data: dict[str, Any]) -> Any:
    """The ``flask_mail.Message`` of a dict from :func:`message_to_dict`."""
    from flask_mail import Message

    sender = data.get("sender")
    msg = Message(
        data.get("subject") or "",
        sender=tuple(sender) if isinstance(sender, list) else sender,
        recipients=list(data.get("recipients") or []),
        body=data.get("body"),
        html=data.get("html"),
    )
    msg.fsec_kind = data.get("fsec_kind")  # type: ignore[attr-defined]
    msg.fsec_user_id = data.get("fsec_user_id")  # type: ignore[attr-defined]
    return msg
