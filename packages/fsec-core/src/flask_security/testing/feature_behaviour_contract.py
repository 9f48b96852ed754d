"""The feature contract's behaviour suite: what every feature must keep true for the
accounts it serves (issue 15 items 1 and 2): no hostile ``next`` leads off the site
from any of its endpoints, and a refused account answers the same, with the same
password work, whatever the password. Part of
:class:`~flask_security.testing.contracts.FeatureContract`."""

from __future__ import annotations

import base64
from typing import Any

from ..hookspecs import hookimpl
from .feature_suite_base import CONTRACT_PASSWORD, FeatureSuite
from .redirects import HOSTILE_NEXT, location_stays_on_site


class _FailureCounter:
    """A run-time plugin recording ``fsec_login_failed`` and ``fsec_login_refused``."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []

    @hookimpl
    def fsec_login_failed(self, user: Any, identity: str, method: str) -> None:
        self.failed.append((identity, method))

    @hookimpl
    def fsec_login_refused(self, user: Any, method: str, reason: str) -> None:
        self.refused.append((method, reason))


class FeatureBehaviourContract(FeatureSuite):
    """Safe redirects on every endpoint of the feature, and refusals that are no
    password oracle, checked with the account :meth:`FeatureSuite.user_fields` and
    :meth:`FeatureSuite.refuse_account` describe."""

    def test_contract_hostile_next_never_leaves_the_site(self, make_app: Any) -> None:
        """Every endpoint of the feature, and login/logout, with each value of the
        hostile-``next`` corpus, anonymous and signed in: no ``Location`` off-site."""
        app = make_app(self._on(WTF_CSRF_ENABLED=False))
        self._add_user(app, "contract@example.com")
        bp = app.extensions["security"].blueprint_name
        urls = []
        with app.test_request_context():
            from flask import url_for

            for endpoint in (*self.endpoints, "login", "logout"):
                rule = next(
                    (r for r in app.url_map.iter_rules() if r.endpoint == f"{bp}.{endpoint}"),
                    None,
                )
                if rule is not None:
                    urls.append(url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "x")))
            user = app.extensions["security"].datastore.find_user(email="contract@example.com")
            user_id = user.get_id()
        assert urls
        for signed_in in (False, True):
            client = app.test_client()
            for target in HOSTILE_NEXT:
                for url in urls:
                    if signed_in:
                        with client.session_transaction() as sess:
                            sess["_user_id"] = user_id
                            sess["_fresh"] = True
                    r = client.get(url, query_string={"next": target})
                    location = r.headers.get("Location")
                    assert location_stays_on_site(location), (url, target, location)

    def test_contract_refused_account_answer_does_not_depend_on_password(
        self, make_app: Any
    ) -> None:
        """A refused account (``fsec_login_refusal``) answers the same, with the same
        password work and the same ``fsec_login_failed`` call, for the right and a
        wrong password, on form, JSON and HTTP Basic login; and is not signed in."""
        from ..decorators import http_auth_required

        app = make_app(self._on(WTF_CSRF_ENABLED=False))

        @app.route("/_fsec_contract_basic")
        @http_auth_required
        def _contract_basic() -> str:
            return "in"

        email = "refused@example.com"
        self._add_user(app, email)
        self.refuse_account(app, email)
        state = app.extensions["security"]
        counter = _FailureCounter()
        state.plugins.pm.register(counter, name="contract-failure-counter")
        hasher = state.password_hasher
        work: list[str] = []
        real_check, real_dummy = hasher.check, hasher.dummy_verify

        def check(password: Any, password_hash: Any) -> Any:
            work.append("check")
            return real_check(password, password_hash)

        def dummy_verify(password: Any = "fsec-wrong") -> None:
            work.append("dummy")
            real_dummy(password)

        hasher.check, hasher.dummy_verify = check, dummy_verify
        with app.test_request_context():
            from flask import url_for

            login_url = url_for(f"{state.blueprint_name}.login")

        def attempt(password: str) -> dict[str, Any]:
            work.clear()
            failed_before = len(counter.failed)
            client = app.test_client()
            form = client.post(login_url, data={"email": email, "password": password})
            as_json = client.post(login_url, json={"email": email, "password": password})
            raw = base64.b64encode(f"{email}:{password}".encode()).decode()
            basic = client.get("/_fsec_contract_basic", headers={"Authorization": "Basic " + raw})
            with client.session_transaction() as sess:
                signed_in = "_user_id" in sess
            return {
                "form": (form.status_code, form.headers.get("Location"), form.get_data()),
                "json": (as_json.status_code, as_json.get_json()),
                "basic": (basic.status_code, basic.get_data()),
                "signed_in": signed_in,
                "work": list(work),
                "failures": len(counter.failed) - failed_before,
            }

        right = attempt(CONTRACT_PASSWORD)
        wrong = attempt("wrong-" + CONTRACT_PASSWORD)
        assert right["basic"][0] == 401, "a refused account passed HTTP Basic"
        assert not right["signed_in"], "a refused account was signed in"
        for key in ("form", "json", "basic", "work", "failures"):
            assert right[key] == wrong[key], f"{key}: the answer depends on the password"
        # The failures keep counting on the paths that took the password (basic at
        # least, form and JSON unless the feature replaced the login form).
        assert right["failures"] >= 1
        assert right["work"], "no password work was done for a refused account"


__all__ = ["FeatureBehaviourContract"]
