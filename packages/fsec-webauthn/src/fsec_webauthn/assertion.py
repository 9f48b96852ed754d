"""WebAuthn domain logic of assertions: signing in with a passkey (as the first
factor or as the second factor of a pending login) and confirming it is you with a
passkey (``/wan-verify``, freshness). The shared parts are in
:mod:`fsec_webauthn.webauthn`; views (:mod:`fsec_webauthn.views`) only translate
requests.

A step that refuses returns the key of the message to show (``WEBAUTHN_*``, or the
refusal of the login); the views word it for JSON or HTML.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from flask_security import current_datastore, current_security
from flask_security.freshness import freshness_enabled, mark_authn_fresh
from flask_security.login_steps import (
    LoginOutcome,
    begin_login,
    complete_login_step,
    fail_login_step,
    pending_login,
)
from flask_security.utils import config_value
from webauthn import (
    generate_authentication_options,
    options_to_json,
    verify_authentication_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException

from . import ceremony
from .store import credentials_of, find_credential, user_of
from .webauthn import descriptors, now, seconds, util

log = logging.getLogger("fsec_webauthn")

# --------------------------------------------------------------------------------------
# Signing in
# --------------------------------------------------------------------------------------

#: Pending-login steps a passkey may complete as the second factor: this plugin's own
#: (a user whose second factor is a passkey) and fsec-two-factor's code step (a passkey
#: is then an alternative to the code, as upstream's ``/tf-select`` offers).
SECOND_FACTOR_STEPS: tuple[str, ...] = ("webauthn", "tf_validate")


def second_factor_usages() -> tuple[str, ...]:
    """Usages of passkeys accepted as a second factor: ``"secondary"``, and ``"first"``
    too with ``SECURITY_WAN_ALLOW_AS_MULTI_FACTOR`` (upstream 5.x)."""
    if config_value("WAN_ALLOW_AS_MULTI_FACTOR"):
        return ("secondary", "first")
    return ("secondary",)


def second_factor_credentials(user: Any) -> list[Any]:
    """``user``'s passkeys usable as a second factor."""
    usages = second_factor_usages()
    return [c for c in credentials_of(current_datastore, user) if c.usage in usages]


def pending_second_factor() -> Any | None:
    """This session's pending login (:func:`flask_security.login_steps.pending_login`)
    when its step is one a passkey completes and the user has a passkey for it; else
    ``None``."""
    pending = pending_login()
    if pending is None or pending.step not in SECOND_FACTOR_STEPS:
        return None
    if not second_factor_credentials(pending.user):
        return None
    return pending


def begin_signin(pending: Any | None, identity: str, remember: bool | None) -> tuple[str, str]:
    """Step 1 of signing in: build the request options and start the
    ``"wan-signin"`` ceremony (:func:`fsec_webauthn.ceremony.start`).

    For the second factor of ``pending``, the options list that user's passkeys
    usable as a second factor. Otherwise, with ``SECURITY_WAN_ALLOW_USER_HINTS`` and
    an ``identity`` naming a user, they list that user's first-factor passkeys
    (``allowCredentials``); else none, and the browser offers the discoverable
    passkeys it holds for this site (usernameless sign-in). An unknown identity gets
    the usernameless options: the answer does not tell whether the account exists.

    :param pending: :func:`pending_second_factor`'s answer.
    :param identity: what the user typed in ``identity`` (may be empty).
    :param remember: the client's ``remember``, or ``None`` when it sent none.
    :returns: ``(credential_options, wan_state)``: the options as a JSON string for
        ``navigator.credentials.get`` and the token of step 2.
    """
    wan = util()
    challenge = wan.generate_challenge()
    allow: list[Any] = []
    hinted = None
    usage = "first"
    if pending is not None:
        # the second factor of a pending login: that user's passkeys only
        hinted, usage = pending.user, "secondary"
        allow = second_factor_credentials(hinted)
    else:
        identity = (identity or "").strip()
        if identity and config_value("WAN_ALLOW_USER_HINTS"):
            hinted = current_datastore.find_user_by_identity(identity)
            if hinted is not None:
                allow = [c for c in credentials_of(current_datastore, hinted) if c.usage == "first"]
    options = generate_authentication_options(
        rp_id=wan.rp_id(),
        challenge=challenge,
        timeout=int(config_value("WAN_SIGNIN_TIMEOUT")),
        allow_credentials=descriptors(allow),
        user_verification=wan.user_verification(usage),
    )
    state = ceremony.start(
        "wan-signin",
        {
            "challenge": ceremony.b64url(challenge),
            "user": str(hinted.id) if hinted is not None and allow else None,
            "issued": now().isoformat(),
            "remember": remember,
            "secondary": pending is not None,
        },
    )
    return options_to_json(options), state


def verify_assertion(
    token: str, credential_json: str, usages: tuple[str, ...], purpose: str = "wan-signin"
) -> tuple[str | None, Any, Any]:
    """Check a sign-in assertion against the ceremony ``token`` of this session and
    record the passkey's use.

    Steps: the token (this session's, unused, within ``SECURITY_WAN_SIGNIN_WITHIN``);
    the credential id names a stored passkey whose user exists; the assertion's user
    handle, when given, is that user's ``fs_webauthn_user_handle``; a user named in
    step 1 owns the passkey (another user's passkey is refused); the passkey's
    ``usage`` is one of ``usages``; the challenge was issued after the passkey's last use;
    py_webauthn verifies challenge, origin, RP ID, signature, user presence, user
    verification when required, and the sign counter (an authenticator that counts
    and answers with a count not above the stored one may be a clone: refused); the
    new count and time are stored with a compare-and-set (a concurrent use of the
    same assertion loses). The caller commits.

    :param token: the ``wan_state`` of step 1.
    :param credential_json: the browser's assertion (JSON text).
    :param usages: the passkey usages accepted (``("first",)``...).
    :param purpose: the ceremony's purpose, ``"wan-signin"`` or ``"wan-verify"``: a
        token of one never completes the other.
    :returns: ``(error message key, user, data)``; the key is ``None`` on success,
        ``data`` being the token's data plus ``"user_verified"``.
    """
    status, data = ceremony.finish(token, purpose, seconds("WAN_SIGNIN_WITHIN"))
    if status != "ok" or data is None:
        return "WEBAUTHN_EXPIRED", None, None
    try:
        parsed = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return "WEBAUTHN_CREDENTIAL_INVALID", None, None
    cred = find_credential(current_datastore, parsed.raw_id)
    if cred is None:
        return "WEBAUTHN_UNKNOWN_CREDENTIAL_ID", None, None
    user = user_of(current_datastore, cred)
    if user is None:
        return "WEBAUTHN_ORPHAN_CREDENTIAL_ID", None, None
    handle = parsed.response.user_handle
    if handle and handle != str(getattr(user, "fs_webauthn_user_handle", "")).encode("ascii"):
        return "WEBAUTHN_MISMATCH_USER_HANDLE", None, None
    if data.get("user") is not None and str(data["user"]) != str(user.id):
        return "WEBAUTHN_MISMATCH_USER_HANDLE", None, None
    if cred.usage not in usages:
        return "WEBAUTHN_CREDENTIAL_WRONG_USAGE", None, None
    usage = str(cred.usage)
    try:
        issued = datetime.datetime.fromisoformat(str(data["issued"]))
    except (KeyError, ValueError):
        return "WEBAUTHN_EXPIRED", None, None
    last = cred.lastuse_datetime
    if last is not None and last.replace(tzinfo=None) >= issued.replace(tzinfo=None):
        return "WEBAUTHN_EXPIRED", None, None
    wan = util()
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=ceremony.unb64url(str(data["challenge"])),
            expected_rp_id=wan.rp_id(),
            expected_origin=wan.origin(),
            credential_public_key=bytes(cred.public_key),
            credential_current_sign_count=int(cred.sign_count or 0),
            require_user_verification=wan.require_user_verification(usage),
        )
    except (WebAuthnException, ValueError, TypeError) as exc:
        log.warning(
            "fsec-webauthn: assertion refused for passkey %r of user %s: %s",
            cred.name,
            user.id,
            exc,
        )
        return "WEBAUTHN_CREDENTIAL_INVALID", None, None
    if not current_datastore.compare_and_set(
        cred,
        {"sign_count": cred.sign_count, "lastuse_datetime": last},
        {"sign_count": verified.new_sign_count, "lastuse_datetime": now()},
    ):
        return "WEBAUTHN_EXPIRED", None, None
    data = dict(data)
    data["user_verified"] = bool(verified.user_verified)
    data["usage"] = usage
    return None, user, data


def finish_signin(
    token: str, credential_json: str, remember: bool | None, next_url: str | None
) -> tuple[str | None, Any, LoginOutcome | None]:
    """Step 2 of signing in: check the assertion and log the user in (or complete the
    pending login's step).

    See :func:`verify_assertion` for every check. As the **first factor** the user
    then goes through core's login seam
    (:func:`flask_security.login_steps.begin_login`, method ``"webauthn"``): the
    account must be allowed to sign in (inactive accounts are refused) and, when a
    plugin requires a further step (fsec-two-factor's code), the login stays pending,
    as after a password. A passkey whose authenticator verified the user (UV flag)
    satisfies a pending second factor itself when ``SECURITY_WAN_ALLOW_AS_MULTI_FACTOR``
    (upstream 5.x). As the **second factor** of a pending login (step 1 saw one), the
    passkey must be the pending user's and completes the step
    (:func:`~flask_security.login_steps.complete_login_step`); a refused passkey
    counts as a failed attempt (:func:`~flask_security.login_steps.fail_login_step`).
    The passkey's use is committed even when the login is then refused.

    :param token: the ``wan_state`` of step 1.
    :param credential_json: the browser's assertion (JSON text).
    :param remember: the client's ``remember``, or ``None`` to keep step 1's.
    :param next_url: the form's ``next`` (checked by the login seam).
    :returns: ``(key, user, outcome)``: a refused assertion gives its message key
        and no outcome; else ``key`` is ``None``, ``user`` the passkey's owner and
        ``outcome`` what the login seam did (``outcome.refusal`` when it refused).
    """
    pending = pending_second_factor()
    secondary = pending is not None
    usages = second_factor_usages() if secondary else ("first",)
    key, user, data = verify_assertion(token, credential_json, usages)
    if key is None and bool(data.get("secondary")) != secondary:
        key = "WEBAUTHN_EXPIRED"  # begun for another kind of sign-in than the one pending now
    if key is None and secondary and str(user.id) != str(pending.user.id):
        key = "WEBAUTHN_MISMATCH_USER_HANDLE"
    if key is not None:
        if secondary:
            fail_login_step("invalid_passkey")
        return key, None, None
    current_datastore.commit()  # the passkey's use is recorded even if login is refused
    if secondary:
        outcome = complete_login_step()
    else:
        if remember is None:
            remember = data.get("remember")
        outcome = begin_login(user, "webauthn", remember=remember, next_url=next_url)
        if (
            outcome.step is not None
            and outcome.step.name in SECOND_FACTOR_STEPS
            and data.get("user_verified")
            and config_value("WAN_ALLOW_AS_MULTI_FACTOR")
        ):
            # the authenticator verified the user (PIN, biometrics) on a device they
            # hold: two factors in one gesture (upstream's multi-factor passkey)
            outcome = complete_login_step()
    current_datastore.commit()
    return None, user, outcome


# --------------------------------------------------------------------------------------
# Confirming it is you (freshness)
# --------------------------------------------------------------------------------------


def verify_usages(allowed: Any = None) -> tuple[str, ...]:
    """Passkey usages ``/wan-verify`` accepts: ``SECURITY_WAN_ALLOW_AS_VERIFY``
    (upstream 5.x: a list among ``"first"`` and ``"secondary"``; ``True`` is taken as
    both, empty or ``None`` as none).

    :param allowed: the setting's value (``None``: read it from the current app).
    :returns: the usages, possibly empty.
    """
    value = config_value("WAN_ALLOW_AS_VERIFY") if allowed is None else allowed
    if value is True:
        return ("first", "secondary")
    if not value:
        return ()
    values = [value] if isinstance(value, str) else list(value)
    return tuple(u for u in ("first", "secondary") if u in values)


def verify_offered(state: Any) -> bool:
    """Whether ``/wan-verify`` is registered: freshness is on (``SECURITY_FRESHNESS``
    not negative) and ``SECURITY_WAN_ALLOW_AS_VERIFY`` allows some usage (upstream 5.x).

    :param state: the security state.
    :returns: ``True`` when the endpoint exists.
    """
    return freshness_enabled(state.app) and bool(
        verify_usages(config_value("WAN_ALLOW_AS_VERIFY", state.app) or ())
    )


def verify_credentials(user: Any) -> list[Any]:
    """``user``'s passkeys that ``/wan-verify`` accepts (:func:`verify_usages`).

    :param user: the signed-in user.
    :returns: the credential rows.
    """
    usages = verify_usages()
    return [c for c in credentials_of(current_datastore, user) if c.usage in usages]


def begin_verify(user: Any, allow: list[Any]) -> tuple[str, str]:
    """Step 1 of confirming it is you: request options listing ``allow`` (the
    signed-in user's passkeys of :func:`verify_credentials`) and the ``"wan-verify"``
    ceremony begun for ``user`` (a ``"wan-signin"`` token never completes it).

    :param user: the signed-in user.
    :param allow: that user's passkeys ``/wan-verify`` accepts (not empty).
    :returns: ``(credential_options, wan_state)`` as :func:`begin_signin`.
    """
    wan = util()
    challenge = wan.generate_challenge()
    options = generate_authentication_options(
        rp_id=wan.rp_id(),
        challenge=challenge,
        timeout=int(config_value("WAN_SIGNIN_TIMEOUT")),
        allow_credentials=descriptors(allow),
        user_verification=wan.user_verification("first"),
    )
    state = ceremony.start(
        "wan-verify",
        {
            "challenge": ceremony.b64url(challenge),
            "user": str(user.id),
            "issued": now().isoformat(),
        },
    )
    return options_to_json(options), state


def finish_verify(token: str, user: Any, credential_json: str) -> str | None:
    """Step 2 of confirming it is you: check the assertion and make the session fresh.

    Every check of :func:`verify_assertion` (purpose ``"wan-verify"``), and the passkey
    must be the **signed-in user's** and of a usage ``SECURITY_WAN_ALLOW_AS_VERIFY``
    allows. The account is asked ``fsec_login_refusal(user, "webauthn_verify")`` like
    any authentication (a refusal is reported to ``fsec_login_refused``). The
    passkey's use is committed whatever follows; on success the session is fresh
    again (:func:`flask_security.freshness.mark_authn_fresh`).

    :param token: the ``wan_state`` of step 1.
    :param user: the signed-in user.
    :param credential_json: the browser's assertion (JSON text).
    :returns: ``None`` when the session is fresh; else the refusal's message key.
    """
    key, owner, _data = verify_assertion(
        token, credential_json, verify_usages(), purpose="wan-verify"
    )
    if key is None and str(owner.id) != str(user.id):
        key = "WEBAUTHN_MISMATCH_USER_HANDLE"
    if key is None:
        key = current_security.login_refusal(user, "webauthn_verify")
        if key is not None:
            current_security.plugins.hook.fsec_login_refused(
                user=user, method="webauthn_verify", reason=key
            )
    current_datastore.commit()  # the passkey's use is recorded whatever follows
    if key is None:
        mark_authn_fresh()
    return key
