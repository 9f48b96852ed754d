"""A passkey assertion signs in once, and confirms a signed-in user once at
``/wan-verify``, under real concurrency.

gunicorn with 4 sync worker processes serves fsec on a real PostgreSQL database. For
each trial a client starts a passkey sign-in, the software authenticator answers, and
the same step-2 request (same session cookie, ``wan_state`` and assertion: a captured
request replayed by copies of the browser) is sent by 4 threads released at the same
instant. Exactly one may sign in: for a passkey that counts signatures and for one
whose counter stays 0 (synced passkeys), where only the database's compare-and-set on
``sign_count`` and ``lastuse_datetime`` decides. The same for ``/wan-verify``'s step 2
(a signed-in session's copies replaying one assertion): one refreshes the session.

Trials: ``FSEC_RACE_TRIALS`` (default 100) divided by 5 per kind, at least 5.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from flask_security.testing.app import User, WebAuthn, add_user, db
from flask_security.testing.live import LiveClient, LiveServer, race
from fsec_webauthn.testing import SoftAuthenticator

TRIALS = max(5, int(os.environ.get("FSEC_RACE_TRIALS", "100")) // 5)
THREADS = 4


@pytest.fixture(scope="module")
def server(fsec_live_module: Any) -> LiveServer:
    return fsec_live_module({"SECURITY_WEBAUTHN": True}, workers=4)


def _register(server: LiveServer, email: str, auth: SoftAuthenticator) -> LiveClient:
    """A new account with one passkey named ``key``; returns its signed-in client."""
    add_user(server.app, email, "secret-pw")
    client = server.client()
    assert client.post("/login", json={"email": email, "password": "secret-pw"}).status == 200
    start = client.post("/wan-register", json={"name": "key"}).json()["response"]
    credential = auth.create(start["credential_options"])
    done = client.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert done.status == 200, done.body
    return client


def _sign_counts(server: LiveServer, email: str) -> list[int]:
    with server.app.app_context():
        db.session.expire_all()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        rows = db.session.execute(db.select(WebAuthn).filter_by(user_id=user.id)).scalars()
        return [r.sign_count for r in rows]


@pytest.mark.parametrize("counter_step", [1, 0], ids=["counting", "zero-counter"])
def test_one_assertion_signs_in_once(server: LiveServer, counter_step: int) -> None:
    email = f"race{counter_step}@example.com"
    auth = SoftAuthenticator(origin=server.url, counter_step=counter_step)
    _register(server, email, auth)
    tally: Counter[int] = Counter()
    for _ in range(TRIALS):
        first = server.client()
        start = first.post("/wan-signin", json={}).json()["response"]
        assertion = auth.get(start["credential_options"])
        calls = []
        for _ in range(THREADS):
            copy = server.client()
            copy.cookies = dict(first.cookies)
            calls.append(
                copy.prepare(
                    "POST", f"/wan-signin/{start['wan_state']}", json={"credential": assertion}
                )
            )
        answers = race(calls)
        assert all(a.status in (200, 400) for a in answers), [a.status for a in answers]
        tally[sum(1 for a in answers if a.status == 200)] += 1
    print(f"passkey sign-in, {THREADS} threads, counter_step={counter_step}: {dict(tally)}")
    assert tally == Counter({1: TRIALS})
    with server.app.app_context():
        db.session.expire_all()
        row = db.session.execute(db.select(WebAuthn).filter_by(name="key")).scalars().all()
        counts = sorted(r.sign_count for r in row)
    assert TRIALS * counter_step in counts
    assert server.tracebacks() == 0, server.log_text()[-4000:]


@pytest.mark.parametrize("counter_step", [1, 0], ids=["counting", "zero-counter"])
def test_one_wan_verify_assertion_confirms_once(server: LiveServer, counter_step: int) -> None:
    email = f"verify-race{counter_step}@example.com"
    auth = SoftAuthenticator(origin=server.url, counter_step=counter_step)
    client = _register(server, email, auth)
    tally: Counter[int] = Counter()
    for _ in range(TRIALS):
        start = client.post("/wan-verify", json={})
        assert start.status == 200, start.body
        body = start.json()["response"]
        assertion = auth.get(body["credential_options"])
        calls = []
        for _ in range(THREADS):
            copy = server.client()
            copy.cookies = dict(client.cookies)
            path = f"/wan-verify/{body['wan_state']}"
            calls.append(copy.prepare("POST", path, json={"credential": assertion}))
        answers = race(calls)
        assert all(a.status in (200, 400) for a in answers), [a.status for a in answers]
        winners = [a for a in answers if a.status == 200]
        for answer in winners:
            assert answer.json()["response"]["user"]["authentication_token"]
        tally[len(winners)] += 1
    print(f"/wan-verify, {THREADS} threads, counter_step={counter_step}: {dict(tally)}")
    assert tally == Counter({1: TRIALS})
    assert _sign_counts(server, email) == [TRIALS * counter_step]
    assert server.tracebacks() == 0, server.log_text()[-4000:]
