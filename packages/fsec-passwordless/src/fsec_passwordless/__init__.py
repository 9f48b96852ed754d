"""fsec-passwordless: sign in with a link sent by mail (``SECURITY_PASSWORDLESS``).

When on, ``/login`` asks for an email address and mails a one-time login link
(``/login/<token>``) instead of asking for a password. A link stops working at the
user's next login, so it needs a plugin that records logins (``fsec_login_state``:
fsec-trackable). The plugin module (:mod:`fsec_passwordless.plugin`) is the
``passwordless`` entry point; the rest is imported only when the feature is on.
"""

__version__ = "0.1.0"
