"""Shim (adaptation A2): Flask-BabelEx is dead and does not import on Flask 3.

Flask-Babel >= 4 is its successor (BabelEx was a fork that added domains); the 3.0
test suite only constructs ``Babel(app)``.
"""

from flask_babel import Babel  # noqa: F401
