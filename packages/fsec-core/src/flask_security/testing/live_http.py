"""The HTTP side of the live-server harness (:mod:`flask_security.testing.live`): a
small HTTP client (:class:`LiveClient`: stdlib ``http.client``, a cookie jar, no
redirect following) whose requests can open their TCP connection first
(:class:`PreparedRequest`), and :func:`race`, which releases requests from several
threads at the same instant with a :class:`threading.Barrier`, so only the request
itself is raced. All importable from :mod:`flask_security.testing.live`.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

T = TypeVar("T")


@dataclass
class LiveResponse:
    """One HTTP response.

    :ivar status: the status code (``int``).
    :ivar headers: the response headers (``headers["Location"]``,
        ``headers.get_all("Set-Cookie")``).
    :ivar body: the body, as bytes.
    """

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON.

        :raises ValueError: the body is not JSON.
        """
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str | None:
        """The ``Location`` header (a redirect's target), or ``None``."""
        return self.headers.get("Location")


class PreparedRequest:
    """A request that :func:`race` (or you) sends in two steps: :meth:`prepare` opens
    the TCP connection, calling the object sends the request and reads the response.
    Made by :meth:`LiveClient.prepare`.
    """

    def __init__(
        self,
        client: LiveClient,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        timeout: float,
    ) -> None:
        self.client = client
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def prepare(self) -> None:
        """Open the connection now (``race`` calls this before the barrier)."""
        parts = urlsplit(self.client.base_url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        conn.connect()
        self._conn = conn

    def __call__(self) -> LiveResponse:
        """Send the request (opening the connection first when :meth:`prepare` was not
        called) and return the response; the client's cookies are updated.

        :raises OSError: the connection failed or timed out.
        """
        if self._conn is None:
            self.prepare()
        conn = self._conn
        assert conn is not None
        try:
            headers = dict(self.headers)
            cookie = self.client.cookie_header()
            if cookie and not any(k.lower() == "cookie" for k in headers):
                headers["Cookie"] = cookie
            conn.request(self.method, self.path, body=self.body, headers=headers)
            raw = conn.getresponse()
            response = LiveResponse(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
            self._conn = None
        self.client.store_cookies(response.headers)
        return response


class LiveClient:
    """A browser-like client for one :class:`LiveServer`: keeps cookies, never follows
    redirects. Not shared between threads (give each racing thread its own).

    :param base_url: ``http://127.0.0.1:<port>``.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def cookie_header(self) -> str:
        """The ``Cookie`` header value for the cookies held now (``""`` when none)."""
        with self._lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def store_cookies(self, headers: Message) -> None:
        """Keep the cookies a response set; drop those it expired."""
        for line in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(line)
            except CookieError:  # a cookie we cannot parse is ignored
                jar = SimpleCookie()
            with self._lock:
                for name, morsel in jar.items():
                    expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                    if expired or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def prepare(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> PreparedRequest:
        """A :class:`PreparedRequest` for :func:`race`; arguments as :meth:`request`."""
        all_headers = dict(headers or {})
        data: bytes | None
        if json is not None:
            data = jsonlib.dumps(json).encode()
            all_headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urlencode(form).encode()
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        return PreparedRequest(self, method, path, data, all_headers, timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> LiveResponse:
        """Send one request now.

        :param method: ``"GET"``, ``"POST"``...
        :param path: ``"/login"``, or a full URL of this server (a mailed link: only its
            path and query are used).
        :param json: a value sent as a JSON body, or
        :param form: fields sent urlencoded, or
        :param body: raw bytes (or text, sent as UTF-8).
        :param headers: extra request headers.
        :param timeout: seconds for connecting and for each read.
        :raises OSError: the connection failed or timed out.
        """
        return self.prepare(method, path, **kwargs)()

    def get(self, path: str, **kwargs: Any) -> LiveResponse:
        """``request("GET", path, ...)``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> LiveResponse:
        """``request("POST", path, ...)``."""
        return self.request("POST", path, **kwargs)


def race(calls: Sequence[Callable[[], T]], timeout: float = 60.0) -> list[T]:
    """Run every call in its own thread, released at the same instant.

    Each thread first calls ``call.prepare()`` when the call has one (a
    :class:`PreparedRequest` opens its connection there), then waits on one
    :class:`threading.Barrier` shared by all, then makes the call.

    :param calls: the callables, one per thread.
    :param timeout: seconds to wait for the barrier and for every thread to finish.
    :returns: the results, in the order of ``calls``.
    :raises BaseException: the first exception a call raised (after all threads ended).
    :raises TimeoutError: a thread did not finish within ``timeout``.
    """
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], T]) -> None:
        try:
            prepare = getattr(call, "prepare", None)
            if prepare is not None:
                prepare()
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # re-raised in the caller's thread
            errors[i] = exc
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise TimeoutError(f"a raced call did not finish within {timeout} s")
    for error in errors:
        if error is not None and not isinstance(error, threading.BrokenBarrierError):
            raise error
    for error in errors:
        if error is not None:
            raise error
    return results


__all__ = ["LiveClient", "LiveResponse", "PreparedRequest", "race"]
