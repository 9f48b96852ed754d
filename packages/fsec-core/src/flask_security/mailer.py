"""The state's mail part: registered mails (``fsec_mails``) sent by name, and account
work run after the response. A mixin of :class:`flask_security.state.SecurityState`;
rendering and delivery are :mod:`flask_security.mail`'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .babel import gettext
from .config import config_value
from .mail import run_after_response, send_mail_now


class StateMail:
    """Sending the mails plugins registered; needs ``self.mails``, ``self.plugins``,
    ``self.app`` and ``self.send_mail``."""

    app: Any
    plugins: Any
    mails: dict[str, tuple[str, str | None]]
    send_mail: Callable[..., Any]

    def _default_send_mail(
        self, subject: str, recipient: str, template: str, **context: Any
    ) -> None:
        send_mail_now(self, subject, recipient, template, **context)

    def send_mail_kind(self, name: str, recipient: str, user: Any = None, **context: Any) -> bool:
        """Send a registered mail (``fsec_mails``) unless its switch is off.

        The mail is rendered now and delivered as ``SECURITY_MAIL_DELIVERY`` says
        (after the response outside testing: :mod:`flask_security.mail`). A failure of
        the mail transport is logged (``app.logger``), not raised.

        :returns: whether a mail was rendered and handed over (inline: delivered).
        :raises KeyError: no plugin registered a mail called ``name``.

        :param name: the registered mail (``"reset_instructions"``, a plugin's ``"invite"``):
            renders ``security/email/<name>.txt`` and ``.html``.
        :param recipient: the address.
        :param user: the recipient user, when there is one (``user`` in the templates, and
            passed to ``fsec_mail_context``).
        :param context: more template variables (``invite_link=...``).
        """
        subject_key, enabled_key = self.mails[name]
        if enabled_key is not None and not config_value(enabled_key, self.app):
            return False
        context.setdefault("user", user)
        self.plugins.hook.fsec_mail_context(name=name, user=user, context=context)
        try:
            subject = gettext(str(config_value(subject_key, self.app)))
            self.send_mail(subject, recipient, name, **context)
        except Exception:
            # The action the mail reports has already happened and been committed; a
            # mail server failure must not turn it into a 500 for the user.
            self.app.logger.exception("fsec could not send the %r mail to %s", name, recipient)
            return False
        return True

    def after_response(self, fn: Callable[[Any], Any], user: Any = None, kind: str = "") -> None:
        """Run ``fn(user)`` after the response in background mail delivery, else now.

        For the account work behind a mail (token, link, signal) in views that answer
        every address alike, so that an address with an account costs the request no
        more time than one without. See :func:`flask_security.mail.run_after_response`.

        :param fn: called with the (reloaded) user; its return value is dropped.
        :param user: a user object with an ``id``, or ``None``.
        :param kind: the mail kind (e.g. ``"reset_instructions"``), named in the log
            line when the job fails.
        """
        run_after_response(self, fn, user, kind)
