"""Two-factor sign-in walked in headless Chromium on the demo (issue 13): set up an
authenticator app from the QR page, sign in with its code, get recovery codes and
sign in with one (once only), and codes by mail.

The authenticator app is ``pyotp`` reading the key the setup page shows. A code is
accepted once within its window, so a sign-in right after the setup uses the next
window's code (``at(now + 30)``), which the server accepts for clock drift. Every
step saves a screenshot; a console error or 5xx fails the test (``fsec_page``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from flask_security.testing.live import ProcessServer
from fsec_demo_browser import add_user, demo_app, log_in, log_out, mail_to, start_demo, submit


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessServer]:
    server = start_demo(tmp_path_factory.mktemp("two-factor-demo"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_db(demo: ProcessServer) -> Iterator[Any]:
    yield from demo_app(demo, "fsec_demo_two_factor_app")


def logins(page: Any) -> int:
    """The login count the demo's profile page shows (fsec-trackable)."""
    page.goto("/profile")
    text = page.page.get_by_text(re.compile(r"Logins: \d+")).inner_text()
    return int(re.search(r"Logins: (\d+)", text).group(1))


def code_field(page: Any) -> Any:
    return page.page.get_by_label("Code", exact=True)


def test_authenticator_app_setup_sign_in_and_recovery_code(fsec_page, demo, demo_db):
    add_user(demo_db, "second@example.com", "a-first-factor")
    page = fsec_page(demo.url)
    log_in(page, "second@example.com", "a-first-factor")
    page.page.get_by_text("Signed in as second@example.com").wait_for()

    # set up: the profile links to /tf-setup, which shows a QR code and the key
    page.goto("/profile")
    page.page.get_by_text("Second factor: none.").wait_for()
    with page.page.expect_navigation():
        page.page.get_by_role("link", name="Set up or change it").click()
    assert page.path() == "/tf-setup"
    page.page.get_by_text("Two-factor sign-in is off for your account.").wait_for()
    # nothing to turn off yet
    assert page.page.get_by_label("Turn two-factor off").count() == 0
    page.step("setup page")
    page.page.get_by_label("Authenticator app").check()
    submit(page, "Set up")
    page.page.get_by_role("img", name="QR code of your authenticator secret").wait_for()
    assert page.page.locator(".fsec-qrcode svg").count() == 1
    page.page.get_by_text("Finish the setup: enter the code to confirm it.").wait_for()
    # the method choice (which would make a new key) is folded away, ids are unique
    assert not page.page.get_by_role("button", name="Set up").is_visible()
    ids = page.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), ids
    key = "".join(page.page.locator("code.fsec-authr-key").inner_text().split())
    app = pyotp.TOTP(key)
    page.step("qr code shown")
    code_field(page).fill("000000" if app.now() != "000000" else "111111")
    submit(page, "Verify")
    page.page.get_by_text("Invalid code.").wait_for()
    page.step("wrong setup code refused")
    # the same key is shown again with the error: its right code finishes the setup
    assert "".join(page.page.locator("code.fsec-authr-key").inner_text().split()) == key
    code_field(page).fill(app.now())
    submit(page, "Verify")
    page.page.get_by_text("Your two-factor method is set up.").wait_for()
    page.page.get_by_text("Your codes now come from: Authenticator app.").wait_for()
    page.step("authenticator set up")

    # recovery codes: shown once, each signs in once
    page.goto("/mf-recovery-codes")
    page.page.get_by_text("You have no recovery codes yet.").wait_for()
    submit(page, "Generate new recovery codes")
    codes = page.page.locator(".fsec-recovery-codes code").all_inner_texts()
    assert len(codes) == 5 and len(set(codes)) == 5
    page.step("recovery codes shown")
    before = logins(page)
    log_out(page)

    # password right: the code is asked for, the profile stays closed until then
    log_in(page, "second@example.com", "a-first-factor")
    assert page.path() == "/tf-validate"
    page.page.get_by_text("Open your authenticator app and type the code it shows.").wait_for()
    page.step("code asked for")
    page.goto("/profile")
    assert page.path().startswith("/login")
    page.goto("/tf-validate")
    code_field(page).fill("000000" if app.now() != "000000" else "111111")
    submit(page, "Verify")
    page.page.get_by_text("Invalid code.").wait_for()
    assert code_field(page).get_attribute("aria-invalid") == "true"
    assert page.page.evaluate("document.activeElement.name") == "code"
    page.step("wrong code refused")
    code_field(page).fill(app.at(time.time() + 30))
    submit(page, "Verify")
    page.page.get_by_text("Your code is confirmed.").wait_for()
    page.page.get_by_text("Signed in as second@example.com").wait_for()
    page.step("signed in with the code")
    # one sign-in, counted once although it took two steps
    assert logins(page) == before + 1
    log_out(page)

    # no phone at hand: a recovery code instead, through the rescue form
    log_in(page, "second@example.com", "a-first-factor")
    assert page.path() == "/tf-validate"
    page.page.get_by_label("Use a recovery code").check()
    submit(page, "Send")
    assert page.path() == "/mf-recovery"
    page.page.get_by_label("Recovery code").fill(codes[0])
    page.step("recovery code entered")
    submit(page, "Use code")
    page.page.get_by_text("Signed in as second@example.com").wait_for()
    page.step("signed in with a recovery code")
    assert logins(page) == before + 2
    log_out(page)

    # the same recovery code a second time is refused
    log_in(page, "second@example.com", "a-first-factor")
    page.goto("/mf-recovery")
    page.page.get_by_label("Recovery code").fill(codes[0])
    submit(page, "Use code")
    assert page.path() == "/mf-recovery"
    page.page.get_by_role("button", name="Log out").wait_for(state="detached")
    page.step("used recovery code refused")


def test_codes_by_mail(fsec_page, demo, demo_db):
    add_user(demo_db, "mailed@example.com", "a-first-factor")
    page = fsec_page(demo.url)
    log_in(page, "mailed@example.com", "a-first-factor")
    page.goto("/tf-setup")
    page.page.get_by_label("Email", exact=True).check()
    submit(page, "Set up")
    page.page.get_by_text("We mailed you a code.").wait_for()
    page.step("setup code mailed")
    code = re.search(r"\b(\d{6})\b", mail_to(demo, "mailed@example.com")).group(1)
    code_field(page).fill(code)
    submit(page, "Verify")
    page.page.get_by_text("Your codes now come from: Email.").wait_for()
    page.step("mail codes set up")
    log_out(page)

    log_in(page, "mailed@example.com", "a-first-factor")
    assert page.path() == "/tf-validate"
    page.page.get_by_text("We mailed you a code.").wait_for()
    code = re.search(r"\b(\d{6})\b", mail_to(demo, "mailed@example.com", count=2)).group(1)
    code_field(page).fill(code)
    page.step("mailed code entered")
    submit(page, "Verify")
    page.page.get_by_text("Signed in as mailed@example.com").wait_for()
    page.step("signed in with the mailed code")
