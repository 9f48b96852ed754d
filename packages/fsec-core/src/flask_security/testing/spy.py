"""A hook spy for feature tests: a plugin registered at run time on one app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..hookspecs import hookimpl


class HookSpy:
    """Records ``fsec_after_login`` and ``fsec_password_changed`` calls and can refuse
    logins on one path.

    ``calls`` holds ``("after_login", email, method)`` and
    ``("password_changed", email, reason)`` tuples in call order. While ``refuse`` is
    a message key, ``fsec_login_refusal`` returns it for ``refuse_method`` (every
    method when ``refuse_method`` is ``None``).
    """

    def __init__(self, refuse_method: str | None = None) -> None:
        self.calls: list[tuple[str, Any, str]] = []
        self.refuse: str | None = None
        self.refuse_method = refuse_method

    @classmethod
    def attach(cls, app: Flask, refuse_method: str | None = None, name: str = "spy") -> HookSpy:
        """Register a new spy with ``app``'s plugin manager and return it."""
        spy = cls(refuse_method)
        app.extensions["security"].plugins.pm.register(spy, name=name)
        return spy

    @hookimpl
    def fsec_password_changed(self, user: Any, reason: str) -> None:
        self.calls.append(("password_changed", user.email, reason))

    @hookimpl
    def fsec_after_login(self, user: Any, method: str) -> None:
        self.calls.append(("after_login", user.email, method))

    @hookimpl
    def fsec_login_refusal(self, user: Any, method: str) -> str | None:
        if self.refuse and self.refuse_method in (None, method):
            return self.refuse
        return None
