"""The application's callbacks on the state: the documented 3.0 decorators
(``@security.send_mail_task``, ``@security.mail_context_processor``,
``@security.unauthorized_handler``, ``@security.context_processor`` and the
per-page ``@security.<view>_context_processor`` family).

The per-page names are an explicit table, :data:`VIEW_CONTEXT_PROCESSORS`: every
name can be found by grep, and a misspelt one raises ``AttributeError`` instead of
registering a processor for a page that does not exist. A plugin with pages of its
own calls :meth:`AppCallbacks.add_context_processor` with its view name.

The extension object offers the same decorators before ``init_app`` (factory
pattern): :class:`DeferredCallbacks` keeps each registration and applies it to every
state the extension builds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from flask_mail import Message

    from .state import SecurityState

ContextProcessor = Callable[[], dict[str, Any]]

#: ``<view>_context_processor`` decorator name -> the view (page) it serves. 3.0's
#: documented names, then those Flask-Security 5.x documents for its later features
#: (customizing.rst, "Views"), so an app written for either finds its decorator.
VIEW_CONTEXT_PROCESSORS: dict[str, str] = {
    # Flask-Security 3.0
    "forgot_password_context_processor": "forgot_password",
    "login_context_processor": "login",
    "register_context_processor": "register",
    "reset_password_context_processor": "reset_password",
    "change_password_context_processor": "change_password",
    "send_confirmation_context_processor": "send_confirmation",
    "send_login_context_processor": "send_login",
    # Flask-Security 5.x
    "logout_context_processor": "logout",
    "mf_recovery_codes_context_processor": "mf_recovery_codes",
    "mf_recovery_context_processor": "mf_recovery",
    "change_email_context_processor": "change_email",
    "change_username_context_processor": "change_username",
    "tf_select_context_processor": "tf_select",
    "tf_setup_context_processor": "tf_setup",
    "tf_token_validation_context_processor": "tf_token_validation",
    "us_signin_context_processor": "us_signin",
    "us_setup_context_processor": "us_setup",
    "us_verify_context_processor": "us_verify",
    "verify_context_processor": "verify",
    "wan_register_context_processor": "wan_register",
    "wan_signin_context_processor": "wan_signin",
    "wan_verify_context_processor": "wan_verify",
}


class ViewContextProcessor:
    """Descriptor behind each name of :data:`VIEW_CONTEXT_PROCESSORS`:
    ``obj.<view>_context_processor`` is a decorator calling
    ``obj.add_context_processor(view, fn)`` and returning ``fn``."""

    def __init__(self, view: str) -> None:
        self.view = view

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        view = self.view

        def decorator(fn: ContextProcessor) -> ContextProcessor:
            obj.add_context_processor(view, fn)
            return fn

        decorator.__doc__ = f"Register ``fn() -> dict`` for the {view!r} page."
        return decorator


def add_view_context_processors(cls: type) -> type:
    """Class decorator: one :class:`ViewContextProcessor` per table entry."""
    for name, view in VIEW_CONTEXT_PROCESSORS.items():
        setattr(cls, name, ViewContextProcessor(view))
    return cls


@add_view_context_processors
class AppCallbacks:
    """The application's decorators and what they registered (a mixin of the state)."""

    def __init__(self) -> None:
        self._context_processors: dict[str | None, list[ContextProcessor]] = {}
        self._mail_context_processors: list[ContextProcessor] = []
        self._send_mail_task: Callable[[Message], Any] | None = None
        self._unauthorized_callback: Callable[[], Any] | None = None
        self._reauthn_callback: Callable[[Any, Any], Any] | None = None

    def send_mail_task(self, fn: Callable[[Message], Any]) -> Callable[[Message], Any]:
        """Register ``fn(message)`` to send mails (e.g. through a task queue).

        :param fn: ``fn(message)`` getting the Flask-Mail ``Message``.
        :returns: ``fn``.
        """
        self._send_mail_task = fn
        return fn

    def mail_context_processor(self, fn: ContextProcessor) -> ContextProcessor:
        """Register ``fn() -> dict`` adding values to every mail's context.

        :param fn: ``fn() -> dict``.
        :returns: ``fn``.
        """
        self._mail_context_processors.append(fn)
        return fn

    def unauthorized_handler(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Register ``fn()`` answering when a user lacks a required role or credential.

        :param fn: ``fn()`` returning the response.
        :returns: ``fn``.
        """
        self._unauthorized_callback = fn
        return fn

    def reauthn_handler(self, fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """Register ``fn(within, grace)`` answering a signed-in user whose
        authentication is not fresh enough (upstream 5.x's ``reauthn_handler``;
        default: :func:`flask_security.decorators.handle_reauthentication`).

        :param fn: ``fn(within: timedelta, grace: timedelta)`` returning the response.
        :returns: ``fn``.
        """
        self._reauthn_callback = fn
        return fn

    def context_processor(self, fn: ContextProcessor) -> ContextProcessor:
        """Register ``fn() -> dict`` for every security page.

        :param fn: ``fn() -> dict``.
        :returns: ``fn``.
        """
        self._context_processors.setdefault(None, []).append(fn)
        return fn

    def add_context_processor(self, view: str, fn: ContextProcessor) -> None:
        """Register ``fn() -> dict`` for the security page ``view`` (``"login"``).

        :param view: the view name given to :func:`flask_security.views.render_page`
            (``"login"``, a plugin's ``"accept_invite"``).
        :param fn: ``fn() -> dict`` of template variables.
        """
        self._context_processors.setdefault(view, []).append(fn)

    def _run_context_processors(self, view: str | None) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        for fn in self._context_processors.get(None, ()):
            ctx.update(fn())
        if view is not None:
            for fn in self._context_processors.get(view, ()):
                ctx.update(fn())
        return ctx


class DeferredCallbacks:
    """The decorators of :class:`AppCallbacks` on the extension object (a mixin of
    :class:`flask_security.Security`), usable before ``init_app`` (factory pattern):
    each registration is kept and applied to every state the extension builds
    (``_apply_deferred``, called by ``init_app``), and at once to the state already
    built, if any.

    :ivar _state: the state the extension built last, or ``None`` (set by the class
        using this mixin).
    """

    _state: SecurityState | None

    def __init__(self) -> None:
        self._deferred: list[Callable[[SecurityState], Any]] = []

    def _defer(self, apply: Callable[[SecurityState], Any]) -> None:
        self._deferred.append(apply)
        if self._state is not None:
            apply(self._state)

    def _apply_deferred(self, state: SecurityState) -> None:
        """Apply every registration kept so far to ``state`` (a state just built).

        :param state: the application's new :class:`~flask_security.SecurityState`.
        """
        for apply in self._deferred:
            apply(state)

    def send_mail_task(self, fn: Callable[[Message], Any]) -> Callable[[Message], Any]:
        """See :meth:`SecurityState.send_mail_task`.

        :param fn: ``fn(message)`` getting the Flask-Mail ``Message``.
        :returns: ``fn``.
        """
        self._defer(lambda s: s.send_mail_task(fn))
        return fn

    def mail_context_processor(self, fn: ContextProcessor) -> ContextProcessor:
        """See :meth:`SecurityState.mail_context_processor`.

        :param fn: ``fn() -> dict``.
        :returns: ``fn``.
        """
        self._defer(lambda s: s.mail_context_processor(fn))
        return fn

    def unauthorized_handler(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """See :meth:`SecurityState.unauthorized_handler`.

        :param fn: ``fn()`` returning the response.
        :returns: ``fn``.
        """
        self._defer(lambda s: s.unauthorized_handler(fn))
        return fn

    def reauthn_handler(self, fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """See :meth:`SecurityState.reauthn_handler`.

        :param fn: ``fn(within, grace)`` returning the response.
        :returns: ``fn``.
        """
        self._defer(lambda s: s.reauthn_handler(fn))
        return fn

    def context_processor(self, fn: ContextProcessor) -> ContextProcessor:
        """See :meth:`SecurityState.context_processor`.

        :param fn: ``fn() -> dict``.
        :returns: ``fn``.
        """
        self._defer(lambda s: s.context_processor(fn))
        return fn

    def add_context_processor(self, view: str, fn: ContextProcessor) -> None:
        """See :meth:`SecurityState.add_context_processor` (applied to every state).

        :param view: the view name (``"login"``, a plugin's ``"accept_invite"``).
        :param fn: ``fn() -> dict`` of template variables.
        """
        self._defer(lambda s: s.add_context_processor(view, fn))
