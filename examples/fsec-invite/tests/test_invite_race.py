"""An invitation link works once, also when several worker processes serve it at the
same instant: gunicorn with 4 workers on PostgreSQL, requests released together by
fsec's ``race()`` (a barrier), several trials. Bounded: one server, a few seconds."""

from __future__ import annotations

from flask_security import current_datastore
from flask_security.testing.live import race
from flask_security.utils import verify_password
from fsec_invite import invite_user

TRIALS = 5
RACERS = 8


# --8<-- [start:race]
def test_an_invitation_link_works_once_under_concurrency(fsec_live):
    server = fsec_live({"SECURITY_PLUGINS": ["invite"]})
    for trial in range(TRIALS):
        email = f"racer{trial}@example.com"
        with server.app.app_context():
            invite_user(email)  # mailed to the live server's SMTP sink
        mail = server.mails(trial + 1)[-1]
        (link,) = server.smtp.links(mail)
        passwords = [f"secret-{trial}-{n}" for n in range(RACERS)]
        calls = [
            server.client().prepare("POST", link, json={"password": p, "password_confirm": p})
            for p in passwords
        ]
        answers = race(calls)
        statuses = [a.status for a in answers]
        assert statuses.count(200) == 1, statuses
        assert statuses.count(400) == RACERS - 1, statuses
        winner = passwords[statuses.index(200)]
        with server.app.app_context():
            stored = current_datastore.find_user(email=email).password
            assert verify_password(winner, stored)
            assert not any(verify_password(p, stored) for p in passwords if p != winner)
    assert server.tracebacks() == 0, server.log_text()
    assert not [s for s in server.statuses() if s >= 500]


# --8<-- [end:race]
