"""fsec-trackable: login statistics on the user model (``SECURITY_TRACKABLE``).

Every session login (:func:`flask_security.utils.login_user`, whatever the path)
updates ``last_login_at``, ``current_login_at``, ``last_login_ip``,
``current_login_ip`` and ``login_count``. The plugin module
(:mod:`fsec_trackable.plugin`) is the ``trackable`` entry point.
"""

__version__ = "0.1.0"
