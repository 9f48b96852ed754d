"""A code or a recovery code logs in once under real concurrency.

gunicorn with 4 sync worker processes serves fsec-two-factor on a real PostgreSQL
database. In each trial a fresh user gets an authenticator secret; 2 or 4 clients
each pass the password step (each its own pending login), then all post the same
valid code to ``/tf-validate`` at the same instant (threads released by a barrier,
connections opened beforehand). Exactly one may be signed in. The same for a
recovery code at ``/mf-recovery``.

Trials: ``FSEC_TF_RACE_TRIALS`` (default 15) per thread count, bounded to well under
a minute on the 2-core machine.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pyotp
import pytest
from flask_security.testing.app import User, add_user, db
from flask_security.testing.live import LiveServer, race

TRIALS = int(os.environ.get("FSEC_TF_RACE_TRIALS", "15"))
SECRETS = {"1": "fsec-live-totp-secret-with-enough-entropy-789"}


@pytest.fixture(scope="module")
def server(fsec_live_module: Any) -> LiveServer:
    return fsec_live_module(
        {
            "SECURITY_TWO_FACTOR": True,
            "SECURITY_TOTP_SECRETS": SECRETS,
            "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator", "email"],
            "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
        },
        workers=4,
    )


def _new_tf_user(server: LiveServer, email: str) -> tuple[int, pyotp.TOTP, list[str]]:
    """A user with the authenticator set up and recovery codes (in-process)."""
    from fsec_two_factor import totp, twofactor

    user_id = add_user(server.app, email, "secret-pw")
    with server.app.test_request_context():
        user = db.session.get(User, user_id)
        otp, stored = totp.new_secret()
        user.tf_primary_method = "authenticator"
        user.tf_totp_secret = stored
        db.session.commit()
        codes = twofactor.generate_recovery_codes(user)
        db.session.remove()
    assert codes
    return user_id, pyotp.TOTP(otp.base32_key), codes


def _pending_clients(server: LiveServer, email: str, n: int) -> list[Any]:
    clients = []
    for _ in range(n):
        client = server.client()
        r = client.post("/login", json={"email": email, "password": "secret-pw"})
        assert r.status == 200 and r.json()["response"]["tf_required"] is True
        clients.append(client)
    return clients


def _signed_in(client: Any) -> bool:
    return client.get("/", headers={"Accept": "application/json"}).status == 200


def _run(server: LiveServer, kind: str, path: str, pick: Any) -> dict[int, Counter[int]]:
    results: dict[int, Counter[int]] = {}
    serial = 0
    for threads in (2, 4):
        tally: Counter[int] = Counter()
        for _ in range(TRIALS):
            serial += 1
            email = f"{kind}{serial}@example.com"
            _uid, otp, codes = _new_tf_user(server, email)
            clients = _pending_clients(server, email, threads)
            code = pick(otp, codes)
            answers = race([c.prepare("POST", path, json={"code": code}) for c in clients])
            ok = [a.status == 200 for a in answers]
            assert sum(ok) == sum(_signed_in(c) for c in clients)
            tally[sum(ok)] += 1
        results[threads] = tally
    line = f"{kind}: " + "; ".join(
        f"{t} threads: {dict(sorted(c.items()))} (successes per trial -> trials)"
        for t, c in results.items()
    )
    print(line)
    for tally in results.values():
        assert tally == Counter({1: TRIALS}), line
    return results


def test_totp_code_logs_in_once(server: LiveServer) -> None:
    _run(server, "totp", "/tf-validate", lambda otp, codes: otp.now())
    assert server.tracebacks() == 0, server.log_text()[-4000:]


def test_recovery_code_logs_in_once(server: LiveServer) -> None:
    _run(server, "recovery", "/mf-recovery", lambda otp, codes: codes[0])
    assert server.tracebacks() == 0, server.log_text()[-4000:]
    with server.app.app_context():
        db.session.expire_all()
        remaining = {
            len(u.mf_recovery_codes)
            for u in db.session.execute(db.select(User)).scalars()
            if u.email.startswith("recovery")
        }
    assert remaining == {4}
