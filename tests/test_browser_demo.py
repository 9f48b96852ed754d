"""The demo (examples/demo) walked in headless Chromium, as its README tells a newcomer.

The demo runs as its own process, exactly as ``make demo`` starts it
(``python examples/demo/app.py``), on a throwaway instance folder
(``FSEC_DEMO_INSTANCE``) and a free port, opened as ``http://localhost:<port>``. Mails
are read from what the demo prints. Every step saves a screenshot under
``$FSEC_TEST_OUTPUT/browser/<test>/`` and any console error or 5xx response fails the
test (``fsec_page``, :mod:`flask_security.testing.browser`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask_security.testing.live import ProcessServer
from fsec_demo_browser import (
    DEMO,
    add_user,
    demo_app,
    link_in,
    log_in,
    log_out,
    log_out_if_signed_in,
    mail_to,
    start_demo,
    submit,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessServer]:
    server = start_demo(tmp_path_factory.mktemp("demo-instance"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_db(demo: ProcessServer) -> Iterator[Any]:
    """The demo's app in this process, on the server's SQLite file."""
    yield from demo_app(demo, "fsec_demo_browser_app")


def test_login_and_logout(fsec_page, demo):
    page = fsec_page(demo.url)
    page.goto("/")
    page.page.get_by_text("You are not signed in").wait_for()
    page.step("home signed out")
    page.page.get_by_role("link", name="Log in").click()
    assert page.path() == "/login"
    # the demo's one security/base.html puts the login page inside its own layout
    page.page.locator("nav").get_by_role("link", name="Home").wait_for()
    page.page.get_by_label("Email Address").fill("user@example.com")
    page.page.get_by_label("Password", exact=True).fill("user-password")
    page.step("login form filled")
    page.page.get_by_role("button", name="Login").click()
    page.page.get_by_text("Signed in as user@example.com").wait_for()
    assert page.path() == "/"
    page.step("home signed in")
    log_out(page)
    page.page.get_by_text("You are not signed in").wait_for()
    page.step("signed out again")
    # a wrong password is reported on the form, next to its field
    log_in(page, "user@example.com", "wrong-password")
    assert page.path() == "/login"
    page.page.get_by_text("Wrong email address or password.").wait_for()
    # the refused field has the focus, is marked invalid and described by its error
    assert page.page.evaluate("document.activeElement.id") == "password"
    password = page.page.get_by_label("Password", exact=True)
    assert password.get_attribute("aria-invalid") == "true"
    assert (
        page.page.get_by_role("textbox", name="Email Address").get_attribute("aria-invalid") is None
    )
    page.step("wrong password")


def test_register_then_confirm_from_the_printed_mail(fsec_page, demo):
    page = fsec_page(demo.url)
    page.goto("/")
    page.page.get_by_role("link", name="Register").click()
    assert page.path() == "/register"
    page.step("register form")
    page.page.get_by_label("Email Address").fill("newcomer@example.com")
    page.page.get_by_label("Password", exact=True).fill("a-long-new-password")
    page.step("register form filled")
    submit(page, "Register")
    page.page.get_by_text("We sent a link to newcomer@example.com").wait_for()
    page.step("registered")
    mail = mail_to(demo, "newcomer@example.com")
    assert "confirm" in mail.lower()
    # not confirmed yet: the password alone does not sign in
    log_out_if_signed_in(page)
    log_in(page, "newcomer@example.com", "a-long-new-password")
    assert page.path() == "/login"
    page.page.get_by_text("Please confirm your email address before you sign in.").wait_for()
    page.step("login before confirmation")
    page.goto(link_in(mail))
    page.page.get_by_text("Your email address is confirmed.").wait_for()
    page.step("confirmed")
    log_out_if_signed_in(page)
    log_in(page, "newcomer@example.com", "a-long-new-password")
    page.page.get_by_text("Signed in as newcomer@example.com").wait_for()
    page.step("signed in after confirmation")


def test_reset_password_from_the_printed_mail(fsec_page, demo, demo_db):
    add_user(demo_db, "forgetful@example.com", "the-old-password")
    page = fsec_page(demo.url)
    page.goto("/login")
    page.page.get_by_role("link", name="Forgot password?").click()
    assert page.path() == "/reset"
    page.page.get_by_label("Email Address").fill("forgetful@example.com")
    page.step("reset request")
    submit(page, "Recover Password")
    page.step("reset requested")
    mail = mail_to(demo, "forgetful@example.com")
    page.goto(link_in(mail))
    page.page.get_by_label("Password", exact=True).fill("the-new-password")
    page.page.get_by_label("Retype Password").fill("the-new-password")
    page.step("new password form")
    submit(page, "Reset Password")
    page.step("password reset")
    log_out_if_signed_in(page)
    log_in(page, "forgetful@example.com", "the-old-password")
    assert page.path() == "/login"
    log_in(page, "forgetful@example.com", "the-new-password")
    page.page.get_by_text("Signed in as forgetful@example.com").wait_for()
    page.step("signed in with the new password")


def test_change_password(fsec_page, demo, demo_db):
    add_user(demo_db, "changer@example.com", "the-first-password")
    page = fsec_page(demo.url)
    log_in(page, "changer@example.com", "the-first-password")
    page.page.get_by_role("link", name="Change password").click()
    assert page.path() == "/change"
    page.step("change password form")
    # a wrong current password is reported even when the new one is too short
    page.page.get_by_label("Password", exact=True).fill("not-my-password")
    page.page.get_by_label("New Password").fill("short")
    page.page.get_by_label("Retype Password").fill("short")
    submit(page, "Change Password")
    page.page.get_by_text("Wrong email address or password.").wait_for()
    page.page.get_by_text("The password must be").wait_for()
    assert page.page.evaluate("document.activeElement.name") == "password"  # the first one
    page.step("both errors shown")
    page.page.get_by_label("Password", exact=True).fill("the-first-password")
    page.page.get_by_label("New Password").fill("the-second-password")
    page.page.get_by_label("Retype Password").fill("the-second-password")
    submit(page, "Change Password")
    page.page.get_by_text("Your password is changed.").wait_for()
    page.step("password changed")
    assert "password" in mail_to(demo, "changer@example.com").lower()
    log_out_if_signed_in(page)
    log_in(page, "changer@example.com", "the-second-password")
    page.page.get_by_text("Signed in as changer@example.com").wait_for()
    page.step("signed in with the new password")


def test_lockout_after_five_wrong_passwords_and_unlock(fsec_page, demo, demo_db):
    add_user(demo_db, "guessed@example.com", "the-right-password")
    page = fsec_page(demo.url)
    for attempt in range(5):
        log_in(page, "guessed@example.com", f"guess-{attempt}")
        assert page.path() == "/login"
    page.step("five wrong passwords")
    log_in(page, "guessed@example.com", "the-right-password")
    page.page.get_by_text("This account is locked").wait_for()
    page.step("locked even with the right password")
    assert "locked" in mail_to(demo, "guessed@example.com").lower()
    # the README's command lifts the lock
    flask = [sys.executable, "-m", "flask", "--app", str(DEMO)]
    run = subprocess.run(
        [*flask, "users", "unlock", "guessed@example.com"],
        env={**os.environ, **demo.env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    log_in(page, "guessed@example.com", "the-right-password")
    page.page.get_by_text("Signed in as guessed@example.com").wait_for()
    page.step("unlocked and signed in")


def test_admin_page_as_admin_and_as_plain_user(fsec_page, demo):
    admin = fsec_page(demo.url, name="admin")
    log_in(admin, "admin@example.com", "admin-password")
    admin.page.get_by_role("link", name="Admin").click()
    assert admin.path() == "/admin"
    admin.page.get_by_role("cell", name="user@example.com").wait_for()
    admin.step("admin page")

    user = fsec_page(demo.url, name="user")
    log_in(user, "user@example.com", "user-password")
    assert user.page.get_by_role("link", name="Admin").count() == 0
    user.step("no admin link")
    assert user.goto("/admin").status == 403
    user.page.get_by_role("heading", name="Not allowed").wait_for()
    user.step("friendly 403")
    user.page.get_by_role("link", name="Back to the home page").click()
    assert user.path() == "/"

    user.goto("/profile")
    text = user.page.locator("main").inner_text()
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", text), text  # no microseconds
    user.step("profile")


def test_token_api_as_the_home_page_describes_it(fsec_page, demo):
    page = fsec_page(demo.url)
    page.goto("/")
    steps = page.page.locator("ol").inner_text()
    assert "X-CSRFToken" in steps and "Authentication-Token" in steps
    # the steps, run from the page itself (fetch, same origin)
    status, token = page.page.evaluate(
        """async () => {
            const r1 = await fetch('/login', {headers: {Accept: 'application/json'}});
            const csrf = (await r1.json()).response.csrf_token;
            const r2 = await fetch('/login', {
                method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({email: 'user@example.com', password: 'user-password'}),
            });
            const body = await r2.json();
            return [r2.status, body.response.user.authentication_token];
        }"""
    )
    assert status == 200 and token
    page.step("token api steps")
    api = fsec_page(demo.url, name="api", extra_http_headers={"Authentication-Token": token})
    assert api.goto("/api/me").status == 200
    assert '"email": "user@example.com"' in api.page.inner_text("body").replace('":"', '": "')
    api.step("api me with token")
    anonymous = fsec_page(demo.url, name="anonymous")
    assert anonymous.goto("/api/me").status == 401
    anonymous.step("api me without token")


def test_passwordless_sign_in_from_the_printed_mail(fsec_page, tmp_path):
    demo = start_demo(tmp_path, passwordless=True)
    try:
        page = fsec_page(demo.url)
        page.goto("/login")
        page.page.get_by_label("Email Address").fill("user@example.com")
        page.step("send login link")
        submit(page, "Send Login Link")
        page.step("link sent")
        page.goto(link_in(mail_to(demo, "user@example.com")))
        page.page.get_by_text("Signed in as user@example.com").wait_for()
        page.step("signed in by link")
    finally:
        demo.stop()


def test_pages_on_a_phone(fsec_page, demo):
    page = fsec_page(demo.url, viewport=PHONE)
    for path in ("/login", "/register", "/reset", "/confirm"):
        page.goto(path)
        # nothing wider than the screen: no sideways scrolling
        assert page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.step(f"phone {path.strip('/')}")
