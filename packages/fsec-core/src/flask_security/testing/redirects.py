"""The hostile-``next`` corpus: redirect targets that must never leave the site.

Used by core's redirect tests and by :class:`~flask_security.testing.FeatureContract`
(every feature's views are tried with each value), so a new plugin is checked with
the same list. Rule (docs/migration.md#redirects-stay-on-your-site, OWASP Unvalidated
Redirects and Forwards cheat sheet): whatever the input's shape, the ``Location`` a view sends is a
path of the site itself.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

#: Values a browser reads as another host or a script, directly or once normalised
#: (host part dropped, blanks and controls stripped, backslashes read as slashes,
#: dot segments resolved). Written for a request to ``http://localhost``.
HOSTILE_NEXT: tuple[str, ...] = (
    # scheme-relative, and what browsers turn into it
    "//evil.example",
    "//evil.example/path",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    " //evil.example",
    " /path",
    "\t//evil.example",
    "\n//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\u3000/evil.example",
    "\u200b//evil.example",
    "/%09/evil.example/\x00",
    # absolute URLs of this very host whose path is scheme-relative once the host
    # part is dropped (issue 15 item 1)
    "http://localhost//evil.example/x",
    "http://localhost//evil.example",
    "http://localhost///evil.example",
    "HTTP://localhost//evil.example",
    "http://localhost//evil.example?next=/",
    "http://localhost//evil.example#/",
    "http://localhost/\\evil.example",
    "http://localhost//\\evil.example",
    "http://localhost/\t/evil.example",
    "http://localhost/.//evil.example",
    "http://localhost/x/..//evil.example",
    "http://localhost/%2e%2e//evil.example",
    "http:///evil.example",
    "http:localhost//evil.example",
    "https://localhost//evil.example",
    # paths that become scheme-relative once dot segments are resolved
    "/.//evil.example",
    "/./\\evil.example",
    "/x/..//evil.example",
    "/x/%2e%2e//evil.example",
    "/%2E//evil.example",
    # other schemes and hosts
    "http:/evil.example",
    "https:evil.example",
    "http://evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "//localhost.evil.example",
    "http://localhost.evil.example/",
    "http://localhost@evil.example/",
    "http://localhost:80@evil.example/",
    "http://localhost:5000//evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "ftp://evil.example",
    "evil.example",
    "path/without/slash",
    "",
)


def location_stays_on_site(location: str | None, host: str = "localhost") -> bool:
    """Whether a ``Location`` header value keeps a browser on ``host``, judged the way
    a browser reads it (independently of fsec's own check).

    :param location: the header value (``None``: no redirect, which is fine).
    :param host: the site's host (``request.host``).
    :returns: ``False`` when the value holds a backslash, blank or control character
        (browsers strip or reinterpret them), or when, resolved against
        ``http://<host>/a/b`` (RFC 3986 section 5, ``%2e`` read as a dot as the WHATWG
        URL standard does), it is not an ``http(s)`` URL of ``host`` or its path
        starts with ``//``; ``True`` otherwise.
    """
    if location is None:
        return True
    if any(ch == "\\" or unicodedata.category(ch)[0] in ("C", "Z") for ch in location):
        return False
    own = urlsplit(location)
    if own.scheme and (own.netloc != host or not location[len(own.scheme) + 1 :].startswith("//")):
        return False  # browsers read "http:/x", "http:///x" as other hosts
    resolved = urljoin(f"http://{host}/a/b", re.sub("%2e", ".", location, flags=re.I))
    parts = urlsplit(resolved)
    return (
        parts.scheme in ("http", "https")
        and parts.netloc == host
        and not parts.path.startswith("//")
    )


__all__ = ["HOSTILE_NEXT", "location_stays_on_site"]
