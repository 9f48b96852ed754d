"""Browser tests: headless Chromium driven by Playwright against a real server.

The browser is the system's Chromium (Debian's ``chromium`` package, found by
:func:`find_chromium`), started with :data:`CHROMIUM_ARGS`; Playwright only drives it
(``executable_path``), so ``playwright install`` (which downloads its own browsers) is
never needed. A test opens a :class:`BrowserPage` on a server that runs in its own
process (the demo app, or :func:`~.live.start_live_server`'s gunicorn), and:

* calls :meth:`BrowserPage.step` after each step of a flow: a full-page screenshot
  goes to ``<output>/browser/<test>/NN-<step>.png`` (:func:`output_dir`);
* gets a failure for any console error, uncaught page error, or 5xx response
  (:meth:`BrowserPage.check`, called by the ``fsec_page`` fixture at teardown). A 4xx
  *page* the test navigated to on purpose (a 403 page, a 404 page) is not a failure:
  Chromium reports it in the console as "Failed to load resource", which is kept
  apart; a 4xx sub-resource (a missing stylesheet or script) is a failure;
* reaches the DevTools protocol of the page with :meth:`BrowserPage.cdp` (for example
  the virtual authenticator: ``WebAuthn.enable``, ``WebAuthn.addVirtualAuthenticator``).

The pytest fixtures (in :mod:`.fixtures`): ``fsec_browser`` (one Chromium per test
session / xdist worker, a :class:`Browser`) and ``fsec_page`` (``fsec_page(base_url,
**options) -> BrowserPage``, checked and closed at teardown). When Chromium or
Playwright is missing the fixtures **fail** the test with the command to install it;
set ``FSEC_BROWSER=skip`` to skip instead (never set by the test command).

Use ``http://localhost:<port>``, not ``127.0.0.1``, for pages that need a secure
context with a domain name (WebAuthn): Chromium treats ``localhost`` as secure over
plain http.

Needs the ``playwright`` Python package (``pip install fsec-core[browser]``) and a
Chromium binary (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

#: Where :func:`find_chromium` looks, in order, after ``$FSEC_CHROMIUM``.
CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
#: Command-line switches Chromium is started with: no display, no sandbox (tests run as
#: root in containers, where Chromium's sandbox cannot start), no GPU.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu")
#: Seconds a Playwright action or navigation may take before it fails.
DEFAULT_TIMEOUT = 15.0

_FAILED_RESOURCE = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
)


class BrowserUnavailable(RuntimeError):
    """Chromium or the ``playwright`` package is missing (the message says how to
    install it)."""


def find_chromium() -> str:
    """The path of a Chromium binary.

    ``$FSEC_CHROMIUM`` when set, else the first of :data:`CHROMIUM_CANDIDATES` that
    exists, else ``chromium`` on ``PATH``.

    :returns: an absolute path.
    :raises BrowserUnavailable: none found (install Debian's ``chromium`` package;
        ``scripts/test.sh`` does when it runs as root).
    """
    explicit = os.environ.get("FSEC_CHROMIUM")
    if explicit:
        if os.access(explicit, os.X_OK):
            return explicit
        raise BrowserUnavailable(
            f"FSEC_CHROMIUM={explicit} is not an executable file (unset it to use the "
            "system's Chromium; `apt-get install -y chromium` installs one)"
        )
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise BrowserUnavailable(
        "no Chromium binary: install it with `apt-get install -y chromium` (scripts/test.sh "
        "does this when run as root) or point FSEC_CHROMIUM at one; never `playwright install`"
    )


def output_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """The folder test runs write their artefacts (screenshots) under.

    ``$FSEC_TEST_OUTPUT`` when set (``scripts/test.sh`` sets it), else
    ``<root>/.cache/test-output`` (``root``: the pytest root directory; the current
    directory when ``None``). Created when missing.
    """
    env = os.environ.get("FSEC_TEST_OUTPUT")
    path = Path(env) if env else Path(root or os.getcwd()) / ".cache" / "test-output"
    path.mkdir(parents=True, exist_ok=True)
    return path


def slug(text: str) -> str:
    """``text`` as a file-name part: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass
class Problem:
    """Something that fails a browser test.

    :ivar kind: ``"console"`` (a console error), ``"pageerror"`` (an uncaught
        exception in the page) or ``"http"`` (a 5xx response, or a 4xx sub-resource).
    :ivar text: the message, or ``"<status> <method> <url>"``.
    :ivar url: the page or resource it came from.
    """

    kind: str
    text: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}" + (f" ({self.url})" if self.url else "")


class BrowserPage:
    """One Playwright page in its own browser context (own cookies), watched for
    problems, with numbered screenshots.

    Made by :meth:`Browser.new_page` (or the ``fsec_page`` fixture).

    :ivar page: the Playwright :class:`playwright.sync_api.Page`: use its whole API
        (``page.get_by_label("Email").fill(...)``, ``page.locator(...)``...).
    :ivar context: its :class:`playwright.sync_api.BrowserContext`.
    :ivar base_url: the server's root URL; relative paths given to :meth:`goto`
        are resolved against it.
    :ivar shots_dir: the folder screenshots are written to.
    :ivar shots: the screenshots taken so far, in order.
    :ivar problems: the :class:`Problem` s seen so far.
    :ivar responses: ``(status, method, url, resource_type)`` of every response.
    """

    def __init__(self, context: Any, base_url: str, shots_dir: Path) -> None:
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url.rstrip("/") + "/"
        self.shots_dir = shots_dir
        self.shots: list[Path] = []
        self.problems: list[Problem] = []
        self.responses: list[tuple[int, str, str, str]] = []
        self._documents: dict[str, int] = {}
        self._cdp: Any = None
        self._allowed: list[re.Pattern[str]] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)
        self.page.on("response", self._on_response)

    # -- event handlers -------------------------------------------------------------
    def _allowed_text(self, text: str) -> bool:
        return any(p.search(text) for p in self._allowed)

    def _on_console(self, message: Any) -> None:
        if message.type != "error" or self._allowed_text(message.text):
            return
        url = (message.location or {}).get("url", "")
        failed = _FAILED_RESOURCE.search(message.text)
        if failed is not None:
            status = int(failed.group(1))
            # A page the test opened on purpose (403, 404...) is the test's to assert;
            # a 5xx is reported by _on_response already.
            if status >= 500 or (400 <= status < 500 and self._documents.get(url) == status):
                return
        self.problems.append(Problem("console", message.text, url))

    def _on_pageerror(self, error: Any) -> None:
        text = str(error)
        if not self._allowed_text(text):
            self.problems.append(Problem("pageerror", text, self.page.url))

    def _on_response(self, response: Any) -> None:
        request = response.request
        kind = request.resource_type
        self.responses.append((response.status, request.method, response.url, kind))
        if kind == "document":
            self._documents[response.url] = response.status
        text = f"{response.status} {request.method} {response.url}"
        if self._allowed_text(text):
            return
        if response.status >= 500 or (response.status >= 400 and kind != "document"):
            self.problems.append(Problem("http", text, response.url))

    # -- public API -----------------------------------------------------------------
    def url(self, path: str = "") -> str:
        """``path`` resolved against :attr:`base_url` (a full URL is returned as is)."""
        return urljoin(self.base_url, path.lstrip("/")) if not urlsplit(path).scheme else path

    def goto(self, path: str = "", **kwargs: Any) -> Any:
        """Open ``path`` (relative to :attr:`base_url`, or a full URL); returns the
        main resource's Playwright ``Response`` (``.status``). ``kwargs`` go to
        ``Page.goto``."""
        return self.page.goto(self.url(path), **kwargs)

    def path(self) -> str:
        """The path (and query) of the page shown now: ``"/profile"``."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def step(self, name: str) -> Path:
        """Save a full-page screenshot as ``shots_dir/NN-<name>.png`` (``NN`` counts
        this page's steps from 01) and return its path."""
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{len(self.shots) + 1:02d}-{slug(name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def cdp(self) -> Any:
        """The page's Chrome DevTools Protocol session (made once): ``send(method,
        params)`` returns the result dict, ``on(event, handler)``. Example, a virtual
        passkey authenticator::

            cdp = bpage.cdp()
            cdp.send("WebAuthn.enable")
            cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True}})
        """
        if self._cdp is None:
            self._cdp = self.context.new_cdp_session(self.page)
        return self._cdp

    @contextmanager
    def allow(self, pattern: str) -> Iterator[None]:
        """Inside the block, console errors, page errors and responses
        (``"<status> <method> <url>"``) matching the regular expression ``pattern``
        are not problems (a test provoking a server error on purpose)."""
        compiled = re.compile(pattern)
        self._allowed.append(compiled)
        try:
            yield
        finally:
            self._allowed.remove(compiled)

    def check(self) -> None:
        """Fail when a problem was seen.

        :raises AssertionError: listing every :class:`Problem` (and the last page).
        """
        if self.problems:
            lines = "\n  ".join(str(p) for p in self.problems)
            raise AssertionError(
                f"{len(self.problems)} browser problem(s) (last page {self.page.url}):\n  {lines}"
            )

    def close(self) -> None:
        """Close the page's context (its cookies go with it). Safe to call twice."""
        try:
            self.context.close()
        except Exception:  # noqa: S110 - the browser may already be gone at teardown
            pass


class Browser:
    """A running headless Chromium driven by Playwright. Close it with :meth:`close`.

    :ivar executable: the Chromium binary.
    :ivar version: Chromium's version string.
    :ivar browser: the Playwright :class:`playwright.sync_api.Browser`.
    """

    def __init__(self, executable: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Start Chromium.

        :param executable: the binary; :func:`find_chromium` when ``None``.
        :param timeout: seconds each Playwright action and navigation may take.
        :raises BrowserUnavailable: no Chromium, or the ``playwright`` package is missing.
        :raises playwright.sync_api.Error: Chromium did not start.
        """
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise BrowserUnavailable(
                "the playwright package is missing: pip install 'fsec-core[browser]'"
            ) from exc
        self.executable = executable or find_chromium()
        self.timeout = timeout
        self._playwright = sync_playwright().start()
        try:
            self.browser = self._playwright.chromium.launch(
                executable_path=self.executable, args=list(CHROMIUM_ARGS), headless=True
            )
        except BaseException:
            self._playwright.stop()
            raise
        self.version: str = self.browser.version
        self.pages: list[BrowserPage] = []

    def new_page(
        self,
        base_url: str,
        shots_dir: str | os.PathLike[str],
        *,
        viewport: Mapping[str, int] | None = None,
        locale: str | None = None,
        extra_http_headers: Mapping[str, str] | None = None,
        **context_options: Any,
    ) -> BrowserPage:
        """A :class:`BrowserPage` in a new browser context (fresh cookies).

        :param base_url: the server's root, ``http://localhost:5000``.
        :param shots_dir: the folder screenshots go to.
        :param viewport: ``{"width": 390, "height": 844}`` for a phone; default
            1280x800.
        :param locale: the browser's language (sets ``Accept-Language``), ``"de-DE"``.
        :param extra_http_headers: headers sent with every request.
        :param context_options: more options for Playwright's ``Browser.new_context``.
        """
        options: dict[str, Any] = dict(context_options)
        options["viewport"] = dict(viewport or {"width": 1280, "height": 800})
        if locale:
            options["locale"] = locale
        if extra_http_headers:
            options["extra_http_headers"] = dict(extra_http_headers)
        context = self.browser.new_context(**options)
        context.set_default_timeout(self.timeout * 1000)
        context.set_default_navigation_timeout(self.timeout * 1000)
        page = BrowserPage(context, base_url, Path(shots_dir))
        self.pages.append(page)
        return page

    def close(self) -> None:
        """Close every page, Chromium and Playwright. Safe to call twice."""
        for page in self.pages:
            page.close()
        self.pages.clear()
        pw, self._playwright = self._playwright, None
        if pw is not None:
            try:
                self.browser.close()
            finally:
                pw.stop()


__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_CANDIDATES",
    "DEFAULT_TIMEOUT",
    "Browser",
    "BrowserPage",
    "BrowserUnavailable",
    "Problem",
    "find_chromium",
    "output_dir",
    "slug",
]
