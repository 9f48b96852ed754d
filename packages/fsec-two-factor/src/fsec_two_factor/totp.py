"""TOTP secrets and codes: generation, encryption at rest, checking and atomic use.

Codes are RFC 6238 TOTP codes (HMAC-SHA1, 6 digits) computed by libpass's
``passlib.totp.TOTP`` from one secret per user, kept in ``tf_totp_secret``:

* ``authenticator``: the app's codes, 30-second steps; accepted
  ``SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY`` seconds (default 30, one step) either
  side of now, for clock drift (RFC 6238 section 5.2);
* ``email`` / ``sms``: the same secret with a step of ``SECURITY_TWO_FACTOR_MAIL_VALIDITY``
  (300 s) / ``SECURITY_TWO_FACTOR_SMS_VALIDITY`` (120 s); a code mailed or texted
  works for at least one such step and at most two (this step and the next). Its
  HOTP counter (RFC 4226) combines the time step with the secret's generation
  (``step * 2**20 + generation``), so once any code is used the next code sent
  differs, even within the same step: a second sign-in five minutes after the first
  gets a code of its own instead of the spent one.

**Encryption at rest.** ``SECURITY_TOTP_SECRETS`` is passlib's ``secrets`` mapping
``{tag: secret}``: the secret is stored encrypted (passlib: AES-256-CTR under a key
derived from the newest tag's secret with PBKDF2-HMAC-SHA256; the ``cryptography``
package does the AES). Key rotation: add a new tag; secrets encrypted under an older
tag still decrypt and are re-encrypted under the newest one at their next use.

**Single use.** Every code used is recorded: the stored value carries, in front of
passlib's JSON, the last time step used per kind and a generation number
(``fsec1;a=<step>,e=<step>,s=<step>,g=<n>;{...passlib json...}``). An authenticator
code is accepted only for a step after the last one used (a code cannot be replayed
within its window); a mailed or texted code only for the current generation, which
every use bumps. The use is written with ``current_datastore.compare_and_set``
from the value the check read: of simultaneous requests carrying codes of one user,
exactly one succeeds. A value written by Flask-Security 5.x (passlib's JSON alone) is
read as having no step used.

**Constant time.** A code is compared with every candidate code of the window
(``hmac.compare_digest``, no early exit), so the time taken does not depend on which
candidate, if any, matched.
"""

from __future__ import annotations

import hmac
import re
import time as _time
from dataclasses import dataclass, field
from typing import Any

from flask_security import current_datastore
from flask_security.utils import config_value

#: Prefix of the stored form that carries the used steps.
STORED_PREFIX = "fsec1;"

#: Kind -> short key in the stored form.
_KIND_KEYS = {"authenticator": "a", "email": "e", "sms": "s"}

_CODE = re.compile(r"^[0-9]{6,8}$")


def _now() -> float:
    """Seconds since the epoch (one place, so tests can move the clock)."""
    return _time.time()


class TotpConfigError(RuntimeError):
    """``SECURITY_TOTP_SECRETS`` is missing or unusable."""


def totp_factory(app: Any = None) -> Any:
    """A ``passlib.totp.TOTP`` subclass bound to ``SECURITY_TOTP_SECRETS`` and
    ``SECURITY_TOTP_ISSUER``.

    :raises TotpConfigError: no secrets, or secrets passlib refuses.
    """
    from passlib.totp import TOTP

    secrets = config_value("TOTP_SECRETS", app=app)
    if not secrets or not isinstance(secrets, dict):
        raise TotpConfigError(
            "SECURITY_TWO_FACTOR needs SECURITY_TOTP_SECRETS = {'1': <secret>} to encrypt "
            "two-factor secrets at rest; make one with passlib.totp.generate_secret()"
        )
    secrets = {str(k): v for k, v in secrets.items()}
    issuer = config_value("TOTP_ISSUER", app=app) or "fsec"
    try:
        return TOTP.using(secrets=secrets, issuer=str(issuer))
    except (ValueError, TypeError) as exc:
        raise TotpConfigError(f"SECURITY_TOTP_SECRETS is not usable: {exc}") from exc


@dataclass
class StoredSecret:
    """The parsed ``tf_totp_secret`` value.

    :param totp_json: passlib's JSON (encrypted under ``SECURITY_TOTP_SECRETS``).
    :param used: kind -> last time step used.
    :param generation: bumped at every use of a code or recovery code.
    """

    totp_json: str
    used: dict[str, int] = field(default_factory=dict)
    generation: int = 0

    def dump(self) -> str:
        """The value to store."""
        parts = [f"{_KIND_KEYS[k]}={v}" for k, v in sorted(self.used.items())]
        parts.append(f"g={self.generation}")
        return STORED_PREFIX + ",".join(parts) + ";" + self.totp_json


def parse_stored(value: Any) -> StoredSecret | None:
    """Read a ``tf_totp_secret`` value (fsec's form or 5.x's passlib JSON), or
    ``None`` for an empty or malformed one."""
    if not isinstance(value, str) or not value:
        return None
    if not value.startswith(STORED_PREFIX):
        return StoredSecret(value) if value.startswith("{") else None
    head, sep, rest = value[len(STORED_PREFIX) :].partition(";")
    if not sep or not rest.startswith("{"):
        return None
    used: dict[str, int] = {}
    generation = 0
    names = {v: k for k, v in _KIND_KEYS.items()}
    for item in head.split(","):
        key, _, number = item.partition("=")
        if not number.isdigit():
            return None
        if key == "g":
            generation = int(number)
        elif key in names:
            used[names[key]] = int(number)
    return StoredSecret(rest, used, generation)


def new_secret() -> tuple[Any, str]:
    """A new random TOTP secret (160 bits, RFC 4226 section 4).

    :returns: ``(totp, stored)``: the passlib ``TOTP`` object and its stored form
        (encrypted, no step used).
    """
    otp = totp_factory().new()
    return otp, StoredSecret(otp.to_json(encrypt=True)).dump()


def load_totp(stored: StoredSecret) -> Any:
    """The passlib ``TOTP`` of a stored secret (decrypted with the tag it names).

    :raises ValueError: the value does not decrypt with any configured secret.
    """
    return totp_factory().from_source(stored.totp_json)


def _period(kind: str) -> int:
    if kind == "email":
        return int(config_value("TWO_FACTOR_MAIL_VALIDITY"))
    if kind == "sms":
        return int(config_value("TWO_FACTOR_SMS_VALIDITY"))
    return 30


#: Room for the generation in a mailed or texted code's HOTP counter.
_GENERATIONS = 2**20


def _kind_code(otp: Any, kind: str, step: int, generation: int) -> str:
    """The code of ``kind`` for time step ``step``: the authenticator's TOTP code, or
    for ``email``/``sms`` the HOTP code (RFC 4226) of counter ``step * 2**20 +
    generation`` (passlib's TOTP with a one-second period at that "time" is exactly
    HOTP of that counter)."""
    if kind == "authenticator":
        return str(otp.generate(time=step * otp.period).token)
    from passlib.totp import TOTP

    hotp = TOTP(key=otp.key, format="raw", period=1, digits=6)
    return str(hotp.generate(time=step * _GENERATIONS + generation % _GENERATIONS).token)


def current_code(stored_value: str, kind: str) -> str:
    """The code of ``kind`` (``"email"``, ``"sms"``) for now, to send.

    :raises ValueError: the stored value is malformed or does not decrypt.
    """
    stored = parse_stored(stored_value)
    if stored is None:
        raise ValueError("no usable two-factor secret")
    step = int(_now() // _period(kind))
    return _kind_code(load_totp(stored), kind, step, stored.generation)


def _matching_step(otp: Any, kind: str, code: str, now: float, generation: int) -> int | None:
    """The time step whose code equals ``code`` within the window, compared in
    constant time with every candidate (no early exit)."""
    period = _period(kind)
    if kind == "authenticator":
        steps_each_side = max(0, int(config_value("TWO_FACTOR_AUTHENTICATOR_VALIDITY")) // period)
        offsets = range(-steps_each_side, steps_each_side + 1)
    else:
        offsets = range(-1, 1)  # this step and the one before: 1 to 2 periods
    given = code.encode("ascii")
    found: int | None = None
    current = int(now // period)
    for offset in offsets:
        token = _kind_code(otp, kind, current + offset, generation)
        if hmac.compare_digest(given, token.encode("ascii")):
            found = current + offset
    return found


def _matched(stored_value: Any, kind: str, code: Any) -> tuple[StoredSecret, Any, int] | None:
    """``(stored, otp, step)`` when ``code`` (blanks removed) is a well-formed code
    matching a step of ``kind`` in the window of the secret ``stored_value``, else
    ``None`` (malformed code or value, undecryptable secret, no match)."""
    if not isinstance(code, str):
        return None
    code = "".join(code.split())
    stored = parse_stored(stored_value)
    if stored is None or not _CODE.match(code):
        return None
    try:
        otp = load_totp(stored)
    except (ValueError, TypeError):
        return None
    step = _matching_step(otp, kind, code, _now(), stored.generation)
    return None if step is None else (stored, otp, step)


def verify_and_use(user: Any, kind: str, code: Any) -> bool:
    """Check ``code`` of ``kind`` for ``user`` and record its use atomically.

    :param user: a user with ``tf_totp_secret`` set.
    :param kind: ``"authenticator"``, ``"email"`` or ``"sms"``.
    :param code: the code as typed (blanks are removed).
    :returns: ``True`` when the code is right, newer than the last one used of its
        kind, and this request recorded its use (``compare_and_set`` on
        ``tf_totp_secret``; committed). ``False`` otherwise, also when another
        request used a code of the user at the same instant.
    """
    stored_value = getattr(user, "tf_totp_secret", None)
    matched = _matched(stored_value, kind, code)
    if matched is None:
        return False
    stored, otp, step = matched
    if kind == "authenticator" and step <= stored.used.get(kind, -1):
        return False  # mailed codes are bound to the generation instead
    totp_json = otp.to_json(encrypt=True) if getattr(otp, "changed", False) else stored.totp_json
    used = dict(stored.used)
    used[kind] = step
    new_value = StoredSecret(totp_json, used, stored.generation + 1).dump()
    ok = current_datastore.compare_and_set(
        user, {"tf_totp_secret": stored_value}, {"tf_totp_secret": new_value}
    )
    current_datastore.commit()
    return bool(ok)


def already_used(user: Any, code: Any) -> bool:
    """Whether ``code`` is a right authenticator code of ``user`` whose time step was
    already used (a sign-in or the setup took it), so the app still shows a code that
    cannot be used again (RFC 6238 section 5.2): the caller says "wait for the next
    code" instead of "invalid code". Compared in constant time like
    :func:`verify_and_use`; writes nothing.

    :param user: a user with ``tf_totp_secret``.
    :param code: the code as typed.
    """
    matched = _matched(getattr(user, "tf_totp_secret", None), "authenticator", code)
    if matched is None:
        return False
    stored, _otp, step = matched
    return step <= stored.used.get("authenticator", -1)


def stored_with_step_used(stored_value: str, kind: str, step: int) -> str:
    """``stored_value`` with ``step`` recorded as used for ``kind`` and the
    generation bumped (setup: the code that confirmed a new secret cannot log in
    afterwards)."""
    stored = parse_stored(stored_value)
    if stored is None:
        raise ValueError("no usable two-factor secret")
    stored.used[kind] = max(step, stored.used.get(kind, -1))
    stored.generation += 1
    return stored.dump()


def check_code(stored_value: str, kind: str, code: Any) -> int | None:
    """The time step ``code`` matches for a secret not stored yet (setup), or
    ``None``. Constant-time comparison as in :func:`verify_and_use`."""
    matched = _matched(stored_value, kind, code)
    return None if matched is None else matched[2]


def authenticator_details(stored_value: str, username: str) -> dict[str, str]:
    """What an authenticator app needs (upstream's JSON names): ``tf_authr_key``
    (grouped by four with blanks for typing: authenticator apps ignore blanks but
    not every app ignores dashes), ``tf_authr_b32key``, ``tf_authr_uri`` (``otpauth://``),
    ``tf_authr_issuer``, ``tf_authr_username``."""
    stored = parse_stored(stored_value)
    if stored is None:
        raise ValueError("no usable two-factor secret")
    otp = load_totp(stored)
    b32 = str(otp.base32_key)
    return {
        "tf_authr_key": otp.pretty_key(sep=" "),
        "tf_authr_b32key": b32,
        "tf_authr_uri": otp.to_uri(label=username),
        "tf_authr_issuer": str(otp.issuer),
        "tf_authr_username": username,
    }


def qrcode_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG document (``qrcode``'s path image, no
    Pillow)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return str(image.to_string(encoding="unicode"))
