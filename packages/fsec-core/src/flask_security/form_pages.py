"""The form side of a view (core's and every feature's): a security form built from
the request (form post or JSON body, :func:`build_form`), a refused JSON body
(:class:`InvalidJSONBody`, answered ``400``), the page rendered with the context
processors and plugin links (:func:`render_page`), and the common end of a form view
(:func:`form_response`: the CSRF token for a JSON ``GET``, the field errors for a
refused JSON ``POST``, else the page). All importable from :mod:`flask_security.views`,
where plugins import them.

CSRF: JSON clients read ``response.csrf_token`` from ``GET /login`` (JSON) and send it
back as ``csrf_token`` in the body or the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.datastructures import MultiDict

from .forms import focus_first_error, form_errors, formdata_from_mapping
from .responses import csrf_json_response, json_error
from .state import _security
from .utils import config_value, get_message, is_json_request


class InvalidJSONBody(Exception):
    """A JSON body that is not an object or holds values that are not strings.

    Answered with ``400`` and ``{"errors": {field: [message]}}`` by the blueprint's
    error handler.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def request_json() -> Any:
    """The request's JSON body, parsed once (Werkzeug caches it), or ``None`` when it is
    not JSON at all.

    Unlike ``request.get_json(silent=True)``, a body nested too deeply for the parser
    (``[[[[...]]]]``: Python's decoder raises ``RecursionError``) also gives ``None``
    instead of a ``500``; so do bodies that are not valid JSON or not UTF-8.

    :returns: the parsed body (any JSON value), or ``None``.
    """
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _json_formdata() -> MultiDict[str, str]:
    data = request_json()
    if not isinstance(data, dict):
        raise InvalidJSONBody({"json": [get_message("INVALID_JSON")[0]]})
    formdata, errors = formdata_from_mapping(data)
    if errors:
        raise InvalidJSONBody(errors)
    if "csrf_token" not in formdata:
        header = request.headers.get(config_value("CSRF_HEADER") or "X-CSRFToken")
        if header:
            formdata["csrf_token"] = header
    return formdata


def build_form(name_or_class: str | type, **kwargs: Any) -> Any:
    """Instantiate a security form from the request (form post or JSON body).

    :param name_or_class: a registered form name (``"login_form"``, resolved with the
        app's overrides) or a form class.
    :raises InvalidJSONBody: the JSON body is not an object of strings (answered 400).

    :param kwargs: more keyword arguments for the form's constructor.
    :returns: the form, bound to the request's data (call ``validate_on_submit()``).
    """
    cls = _security.form_class(name_or_class) if isinstance(name_or_class, str) else name_or_class
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        return cls(formdata=_json_formdata(), **kwargs)
    return cls(**kwargs)


def view_links(view: str) -> list[tuple[str, str]]:
    """Links contributed by plugins for the page ``view`` (``fsec_view_links``).

    :param view: the page name (``"login"``, ``"register"``, a plugin's own).
    :returns: ``[(label, url), ...]`` in plugin order.
    """
    results = _security.plugins.hook.fsec_view_links(view=view, state=_security)
    return [link for result in results if result for link in result]


def render_page(template_key: str, view: str, status: int = 200, **context: Any) -> Any:
    """Render the security page configured by ``SECURITY_<template_key>``.

    The context holds ``security``, ``view_links`` (from plugins), every
    ``@security.context_processor`` / ``@security.<view>_context_processor`` value and
    ``context`` (e.g. ``login_user_form=form``). In every form of ``context`` the
    first refused visible field gets ``autofocus``
    (:func:`flask_security.forms.focus_first_error`).

    :param template_key: the config key (without ``SECURITY_``) naming the template,
        so that applications can replace it (``"LOGIN_USER_TEMPLATE"``; a plugin
        registers its own, ``"ACCEPT_INVITE_TEMPLATE"``).
    :param view: the view name selecting the ``<view>_context_processor`` functions
        and the ``fsec_view_links`` links (``"login"``, ``"accept_invite"``).
    :param status: the HTTP status of the page.
    :param context: template variables (``login_user_form=form``...).
    :returns: ``(html, status)``, a Flask view return value.
    """
    ctx = _security._run_context_processors(view)
    ctx.update(context)
    for value in context.values():
        focus_first_error(value)  # the first refused field gets autofocus
    ctx.setdefault("security", _security)
    ctx.setdefault("view_links", view_links(view))
    return _security.render_template(config_value(template_key), **ctx), status


def form_failure_status() -> int:
    """The HTTP status of an HTML page showing a form: always ``200``, also when a
    submitted form failed validation and is shown again with its errors (3.0 did so;
    browsers and apps' tests expect it). JSON answers keep ``400`` (:func:`json_error`).

    :returns: ``200``.
    """
    return 200


def form_response(
    form: Any,
    template_key: str,
    view: str,
    *,
    csrf_payload: dict[str, Any] | None = None,
    **context: Any,
) -> Any:
    """The common end of a form view: the answer when the form was not accepted, and
    the HTML page that shows the form.

    * JSON ``GET``: ``200`` with ``{"csrf_token": ..., **csrf_payload}``
      (:func:`csrf_json_response`);
    * JSON ``POST`` (any other method): ``400`` with
      ``{"errors": {field: [message]}}`` from ``form`` (:func:`json_error`,
      :func:`form_errors`);
    * HTML: the page ``SECURITY_<template_key>`` with ``context``, status
      :func:`form_failure_status` (``200``; :func:`render_page`).

    A view handles an accepted form first (its JSON answer, its redirect) and ends
    with this call; a view whose HTML answer after success is the same page again
    (with a flashed message or new data in ``context``) ends with it as well, since
    an accepted JSON request has been answered before. This is the documented 3.0
    shape of every form endpoint (``{"meta": {"code": N}, "response": {...}}``).

    :param form: the form built by :func:`build_form`, validated (or not submitted).
    :param template_key: the config key naming the template, without ``SECURITY_``
        (``"LOGIN_USER_TEMPLATE"``, ``"INVITE_USER_TEMPLATE"``).
    :param view: the view name for context processors and plugin links (``"login"``).
    :param csrf_payload: more keys for a JSON ``GET``'s ``response`` (``None``: only
        ``csrf_token``), e.g. ``user_payload(current_user)``.
    :param context: the template variables, the form among them under the name its
        template reads (``login_user_form=form``).
    :returns: a Flask view return value (a response, or ``(html, status)``).
    """
    if is_json_request():
        if request.method == "GET":
            return csrf_json_response(csrf_payload)
        return json_error(form_errors(form))
    return render_page(template_key, view, form_failure_status(), **context)


def handle_invalid_json(exc: InvalidJSONBody) -> Response:
    """Blueprint error handler for :class:`InvalidJSONBody`: ``400`` with field errors."""
    return json_error(exc.errors)


__all__ = [
    "InvalidJSONBody",
    "build_form",
    "form_failure_status",
    "form_response",
    "handle_invalid_json",
    "render_page",
    "request_json",
    "view_links",
]
