"""fsec's mails through Celery with a Redis broker: the production recipe.

Shown in docs/mail.md and run by tests/test_mail_celery.py against a real
``redis-server`` and a real ``celery worker`` process. Copy it into your project.

The web process only *queues* a mail (after its response has been sent, see
``SECURITY_MAIL_DELIVERY``); a worker sends it with ``MAIL_TIMEOUT`` bounding every
SMTP step, retries transient failures (connection refused or lost, timeouts, ``4xx``
replies) with exponential back-off, and logs a mail that finally failed, with its
kind and user id, through ``flask_security.mail.log_mail_failure``. Permanent
refusals (``5xx``, such as ``554``) are not retried.

Settings (``app.config``):

* ``CELERY``: Celery's own settings, e.g. ``{"broker_url": "redis://localhost:6379/0"}``;
* ``FSEC_MAIL_MAX_RETRIES`` (default 8) and ``FSEC_MAIL_RETRY_DELAY`` (seconds before
  the first retry, doubled each time; default 30): 8 retries from 30 s span about
  two hours.
"""

from __future__ import annotations

import smtplib
from typing import Any

from celery import Celery, Task
from flask import Flask
from flask_security.mail import (
    log_mail_failure,
    message_from_dict,
    message_to_dict,
    send_message,
)


def celery_init_app(app: Flask) -> Celery:
    """A Celery app whose tasks run inside ``app``'s application context (the
    pattern of Flask's Celery guide); kept in ``app.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config.get("CELERY", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def _transient(exc: BaseException) -> bool:
    """Worth retrying: the server was unreachable or said "try later" (4xx)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return all(400 <= code < 500 for code in codes)
    # Refused, reset, timed out, closed mid-conversation.
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected)


def init_mail_queue(app: Flask, security: Any) -> Any:
    """Register the ``fsec.send_mail`` task and route fsec's mails to it.

    :param app: the Flask app (``celery_init_app(app)`` already called).
    :param security: the ``Security`` extension (or its state).
    :returns: the task.
    """
    celery_app: Celery = app.extensions["celery"]
    max_retries = int(app.config.get("FSEC_MAIL_MAX_RETRIES", 8))
    delay = float(app.config.get("FSEC_MAIL_RETRY_DELAY", 30))

    class MailTask(celery_app.Task):  # type: ignore[name-defined,misc]
        def on_failure(self, exc: Any, task_id: Any, args: Any, kwargs: Any, einfo: Any) -> None:
            # The last attempt failed (or the refusal was permanent): say so.
            log_mail_failure(app, args[0] if args else kwargs.get("data", {}), exc)

    @celery_app.task(
        name="fsec.send_mail",
        base=MailTask,
        bind=True,
        max_retries=max_retries,
        acks_late=True,  # a worker killed mid-send leaves the mail queued
    )
    def send_security_mail(self: Any, data: dict[str, Any]) -> None:
        try:
            send_message(message_from_dict(data))
        except Exception as exc:
            if not _transient(exc) or self.request.retries >= self.max_retries:
                raise
            raise self.retry(exc=exc, countdown=delay * 2**self.request.retries) from exc

    @security.send_mail_task
    def queue_security_mail(msg: Any) -> None:
        send_security_mail.delay(message_to_dict(msg))

    return send_security_mail
