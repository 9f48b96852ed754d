"""URLs and redirects: endpoint URLs (``url_for_security``), absolute links for mails
from ``SECURITY_EXTERNAL_BASE_URL``, and same-origin redirect targets
(docs/migration.md#redirects-stay-on-your-site). ``flask_security.utils`` re-exports
every public name (3.0's module path)."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import has_request_context, request, url_for
from werkzeug.routing import BuildError

from .config import config_value


def url_for_security(endpoint: str, **values: Any) -> str:
    """``url_for`` inside the security blueprint: ``url_for_security("login")``.

    With ``_external=True`` the URL is built by :func:`external_url_for`, from a host
    the application trusts, never from the request's ``Host`` header alone.

    :param endpoint: the endpoint inside the security blueprint (``"login"``).
    :param values: URL values (``_external=True``...), as for ``flask.url_for``.
    :returns: the URL.
    """
    name = f"{config_value('BLUEPRINT_NAME')}.{endpoint}"
    if values.pop("_external", False):
        return external_url_for(name, **values)
    return url_for(name, **values)


def external_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint`` that is safe to mail: the one helper every
    feature and plugin uses for links leaving the site (reset, confirmation and
    login links...).

    The scheme and host come from, in this order:

    1. ``SECURITY_EXTERNAL_BASE_URL`` (``"https://accounts.example.com"``, optionally
       with the path the application is mounted under): the link is that URL
       followed by the endpoint's path inside the application;
    2. ``SERVER_NAME``: Flask builds the URL on it whatever ``Host`` the request
       carried;
    3. ``TRUSTED_HOSTS`` (Flask 3.1): a request whose ``Host`` is not listed is
       answered 400 before any view runs, so the request's host is trusted;
    4. otherwise the request's ``Host`` header, which the client chooses. Start-up
       refuses this case when a feature mailing links is on, outside debug and
       testing (:func:`check_link_host`).

    Why: a link built from ``Host`` lets an attacker have the victim mailed a reset
    link pointing to the attacker's site (OWASP "Host header injection",
    password-reset poisoning).

    :param endpoint: a full endpoint name (``"security.reset_password"``).
    :param values: URL values, as for ``flask.url_for`` (``_external`` is ignored).
    :returns: an absolute ``http(s)`` URL (``str``).
    :raises werkzeug.routing.BuildError: the endpoint or its values do not match.
    :raises RuntimeError: outside a request context when ``SERVER_NAME`` is not set
        (Flask cannot build a URL there).
    """
    values.pop("_external", None)
    base = config_value("EXTERNAL_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    if "://" in path:  # another (sub)domain: Flask made it absolute on SERVER_NAME
        return path
    root = request.script_root if has_request_context() else ""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    return str(base).rstrip("/") + path


def external_url_for_security(endpoint: str, **values: Any) -> str:
    """:func:`external_url_for` inside the security blueprint
    (``external_url_for_security("reset_password", token=token)``).

    :param endpoint: the endpoint inside the security blueprint.
    :param values: URL values.
    :returns: an absolute URL, safe to mail.
    """
    return external_url_for(f"{config_value('BLUEPRINT_NAME')}.{endpoint}", **values)


def validate_external_base_url(value: Any) -> str:
    """Check a ``SECURITY_EXTERNAL_BASE_URL`` value.

    :param value: the configured value.
    :returns: the value without a trailing ``/``.
    :raises RuntimeError: it is not an ``http``/``https`` URL with a host and without
        query or fragment.
    """
    parts = urlsplit(str(value)) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
    ):
        raise RuntimeError(
            "SECURITY_EXTERNAL_BASE_URL must be the URL your site is reached at, such as "
            f"'https://accounts.example.com' (scheme, host, optional path); got {value!r}"
        )
    return str(value).rstrip("/")


def check_link_host(app: Any, state: Any) -> None:
    """Refuse to start when mailed links would be built from the ``Host`` header.

    Runs at the end of ``Security.init_app``. When some enabled mail is registered
    with ``links=True`` (``fsec_mails``) and switched on, and neither
    ``SECURITY_EXTERNAL_BASE_URL``, ``SERVER_NAME`` nor ``TRUSTED_HOSTS`` is set, and
    the app is neither in debug nor in testing mode, start-up fails.

    :raises RuntimeError: naming the mails and the settings to choose from.
    """
    base = config_value("EXTERNAL_BASE_URL", app)
    if base:
        app.config["SECURITY_EXTERNAL_BASE_URL"] = validate_external_base_url(base)
        return
    if app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
        return
    if app.debug or app.testing:
        return
    mails = sorted(
        name
        for name in state.link_mails
        if state.mails[name][1] is None or app.config.get("SECURITY_" + state.mails[name][1])
    )
    if mails:
        raise RuntimeError(
            "fsec mails links (" + ", ".join(mails) + ") and would build them from the "
            "request's Host header, which any client chooses. Set "
            "SECURITY_EXTERNAL_BASE_URL = 'https://your.site' (or Flask's SERVER_NAME, or "
            "TRUSTED_HOSTS) before Security(app, ...)."
        )


def get_url(endpoint_or_url: str | None, **values: Any) -> str | None:
    """A URL for an endpoint name, or the value itself when it is not an endpoint.

    :param endpoint_or_url: an endpoint name, a URL, or ``None``.
    :param values: URL values for an endpoint.
    :returns: the URL, the value itself when it is no endpoint, or ``None``.
    """
    if not endpoint_or_url:
        return None
    try:
        return url_for(endpoint_or_url, **values)
    except BuildError:
        return endpoint_or_url


def _is_blank_or_control(ch: str) -> bool:
    return ch == "\\" or unicodedata.category(ch)[0] in ("C", "Z")


_DOT_SEGMENTS = {".", "%2e"}
_DOUBLE_DOT_SEGMENTS = {"..", ".%2e", "%2e.", "%2e%2e"}


def _without_dot_segments(path: str) -> str:
    """``path`` with ``.`` and ``..`` segments resolved as a browser does (RFC 3986
    section 5.2.4; the WHATWG URL standard also reads ``%2e`` as a dot)."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT_SEGMENTS:
            if out:
                out.pop()
            if last:
                out.append("")
        elif lowered in _DOT_SEGMENTS:
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _is_local_path(value: str) -> bool:
    """Whether ``value`` is a relative reference that stays a path of this origin,
    also once normalised: it starts with one ``/`` not followed by another (``//host``
    is scheme-relative), still does after dot segments are resolved
    (``/.//host``), and holds no backslash, blank or control character."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    if any(_is_blank_or_control(ch) for ch in value):
        return False
    path = urlsplit(value).path
    return not _without_dot_segments(path).startswith("//")


def safe_redirect_target(target: Any) -> str | None:
    """``target`` as a same-origin path, or ``None`` when it could leave the site.

    :param target: a ``next`` value from the query string or a form (any type).
    :returns: the path (with query and fragment) to put into ``Location``, or
        ``None``.

    Accepted: paths starting with a single ``/`` and absolute ``http(s)`` URLs of the
    current host and scheme (reduced to their path). Refused
    (docs/migration.md#redirects-stay-on-your-site, OWASP Unvalidated Redirects
    cheat sheet): any backslash, blank or
    control character anywhere (browsers strip or reinterpret them: ``\\\\host``,
    ``/\\host``, `` //host``, tab/newline tricks), scheme-relative ``//host``, other
    schemes (``javascript:``), ``http:/host``, other hosts. The value returned is
    checked again as it will be sent: ``http://localhost//evil.example/x`` reduces to
    ``//evil.example/x``, which a browser reads as another host, and is refused.
    """
    if not isinstance(target, str) or not target:
        return None
    if any(_is_blank_or_control(ch) for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        if parts.scheme != request.scheme:
            return None
        target = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    # Whatever the input looked like, what goes into Location must itself be a
    # path of this origin.
    return target if _is_local_path(target) else None


def validate_redirect_url(url: Any) -> bool:
    """Whether ``url`` is a safe same-origin redirect target.

    :param url: the candidate target.
    :returns: whether it is safe.
    """
    return safe_redirect_target(url) is not None


def find_redirect(key: str) -> str:
    """The URL for the config key ``key`` (``"POST_LOGIN_VIEW"``), else ``/``.

    :param key: a setting without ``SECURITY_`` holding a URL or an endpoint.
    :returns: the URL (``"/"`` when the setting is empty).
    """
    value = config_value(key)
    return get_url(value) or "/"


def get_post_redirect(default_key: str, fallback_key: str = "POST_LOGIN_VIEW") -> str:
    """Where to go after an action: a safe ``next`` from the query or form, else the
    config key ``default_key`` (a URL or endpoint), else ``fallback_key``.

    :param default_key: the setting to use without a ``next`` (``"POST_RESET_VIEW"``).
    :param fallback_key: the setting used when ``default_key`` is empty.
    :returns: a same-origin path or the configured URL.
    """
    for candidate in (request.args.get("next"), request.form.get("next")):
        target = safe_redirect_target(candidate)
        if target:
            return target
    value = config_value(default_key)
    if value:
        return get_url(value) or "/"
    return find_redirect(fallback_key)


def get_post_login_redirect(declared: str | None = None) -> str:
    """Where to go after login: safe ``declared`` or ``next``, else POST_LOGIN_VIEW.

    :param declared: a ``next`` the caller already has (a form's hidden field).
    :returns: a same-origin path or the configured URL.
    """
    target = safe_redirect_target(declared)
    return target or get_post_redirect("POST_LOGIN_VIEW")


def get_post_logout_redirect() -> str:
    """Where to go after logout: a safe ``next``, else ``SECURITY_POST_LOGOUT_VIEW``.

    :returns: a same-origin path or the configured URL.
    """
    return get_post_redirect("POST_LOGOUT_VIEW", "POST_LOGOUT_VIEW")
