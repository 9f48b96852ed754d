"""flask_security.testing.browser: headless Chromium through Playwright against a real
server process, screenshots per step, failures for console errors and 5xx responses,
a DevTools session, and a loud failure when Chromium is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from flask_security.testing.browser import (
    BrowserUnavailable,
    find_chromium,
    output_dir,
    slug,
)
from flask_security.testing.live import ProcessServer, start_process_server
from flask_security.testing.postgres import free_port

APP = textwrap.dedent(
    """
    import sys
    from flask import Flask, abort

    app = Flask(__name__)

    @app.get("/")
    def index():
        return "<!doctype html><title>ok</title><h1>Hello</h1><p id=v>plain page</p>"

    @app.get("/noisy")
    def noisy():
        return "<!doctype html><title>n</title><script>console.error('boom in page')</script>"

    @app.get("/throws")
    def throws():
        return "<!doctype html><title>t</title><script>null.x()</script>"

    @app.get("/broken")
    def broken():
        abort(500)

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    @app.get("/missing-css")
    def missing_css():
        return '<!doctype html><title>m</title><link rel=stylesheet href="/nope.css">'

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    app.run(host="127.0.0.1", port=int(sys.argv[1]))
    """
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> ProcessServer:
    script = tmp_path_factory.mktemp("browser-app") / "app.py"
    script.write_text(APP)
    port = free_port()
    srv = start_process_server([sys.executable, str(script), str(port)], port, url_host="localhost")
    yield srv
    srv.stop()


def test_page_step_writes_numbered_png_screenshots(fsec_page, server, request):
    page = fsec_page(server.url)
    assert page.goto("/").status == 200
    first = page.step("Home page")
    page.page.get_by_text("plain page").wait_for()
    second = page.step("again")
    assert first.name == "01-home-page.png" and second.name == "02-again.png"
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and first.stat().st_size > 500
    # under <output>/browser/<test name>/
    assert first.parent == output_dir(request.config.rootpath) / "browser" / slug(request.node.name)
    assert page.shots == [first, second]
    assert page.problems == []


def test_console_error_page_error_5xx_and_missing_subresource_are_problems(
    fsec_browser, server, tmp_path
):
    page = fsec_browser.new_page(server.url, tmp_path)
    try:
        page.goto("/noisy")
        page.goto("/throws")
        assert page.goto("/broken").status == 500
        page.goto("/missing-css")
        page.page.wait_for_timeout(200)  # let late console events arrive
        kinds = [(p.kind, p.text) for p in page.problems]
        assert ("console", "boom in page") in kinds
        assert any(k == "pageerror" and "null" in t for k, t in kinds)
        assert any(k == "http" and t.startswith("500 GET ") for k, t in kinds)
        assert any(k == "http" and t.startswith("404 GET ") and "nope.css" in t for k, t in kinds)
        with pytest.raises(AssertionError, match="browser problem"):
            page.check()
    finally:
        page.close()


def test_a_4xx_page_opened_on_purpose_is_not_a_problem(fsec_browser, server, tmp_path):
    page = fsec_browser.new_page(server.url, tmp_path)
    try:
        assert page.goto("/forbidden").status == 403
        page.page.wait_for_timeout(200)
        assert page.problems == []
        page.check()
        # while a 5xx stays one, unless allowed explicitly
        with page.allow(r"^500 GET .*/broken$|status of 500"):
            assert page.goto("/broken").status == 500
            page.page.wait_for_timeout(200)
        assert page.problems == []
    finally:
        page.close()


def test_cdp_session_reaches_the_virtual_authenticator(fsec_page, server):
    page = fsec_page(server.url)
    page.goto("/")
    cdp = page.cdp()
    assert cdp is page.cdp()
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    assert added["authenticatorId"]
    creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]})
    assert creds == {"credentials": []}
    # localhost is a secure context over plain http (what WebAuthn needs)
    assert page.page.evaluate("window.isSecureContext") is True


def test_process_server_output_and_wait_for(server):
    assert server.url.startswith("http://localhost:")
    assert "Running on" in server.wait_for(r"Running on http://127\.0\.0\.1:\d+")[0]
    with pytest.raises(TimeoutError, match="0 of 1 matches"):
        server.wait_for("never printed", timeout=0.1)


def test_find_chromium_honours_fsec_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv("FSEC_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(BrowserUnavailable, match="not an executable"):
        find_chromium()
    monkeypatch.delenv("FSEC_CHROMIUM")
    assert os.access(find_chromium(), os.X_OK)


def test_missing_chromium_fails_the_browser_test_loudly(tmp_path):
    """Without a browser the fixture fails (exit 1, the install command shown); only
    FSEC_BROWSER=skip turns that into a skip."""
    (tmp_path / "test_uses_browser.py").write_text(
        "def test_it(fsec_page):\n    fsec_page('http://localhost:1')\n"
    )
    env = dict(os.environ, FSEC_CHROMIUM=str(tmp_path / "absent"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("FSEC_BROWSER", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    cmd.append("test_uses_browser.py")
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout and "apt-get install -y chromium" in run.stdout
    env["FSEC_BROWSER"] = "skip"
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout + run.stderr
