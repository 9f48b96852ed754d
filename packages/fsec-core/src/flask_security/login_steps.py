"""Multi-step login: the one place every first factor ends, and the pending login that
a second factor (two-factor codes, a passkey, a push approval...) completes.

Every path that proves a first factor calls :func:`begin_login` instead of
:func:`flask_security.utils.login_user`: the login form and JSON login, passwordless
links, the sign-in after a confirmation (:func:`login_user_from_link`),
a reset or a registration, and any plugin's own first factor (a passkey). It

1. asks ``fsec_login_refusal(user, method)`` (inactive, unconfirmed, locked
   accounts are refused as before), unless the caller asked it in this request
   (``refusal_checked=True``: the login form asks it before the password counts);
2. asks the plugins ``fsec_login_next_step(user, method, completed=())`` whether
   another factor is required. The first :class:`LoginStep` returned wins;
3. with no step, logs the user in exactly as
   :func:`~flask_security.utils.login_user` does (session regenerated, remember
   cookie, ``user_logged_in`` and ``identity_changed`` sent, ``fsec_after_login``
   called);
4. with a step, logs nobody in. The session is regenerated (anything planted
   before is dropped, a signed-in user is signed out) and holds **one** pending-login
   record (:data:`PENDING_SESSION_KEY`); ``fsec_login_pending`` is called (a plugin
   mails its code there) and the client is told the step: HTML gets a redirect to
   the step's endpoint, JSON gets ``200`` with the step's fields (two-factor:
   upstream 5.x's ``tf_required``, ``tf_state``, ``tf_primary_method``) and a fresh
   ``csrf_token``.

While a login is pending nobody is logged in: Flask-Login sees no user id, so every
decorator, ``current_user``, Flask-Principal identity, auth token and signal behaves
as for an anonymous visitor; the pending user cannot change the password or open a
protected page. The plugin that owns the step reads the pending login with
:func:`pending_login`, reports a wrong code with :func:`fail_login_step` and, once its
credential was checked **and consumed atomically** (a code used once, with
``current_datastore.compare_and_set``), calls :func:`complete_login_step`, which asks
``fsec_login_next_step`` again (several steps can follow each other) and finally signs
the user in as :func:`~flask_security.utils.login_user` does, with the first factor's
method and remember choice. ``fsec_login_refusal`` is asked once per request there
too: when :func:`pending_login` loads the record (a user refused meanwhile has no
pending login).

The record holds: the user's id and a fingerprint of the user's access state (the
password hash and ``fs_uniquifier``: a password change, a reset or
``flask users reset-access`` cancels the pending login, as it ends sessions), the
first factor's method, the remember choice, a safe ``next``, the current step's
name, the steps completed, the start time (seconds since the epoch), the number of
failed attempts and a small ``data`` dict for the step's plugin (JSON-serialisable
values only: the session is a signed cookie by default). The user is looked up by
primary key, which every store supports; ``fs_uniquifier`` is covered by the
fingerprint.

Limits:

* ``SECURITY_PENDING_LOGIN_WITHIN`` (default ``"10 minutes"``): after that the
  record is dropped and the login starts over.
* ``SECURITY_PENDING_LOGIN_MAX_ATTEMPTS`` (default ``5``): the failed attempt that
  reaches it drops the record (the login starts over with the first factor).
  ``fsec_login_step_failed`` is called for every failed attempt, so a server-side
  counter (the lockout example plugin) sees them. With Flask's default cookie
  session a client can send an older cookie again and so reset the count kept in
  it; the expiry still bounds the attempts' time and a server-side counter (the
  lockout plugin, or a server-side session such as Flask-Session) bounds their
  number. Documented in ``docs/plugins/login-steps.md``.

HTTP Basic cannot show a second step: a user for whom a plugin requires one
(``fsec_login_next_step(user, "basic", ())`` returns a step) is refused with ``401``
(:func:`basic_step_refusal`), as a wrong password would be, and
``fsec_login_refused(user, "basic", "LOGIN_STEP_REQUIRED")`` is called.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flask_login
from flask import g, session

from .login import _start_login_session, refuse_login
from .login_pending import (
    PENDING_SESSION_KEY,
    PendingLogin,
    _drop,
    cancel_pending_login,
    pending_login,
    update_pending_login,
)
from .login_pending import _load as _load
from .state import current_datastore, current_security
from .utils import (
    config_value,
    do_flash,
    get_message,
    logout_user,
    mark_login_recorded,
    regenerate_session,
    safe_redirect_target,
)
from .utils import get_within_delta as get_within_delta


@dataclass(frozen=True)
class LoginStep:
    """A further factor a plugin requires before the login completes.

    :param name: the step's name, unique across plugins (``"tf_validate"``,
        ``"tf_setup"``, ``"webauthn"``); stored in the pending record.
    :param endpoint: the full endpoint HTML clients are redirected to
        (``"security.two_factor_token_validation"``).
    :param json: the fields of the JSON answer telling a client which step comes
        (two-factor: ``{"tf_required": True, "tf_state": "ready",
        "tf_primary_method": "authenticator"}``); a fresh ``csrf_token`` is added.
    :param data: initial value of the pending record's ``data`` dict, for the
        step's plugin (JSON-serialisable values).
    """

    name: str
    endpoint: str
    json: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class LoginOutcome:
    """What :func:`begin_login` or :func:`complete_login_step` did.

    Truthy exactly when the user is logged in now (so code written for
    :func:`~flask_security.utils.login_user`'s ``bool`` keeps working). Answer the client with
    :func:`flask_security.views.login_outcome_response`.

    :param logged_in: the user is logged in for this session.
    :param step: the step the client must take next (the login is pending), or
        ``None``.
    :param refusal: the message key refusing the login (``"DISABLED_ACCOUNT"``...),
        or ``None``.
    :param user: the user concerned, or ``None`` when there was no pending login.
    :param next_url: the safe path kept from the first factor (``next``), or ``None``.
    """

    logged_in: bool
    step: LoginStep | None = None
    refusal: str | None = None
    user: Any = None
    next_url: str | None = None

    def __bool__(self) -> bool:
        return self.logged_in


def _next_step(user: Any, method: str, completed: tuple[str, ...]) -> LoginStep | None:
    step = current_security.plugins.hook.fsec_login_next_step(
        user=user, method=method, completed=completed
    )
    if step is not None and not isinstance(step, LoginStep):
        raise TypeError(f"fsec_login_next_step must return a LoginStep or None, not {step!r}")
    return step


def begin_login(
    user: Any,
    method: str,
    remember: bool | None = None,
    next_url: str | None = None,
    *,
    claim: Callable[[], str | None] | None = None,
    refusal_checked: bool = False,
) -> LoginOutcome:
    """The entry point of every proven first factor (see the module documentation).

    :param user: the user whose first factor was just proven.
    :param method: the path (``"form"``, ``"passwordless"``, ``"confirm"``,
        ``"reset"``, ``"register"``, a plugin's own such as ``"webauthn"``); given to
        ``fsec_login_refusal``, ``fsec_login_next_step`` and, at the end,
        ``fsec_after_login``.
    :param remember: as for :func:`~flask_security.utils.login_user` (``None``:
        ``SECURITY_DEFAULT_REMEMBER_ME``); kept in the pending record until the login completes.
    :param next_url: where to go after the login (made safe with
        :func:`~flask_security.utils.safe_redirect_target`; kept while pending).
    :param claim: for a one-time credential (a mailed login link): called once the
        login is allowed and before anything else happens, it uses the credential up
        atomically and returns ``None``, or returns a message key when it was used
        meanwhile (``"INVALID_LOGIN_TOKEN"``), which refuses the login like a
        refusal. A refused login never calls it, so a refused user's link stays unused.
    :param refusal_checked: ``True`` when the caller asked ``fsec_login_refusal`` for
        ``user`` and ``method`` in this request and it allowed the login: the login
        form and JSON login ask it before the password counts
        (:func:`~flask_security.utils.authenticate_password`, so a refused account
        gets its refusal and no password oracle), and the hook is not asked a second
        time here. Flask-Login's ``is_active`` check at the sign-in still holds.
    :returns: a :class:`LoginOutcome`: logged in, a step pending, or refused
        (``outcome.refusal``: the message key, with ``fsec_login_refused`` called).
        ``fsec_login_refusal`` is asked once (:func:`~flask_security.utils.refuse_login`),
        not at all with ``refusal_checked``; the caller shows ``outcome.refusal`` and
        does not ask again. Changes are put
        in the datastore, not committed: the caller commits.
    """
    refusal = None if refusal_checked else refuse_login(user, method)
    if refusal is None and claim is not None:
        refusal = claim()
    if refusal is not None:
        return LoginOutcome(False, None, refusal, user)
    step = _next_step(user, method, ())
    if step is None:
        cancel_pending_login()
        logged_in = _start_login_session(user, remember, method)
        return LoginOutcome(logged_in, None, None if logged_in else "DISABLED_ACCOUNT", user)
    if remember is None:
        remember = bool(config_value("DEFAULT_REMEMBER_ME"))
    if getattr(flask_login.current_user, "is_authenticated", False):
        logout_user()  # another first factor replaces the signed-in user, as a login does
    regenerate_session()
    session[PENDING_SESSION_KEY] = {
        "uid": str(user.id),
        "fp": current_security.fingerprint(current_security.access_state(user)),
        "method": method,
        "remember": bool(remember),
        "next": safe_redirect_target(next_url) if next_url else None,
        "step": step.name,
        "done": [],
        "at": time.time(),
        "n": 0,
        "data": dict(step.data),
        # the first factor's one-time link already recorded this login (trackable)
        "recorded": getattr(g, "_fsec_login_recorded", None) == str(user.id),
    }
    g._fsec_pending_login = None
    current_security.plugins.hook.fsec_login_pending(user=user, step=step, method=method)
    return LoginOutcome(False, step, None, user)


def login_user_from_link(user: Any, method: str, remember: bool | None = None) -> Any:
    """Sign ``user`` in because a mailed link of theirs was followed (confirmation,
    and any other link that signs in), unless someone else is signed in here.

    A link opened while another account is signed in in this browser never switches
    accounts (issue 15 item 4, login CSRF): otherwise an attacker embeds their own
    unused link in a page (``<img src=...>``) and a signed-in victim who opens the page
    ends up in the attacker's account, typing their data into it. Then nobody is
    signed in and ``SIGNED_IN_AS_ANOTHER_USER`` is flashed; the caller still does what
    the link is for (confirming the address...). When ``user`` is the one signed in,
    nothing changes.

    :param user: the link's owner.
    :param method: the path, for ``fsec_login_refusal`` and ``fsec_after_login``
        (``"confirm"``...).
    :param remember: as for :func:`~flask_security.utils.login_user`.
    :returns: a :class:`flask_security.login_steps.LoginOutcome`, truthy when
        ``user`` is signed in now. The sign-in goes through
        :func:`~flask_security.login_steps.begin_login`, so a user with a second
        factor gets a pending login (``outcome.step``; answer with
        ``flask_security.views.login_outcome_response(outcome)``) instead.
    """
    current = flask_login.current_user
    if getattr(current, "is_authenticated", False):
        if str(getattr(current, "id", None)) == str(user.id):
            return LoginOutcome(True, user=user)
        do_flash(*get_message("SIGNED_IN_AS_ANOTHER_USER", email=getattr(current, "email", "")))
        return LoginOutcome(False, user=user)
    return begin_login(user, method=method, remember=remember)


def fail_login_step(reason: str = "invalid_code") -> bool:
    """Record a failed attempt at the current step (a wrong code).

    Calls ``fsec_login_step_failed(user, step, method, attempts)`` (the lockout
    example plugin counts it as a failed sign-in), then drops the pending login when
    ``attempts`` reached ``SECURITY_PENDING_LOGIN_MAX_ATTEMPTS``. The datastore is
    committed (the hook's changes must survive the error answer).

    :param reason: a short word for the hook's observers (``"invalid_code"``).
    :returns: ``True`` while the pending login goes on, ``False`` when it was
        dropped (or there was none): the client starts over with the first factor.
    """
    pending = pending_login()
    if pending is None:
        return False
    pending.attempts += 1
    limit = int(config_value("PENDING_LOGIN_MAX_ATTEMPTS"))
    current_security.plugins.hook.fsec_login_step_failed(
        user=pending.user,
        step=pending.step,
        method=pending.method,
        attempts=pending.attempts,
        reason=reason,
    )
    current_datastore.commit()
    if pending.attempts >= limit:
        _drop()
        return False
    record = dict(session[PENDING_SESSION_KEY])
    record["n"] = pending.attempts
    session[PENDING_SESSION_KEY] = record
    return True


def complete_login_step() -> LoginOutcome:
    """The current step succeeded: go to the next step, or log the user in.

    Call it only after the step's credential was checked **and consumed** (a code
    marked used with ``current_datastore.compare_and_set``, so that of simultaneous
    requests carrying the same code exactly one gets here). The hook
    ``fsec_login_next_step(user, method, completed)`` is asked again with the
    completed steps; when it returns another step, the record moves to it (attempts
    back to ``0``) and ``fsec_login_pending`` is called. Otherwise the record is
    removed and the user is signed in with the first factor's method and remember
    choice (new session, remember cookie, ``user_logged_in``, ``identity_changed``,
    ``fsec_after_login``) and the datastore is committed. ``fsec_login_refusal`` is
    not asked again here: loading the pending login in this request asked it
    (:func:`pending_login`; a user refused meanwhile has no pending login, the
    answer is ``LoginOutcome(False)``), so the request completing a step asks it
    once. Flask-Login's ``is_active`` check at the sign-in still holds
    (``outcome.refusal == "DISABLED_ACCOUNT"``).

    :returns: a :class:`LoginOutcome`; ``LoginOutcome(False)`` when no login was
        pending (expired or cancelled meanwhile).
    """
    pending = pending_login()
    if pending is None:
        return LoginOutcome(False)
    completed = (*pending.completed, pending.step)
    step = _next_step(pending.user, pending.method, completed)
    if step is not None and step.name not in completed:
        record = dict(session[PENDING_SESSION_KEY])
        record.update(step=step.name, done=list(completed), n=0, data=dict(step.data))
        session[PENDING_SESSION_KEY] = record
        g._fsec_pending_login = None
        current_security.plugins.hook.fsec_login_pending(
            user=pending.user, step=step, method=pending.method
        )
        return LoginOutcome(False, step, None, pending.user)
    recorded = bool(session[PENDING_SESSION_KEY].get("recorded"))
    _drop()
    if recorded:
        mark_login_recorded(pending.user)
    # fsec_login_refusal was asked when pending_login() loaded the record in this request
    logged_in = _start_login_session(pending.user, pending.remember, pending.method)
    current_datastore.commit()
    refusal = None if logged_in else "DISABLED_ACCOUNT"
    return LoginOutcome(logged_in, None, refusal, pending.user, pending.next_url)


def basic_step_refusal(user: Any) -> str | None:
    """Whether HTTP Basic must refuse ``user`` because a further step is required.

    HTTP Basic cannot show a second step, so a user for whom a plugin requires one
    (``fsec_login_next_step(user, "basic", ())``) is refused there;
    ``fsec_login_refused`` is called for a refusal.

    :param user: the user whose password Basic auth has just verified.
    :returns: ``"LOGIN_STEP_REQUIRED"`` (a message key) to refuse, ``None`` to allow.
    """
    if _next_step(user, "basic", ()) is None:
        return None
    current_security.plugins.hook.fsec_login_refused(
        user=user, method="basic", reason="LOGIN_STEP_REQUIRED"
    )
    return "LOGIN_STEP_REQUIRED"


# In the order of the reference page (docs/plugins/login-steps.md renders them in
# this order): the step, the pending login, the outcome, then the calls in the order a
# login makes them.
__all__ = [  # noqa: RUF022
    "LoginStep",
    "PendingLogin",
    "LoginOutcome",
    "begin_login",
    "login_user_from_link",
    "cancel_pending_login",
    "pending_login",
    "update_pending_login",
    "fail_login_step",
    "complete_login_step",
    "basic_step_refusal",
    "PENDING_SESSION_KEY",
]
