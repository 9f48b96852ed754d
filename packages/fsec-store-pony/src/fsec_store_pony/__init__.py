"""fsec datastore for Pony ORM 0.7: :class:`PonyUserDatastore` (documented 3.0 API).

Pony reads and writes entities only inside a ``db_session``. The datastore opens one
when it needs one, so application code does not wrap datastore calls itself:

* Every datastore method first makes sure a ``db_session`` is active. If Pony has one
  already (a ``with db_session:`` block, ``@db_session``, ``pony.flask.Pony``), the
  method runs in it and the datastore leaves it alone.
* Otherwise it opens one for the current Flask context: for the request when called
  during a request, else for the application context (``with app.app_context():``,
  CLI commands, ``flask shell``). That session ends when its context tears down:
  committed when the context ends normally, rolled back when it ends with an
  unhandled exception. fsec's own views still call ``datastore.commit()`` before they
  answer, so what a response reports is already stored.
* Once ``Security`` is set up with this datastore, every request of the application
  runs in such a session from its first ``before_request`` function on, so views can
  read ``current_user.roles`` or query entities without ``@db_session``. This nests
  cleanly with ``pony.flask.Pony(app)`` (Pony ignores an inner ``db_session``).
* Outside any Flask context and outside a ``db_session`` a datastore call raises
  ``RuntimeError``: there is no context whose end could close the session.

Pony creates role objects in sets before their ``name`` is set, so the datastore gives
the role entity identity hashing (roles still compare equal by name): create the
datastore before the first role object.

:func:`end_session` commits and closes the session the datastore opened for the
current context early, so that the next call starts a new one (fresh objects).
"""

from __future__ import annotations

from .datastore import PonyUserDatastore
from .persistence import PonyDatastore
from .session import end_session, ensure_session

__all__ = ["PonyDatastore", "PonyUserDatastore", "end_session", "ensure_session"]

__version__ = "0.1.0"
