"""fsec-recoverable: password recovery for fsec (``SECURITY_RECOVERABLE``).

``/reset`` mails a one-time link to the address of an account; ``/reset/<token>``
sets a new password, ends every other session, remember cookie and auth token of
the user and signs the user in. The plugin module (:mod:`fsec_recoverable.plugin`)
is the ``recoverable`` entry point; the rest is imported only when the feature is on.
"""

__version__ = "0.1.0"
