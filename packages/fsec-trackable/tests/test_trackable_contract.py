"""fsec-trackable against the feature contract every fsec feature plugin meets."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import create_app
from flask_security.testing.contracts import FeatureContract


class TestTrackableContract(FeatureContract):
    name = "trackable"
    distribution = "fsec-trackable"
    flag = "SECURITY_TRACKABLE"

    @pytest.fixture
    def make_app(self) -> Any:
        return lambda config: create_app(config)
