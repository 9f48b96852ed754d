"""A real SMTP server (aiosmtpd) on a free 127.0.0.1 port that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from .postgres import free_port


@dataclass
class SMTPSink:
    """Received mails, as parsed :class:`email.message.EmailMessage` objects.

    :ivar host: ``127.0.0.1``; :ivar port: the SMTP port.
    """

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
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
