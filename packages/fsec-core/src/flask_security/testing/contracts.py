"""Contract suites: what every fsec feature plugin must do.

A feature's tests subclass :class:`FeatureContract`, set the class attributes and
provide the ``make_app`` fixture (a factory ``make_app(config: dict) -> Flask``
building an app with fsec on some store). pytest then runs every ``test_*`` method
of the contract against that feature. Store authors use the datastore contract in
:mod:`flask_security.testing.datastore_contract`.

:class:`FeatureContract` combines three suites, each in its own module over
:class:`~flask_security.testing.feature_suite_base.FeatureSuite` (the attributes,
``make_app`` and the test account) and each usable alone:
:class:`~flask_security.testing.feature_contributions_contract.FeatureDiscoveryContract`
(entry point, on and off),
:class:`~flask_security.testing.feature_contributions_contract.FeatureContributionsContract`
(views, settings, messages, templates, mails, translations) and
:class:`~flask_security.testing.feature_behaviour_contract.FeatureBehaviourContract`
(safe redirects, refusals that are no password oracle).

Example::

    class TestRecoverableContract(FeatureContract):
        name = "recoverable"
        distribution = "fsec-recoverable"
        flag = "SECURITY_RECOVERABLE"
        endpoints = ("forgot_password", "reset_password")
        config_defaults = {"RESET_URL": "/reset"}
        messages = ("PASSWORD_RESET",)
        templates = ("security/forgot_password.html",)
        mails = ("reset_instructions", "reset_notice")

        @pytest.fixture
        def make_app(self):
            return lambda config: create_app(config)
"""

from __future__ import annotations

from .feature_behaviour_contract import FeatureBehaviourContract
from .feature_contributions_contract import (
    FeatureContributionsContract,
    FeatureDiscoveryContract,
)
from .feature_suite_base import CONTRACT_PASSWORD as CONTRACT_PASSWORD


class FeatureContract(
    FeatureDiscoveryContract,
    FeatureContributionsContract,
    FeatureBehaviourContract,
):
    """The behaviour every feature plugin shares: the three suites combined (discovery,
    contributions, behaviour); a feature's test class subclasses this one and
    overrides the class attributes documented on
    :class:`~flask_security.testing.feature_suite_base.FeatureSuite` (``name``,
    ``distribution``, ``flag``, ``endpoints``...), provides ``make_app`` and may
    override ``user_fields`` and ``refuse_account``.
    """


# (The suites are documented in their own modules.)
__all__ = ["FeatureContract"]
