"""A passkey in a real browser: headless Chromium (Debian's ``chromium``, driven by
Playwright) with the DevTools virtual authenticator registers a passkey on the demo's
page and signs in with it, no password typed (issue 12).

The demo runs as its own process exactly as ``make demo`` starts it, on a throwaway
instance folder and a free port, opened as ``http://localhost:<port>`` (WebAuthn needs
a secure context and a domain name as RP ID: Chromium treats ``localhost`` over plain
http as secure). The authenticator is a CTAP2 platform authenticator with resident
keys and user verification (``WebAuthn.addVirtualAuthenticator`` over the page's CDP
session). Every step saves a screenshot; a console error, page error or 5xx fails the
test (``fsec_page``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask_security.testing.live import ProcessServer
from fsec_demo_browser import start_demo

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessServer]:
    server = start_demo(tmp_path_factory.mktemp("passkey-demo"))
    yield server
    server.stop()


def _virtual_authenticator(bpage) -> tuple[object, str]:
    cdp = bpage.cdp()
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, added["authenticatorId"]


def test_register_a_passkey_and_sign_in_with_it_no_password(fsec_page, demo) -> None:
    bpage = fsec_page(demo.url)
    page = bpage.page
    cdp, authenticator = _virtual_authenticator(bpage)

    # Sign in with the seeded password once, to add a passkey.
    bpage.goto("/login")
    page.get_by_label("Email Address").fill("user@example.com")
    page.get_by_label("Password").fill("user-password")
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(demo.url + "/")
    bpage.step("signed in with the password")

    page.get_by_role("link", name="Passkeys").click()
    page.wait_for_url("**/wan-register")
    page.get_by_text("You have no passkey yet.").wait_for()
    bpage.step("passkey page, none yet")
    page.get_by_label("Name of the passkey").fill("Chromium on the test machine")
    page.get_by_role("button", name="Add a passkey").click()
    # the page script calls navigator.credentials.create(), the virtual authenticator
    # answers, the script posts the answer, and the server redirects back here
    page.get_by_text("The passkey Chromium on the test machine was added.").wait_for()
    page.get_by_role("button", name="Remove passkey Chromium on the test machine").wait_for()
    bpage.step("passkey added")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(held) == 1 and held[0]["isResidentCredential"] is True
    assert held[0]["rpId"] == "localhost"

    # Sign out; sign in again with the passkey only.
    bpage.goto("/")
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are not signed in.").wait_for()
    bpage.step("signed out")
    bpage.goto("/login")
    page.get_by_role("link", name="Sign in with a passkey").first.click()
    page.wait_for_url("**/wan-signin")
    bpage.step("passkey sign-in page")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_text("You are signed in with your passkey.").wait_for()
    assert bpage.path() == "/"
    page.get_by_text("Signed in as user@example.com").wait_for()
    bpage.step("signed in with the passkey")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert held[0]["signCount"] >= 1
    assert bpage.goto("/profile").status == 200
    # no password field was touched after the first sign-in: the second one used none
    bpage.step("profile reached")


def test_passkey_sign_in_cancelled_shows_a_message_not_an_error(fsec_page, demo) -> None:
    """With no passkey for the site, the browser refuses; the page says so in its
    status line (no console error, no server error) and nobody is signed in."""
    bpage = fsec_page(demo.url)
    page = bpage.page
    _virtual_authenticator(bpage)  # an empty authenticator: nothing to offer
    bpage.goto("/wan-signin")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_text("The passkey was not used. Try again.").wait_for(timeout=70_000)
    bpage.step("browser refused, message shown")
    bpage.goto("/")
    page.get_by_text("You are not signed in.").wait_for()


def test_passkey_as_the_second_factor_after_the_password(fsec_page, demo) -> None:
    """With two-factor on in the demo, a passkey registered to "confirm a sign-in"
    is asked for after the password: the page says so and the passkey finishes the
    sign-in; until then the profile stays closed."""
    bpage = fsec_page(demo.url)
    page = bpage.page
    _virtual_authenticator(bpage)
    bpage.goto("/login")
    page.get_by_label("Email Address").fill("admin@example.com")
    page.get_by_label("Password").fill("admin-password")
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(demo.url + "/")
    bpage.goto("/wan-register")
    page.get_by_label("Name of the passkey").fill("Security key")
    page.get_by_label("confirm a sign-in (second factor)").check()
    bpage.step("second-factor passkey chosen")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("The passkey Security key was added.").wait_for()
    page.get_by_text("second factor").first.wait_for()
    bpage.step("second-factor passkey added")
    bpage.goto("/")
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are not signed in.").wait_for()

    bpage.goto("/login")
    page.get_by_label("Email Address").fill("admin@example.com")
    page.get_by_label("Password").fill("admin-password")
    page.get_by_role("button", name="Login").click()
    page.wait_for_url("**/wan-signin")
    page.get_by_role("heading", name="Confirm with your passkey").wait_for()
    bpage.step("password right, passkey asked for")
    assert bpage.goto("/profile").status == 200 and bpage.path().startswith("/login")
    bpage.goto("/wan-signin")
    page.get_by_role("button", name="Confirm with your passkey").click()
    page.get_by_text("You are signed in with your passkey.").wait_for()
    page.get_by_text("Signed in as admin@example.com").wait_for()
    bpage.step("signed in with password and passkey")


#: Seconds a sign-in stays fresh in the /wan-verify test's demo (FSEC_DEMO_FRESHNESS):
#: long enough to add a passkey right after the password, short enough to wait out.
FRESH_SECONDS = 20


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessServer]:
    server = start_demo(tmp_path_factory.mktemp("passkey-verify-demo"), freshness=FRESH_SECONDS)
    yield server
    server.stop()


def test_a_stale_sign_in_is_confirmed_with_the_passkey_at_wan_verify(fsec_page, fresh_demo):
    """Once the sign-in is older than SECURITY_FRESHNESS, the passkey page sends the
    user to /verify; "Confirm with a passkey instead" leads to /wan-verify, the
    virtual authenticator answers, and the user is back on the passkey page, which
    opens again without any password typed."""
    demo = fresh_demo
    bpage = fsec_page(demo.url)
    page = bpage.page
    cdp, authenticator = _virtual_authenticator(bpage)
    bpage.goto("/login")
    page.get_by_label("Email Address").fill("user@example.com")
    page.get_by_label("Password").fill("user-password")
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(demo.url + "/")
    signed_in = time.monotonic()
    bpage.goto("/wan-register")
    page.get_by_label("Name of the passkey").fill("Laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("The passkey Laptop was added.").wait_for()
    bpage.step("passkey added while the sign-in is fresh")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    count = held[0]["signCount"]

    time.sleep(max(0.0, FRESH_SECONDS + 1 - (time.monotonic() - signed_in)))
    bpage.goto("/wan-register")
    page.wait_for_url("**/verify?next=*")
    assert bpage.path() == "/verify?next=%2Fwan-register"
    bpage.step("stale: asked to confirm it is you")
    page.get_by_role("link", name="Confirm with a passkey instead").click()
    page.wait_for_url(lambda url: "/wan-verify?" in url)
    assert bpage.path().startswith("/wan-verify?next=")  # and back to the passkey page
    bpage.step("passkey confirmation page")
    page.get_by_role("button", name="Confirm with your passkey").click()
    page.wait_for_url("**/wan-register")
    page.get_by_role("button", name="Remove passkey Laptop").wait_for()
    bpage.step("confirmed with the passkey, back on the passkey page")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert held[0]["signCount"] > count  # the passkey really signed the challenge
    assert bpage.goto("/wan-register").status == 200
    assert bpage.path() == "/wan-register"  # fresh again: not sent to /verify
