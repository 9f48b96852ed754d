"""Rendering and sending fsec's mails through Flask-Mail.

When a mail is rendered and delivered depends on ``SECURITY_MAIL_DELIVERY``:

* ``"background"`` (the default outside testing): once the response has been sent
  (``response.call_on_close``), a small per-process pool of :data:`BACKGROUND_THREADS`
  threads renders the message and hands it to ``@security.send_mail_task`` if one is
  registered, else sends it over SMTP. The response never waits on the mail server, so a
  slow or hanging server costs no request time and an address with an account is
  answered as fast as one without (no enumeration by timing).
* ``"inline"`` (the default when ``TESTING`` is on): delivered before the view
  returns, as in Flask-Security 3.0, so tests see the mail right after the request.

Every SMTP step (connect, each command, the data) is bounded by ``MAIL_TIMEOUT``
seconds (Flask-Mail 0.10 has no timeout of its own: pallets-eco/flask-mail#114). A
mail that cannot be delivered is logged on ``app.logger`` with its kind and the
user's id (:func:`log_mail_failure`), never dropped silently.

Sending one message over SMTP, logging a failure and carrying a message through a
task queue live in :mod:`flask_security.mail_transport` (importable from here).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import after_this_request, has_request_context, render_template

from .config import config_value
from .mail_transport import DEFAULT_MAIL_TIMEOUT as DEFAULT_MAIL_TIMEOUT
from .mail_transport import log_mail_failure, send_message
from .mail_transport import message_from_dict as message_from_dict
from .mail_transport import message_to_dict as message_to_dict

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ThreadPoolExecutor

    from flask import Flask

    from .state import SecurityState

#: Threads per process sending background mail.
BACKGROUND_THREADS = 2
#: Mails waiting for a background thread, per process, beyond which new ones are
#: refused (and logged) rather than queued without bound.
BACKGROUND_BACKLOG = 100

# Set while a job of :func:`run_after_response` runs: its mails are delivered at once
# on that background thread instead of being scheduled after a response again.
_job = threading.local()


def default_sender(state: SecurityState) -> str:
    """``SECURITY_EMAIL_SENDER``, else ``MAIL_DEFAULT_SENDER``, else ``no-reply@localhost``."""
    return (
        config_value("EMAIL_SENDER", state.app)
        or state.app.config.get("MAIL_DEFAULT_SENDER")
        or "no-reply@localhost"
    )


def build_message(
    state: SecurityState, subject: str, recipient: str, template: str, **context: Any
) -> Any:
    """Render ``security/email/<template>.txt`` / ``.html`` into a Flask-Mail ``Message``.

    The context gets ``security`` (the state), the values of every global
    ``@security.context_processor`` (3.0 ran them for every template, mails included)
    and then of every ``@security.mail_context_processor``. ``SECURITY_EMAIL_PLAINTEXT``
    and ``SECURITY_EMAIL_HTML`` choose the parts. The message carries two extra
    attributes for logging: ``fsec_kind`` (the template name) and ``fsec_user_id``
    (``str`` id of the context's ``user``, or ``None``).
    """
    from flask_mail import Message

    context.setdefault("security", state)
    context.update(state._run_context_processors(None))
    for processor in state._mail_context_processors:
        context.update(processor())
    msg = Message(subject, sender=default_sender(state), recipients=[recipient])
    if config_value("EMAIL_PLAINTEXT", state.app):
        msg.body = render_template(f"security/email/{template}.txt", **context)
    if config_value("EMAIL_HTML", state.app):
        msg.html = render_template(f"security/email/{template}.html", **context)
    user = context.get("user")
    msg.fsec_kind = template  # type: ignore[attr-defined]
    msg.fsec_user_id = None if user is None else str(getattr(user, "id", None))  # type: ignore[attr-defined]
    return msg


def send_mail_now(
    state: SecurityState, subject: str, recipient: str, template: str, **context: Any
) -> None:
    """Render the message and deliver it (see the module docstring for when).

    In ``"background"`` delivery inside a request, even the rendering waits until the
    response has been sent, so that an address with an account costs the request no
    more than one without (rendering two templates is a measurable part of a
    request). It then runs in a copy of the request context (``request``,
    ``session``, ``url_for`` work as during the request; ``g`` is new), with the
    context's ``user`` loaded again by id (the request's database session is over).
    A failure there is logged (:func:`log_mail_failure`).

    :raises Exception: in ``"inline"`` delivery, whatever rendering or the transport
        raised (``send_mail_kind`` logs it).
    """
    if (
        delivery_mode(state) == "background"
        and has_request_context()
        and not getattr(_job, "active", False)
    ):
        _render_after_response(state, subject, recipient, template, context)
        return
    msg = build_message(state, subject, recipient, template, **context)
    deliver(state, msg)


def _render_after_response(
    state: SecurityState, subject: str, recipient: str, template: str, context: dict[str, Any]
) -> None:
    from flask.globals import request_ctx

    ctx = request_ctx.copy()
    user = context.pop("user", None)
    user_id = None if user is None else str(user.id)

    def render_and_hand_over() -> None:
        with ctx:
            if user_id is not None:
                fresh = state.datastore.load_user(user_id)
                if fresh is None:
                    raise LookupError("the user no longer exists")
                context["user"] = fresh
            msg = build_message(state, subject, recipient, template, **context)
        _hand_over(state, msg)

    info = {"fsec_kind": template, "fsec_user_id": user_id}
    _after_response(lambda: background_sender(state.app).run_later(render_and_hand_over, info))


def run_after_response(
    state: SecurityState, fn: Callable[[Any], Any], user: Any = None, kind: str = ""
) -> None:
    """Run ``fn(user)``, the account work behind a mail, where it cannot be timed.

    A view that answers every address alike (``/reset``, ``/confirm``, passwordless
    ``/login``) must also take the same time for each, or the response time tells
    which addresses have an account (OWASP Authentication Cheat Sheet, "Authentication
    and Error Messages"). Making a token, building the link and sending the signal
    for an account is such work. In ``"background"`` delivery inside a request it
    runs once the response has been sent, on the :class:`BackgroundSender` pool, in a
    copy of the request context, with ``user`` loaded again by id; the mails it sends
    are delivered from there at once. In ``"inline"`` delivery (the default under
    ``TESTING``, as 3.0 did), or outside a request, ``fn(user)`` runs now.

    :param state: the application's security state.
    :param fn: called with the (reloaded) user; its return value is dropped.
    :param user: a user object with an ``id``, or ``None``.
    :param kind: the mail kind, for the log line if the job fails
        (:func:`log_mail_failure`).
    """
    if delivery_mode(state) == "inline" or not has_request_context():
        fn(user)
        return
    from flask.globals import request_ctx

    ctx = request_ctx.copy()
    user_id = None if user is None else str(user.id)

    def job() -> None:
        with ctx:
            fresh = None
            if user_id is not None:
                fresh = state.datastore.load_user(user_id)
                if fresh is None:
                    raise LookupError("the user no longer exists")
            _job.active = True
            try:
                fn(fresh)
            finally:
                _job.active = False

    info = {"fsec_kind": kind, "fsec_user_id": user_id}
    _after_response(lambda: background_sender(state.app).run_later(job, info))


def _after_response(fn: Any) -> None:
    """Call ``fn()`` once the current response has been sent."""

    def on_response(response: Any) -> Any:
        response.call_on_close(fn)
        return response

    after_this_request(on_response)


def delivery_mode(state: SecurityState) -> str:
    """``SECURITY_MAIL_DELIVERY``, resolved: ``"inline"`` or ``"background"``.

    ``None`` (the default) means ``"inline"`` when the app is in testing mode, else
    ``"background"``.

    :raises ValueError: another value is configured.
    """
    mode = config_value("MAIL_DELIVERY", state.app)
    if mode is None:
        return "inline" if state.app.testing else "background"
    if mode not in ("inline", "background"):
        raise ValueError(
            f"SECURITY_MAIL_DELIVERY must be 'inline', 'background' or None, not {mode!r}"
        )
    return str(mode)


def deliver(state: SecurityState, msg: Any) -> None:
    """Hand a built message to ``@send_mail_task`` or SMTP, now or in the background.

    ``"inline"``: at once, in this thread. ``"background"``: on a thread of the
    :class:`BackgroundSender`, after the response has been sent when called during a
    request; failures are logged there.

    :raises Exception: in ``"inline"`` mode, what the task or the SMTP transport raised.
    """
    if getattr(_job, "active", False):
        # already after the response, on a mail thread (run_after_response): deliver
        # now; a failure is logged like any background delivery, the job goes on
        try:
            _hand_over(state, msg)
        except Exception as exc:
            log_mail_failure(state.app, msg, exc)
        return
    if delivery_mode(state) == "inline":
        _hand_over(state, msg)
        return

    def later() -> None:
        background_sender(state.app).run_later(lambda: _hand_over(state, msg), msg)

    if has_request_context():
        _after_response(later)
    else:
        later()


def _hand_over(state: SecurityState, msg: Any) -> None:
    if state._send_mail_task is not None:
        state._send_mail_task(msg)
    else:
        send_message(msg)


class BackgroundSender:
    """A bounded pool of threads sending mail over SMTP for one application.

    :data:`BACKGROUND_THREADS` threads per process; at most :data:`BACKGROUND_BACKLOG`
    mails wait. The pool is made on first use in each process (a pool inherited
    through ``fork``, e.g. gunicorn ``--preload``, has no threads and is replaced).
    Threads finish the queued mails when the process exits (each bounded by
    ``MAIL_TIMEOUT``).
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending = 0

    def submit(self, msg: Any) -> bool:
        """Queue sending ``msg`` over SMTP (:func:`send_message`).

        :returns: ``False`` when the backlog is full: the mail is then not sent, and
            that is logged (:func:`log_mail_failure`).
        """
        return self.run_later(lambda: send_message(msg), msg)

    def run_later(self, fn: Any, info: Any) -> bool:
        """Queue ``fn()`` (rendering and/or handing over one mail).

        It runs inside an application context; an exception it raises is logged with
        :func:`log_mail_failure` and ``info`` (a message or a dict with ``fsec_kind``
        and ``fsec_user_id``).

        :returns: ``False`` when the backlog is full (``fn`` is dropped, and logged).
        """
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(
                    max_workers=BACKGROUND_THREADS, thread_name_prefix="fsec-mail"
                )
                self._pid = os.getpid()
                self._pending = 0
            full = self._pending >= BACKGROUND_BACKLOG
            if not full:
                self._pending += 1
        if full:
            log_mail_failure(
                self.app, info, RuntimeError(f"{BACKGROUND_BACKLOG} mails already wait")
            )
            return False
        self._executor.submit(self._run, fn, info)
        return True

    @property
    def pending(self) -> int:
        """Mails queued or being sent in this process."""
        return self._pending

    def _run(self, fn: Any, info: Any) -> None:
        try:
            with self.app.app_context():
                fn()
        except Exception as exc:
            log_mail_failure(self.app, info, exc)
        finally:
            with self._lock:
                self._pending -= 1


def background_sender(app: Flask) -> BackgroundSender:
    """The application's :class:`BackgroundSender` (made on first use)."""
    sender = app.extensions.get("fsec_mail_sender")
    if sender is None:
        sender = app.extensions.setdefault("fsec_mail_sender", BackgroundSender(app))
    return sender
