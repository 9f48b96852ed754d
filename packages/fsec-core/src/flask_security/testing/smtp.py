"""Real SMTP servers on free 127.0.0.1 ports: one that keeps what it receives (aiosmtpd,
optionally answering ``554`` to the first mails), one that accepts connections and never
answers (:func:`start_hanging_smtp`), and a port where nothing listens
(:func:`refused_port`)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from .postgres import free_port


@dataclass
class SMTPSink:
    """Received mails, as parsed :class:`email.message.EmailMessage` objects.

    :ivar host: ``127.0.0.1``; :ivar port: the SMTP port.
    :ivar reject: how many of the next mails to refuse at the end of DATA with
        :attr:`reject_reply` (default ``554 5.7.1 Rejected``, a permanent failure);
        each refusal decrements it. Set it to a large number to refuse every mail.
    :ivar rejected: how many mails were refused.
    """

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    reject: int = 0
    reject_reply: str = "554 5.7.1 Rejected"
    rejected: int = 0
    _controller: Any = None

    def text_of(self, message: EmailMessage) -> str:
        """The ``text/plain`` part of ``message`` (empty when there is none)."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html_of(self, message: EmailMessage) -> str:
        """The ``text/html`` part of ``message`` (empty when there is none)."""
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def links(self, message: EmailMessage) -> list[str]:
        """Every http(s) URL in the plain-text part."""
        return re.findall(r"https?://[^\s<>\"']+", self.text_of(message))

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.reject > 0:
            self.sink.reject -= 1
            self.sink.rejected += 1
            return self.sink.reject_reply
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def start_smtp() -> SMTPSink:
    """Start the server; stop it with :meth:`SMTPSink.stop`. Needs ``aiosmtpd``."""
    from aiosmtpd.controller import Controller

    port = free_port()
    sink = SMTPSink("127.0.0.1", port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    sink._controller = controller
    return sink


@dataclass
class HangingSMTP:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte
    (an SMTP server that hangs before its greeting).

    :ivar accepted: connections accepted so far.
    """

    host: str
    port: int
    accepted: int = 0
    _sock: Any = None
    _conns: list[Any] = field(default_factory=list)
    _stop: Any = None

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.accepted += 1

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._conns:
            conn.close()


def start_hanging_smtp() -> HangingSMTP:
    """Start a :class:`HangingSMTP`; stop it with :meth:`HangingSMTP.stop`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = HangingSMTP("127.0.0.1", sock.getsockname()[1], _sock=sock, _stop=threading.Event())
    threading.Thread(target=server._serve, name="fsec-hanging-smtp", daemon=True).start()
    return server


def refused_port() -> int:
    """A free 127.0.0.1 port nobody listens on: connecting is refused at once."""
    return free_port()
