"""Two-factor domain logic: methods, the login step, setup, sending codes, disabling,
recovery codes. Views (:mod:`fsec_two_factor.views`) only translate requests."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import current_app
from flask_security import current_datastore, current_security
from flask_security.login_steps import LoginStep
from flask_security.utils import config_value, get_within_delta

from . import totp
from .config import METHODS
from .signals import tf_disabled, tf_profile_changed, tf_security_token_sent

#: Step names in the pending login (flask_security.login_steps).
VALIDATE_STEP = "tf_validate"
SETUP_STEP = "tf_setup"

#: The user model fields, by the setting that needs them.
FIELDS: tuple[str, ...] = ("tf_primary_method", "tf_totp_secret")
SMS_FIELD = "tf_phone_number"
RECOVERY_FIELD = "mf_recovery_codes"


def sms_sender() -> Any:
    """``SECURITY_SMS_SENDER`` as a callable ``sender(phone_number, message)``, or
    ``None`` (a dotted import path is imported)."""
    sender = config_value("SMS_SENDER")
    if isinstance(sender, str):
        from werkzeug.utils import import_string

        sender = import_string(sender)
    return sender if callable(sender) else None


def available_methods(with_disable: bool = False) -> list[str]:
    """``SECURITY_TWO_FACTOR_ENABLED_METHODS`` this app can use (``"sms"`` only with
    ``SECURITY_SMS_SENDER``), plus ``"disable"`` when asked and two-factor is not
    required."""
    methods = [m for m in config_value("TWO_FACTOR_ENABLED_METHODS") or () if m in METHODS]
    if "sms" in methods and sms_sender() is None:
        methods.remove("sms")
    if with_disable and not config_value("TWO_FACTOR_REQUIRED"):
        methods.append("disable")
    return methods


def rescue_options() -> dict[str, str]:
    """The ``/tf-rescue`` options offered: ``help_setup`` value -> description."""
    from flask_security.babel import gettext

    options = {}
    if config_value("TWO_FACTOR_RESCUE_EMAIL"):
        options["email"] = gettext("Mail me a code")
    if config_value("MULTI_FACTOR_RECOVERY_CODES"):
        options["recovery_code"] = gettext("Use a recovery code")
    options["help"] = gettext("Ask the site's administrators for help")
    return options


_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


def normalize_phone(value: Any) -> str | None:
    """``value`` without blanks, dashes, dots and parentheses when it is then an
    international-looking number (``+`` and 6 to 15 digits, ITU-T E.164), else
    ``None``."""
    if not isinstance(value, str):
        return None
    compact = re.sub(r"[\s\-().]", "", value)
    return compact if _PHONE.match(compact) else None


def user_method(user: Any) -> str | None:
    """The user's second-factor method when it is usable now, else ``None``."""
    method = getattr(user, "tf_primary_method", None)
    if method in METHODS and getattr(user, "tf_totp_secret", None):
        return str(method)
    return None


def tf_required_for(user: Any) -> bool:
    """Whether ``user`` must have a second factor: ``SECURITY_TWO_FACTOR_REQUIRED``
    or the model's ``check_tf_required()`` (upstream's override point) when it has
    one."""
    check = getattr(user, "check_tf_required", None)
    if callable(check):
        return bool(check())
    return bool(config_value("TWO_FACTOR_REQUIRED"))


def step_json(method: str | None, state: str) -> dict[str, Any]:
    """The login answer's upstream 5.x fields: ``tf_required``, ``tf_state``
    (``"ready"``: post the code to ``/tf-validate``; ``"setup_from_login"``: set up
    through ``/tf-setup`` first), ``tf_primary_method`` and ``tf_method``."""
    payload: dict[str, Any] = {"tf_required": True, "tf_state": state}
    if method:
        payload["tf_primary_method"] = method
        payload["tf_method"] = method
    return payload


def next_step(user: Any, completed: tuple[str, ...]) -> LoginStep | None:
    """The two-factor step ``user`` needs, or ``None`` (see ``fsec_login_next_step``)."""
    if VALIDATE_STEP in completed or SETUP_STEP in completed:
        return None
    method = user_method(user)
    if method is not None:
        return LoginStep(
            VALIDATE_STEP, f"{_bp()}.two_factor_token_validation", step_json(method, "ready")
        )
    if tf_required_for(user):
        return LoginStep(
            SETUP_STEP, f"{_bp()}.two_factor_setup", step_json(None, "setup_from_login")
        )
    return None


def _bp() -> str:
    return str(config_value("BLUEPRINT_NAME"))


def _app() -> Any:
    return current_app._get_current_object()


def send_code(user: Any, method: str, stored_value: str, phone: str | None = None) -> bool:
    """Mail or text the current code of ``method`` (``"email"``/``"sms"``) computed
    from ``stored_value``; sends ``tf_security_token_sent``.

    :returns: whether the code was handed over (the mail is logged, not raised, on
        failure; an SMS sender's exception is logged too).
    """
    code = totp.current_code(stored_value, method)
    if method == "email":
        sent = current_security.send_mail_kind(
            "two_factor_instructions",
            user.email,
            user=user,
            token=code,
            code=code,
            username=user.email,
        )
    else:
        sender = sms_sender()
        number = phone or getattr(user, SMS_FIELD, None)
        if sender is None or not number:
            return False
        try:
            from flask_security.babel import gettext

            sender(number, gettext("Your sign-in code is: %(code)s", code=code))
            sent = True
        except Exception:
            current_app.logger.exception("fsec-two-factor could not text user %s", user.id)
            return False
    if sent:
        tf_security_token_sent.send(_app(), user=user, method=method, login_token=code, token=code)
    return sent


# -- setup -------------------------------------------------------------------------


def setup_token(user: Any, method: str, stored_value: str, phone: str | None) -> str:
    """A signed token (``SECURITY_TWO_FACTOR_SETUP_SALT``) holding a proposed setup:
    ``[user id, method, stored secret, phone, access fingerprint]``. The secret is
    the encrypted form; the token is signed, not encrypted."""
    fp = current_security.fingerprint(current_security.access_state(user))
    return str(
        current_security.dumps_token(
            "two_factor_setup", "tf_setup", [str(user.id), method, stored_value, phone or "", fp]
        )
    )


def load_setup_token(token: str, user: Any) -> tuple[str, str, str | None] | None:
    """``(method, stored secret, phone)`` of a :func:`setup_token` for ``user``, or
    ``None`` when it is invalid, expired (``SECURITY_TWO_FACTOR_SETUP_WITHIN``), for
    another user, or the user's password / ``fs_uniquifier`` changed since."""
    from itsdangerous import BadSignature, SignatureExpired

    max_age = get_within_delta("TWO_FACTOR_SETUP_WITHIN").total_seconds()
    try:
        payload = current_security.serializer("two_factor_setup").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, TypeError, ValueError):
        return None
    data = current_security.unwrap_payload("two_factor_setup", "tf_setup", payload)
    if not (isinstance(data, list) and len(data) == 5 and all(isinstance(x, str) for x in data)):
        return None
    uid, method, stored_value, phone, fp = data
    if uid != str(user.id) or method not in METHODS:
        return None
    if not current_security.fingerprint_matches(current_security.access_state(user), fp):
        return None
    return method, stored_value, phone or None


def proposal_payload(user: Any, token: str, method: str, stored_value: str) -> dict[str, Any]:
    """The upstream JSON fields describing a proposed setup (see :func:`begin_setup`)."""
    payload: dict[str, Any] = {
        "tf_state": "validating_profile",
        "tf_state_token": token,
        "tf_primary_method": method,
        "tf_method": method,
    }
    if method == "authenticator":
        username = str(getattr(user, "email", None) or getattr(user, "username", None) or user.id)
        payload.update(totp.authenticator_details(stored_value, username))
    return payload


def begin_setup(user: Any, method: str, phone: str | None) -> dict[str, Any]:
    """Propose a new setup: a new secret, a code sent for ``email``/``sms``, and the
    upstream JSON fields (``tf_state``, ``tf_state_token``, ``tf_primary_method``,
    ``tf_method``; for ``authenticator`` also the ``tf_authr_*`` fields). Nothing is
    stored until the code is confirmed (:func:`finish_setup`)."""
    _otp, stored_value = totp.new_secret()
    token = setup_token(user, method, stored_value, phone)
    payload = proposal_payload(user, token, method, stored_value)
    if method != "authenticator":
        send_code(user, method, stored_value, phone)
    return payload


def finish_setup(user: Any, method: str, stored_value: str, phone: str | None, code: Any) -> bool:
    """Store a proposed setup once ``code`` matches its secret.

    The code's time step is recorded as used, so the same code cannot also log in.
    Sends ``tf_profile_changed(user, method)``. Committed.

    :returns: whether the code was right (and the setup stored).
    """
    step = totp.check_code(stored_value, method, code)
    if step is None:
        return False
    user.tf_primary_method = method
    user.tf_totp_secret = totp.stored_with_step_used(stored_value, method, step)
    if hasattr(user, SMS_FIELD):
        setattr(user, SMS_FIELD, phone if method == "sms" else None)
    current_datastore.put(user)
    current_datastore.commit()
    tf_profile_changed.send(_app(), user=user, method=method)
    return True


def disable(user: Any) -> None:
    """Remove ``user``'s second factor (method, secret, phone, recovery codes) and send
    ``tf_disabled``. Committed."""
    user.tf_primary_method = None
    user.tf_totp_secret = None
    for name in (SMS_FIELD, RECOVERY_FIELD):
        if hasattr(user, name):
            setattr(user, name, None)
    current_datastore.put(user)
    current_datastore.commit()
    tf_disabled.send(_app(), user=user)


# -- recovery codes ----------------------------------------------------------------


def _code_fingerprint(code: str) -> str:
    return str(current_security.fingerprint("fsec-mf-recovery\x1f" + code))


def generate_recovery_codes(user: Any) -> list[str] | None:
    """Replace ``user``'s recovery codes with ``SECURITY_MULTI_FACTOR_RECOVERY_CODES_N``
    new ones and return them (shown once).

    Each code is 12 characters of the base-32 alphabet (60 bits, from
    :mod:`secrets`), written ``xxxx-xxxx-xxxx``. Only a keyed hash is stored (a
    128-bit HMAC-SHA256 under ``SECRET_KEY``, :meth:`SecurityState.fingerprint`): a
    code has too much entropy for guessing, so a slow hash is not needed, and a
    database leak without ``SECRET_KEY`` reveals none. Committed.

    :returns: the codes, or ``None`` when the user has no second factor (or kept
        changing it meanwhile).
    """
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    count = int(config_value("MULTI_FACTOR_RECOVERY_CODES_N"))
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    hashes = [_code_fingerprint(c) for c in codes]
    # Written with compare_and_set on tf_totp_secret (generation + 1), like a use:
    # a use of an old code racing with this must not write the old list back.
    for _attempt in range(3):
        secret_value = getattr(user, "tf_totp_secret", None)
        parsed = totp.parse_stored(secret_value)
        if parsed is None:
            return None
        parsed.generation += 1
        if current_datastore.compare_and_set(
            user,
            {"tf_totp_secret": secret_value},
            {"tf_totp_secret": parsed.dump(), RECOVERY_FIELD: hashes},
        ):
            current_datastore.commit()
            return codes
        current_datastore.commit()
        user = current_datastore.load_user(str(user.id))
        if user is None:
            return None
    return None


def _normalize_recovery_code(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    compact = re.sub(r"[\s\-]", "", code).lower()
    if not re.fullmatch(r"[a-z0-9]{12}", compact):
        return None
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def use_recovery_code(user: Any, code: Any) -> bool:
    """Use one of ``user``'s recovery codes, atomically.

    Every stored hash is compared (constant time, no early exit, under
    ``SECRET_KEY`` or a fallback key). The matching one is removed in one
    ``compare_and_set`` conditioned on ``tf_totp_secret`` (whose generation number
    moves on), so of simultaneous requests with the same code exactly one succeeds.
    Committed.

    :returns: whether the code was one of the user's unused codes and this request
        used it.
    """
    normalized = _normalize_recovery_code(code)
    stored_codes = list(getattr(user, RECOVERY_FIELD, None) or [])
    if normalized is None or not stored_codes:
        return False
    value = "fsec-mf-recovery\x1f" + normalized
    matched = None
    for stored in stored_codes:
        if current_security.fingerprint_matches(value, stored):
            matched = stored
    if matched is None:
        return False
    remaining = [c for c in stored_codes if c != matched]
    secret_value = getattr(user, "tf_totp_secret", None)
    parsed = totp.parse_stored(secret_value)
    if parsed is None:
        return False
    parsed.generation += 1
    ok = current_datastore.compare_and_set(
        user,
        {"tf_totp_secret": secret_value},
        {"tf_totp_secret": parsed.dump(), RECOVERY_FIELD: remaining},
    )
    current_datastore.commit()
    return bool(ok)


__all__ = [
    "available_methods",
    "begin_setup",
    "disable",
    "finish_setup",
    "generate_recovery_codes",
    "load_setup_token",
    "next_step",
    "rescue_options",
    "send_code",
    "use_recovery_code",
    "user_method",
]
