"""The lifecycle hooks of a login: refusing an account, failed and refused attempts,
the steps of a multi-step login, after login and logout, revoking access, and the
state a one-time login link is checked and consumed against (see
:mod:`flask_security.hookspecs`)."""

from __future__ import annotations

from typing import Any

from .markers import hookspec


@hookspec(firstresult=True)
def fsec_login_refusal(user: Any, method: str) -> str | None:
    """Refuse ``user`` on ``method`` now: the key of the refusal, or ``None`` to let
    the authentication go on (named ``fsec_login_allowed`` until fsec 0.1).

    Called on **every** authentication path: ``method`` is one of ``"form"`` (login
    form or JSON login), ``"session"`` (a user loaded from the session or the remember
    cookie), ``"token"``, ``"basic"``, or a plugin's own path (``"passwordless"``,
    ``"confirm"``, ``"reset"``...). Core refuses inactive accounts here.

    **The rule for password paths** (``"form"``, ``"basic"``; issue 15 item 2): core
    asks this hook *before* the password counts
    (:func:`flask_security.utils.authenticate_password`). When it refuses, the
    password is still verified (so the attempt costs the same time), the answer is the
    refusal whatever the password was, and ``fsec_login_failed`` and
    ``fsec_login_refused`` are both called for every such attempt. A login asks it
    once: the login that follows an accepted password does not ask again
    (:func:`flask_security.login_steps.begin_login` with ``refusal_checked=True``).
    A plugin must keep it that way:

    * decide from the account's state only, never from whether the password was
      right (the hook does not get it), and do the same work for every attempt: a
      refusal that depends on the password, or costs more for the right one, turns
      the refusal into an oracle that confirms a guess;
    * count refused attempts too (``fsec_login_failed`` is called for them), so that
      guessing while an account is locked is not free;
    * refuse only the paths the refusal is about. A lock against password guessing
      should return ``None`` for ``"session"`` and ``"token"``: refusing those lets
      anyone sign a victim out of every device by typing wrong passwords (item 3).
      A disabled account, on the other hand, is refused everywhere.

    A refusal tells whoever typed the identity that the account is in that state
    (locked, disabled, unconfirmed) whatever the password; a plugin that must not
    reveal it can return ``"INVALID_PASSWORD"``, which answers exactly like a wrong
    password. fsec's :class:`~flask_security.testing.FeatureContract` checks the rule
    for every plugin.

    :param user: the user object (the identity was found).
    :param method: the authentication path (see above).
    :returns: ``None`` to allow, or a message key (``"DISABLED_ACCOUNT"``,
        ``"CONFIRMATION_REQUIRED"``...) to refuse; the first key returned wins and is
        shown to the user through :func:`flask_security.utils.get_message`.
    """


#: Former hook name -> current name. The former names stay specified (with a
#: ``DeprecationWarning`` when a plugin implements one) and are still called.
RENAMED_HOOKS: dict[str, str] = {"fsec_login_allowed": "fsec_login_refusal"}


@hookspec(
    firstresult=True,
    warn_on_impl=DeprecationWarning(
        "the fsec hook fsec_login_allowed is now called fsec_login_refusal (it returns a "
        "refusal, not a yes or no); rename the implementation"
    ),
)
def fsec_login_allowed(user: Any, method: str) -> str | None:
    """The name :func:`fsec_login_refusal` had until fsec 0.1 (it returns a refusal
    key, not whether the login is allowed). Implementations under this name are still
    asked, after every ``fsec_login_refusal`` one found nothing to refuse, and pluggy
    warns (``DeprecationWarning``) when a plugin registers one.

    :returns: ``None`` to allow, or a message key to refuse, as ``fsec_login_refusal``.
    """


@hookspec
def fsec_login_failed(user: Any | None, identity: str, method: str) -> None:
    """Called when a password login attempt fails (form, JSON or basic): a wrong
    password, an unknown identity, or any password for an account that
    ``fsec_login_refusal`` refuses (the same call whatever the password was).

    :param user: the user the identity named, or ``None`` when no such user exists.
    :param identity: the identity as given by the client.
    :param method: ``"form"`` or ``"basic"``.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_refused(user: Any, method: str, reason: str) -> None:
    """Called when ``fsec_login_refusal`` refused an interactive login.

    For observers (audit logs, alerts): the refusal itself comes from
    ``fsec_login_refusal``. On password paths it is called for every attempt on a
    refused account, whatever the password (which it is not told: see the rule in
    ``fsec_login_refusal``). Called on interactive paths only — the login form and
    JSON login (``"form"``), HTTP Basic (``"basic"``) and
    :func:`flask_security.utils.login_user` (``"register"``, ``"confirm"``,
    ``"reset"``, ``"passwordless"``...) — not for every request carrying a session
    or token of a refused account.

    :param reason: the refusing message key (``"DISABLED_ACCOUNT"``...).
    :returns: ``None``; all implementations are called.
    """


@hookspec(firstresult=True)
def fsec_login_next_step(user: Any, method: str, completed: tuple[str, ...]) -> Any:
    """Say whether ``user`` must take a further step (a second factor) before the login
    completes.

    Asked by :func:`flask_security.login_steps.begin_login` once the first factor was
    proven and ``fsec_login_refusal`` allowed it (``completed == ()``), again by
    :func:`~flask_security.login_steps.complete_login_step` each time a step succeeded
    (``completed`` names the steps done, in order), and by HTTP Basic
    (``method == "basic"``: a step returned there refuses the request, since Basic
    cannot show one).

    A plugin offering a second factor returns its step while the user has that
    factor set up (or must set one up) and none of ``completed`` is a step of its
    own; it returns ``None`` otherwise, so that a user with two factors is asked for
    one. Decide from the account's stored state only; the hook must not change it.

    :param user: the user whose first factor was proven.
    :param method: the first factor's path (``"form"``, ``"passwordless"``,
        ``"confirm"``, ``"reset"``, ``"register"``, ``"basic"``, ``"webauthn"``...).
    :param completed: names of the steps completed in this login so far.
    :returns: a :class:`flask_security.login_steps.LoginStep`, or ``None`` for no
        further step. The first step returned wins.
    """


@hookspec
def fsec_login_pending(user: Any, step: Any, method: str) -> None:
    """Called when a login became pending on ``step`` (a
    :class:`~flask_security.login_steps.LoginStep`), after the session record was
    written: the step's plugin sends its code here (two-factor mails or texts one).
    Other plugins ignore steps they do not own (compare ``step.name``).

    :param user: the user whose login is pending.
    :param method: the first factor's path.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_step_failed(user: Any, step: str, method: str, attempts: int, reason: str) -> None:
    """Called by :func:`flask_security.login_steps.fail_login_step` for each failed
    attempt at a pending login's step (a wrong two-factor code). The datastore is
    committed afterwards. The lockout example plugin counts it like a wrong password.

    :param user: the pending login's user.
    :param step: the step's name (``"tf_validate"``).
    :param method: the first factor's path.
    :param attempts: failed attempts at this step in this pending login, this one
        included; at ``SECURITY_PENDING_LOGIN_MAX_ATTEMPTS`` the pending login is
        dropped right after this call.
    :param reason: a short word from the step's plugin (``"invalid_code"``).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_after_login(user: Any, method: str) -> None:
    """Called by :func:`flask_security.utils.login_user` after a session login.

    Not called for per-request token or basic authentication. The view commits the
    datastore afterwards, so changes to ``user`` (login statistics) are saved.

    :param method: ``"form"``, ``"passwordless"``, ``"confirm"``, ``"reset"``,
        ``"register"`` ... (the path that logged the user in).
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_after_logout(user: Any) -> None:
    """Called by :func:`flask_security.utils.logout_user` (the ``/logout`` view and
    apps calling it) after the session and remember cookie were cleared.

    :param user: the user who logged out.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_user_access_reset(user: Any) -> None:
    """Called by :meth:`flask_security.datastore.UserDatastore.reset_user_access`
    (also ``flask users reset-access``) after the user's ``fs_uniquifier`` was renewed,
    before the caller commits: every session, remember cookie and auth token of the
    user is already void. Revoke what your plugin keeps for the user on top of those
    (second-factor secrets, server-side sessions, refresh tokens), putting changes
    into the datastore; the password is not to be changed (upstream 5.x semantics).

    :param user: the user whose access was reset.
    :returns: ``None``; all implementations are called.
    """


@hookspec
def fsec_login_state(user: Any) -> str | None:
    """Describe what a plugin records about ``user``'s logins, as a string that
    changes at every session login (every :func:`flask_security.utils.login_user`).

    A plugin that saves something on each login in ``fsec_after_login`` (trackable:
    ``login_count`` and ``current_login_at``) implements this. Tokens that must work
    only until the user's next login (one-time login links) are bound to
    :func:`flask_security.utils.login_state`; a plugin needing that can check
    ``state.plugins.implemented()`` at ``fsec_init_app`` for a provider.

    :returns: the string, or ``None`` when the plugin records nothing for this user.
        All non-``None`` results are combined (in hook call order).
    """


@hookspec(firstresult=True)
def fsec_consume_login_state(user: Any, expected: dict[str, Any]) -> bool | None:
    """Record a login of ``user`` now, only if its stored login state is still the one
    ``user`` was loaded with, in one atomic
    :meth:`~flask_security.datastore.Datastore.compare_and_set`.

    Called by :func:`flask_security.utils.consume_login_state` when a one-time link
    bound to :func:`~flask_security.utils.login_state` is used (passwordless login):
    of several requests using the same link at the same instant, exactly one gets
    ``True``. The plugin that implements ``fsec_login_state`` implements this too
    (trackable: ``UPDATE ... SET login_count = login_count + 1, current_login_at =
    ... WHERE id = ? AND login_count = <loaded value>``), and must not record the
    same login again when ``login_user`` then calls ``fsec_after_login``, in this
    request or, after a second factor, in a later one: it asks
    :func:`flask_security.utils.login_already_recorded` there.

    :param expected: further ``{field: value}`` the stored row must still hold
        (passwordless: ``{"password": <loaded hash>}``), checked in the same write.
    :returns: ``True`` when the login was recorded; ``False`` when the stored state
        moved on (the link was used, or the user logged in or changed password
        meanwhile): nothing was written; ``None`` when the plugin records no logins.
        The first non-``None`` result is used.
    """
