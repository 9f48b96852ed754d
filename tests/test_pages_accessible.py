"""The default pages of every distribution are accessible and share one layout
(issue 13 §2), checked on their HTML:

* every page extends ``security/base.html``: ``lang``, the viewport meta for phones,
  a ``<main>``, and a link back to the site's home page;
* every visible input has a label, and ``autocomplete`` is what password managers
  expect (``username`` on the login identity, ``email`` on other address fields,
  ``current-password`` / ``new-password`` on passwords);
* a page shown again with errors marks each refused field ``aria-invalid="true"``,
  points ``aria-describedby`` at an element holding its error text, and puts
  ``autofocus`` on the first refused field (and on no other);
* an app overrides ``security/base.html`` with one template and every page (of
  every distribution) is then inside its layout.

The browser walk (tests/test_browser_demo.py) checks the same pages in Chromium.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from flask_security.testing.app import add_user, create_app, login
from flask_security.utils import generate_bound_token

FEATURES = {
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_TRACKABLE": True,
    "SECURITY_WEBAUTHN": True,
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
}
CONFIRMED = {"confirmed_at": datetime.datetime(2026, 1, 1)}


class Page(HTMLParser):
    """Elements (tag, attributes) in document order, and the text inside each
    element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.label_stack: list[str | None] = []
        self.inputs_in_labels: set[int] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "input" and any(t == "label" for t, _ in self._open):
            self.inputs_in_labels.add(len(self.elements) - 1)
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, attributes.get("id")))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag]

    def visible_inputs(self) -> list[tuple[int, dict[str, str]]]:
        return [
            (i, a)
            for i, (t, a) in enumerate(self.elements)
            if t in ("input", "select", "textarea")
            and a.get("type", "text") not in ("hidden", "submit", "button")
        ]


def check_layout(page: Page) -> None:
    html = page.all("html")[0]
    assert html.get("lang"), "no lang on <html>"
    viewport = [m for m in page.all("meta") if m.get("name") == "viewport"]
    assert viewport and "width=device-width" in viewport[0]["content"]
    assert page.all("main"), "no <main>"
    assert any(a.get("href") == "/" for a in page.all("a")), "no link to the home page"


def check_labels(page: Page) -> None:
    label_for = {a.get("for") for a in page.all("label")}
    for index, attrs in page.visible_inputs():
        assert attrs.get("id") in label_for or index in page.inputs_in_labels, (
            f"input without a label: {attrs}"
        )


def autocomplete(page: Page) -> dict[str, str]:
    return {a["name"]: a.get("autocomplete", "") for _, a in page.visible_inputs()}


def check_errors(page: Page, refused: list[str]) -> None:
    """Each field in ``refused`` (in form order) is marked and described; the first
    one alone has autofocus."""
    inputs = {a["name"]: a for _, a in page.visible_inputs()}
    for name in refused:
        attrs = inputs[name]
        assert attrs.get("aria-invalid") == "true", f"{name}: {attrs}"
        described = attrs.get("aria-describedby", "").split()
        texts = [page.text_by_id.get(i, "").strip() for i in described]
        assert any(texts), f"{name}: aria-describedby {described} names no error text"
    for name, attrs in inputs.items():
        if name not in refused:
            assert "aria-invalid" not in attrs, f"{name} is not refused: {attrs}"
    focused = [a["name"] for _, a in page.visible_inputs() if "autofocus" in a]
    assert focused == refused[:1]


@pytest.fixture
def app():
    app = create_app(FEATURES)
    add_user(app, "matt@example.com", "password", **CONFIRMED)
    return app


def get(client, path) -> Page:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return Page(r.get_data(as_text=True))


def post(client, path, data) -> Page:
    r = client.post(path, data=data)
    assert r.status_code == 200, (path, r.status_code)
    return Page(r.get_data(as_text=True))


def test_login_page(app):
    client = app.test_client()
    page = get(client, "/login")
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {
        "email": "username",
        "password": "current-password",
        "remember": "",
    }
    page = post(client, "/login", {"email": "matt@example.com", "password": "wrong"})
    check_errors(page, ["password"])
    page = post(client, "/login", {"email": "", "password": ""})
    check_errors(page, ["email", "password"])


def test_register_page(app):
    client = app.test_client()
    page = get(client, "/register")
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {"email": "email", "password": "new-password"}
    page = post(client, "/register", {"email": "not-an-address", "password": "x"})
    check_errors(page, ["email", "password"])
    page = post(client, "/register", {"email": "new@example.com", "password": "x"})
    check_errors(page, ["password"])


@pytest.mark.parametrize("path", ["/reset", "/confirm"])
def test_address_pages(app, path):
    client = app.test_client()
    page = get(client, path)
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {"email": "email"}
    email = next(a for _, a in page.visible_inputs())
    assert email["inputmode"] == "email" and email["autocapitalize"] == "none"
    check_errors(post(client, path, {"email": "nope"}), ["email"])


def test_reset_password_page(app):
    with app.app_context():
        from flask_security import current_datastore

        user = current_datastore.find_user(email="matt@example.com")
        token = generate_bound_token("reset", user, user.password)
    client = app.test_client()
    page = get(client, f"/reset/{token}")
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {"password": "new-password", "password_confirm": "new-password"}
    page = post(client, f"/reset/{token}", {"password": "long-enough", "password_confirm": "x"})
    check_errors(page, ["password_confirm"])


def test_change_password_page(app):
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    page = get(client, "/change")
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {
        "password": "current-password",
        "new_password": "new-password",
        "new_password_confirm": "new-password",
    }
    bad = {"password": "wrong", "new_password": "abc", "new_password_confirm": "abd"}
    check_errors(post(client, "/change", bad), ["password", "new_password", "new_password_confirm"])


def test_passwordless_page():
    app = create_app({**FEATURES, "SECURITY_PASSWORDLESS": True})
    client = app.test_client()
    page = get(client, "/login")
    check_layout(page)
    check_labels(page)
    assert autocomplete(page) == {"email": "email"}
    check_errors(post(client, "/login", {"email": "nope"}), ["email"])


def test_passkey_pages(app):
    client = app.test_client()
    check_layout(get(client, "/wan-signin"))
    check_labels(get(client, "/wan-signin"))
    assert login(client, "matt@example.com").status_code == 200
    page = get(client, "/wan-register")
    check_layout(page)
    check_labels(page)


def test_logout_refused_page_has_the_layout(app):
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = True
    r = client.post("/logout", data={})
    assert r.status_code == 400
    check_layout(Page(r.get_data(as_text=True)))


def test_one_template_puts_every_page_in_the_apps_layout(tmp_path):
    """docs/customizing.md: the app's templates/security/base.html extends the app's
    own layout; every fsec page (core's and the features') is then inside it."""
    templates = tmp_path / "templates"
    (templates / "security").mkdir(parents=True)
    (templates / "layout.html").write_text(
        "<!doctype html><html lang='en'><head>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>{% block title %}{% endblock %} - Example</title></head><body>"
        "<nav id='site-nav'><a href='/'>Example home</a></nav>"
        "<main>{% block content %}{% endblock %}</main></body></html>"
    )
    (templates / "security" / "base.html").write_text('{% extends "layout.html" %}')
    app = create_app({**FEATURES, "SECURITY_PASSWORDLESS": False})
    app.jinja_loader.searchpath.insert(0, str(templates))  # the app's own folder first
    add_user(app, "matt@example.com", "password", **CONFIRMED)
    client = app.test_client()
    pages = ["/login", "/register", "/reset", "/confirm", "/wan-signin"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "<nav id='site-nav'>" in html and "- Example</title>" in html, path
        assert 'class="fsec-header"' not in html, path
        check_labels(Page(html))
    assert login(client, "matt@example.com").status_code == 200
    assert "<nav id='site-nav'>" in client.get("/change").get_data(as_text=True)
