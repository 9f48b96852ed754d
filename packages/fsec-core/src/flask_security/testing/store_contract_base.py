"""What the three store contract suites share: the app configuration for
``make_app``, inputs that name no user, and :class:`_StoreRun` (the run's name and the
``make_app`` fixture). See :mod:`flask_security.testing.datastore_contract`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask

#: A configuration for the apps ``make_app`` builds: apply it first, then the
#: contract's ``config``. bcrypt at 4 rounds keeps hashing out of the measurements.
TEST_APP_CONFIG: dict[str, Any] = {
    "SECRET_KEY": "fsec-contract-secret-key",
    "TESTING": True,
    "SECURITY_PASSWORD_SALT": "fsec-contract-salt",
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
    "WTF_CSRF_ENABLED": False,
    "MAIL_SUPPRESS_SEND": True,
    "SERVER_NAME": "localhost",
}

#: A password hash as stored by ``create_user`` (the datastore never reads it).
_STORED_HASH = "$2b$04$fsec.contract.stored.hash.value.not.verified.here"

#: ``load_user`` inputs that name no user and must give ``None`` without raising.
BAD_USER_IDS: tuple[Any, ...] = (
    "",
    " ",
    "abc",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    " 1",
    "1 ",
    "1\n",
    "\uff11",  # FULLWIDTH DIGIT ONE: str.isdigit() is true, it is no key
    "\u00b2",  # SUPERSCRIPT TWO: str.isdigit() is true, int() refuses it
    "9" * 40,
    "9" * 19,  # above the largest 64-bit key
    "99999999999999999999",
    "1; DROP TABLE users",
    "' OR '1'='1",
    "\x00",
    "deadbeefdeadbeefdeadbeef",
    "1:fingerprint",
    None,
)


def _ascii_upper(text: str) -> str:
    """``text`` with only its ASCII letters upper-cased (case folding of other letters
    depends on the database's collation, which the contract does not prescribe)."""
    return "".join(c.upper() if c.isascii() else c for c in text)


def _role_names(user: Any) -> list[str]:
    return sorted(r.name for r in (user.roles or ()))


class _StoreRun:
    """What both contracts share: the run's name and the ``make_app`` fixture."""

    #: Name of the store under test (``"sqlalchemy"``, ``"peewee"``...).
    store: ClassVar[str] = "unnamed-store"
    #: Name of the database it runs on (``"sqlite"``, ``"postgresql"``, ``"mongomock"``).
    database: ClassVar[str] = "unnamed-database"
    #: Contract kind, for the terminal summary.
    _fsec_contract: ClassVar[str] = ""

    @pytest.fixture
    def make_app(self) -> Callable[[dict[str, Any]], Flask]:  # pragma: no cover
        raise NotImplementedError("a datastore contract subclass must provide make_app")
