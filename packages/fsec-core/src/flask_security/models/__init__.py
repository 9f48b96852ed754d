"""Upstream Flask-Security 5.x's module paths of its packaged Flask-SQLAlchemy models:
``flask_security.models.fsqla``, ``fsqla_v2`` and ``fsqla_v3``.

The models themselves live in fsec-store-sqlalchemy (the distribution that brings
SQLAlchemy and Flask-SQLAlchemy; fsec-core depends on neither), as
``fsec_store_sqlalchemy.models``; each module here re-exports one version and, when
that distribution is missing, raises ``ImportError`` naming
``pip install fsec-store-sqlalchemy``. Importing this package imports nothing.
"""
