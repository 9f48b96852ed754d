"""Account work behind a link mail (token, link, signal, mail) runs after the response
in background delivery, so that /reset and passwordless /login answer a known address
as fast as an unknown one (issue 10 section 3; flask_security.mail.run_after_response).
"""

from __future__ import annotations

import time

import pytest
from flask_security.signals import login_instructions_sent, reset_password_instructions_sent
from flask_security.testing.app import add_user, create_app

CASES = {
    "reset": ({"SECURITY_RECOVERABLE": True}, "/reset", reset_password_instructions_sent, "token"),
    "passwordless": (
        {"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True},
        "/login",
        login_instructions_sent,
        "login_token",
    ),
}


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize("case", sorted(CASES))
def test_known_address_work_happens_after_the_response(case, fsec_smtp):
    config, path, signal, token_key = CASES[case]
    app = create_app(
        {
            **config,
            "SECURITY_MAIL_DELIVERY": "background",
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_TIMEOUT": 2,
        }
    )
    add_user(app, "known@example.com", "password")
    sent = []

    def record(sender, user, **extra):
        sent.append((user.email, extra[token_key]))

    with signal.connected_to(record, app):
        response = app.test_client().post(path, json={"email": "known@example.com"})
        assert response.status_code == 200 and response.json["response"] == {}
        time.sleep(0.3)
        # nothing of the account's work has happened while the response is open
        assert sent == [] and fsec_smtp.messages == []
        response.close()
        assert _wait_for(lambda: len(sent) == 1 and len(fsec_smtp.messages) == 1)
        # an unknown address: same answer, nothing done
        unknown = app.test_client().post(path, json={"email": "nobody@example.com"})
        assert unknown.status_code == 200 and unknown.json["response"] == {}
        unknown.close()
        time.sleep(0.3)
    assert len(sent) == 1 and len(fsec_smtp.messages) == 1
    email, token = sent[0]
    assert email == "known@example.com"
    assert token in fsec_smtp.text_of(fsec_smtp.messages[0])
