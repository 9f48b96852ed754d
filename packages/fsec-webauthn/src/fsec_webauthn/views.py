"""The WebAuthn views: ``wan_register`` (+ ``wan_register_response``), ``wan_signin``
(+ ``wan_signin_response``), ``wan_delete`` and the script the pages load.

JSON requests get upstream Flask-Security 5.x's documented fields
(``credential_options`` as a JSON string, ``wan_state``, ``registered_credentials``,
``is_secondary``, ``remember``); errors are ``400`` with field errors. HTML forms
that the page's script submits by itself (the step-2 forms) flash their error and
redirect back to step 1, as upstream documents.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from typing import Any

from flask import current_app, redirect, request, send_from_directory
from flask_login import login_required
from flask_security import current_datastore, current_security, current_user
from flask_security.babel import format_period
from flask_security.decorators import anonymous_user_required, fresh_login_required
from flask_security.freshness import freshness_enabled, mark_authn_fresh
from flask_security.login_steps import (
    begin_login,
    complete_login_step,
    fail_login_step,
    pending_login,
)
from flask_security.utils import (
    config_value,
    do_flash,
    get_message,
    get_post_login_redirect,
    get_post_redirect,
    get_url,
    is_json_request,
    safe_redirect_target,
    url_for_security,
)
from flask_security.views import (
    build_form,
    form_errors,
    form_response,
    json_error,
    json_response,
    login_outcome_response,
    request_json,
    user_payload,
)
from flask_wtf.csrf import generate_csrf
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

from . import ceremony
from .forms import allowed_usages
from .signals import wan_deleted, wan_registered
from .store import (
    credentials_of,
    ensure_user_handle,
    find_credential,
    find_credential_by_name,
    transports_list,
    user_of,
)

log = logging.getLogger("fsec_webauthn")

_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def util() -> Any:
    """The app's :class:`~fsec_webauthn.util.WebauthnUtil` instance."""
    return current_app.extensions["fsec_webauthn_util"]


def _now() -> datetime.datetime:
    return config_value("DATETIME_FACTORY")()


def _period(key: str) -> str:
    """``SECURITY_<key>`` (a ``timedelta`` or seconds) worded for ``%(within)s``, in
    the request's language (:func:`flask_security.babel.format_period`)."""
    value = config_value(key)
    seconds = int(_seconds(key))
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        if seconds > 0 and seconds % size == 0:
            value = f"{seconds // size} {unit}"
            break
    return format_period(value)


def _seconds(key: str) -> float:
    value = config_value(key)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value)


def _descriptors(credentials: list[Any]) -> list[PublicKeyCredentialDescriptor]:
    result = []
    for cred in credentials:
        transports = []
        for t in transports_list(cred.transports):
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                continue  # a transport this py_webauthn does not know
        result.append(
            PublicKeyCredentialDescriptor(id=bytes(cred.credential_id), transports=transports)
        )
    return result


def registered_credentials(user: Any) -> list[dict[str, Any]]:
    """``user``'s passkeys as upstream's ``registered_credentials`` items: ``name``,
    ``credential_id`` (base64url), ``transports``, ``lastuse`` (ISO 8601), ``usage``."""
    return [
        {
            "name": cred.name,
            "credential_id": ceremony.b64url(bytes(cred.credential_id)),
            "transports": transports_list(cred.transports),
            "lastuse": cred.lastuse_datetime.isoformat() if cred.lastuse_datetime else None,
            "usage": cred.usage,
        }
        for cred in credentials_of(current_datastore, user)
    ]


def _step2_problem(key: str, endpoint: str, field: str = "credential", **kwargs: Any) -> Any:
    text, category = get_message(key, **kwargs)
    if is_json_request():
        return json_error({field: [text]})
    do_flash(text, category)
    return redirect(url_for_security(endpoint))


def _post_register_url() -> str:
    target = config_value("WAN_POST_REGISTER_VIEW")
    if target in (".wan-register", ".wan_register", None, ""):
        return url_for_security("wan_register")
    return get_url(target) or url_for_security("wan_register")


# --------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------


@fresh_login_required
def wan_register() -> Any:
    """``/wan-register`` (``SECURITY_WAN_REGISTER_URL``): list the signed-in user's
    passkeys (GET) and start registering one (POST ``name``, ``usage``).

    POST answers ``credential_options`` (a JSON string for
    ``navigator.credentials.create``) and ``wan_state`` (the token for step 2); the
    HTML page hands them to the page's script, which calls the browser and posts the
    answer to ``/wan-register/<wan_state>``. Bad input: ``400`` with field errors
    (JSON), the page with errors (HTML).
    """
    wants_json = is_json_request()
    user = current_user._get_current_object()
    form = build_form("wan_register_form")
    options_json = state = None
    if form.validate_on_submit():
        wan = util()
        ensure_user_handle(current_datastore, user)
        current_datastore.commit()
        usage = form.usage.data
        challenge = wan.generate_challenge()
        options = generate_registration_options(
            rp_id=wan.rp_id(),
            rp_name=str(config_value("WAN_RP_NAME")),
            user_name=str(getattr(user, "email", None) or getattr(user, "username", "")),
            user_id=str(user.fs_webauthn_user_handle).encode("ascii"),
            user_display_name=str(getattr(user, "email", "") or ""),
            challenge=challenge,
            timeout=int(config_value("WAN_REGISTER_TIMEOUT")),
            authenticator_selection=wan.authenticator_selection(user, usage),
            exclude_credentials=_descriptors(credentials_of(current_datastore, user)),
        )
        options_json = options_to_json(options)
        state = ceremony.start(
            "wan-register",
            {
                "challenge": ceremony.b64url(challenge),
                "name": form.name.data,
                "usage": usage,
                "user": str(user.fs_webauthn_user_handle),
            },
        )
        if wants_json:
            return json_response({"credential_options": options_json, "wan_state": state})
    # HTML shows the page again after an accepted request too (the options for the
    # page's script); an accepted JSON request has been answered above.
    credentials = registered_credentials(user)
    return form_response(
        form,
        "WAN_REGISTER_TEMPLATE",
        "wan_register",
        csrf_payload={"registered_credentials": credentials},
        wan_register_form=form,
        wan_register_response_form=build_form("wan_register_response_form"),
        wan_delete_form=build_form("wan_delete_form"),
        registered_credentials=credentials,
        allowed_usages=allowed_usages(),
        credential_options=options_json,
        wan_state=state,
    )


@fresh_login_required
def wan_register_response(token: str) -> Any:
    """``/wan-register/<token>``: finish a registration with the browser's answer
    (``credential``, JSON).

    Refused: a token not started in this session, used, or older than
    ``SECURITY_WAN_REGISTER_WITHIN`` (WEBAUTHN_EXPIRED); a token of another user;
    an answer py_webauthn does not verify against the challenge, the trusted origin
    and RP ID (and user verification when required) (WEBAUTHN_CREDENTIAL_INVALID);
    a credential id already stored (WEBAUTHN_CREDENTIAL_ID_INUSE); a name taken
    meanwhile. Success: the passkey is stored, ``wan_registered(app, user, name)``
    is sent; JSON: the user; HTML: WEBAUTHN_REGISTER_SUCCESSFUL and
    ``SECURITY_WAN_POST_REGISTER_VIEW``.
    """
    user = current_user._get_current_object()
    form = build_form("wan_register_response_form")
    status, data = ceremony.finish(token, "wan-register", _seconds("WAN_REGISTER_WITHIN"))
    if status != "ok" or data is None:
        within = _period("WAN_REGISTER_WITHIN")
        return _step2_problem("WEBAUTHN_EXPIRED", "wan_register", within=within)
    if data.get("user") != getattr(user, "fs_webauthn_user_handle", None):
        return _step2_problem("WEBAUTHN_MISMATCH_USER_HANDLE", "wan_register")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_register")
    wan = util()
    usage = str(data["usage"])
    try:
        parsed = parse_registration_credential_json(form.credential.data)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=ceremony.unb64url(str(data["challenge"])),
            expected_rp_id=wan.rp_id(),
            expected_origin=wan.origin(),
            require_user_verification=wan.require_user_verification(usage),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        log.info("fsec-webauthn: registration refused for user %s: %s", user.id, exc)
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_register")
    if find_credential(current_datastore, verified.credential_id) is not None:
        return _step2_problem("WEBAUTHN_CREDENTIAL_ID_INUSE", "wan_register")
    name = str(data["name"])
    if find_credential_by_name(current_datastore, user, name) is not None:
        return _step2_problem("WEBAUTHN_NAME_INUSE", "wan_register", name=name)
    transports = [t.value for t in (parsed.response.transports or [])]
    extensions = json.dumps(getattr(parsed, "client_extension_results", None) or {})[:255]
    from flask_security.datastore import DatastoreError

    try:
        current_datastore.create_model(
            current_datastore.webauthn_model,
            user=user,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            extensions=extensions,
            lastuse_datetime=_now(),
            name=name,
            usage=usage,
            backup_state=bool(verified.credential_backed_up),
            device_type=verified.credential_device_type.value,
        )
        current_datastore.commit()
    except DatastoreError:
        return _step2_problem("WEBAUTHN_CREDENTIAL_ID_INUSE", "wan_register")
    wan_registered.send(current_app._get_current_object(), user=user, name=name)
    if is_json_request():
        return json_response(user_payload(user))
    do_flash(*get_message("WEBAUTHN_REGISTER_SUCCESSFUL", name=name))
    return redirect(_post_register_url())


@fresh_login_required
def wan_delete() -> Any:
    """``/wan-delete`` (``SECURITY_WAN_DELETE_URL``): remove the signed-in user's
    passkey ``name``.

    Success: ``wan_deleted(app, user, name)``; JSON ``200`` with an empty response;
    HTML: WEBAUTHN_CREDENTIAL_DELETED and back to ``/wan-register``. Unknown name:
    ``400`` (JSON) or the message flashed. GET: back to ``/wan-register``.
    """
    if request.method == "GET":
        if is_json_request():
            return json_response({})
        return redirect(url_for_security("wan_register"))
    form = build_form("wan_delete_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        for errors in form_errors(form).values():
            for text in errors:
                do_flash(text, "error")
        return redirect(url_for_security("wan_register"))
    user = current_user._get_current_object()
    name = form.name.data
    current_datastore.delete(form.credential)
    current_datastore.commit()
    wan_deleted.send(current_app._get_current_object(), user=user, name=name)
    if is_json_request():
        return json_response({})
    do_flash(*get_message("WEBAUTHN_CREDENTIAL_DELETED", name=name))
    return redirect(url_for_security("wan_register"))


# --------------------------------------------------------------------------------------
# Sign-in
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


def _remember_value(form_value: Any) -> bool | None:
    body = request_json() if request.is_json else None
    if isinstance(body, dict) and "remember" not in body:
        return None
    return bool(form_value)


@anonymous_user_required
def wan_signin() -> Any:
    """``/wan-signin`` (``SECURITY_WAN_SIGNIN_URL``): start signing in with a passkey.

    POST ``identity`` (optional) and ``remember``. With
    ``SECURITY_WAN_ALLOW_USER_HINTS`` and a known identity, the options list that
    user's first-factor passkeys (``allowCredentials``); otherwise they list none and
    the browser offers the discoverable passkeys it holds for this site (usernameless
    sign-in). An unknown identity gets the usernameless options: the answer does not
    tell whether the account exists. JSON: ``credential_options``, ``wan_state``,
    ``is_secondary`` (false), ``remember``.
    """
    wants_json = is_json_request()
    pending = pending_second_factor()
    if pending is None and not config_value("WAN_ALLOW_AS_FIRST_FACTOR"):
        return _step2_problem("WEBAUTHN_CREDENTIAL_WRONG_USAGE", "login", field="identity")
    form = build_form("wan_signin_form")
    options_json = state = None
    if form.validate_on_submit():
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
            identity = (form.identity.data or "").strip()
            if identity and config_value("WAN_ALLOW_USER_HINTS"):
                hinted = current_datastore.find_user_by_identity(identity)
                if hinted is not None:
                    allow = [
                        c for c in credentials_of(current_datastore, hinted) if c.usage == "first"
                    ]
        options = generate_authentication_options(
            rp_id=wan.rp_id(),
            challenge=challenge,
            timeout=int(config_value("WAN_SIGNIN_TIMEOUT")),
            allow_credentials=_descriptors(allow),
            user_verification=wan.user_verification(usage),
        )
        options_json = options_to_json(options)
        remember = _remember_value(form.remember.data)
        state = ceremony.start(
            "wan-signin",
            {
                "challenge": ceremony.b64url(challenge),
                "user": str(hinted.id) if hinted is not None and allow else None,
                "issued": _now().isoformat(),
                "remember": remember,
                "secondary": pending is not None,
            },
        )
        if wants_json:
            return json_response(
                {
                    "credential_options": options_json,
                    "wan_state": state,
                    "is_secondary": pending is not None,
                    "remember": bool(remember),
                }
            )
    # HTML shows the page again after an accepted request too (see wan_register).
    return form_response(
        form,
        "WAN_SIGNIN_TEMPLATE",
        "wan_signin",
        wan_signin_form=form,
        wan_signin_response_form=build_form("wan_signin_response_form"),
        credential_options=options_json,
        wan_state=state,
        allow_user_hints=bool(config_value("WAN_ALLOW_USER_HINTS")) and pending is None,
        is_secondary=pending is not None,
    )


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
    same assertion loses).

    :param token: the ``wan_state`` of step 1.
    :param credential_json: the browser's assertion (JSON text).
    :param usages: the passkey usages accepted (``("first",)``...).
    :param purpose: the ceremony's purpose, ``"wan-signin"`` or ``"wan-verify"``: a
        token of one never completes the other.
    :returns: ``(error message key, user, data)``; the key is ``None`` on success,
        ``data`` being the token's data plus ``"user_verified"``.
    """
    status, data = ceremony.finish(token, purpose, _seconds("WAN_SIGNIN_WITHIN"))
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
        {"sign_count": verified.new_sign_count, "lastuse_datetime": _now()},
    ):
        return "WEBAUTHN_EXPIRED", None, None
    data = dict(data)
    data["user_verified"] = bool(verified.user_verified)
    data["usage"] = usage
    return None, user, data


def wan_signin_response(token: str) -> Any:
    """``/wan-signin/<token>``: finish signing in with the browser's assertion
    (``credential``, JSON; ``remember``).

    See :func:`verify_assertion` for every check. As the **first factor** the user
    then goes through core's login seam
    (:func:`flask_security.login_steps.begin_login`, method ``"webauthn"``): the
    account must be allowed to sign in (inactive accounts are refused) and, when a
    plugin requires a further step (fsec-two-factor's code), the login stays pending
    and the client is told the step (JSON ``tf_required``...; HTML a redirect), as
    after a password. A passkey whose authenticator verified the user (UV flag)
    satisfies a pending second factor itself when ``SECURITY_WAN_ALLOW_AS_MULTI_FACTOR``
    (upstream 5.x). As the **second factor** of a pending login (step 1 saw
    ``is_secondary``), the passkey must be the pending user's and completes the step
    (:func:`~flask_security.login_steps.complete_login_step`); a refused passkey
    counts as a failed attempt (:func:`~flask_security.login_steps.fail_login_step`).

    Logged in: JSON the user with an ``authentication_token``; HTML a safe ``next`` or
    ``SECURITY_POST_LOGIN_VIEW``. A refusal: ``400`` with ``errors.credential`` (JSON),
    flashed and back to ``/wan-signin`` (HTML).
    """
    if current_user.is_authenticated:
        if is_json_request():
            return json_response(user_payload(current_user))
        return redirect(get_post_login_redirect())
    form = build_form("wan_signin_response_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_signin")
    pending = pending_second_factor()
    secondary = pending is not None
    usages = second_factor_usages() if secondary else ("first",)
    key, user, data = verify_assertion(token, form.credential.data, usages)
    if key is None and bool(data.get("secondary")) != secondary:
        key = "WEBAUTHN_EXPIRED"  # begun for another kind of sign-in than the one pending now
    if key is None and secondary and str(user.id) != str(pending.user.id):
        key = "WEBAUTHN_MISMATCH_USER_HANDLE"
    if key is not None:
        if secondary:
            fail_login_step("invalid_passkey")
        return _step2_problem(key, "wan_signin", within=_period("WAN_SIGNIN_WITHIN"))
    current_datastore.commit()  # the passkey's use is recorded even if login is refused
    if secondary:
        outcome = complete_login_step()
    else:
        remember = _remember_value(form.remember.data)
        if remember is None:
            remember = data.get("remember")
        outcome = begin_login(user, "webauthn", remember=remember, next_url=form.next.data)
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
    if outcome.step is None and not outcome.logged_in:
        refusal = outcome.refusal or "DISABLED_ACCOUNT"
        return _step2_problem(refusal, "wan_signin", email=getattr(user, "email", ""))
    if outcome.logged_in and not is_json_request():
        do_flash(*get_message("WEBAUTHN_LOGIN_SUCCESSFUL"))
    return login_outcome_response(outcome, form.next.data or None)


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


@login_required
def wan_verify() -> Any:
    """``/wan-verify`` (``SECURITY_WAN_VERIFY_URL``): start confirming it is you with
    a passkey, to make a session fresh again (upstream 5.x).

    POST answers ``credential_options`` (a JSON string listing only the signed-in
    user's passkeys allowed by ``SECURITY_WAN_ALLOW_AS_VERIFY``) and ``wan_state``;
    the page script then posts the assertion to ``/wan-verify/<wan_state>``. A user
    without such a passkey gets ``400`` (``WEBAUTHN_NO_VERIFY``).
    """
    wants_json = is_json_request()
    user = current_user._get_current_object()
    form = build_form("wan_verify_form")
    response_form = build_form("wan_signin_response_form")
    options_json = state = None
    if form.validate_on_submit():
        allow = verify_credentials(user)
        if not allow:
            text = get_message("WEBAUTHN_NO_VERIFY")[0]
            if wants_json:
                return json_error({"credential": [text]})
            form.form_errors.append(text)
        else:
            wan = util()
            challenge = wan.generate_challenge()
            options = generate_authentication_options(
                rp_id=wan.rp_id(),
                challenge=challenge,
                timeout=int(config_value("WAN_SIGNIN_TIMEOUT")),
                allow_credentials=_descriptors(allow),
                user_verification=wan.user_verification("first"),
            )
            options_json = options_to_json(options)
            state = ceremony.start(
                "wan-verify",
                {
                    "challenge": ceremony.b64url(challenge),
                    "user": str(user.id),
                    "issued": _now().isoformat(),
                },
            )
            if wants_json:
                return json_response({"credential_options": options_json, "wan_state": state})
            response_form.next.data = form.next.data
    return form_response(
        form,
        "WAN_VERIFY_TEMPLATE",
        "wan_verify",
        wan_verify_form=form,
        wan_signin_response_form=response_form,
        credential_options=options_json,
        wan_state=state,
    )


@login_required
def wan_verify_response(token: str) -> Any:
    """``/wan-verify/<token>``: finish confirming it is you with the browser's
    assertion (``credential``, JSON; ``next``).

    Every check of :func:`verify_assertion` (the ceremony token is this session's,
    of purpose ``"wan-verify"``, unused and recent; signature, origin, RP ID, sign
    counter; the passkey's use recorded with a compare-and-set), and the passkey must
    be the **signed-in user's** and of a usage ``SECURITY_WAN_ALLOW_AS_VERIFY``
    allows. The account is asked ``fsec_login_refusal(user, "webauthn_verify")``
    like any authentication. Then the session is fresh again
    (:func:`flask_security.freshness.mark_authn_fresh`): JSON ``200`` with the user
    and a new ``authentication_token``; HTML ``REAUTHENTICATION_SUCCESSFUL`` and a
    redirect to a safe ``next``, else ``SECURITY_POST_VERIFY_URL``. A refusal:
    ``400`` with ``errors.credential`` (JSON), flashed and back to ``/wan-verify``.
    """
    user = current_user._get_current_object()
    form = build_form("wan_signin_response_form")
    if not form.validate_on_submit():
        if is_json_request():
            return json_error(form_errors(form))
        return _step2_problem("WEBAUTHN_CREDENTIAL_INVALID", "wan_verify")
    key, owner, _data = verify_assertion(
        token, form.credential.data, verify_usages(), purpose="wan-verify"
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
    if key is not None:
        return _step2_problem(key, "wan_verify", within=_period("WAN_SIGNIN_WITHIN"))
    mark_authn_fresh()
    if is_json_request():
        payload = user_payload(user, include_token=True)
        payload["csrf_token"] = generate_csrf()
        return json_response(payload)
    do_flash(*get_message("REAUTHENTICATION_SUCCESSFUL"))
    target = safe_redirect_target(form.next.data)
    return redirect(target or get_post_redirect("POST_VERIFY_URL"))


def webauthn_js() -> Any:
    """The page script (``static/webauthn.js``), served by the plugin: no build step,
    no third-party host."""
    return send_from_directory(_STATIC, "webauthn.js", mimetype="text/javascript", max_age=300)
