"""Checks that a login started a fresh session (issue 15 item 5: session fixation and
login CSRF), for core's and every feature's login paths."""

from __future__ import annotations

from typing import Any

#: The value planted in a session before a login; it must be gone after it.
PLANTED_KEY = "fsec_planted_before_login"


def plant_session(client: Any, csrf_field: str = "csrf_token") -> str:
    """Put what an attacker could fix into ``client``'s session before a login: an
    unrelated key and a known raw CSRF token (Flask-WTF keeps it at
    ``session[csrf_field]``).

    :param client: a Flask test client.
    :returns: the planted raw CSRF token.
    """
    planted = "f" * 40
    with client.session_transaction() as sess:
        sess[PLANTED_KEY] = "attacker"
        sess[csrf_field] = planted
        sess["next"] = "/kept"
    return planted


def assert_fresh_session(client: Any, planted: str, csrf_field: str = "csrf_token") -> None:
    """Assert that ``client`` is signed in with a session that kept nothing planted
    by :func:`plant_session` but ``next``.

    :raises AssertionError: not signed in, the planted key or CSRF token survived,
        or ``next`` was lost.
    """
    with client.session_transaction() as sess:
        assert "_user_id" in sess, "not signed in"
        assert PLANTED_KEY not in sess, "a key planted before the login survived it"
        assert sess.get(csrf_field) != planted, "the CSRF token planted before login survived"
        assert sess.get("next") == "/kept", "the login lost the session's next"


__all__ = ["PLANTED_KEY", "assert_fresh_session", "plant_session"]
