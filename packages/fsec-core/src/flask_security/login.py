"""Login and logout: the one way fsec signs a user in for a session (Flask-Login) and
out again, with a fresh session at every login and a refusal reported by the call
that tried (:func:`try_login_user`). 3.0's ``flask_security.utils.login_user`` and
``logout_user`` are re-exported there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import flask_login
from flask import current_app, g, session
from flask_principal import AnonymousIdentity, identity_changed

from .config import config_value
from .freshness import mark_authn_fresh
from .identity import _LazyIdentity
from .state import _security

#: Session keys a login keeps (:func:`regenerate_session`): where to go next
#: (Flask-Login's ``USE_SESSION_FOR_NEXT``), messages flashed for the next page, and
#: whether the session is permanent. Everything else is dropped.
SESSION_KEYS_KEPT_AT_LOGIN: tuple[str, ...] = ("next", "_flashes", "_permanent")


def regenerate_session(keep: Iterable[str] = SESSION_KEYS_KEPT_AT_LOGIN) -> None:
    """Start a fresh session for this request, keeping only the keys ``keep``.

    Called by :func:`login_user` at every successful login, whatever the path (form,
    JSON, register, confirm, reset, passwordless, and any later one that logs in
    through :func:`login_user`), against session fixation and login CSRF (OWASP
    Session Management cheat sheet: renew the session at every privilege change):

    * every other session key is dropped, among them Flask-WTF's raw CSRF token
      (``session[WTF_CSRF_FIELD_NAME]``, ``"csrf_token"`` by default); its signed
      copy cached on ``g`` under the same name goes too, so the next
      ``generate_csrf()`` makes a new token and one issued before the login no
      longer validates;
    * with a server-side session interface offering ``regenerate(session)``
      (Flask-Session 0.6+), the session gets a new identifier too, and the old one
      is deleted from the store. Flask's default cookie session has no identifier:
      the new contents are signed into a new cookie.

    :param keep: session keys to carry over (default
        :data:`SESSION_KEYS_KEPT_AT_LOGIN`).
    :returns: ``None``.
    """
    kept = {key: session[key] for key in keep if key in session}
    session.clear()
    session.update(kept)
    session.modified = True
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if callable(regenerate):
        regenerate(session._get_current_object())  # type: ignore[attr-defined]


def refuse_login(user: Any, method: str) -> str | None:
    """Ask whether ``user`` is refused on ``method`` now, and report a refusal.

    Asks ``fsec_login_refusal`` (:meth:`~flask_security.SecurityState.login_refusal`);
    on a refusal calls ``fsec_login_refused(user, method, reason)`` for the observers.
    Every interactive login asks this exactly once before it signs anybody in:
    :func:`try_login_user` and :func:`flask_security.login_steps.begin_login` do.

    :param user: the user about to be signed in.
    :param method: the login path (``"form"``, ``"passwordless"``, ``"register"``...).
    :returns: ``None`` to go on, or the refusing message key (``"DISABLED_ACCOUNT"``,
        ``"CONFIRMATION_REQUIRED"``...).
    """
    refusal: str | None = _security.login_refusal(user, method)
    if refusal is not None:
        _security.plugins.hook.fsec_login_refused(user=user, method=method, reason=refusal)
    return refusal


def _start_login_session(user: Any, remember: bool | None, method: str) -> bool:
    """Sign ``user`` in without asking ``fsec_login_refusal``: the caller asked
    (:func:`refuse_login`) in this request. Use :func:`try_login_user` otherwise.

    A fresh session (:func:`regenerate_session`), Flask-Login's login (remember cookie,
    ``user_logged_in``), the authentication time for freshness (``fs_paa``),
    ``fsec_after_login(user, method)``, ``identity_changed``.

    :param user: the user to sign in.
    :param remember: set the remember cookie; ``None`` uses
        ``SECURITY_DEFAULT_REMEMBER_ME``.
    :param method: the login path, passed to ``fsec_after_login``.
    :returns: ``False`` only when Flask-Login refuses (``user.is_active`` is false).
    """
    if remember is None:
        remember = bool(config_value("DEFAULT_REMEMBER_ME"))
    regenerate_session()
    if not flask_login.login_user(user, remember=remember):
        return False
    mark_authn_fresh()  # freshness (flask_security.freshness): authenticated now
    _security.plugins.hook.fsec_after_login(user=user, method=method)
    identity_changed.send(current_app._get_current_object(), identity=_LazyIdentity())
    return True


def try_login_user(user: Any, remember: bool | None = None, method: str = "form") -> str | None:
    """Log ``user`` in for this session, or say why not: :func:`login_user` with the
    refusal's message key instead of ``False``.

    ``fsec_login_refusal`` is asked once (:func:`refuse_login`, which also calls
    ``fsec_login_refused``); a caller shows the key with
    :func:`~flask_security.utils.get_message` (``get_message(key, email=user.email)``)
    and never asks the hook again. Paths that may need a second factor call
    :func:`flask_security.login_steps.begin_login` instead, whose outcome carries the
    same key (``outcome.refusal``).

    :param user: the user to sign in.
    :param remember: set the remember cookie; ``None`` uses
        ``SECURITY_DEFAULT_REMEMBER_ME``.
    :param method: the login path, passed to ``fsec_login_refusal`` and
        ``fsec_after_login`` (``"form"``, ``"invite"``...).
    :returns: ``None`` when ``user`` is signed in now; else the refusing message key
        (``"DISABLED_ACCOUNT"`` when Flask-Login itself refused an inactive user).
    """
    refusal = refuse_login(user, method)
    if refusal is not None:
        return refusal
    return None if _start_login_session(user, remember, method) else "DISABLED_ACCOUNT"


def login_user(user: Any, remember: bool | None = None, method: str = "form") -> bool:
    """Log ``user`` in for this session (documented 3.0 API: returns a bool).

    :param user: the user to sign in.
    :param remember: set the remember cookie; ``None`` uses
        ``SECURITY_DEFAULT_REMEMBER_ME``.
    :param method: the login path, passed to ``fsec_login_refusal`` and
        ``fsec_after_login`` (``"form"``, ``"passwordless"``, ``"confirm"``,
        ``"reset"``, ``"register"``...).
    :returns: ``False`` when the user is refused (inactive, or a plugin's
        ``fsec_login_refusal`` said no), ``True`` otherwise. To learn *why* a login was
        refused, call :func:`try_login_user` instead (same work, the refusal's message
        key instead of ``False``); this function is ``try_login_user(...) is None``.

    A successful login starts a fresh session (:func:`regenerate_session`: only
    ``next``, flashed messages and permanence are kept, the CSRF token is new), so
    nothing planted in the session before the login survives it. The session then
    records the time of this authentication (``fs_paa``, for freshness checks:
    :func:`flask_security.freshness.check_and_update_authn_fresh`).

    Changes made by ``fsec_after_login`` (login tracking) are put in the datastore;
    commit afterwards (the built-in views do).
    """
    return try_login_user(user, remember, method) is None


def login_state(user: Any) -> str | None:
    """What the enabled plugins record about ``user``'s logins (``fsec_login_state``),
    as one string that changes at every :func:`login_user`.

    Bind a token to ``token_fingerprint(login_state(user))`` to make it stop working
    at the user's next login (one-time login links).

    :returns: the combined string, or ``None`` when no enabled plugin records
        logins (then there is no such state to bind to).

    :param user: the user.
    """
    results = _security.plugins.hook.fsec_login_state(user=user)
    parts = [str(r) for r in results if r is not None]
    return "\x1f".join(parts) if parts else None


def consume_login_state(user: Any, expected: dict[str, Any] | None = None) -> bool:
    """Consume a one-time credential bound to :func:`login_state`: record the login
    about to happen only if ``user``'s stored login state (and the ``expected``
    fields) are still what ``user`` was loaded with, atomically
    (``fsec_consume_login_state``, implemented by the plugin recording logins).

    Call it after the token check and before :func:`login_user`; the login is not
    recorded twice.

    :param expected: further ``{field: value}`` the stored row must still hold (the
        password hash a token was bound to).
    :returns: ``True`` for exactly one of several simultaneous uses; ``False`` when
        the state moved on (the credential was used).
    :raises RuntimeError: no enabled plugin records logins (a one-time link bound to
        the login state cannot be made single-use without one).

    :param user: the user, as loaded when the link was checked.
    """
    result = _security.plugins.hook.fsec_consume_login_state(
        user=user, expected=dict(expected or {})
    )
    if result is None:
        raise RuntimeError(
            "consume_login_state needs a plugin recording logins (fsec_consume_login_state)"
        )
    if result:
        mark_login_recorded(user)
    return bool(result)


def mark_login_recorded(user: Any) -> None:
    """Note that the login of ``user`` now under way was already recorded (by
    :func:`consume_login_state`), so that :func:`login_already_recorded` answers
    ``True`` once. The multi-step login seam carries the note from the first factor's
    request to the one that completes the login."""
    g._fsec_login_recorded = str(user.id)


def login_already_recorded(user: Any) -> bool:
    """Whether the login of ``user`` being completed was already recorded when its
    one-time link was consumed (:func:`consume_login_state`), in this request or, for
    a login with further steps (two-factor), in the request of its first factor.

    A plugin recording logins calls it from ``fsec_after_login`` and records nothing
    when it returns ``True``: one sign-in is one login, however many steps it took.
    The note is used up by the call (the next login of the user in this request, if
    any, is recorded).

    :param user: the user being logged in.
    :returns: ``True`` at most once per recorded login.
    """
    noted = g.pop("_fsec_login_recorded", None)
    return noted is not None and noted == str(user.id)


def logout_user() -> None:
    """Log the current user out and remove the remember cookie.

    ``fsec_after_logout(user)`` is called once the session no longer holds the user
    (not for anonymous visitors).
    """
    user = flask_login.current_user._get_current_object()
    for key in ("identity.name", "identity.auth_type"):
        session.pop(key, None)
    identity_changed.send(current_app._get_current_object(), identity=AnonymousIdentity())
    flask_login.logout_user()
    if getattr(user, "is_authenticated", False):
        _security.plugins.hook.fsec_after_logout(user=user)


__all__ = [
    "SESSION_KEYS_KEPT_AT_LOGIN",
    "consume_login_state",
    "login_already_recorded",
    "login_state",
    "login_user",
    "logout_user",
    "mark_login_recorded",
    "refuse_login",
    "regenerate_session",
    "try_login_user",
]
