"""One-time links are one-time under real concurrency (issue 10, section 1).

gunicorn with 4 sync worker processes serves fsec on a real PostgreSQL database; for
each link kind (password reset, email confirmation, passwordless login), every trial
makes a fresh link and sends it 2 or 4 times at the same instant (threads released
by a barrier, connections opened beforehand). Exactly one use may succeed. And 16
simultaneous password logins of one user raise ``login_count`` by exactly 16.

The trial counts are ``FSEC_RACE_TRIALS`` (default 100) per thread count.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask_security.testing.app import User, add_user, db
from flask_security.testing.live import LiveServer, race

TRIALS = int(os.environ.get("FSEC_RACE_TRIALS", "100"))
JSON = {"Accept": "application/json"}
NEW = {"password": "a-new-secret-1", "password_confirm": "a-new-secret-1"}


def _user(server: LiveServer, user_id: int) -> Any:
    with server.app.app_context():
        db.session.expire_all()
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _token(server: LiveServer, user_id: int, make: Callable[[Any], str]) -> str:
    with server.app.test_request_context():
        user = db.session.get(User, user_id)
        token = make(user)
        db.session.remove()
        return token


def _run_trials(
    server: LiveServer,
    new_user: Callable[[int], int],
    make_token: Callable[[Any], str],
    send: Callable[[Any, str], Any],
    succeeded: Callable[[Any], bool],
) -> dict[int, Counter[int]]:
    """For 2 and 4 threads, TRIALS trials each: returns {threads: Counter(successes
    per trial -> number of trials)}."""
    results: dict[int, Counter[int]] = {}
    serial = 0
    for threads in (2, 4):
        tally: Counter[int] = Counter()
        for _ in range(TRIALS):
            serial += 1
            user_id = new_user(serial)
            token = _token(server, user_id, make_token)
            calls = [send(server.client(), token) for _ in range(threads)]
            answers = race(calls)
            tally[sum(1 for a in answers if succeeded(a))] += 1
        results[threads] = tally
    return results


def _report(kind: str, results: dict[int, Counter[int]]) -> str:
    parts = []
    for threads, tally in results.items():
        doubles = sum(n for k, n in tally.items() if k > 1)
        none = tally.get(0, 0)
        parts.append(f"{threads} threads: {doubles}/{TRIALS} trials >1 success, {none} with 0")
    line = f"{kind}: " + "; ".join(parts)
    print(line)
    return line


def _assert_exactly_one(kind: str, results: dict[int, Counter[int]]) -> None:
    line = _report(kind, results)
    for tally in results.values():
        assert tally == Counter({1: TRIALS}), line


@pytest.fixture(scope="module")
def password_server(fsec_live_module: Any) -> Any:
    """Reset, confirmation and trackable on one server (password logins stay on)."""
    return fsec_live_module(
        {
            "SECURITY_RECOVERABLE": True,
            "SECURITY_CONFIRMABLE": True,
            "SECURITY_TRACKABLE": True,
            "SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL": False,
        },
        workers=4,
    )


def _assert_clean(server: LiveServer) -> None:
    assert server.tracebacks() == 0, server.log_text()[-4000:]
    assert not [s for s in server.statuses() if s >= 500]


def test_reset_link_is_used_once(password_server: LiveServer) -> None:
    from fsec_recoverable.recoverable import generate_reset_password_token

    server = password_server
    ids: list[int] = []

    def new_user(n: int) -> int:
        ids.append(add_user(server.app, f"reset{n}@example.com", "old-secret", confirmed_at=_now()))
        return ids[-1]

    def send(client: Any, token: str) -> Any:
        return client.prepare("POST", f"/reset/{token}", json=NEW)

    results = _run_trials(
        server, new_user, generate_reset_password_token, send, lambda r: r.status == 200
    )
    _assert_exactly_one("reset", results)
    # One reset signed the user in once (trackable), and the new password is stored.
    assert sorted({_user(server, i).login_count for i in ids}) == [1]
    assert len({_user(server, i).password for i in ids}) == len(ids)
    _assert_clean(server)


def test_confirmation_link_is_used_once(password_server: LiveServer) -> None:
    from fsec_confirmable.confirmable import generate_confirmation_token

    server = password_server
    ids: list[int] = []

    def new_user(n: int) -> int:
        ids.append(add_user(server.app, f"confirm{n}@example.com", "secret-pw"))
        return ids[-1]

    def send(client: Any, token: str) -> Any:
        return client.prepare("GET", f"/confirm/{token}", headers=JSON)

    results = _run_trials(
        server, new_user, generate_confirmation_token, send, lambda r: r.status == 200
    )
    _assert_exactly_one("confirm", results)
    assert all(_user(server, i).confirmed_at is not None for i in ids)
    # A successful confirmation logs the user in once: one recorded login each.
    assert sorted({_user(server, i).login_count for i in ids}) == [1]
    _assert_clean(server)


def test_concurrent_logins_are_all_counted(password_server: LiveServer) -> None:
    server = password_server
    user_id = add_user(server.app, "counted@example.com", "secret-pw", confirmed_at=_now())
    body = {"email": "counted@example.com", "password": "secret-pw"}
    for _round in range(2):
        answers = race([server.client().prepare("POST", "/login", json=body) for _ in range(16)])
        assert [a.status for a in answers] == [200] * 16
    user = _user(server, user_id)
    print(f"login_count after 2 x 16 concurrent logins: {user.login_count}")
    assert user.login_count == 32
    assert user.current_login_at is not None and user.last_login_at is not None
    _assert_clean(server)


def test_passwordless_link_is_used_once(fsec_live: Any) -> None:
    from fsec_passwordless.passwordless import generate_login_token

    server = fsec_live({"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True}, workers=4)
    ids: list[int] = []

    def new_user(n: int) -> int:
        ids.append(add_user(server.app, f"link{n}@example.com", None))
        return ids[-1]

    def send(client: Any, token: str) -> Any:
        return client.prepare("GET", f"/login/{token}", headers=JSON)

    results = _run_trials(server, new_user, generate_login_token, send, lambda r: r.status == 200)
    _assert_exactly_one("passwordless", results)
    assert sorted({_user(server, i).login_count for i in ids}) == [1]
    _assert_clean(server)


def _now() -> Any:
    import datetime

    return datetime.datetime(2026, 1, 1, 12, 0)
