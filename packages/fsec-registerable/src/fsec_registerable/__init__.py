"""fsec-registerable: the ``/register`` view of Flask-Security 3.0 (``SECURITY_REGISTERABLE``).

Installing the distribution makes the feature available; ``SECURITY_REGISTERABLE =
True`` switches it on. The hook implementations are in :mod:`fsec_registerable.plugin`,
its settings in :mod:`fsec_registerable.config`, the registration itself in
:mod:`fsec_registerable.registerable`, the view in :mod:`fsec_registerable.views` and
the forms in :mod:`fsec_registerable.forms` (also importable as
``flask_security.RegisterForm`` / ``ConfirmRegisterForm``).

Importing this package imports nothing else (the plugin host imports the parts it
needs when the feature is on).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
