"""fsec-confirmable: email address confirmation of Flask-Security 3.0 (``SECURITY_CONFIRMABLE``).

Installing the distribution makes the feature available; ``SECURITY_CONFIRMABLE =
True`` switches it on. Hook implementations: :mod:`fsec_confirmable.plugin`; tokens,
mails and the confirmation itself: :mod:`fsec_confirmable.confirmable`; views:
:mod:`fsec_confirmable.views`; the form: :mod:`fsec_confirmable.forms` (also
importable as ``flask_security.forms.SendConfirmationForm``); the ``flask users
confirm`` command: :mod:`fsec_confirmable.cli`.

Importing this package imports nothing else.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
