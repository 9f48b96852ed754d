"""fsec-two-factor: a second factor at login and recovery codes (``SECURITY_TWO_FACTOR``).

Flask-Security 5.x's documented names: configuration (``SECURITY_TWO_FACTOR_*``,
``SECURITY_TOTP_*``, ``SECURITY_MULTI_FACTOR_RECOVERY_*``), endpoints (``/tf-setup``,
``/tf-validate``, ``/tf-rescue``, ``/mf-recovery-codes``, ``/mf-recovery``), JSON and
form fields, signals and the user model fields ``tf_primary_method``,
``tf_totp_secret``, ``tf_phone_number`` and ``mf_recovery_codes``.

Built on core's multi-step login (:mod:`flask_security.login_steps`): after the first
factor of a user with two-factor, the login is pending until ``/tf-validate`` (or a
recovery code) succeeds. The plugin module (:mod:`fsec_two_factor.plugin`) is the
``two_factor`` entry point; the rest is imported only when the feature is on.
"""

__version__ = "0.1.0"
