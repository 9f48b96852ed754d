"""``import flask_security`` pulls in no ORM and no plugin; store names need their wheel.

Run twice by ``sh scripts/test.sh``:

* in the workspace, where every store is installed: importing ``flask_security``
  must still load none of them, and with ``fsec_store_sqlalchemy`` hidden the lazy
  name must raise an ``ImportError`` naming the distribution;
* in fsec-core's isolated run (``scripts/isolated.py``), which sets
  ``FSEC_BARE_PYTHON`` to a virtualenv holding only the fsec-core wheel and its
  declared dependencies: there nothing is hidden, the store is really absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ORM_MODULES = ("sqlalchemy", "flask_sqlalchemy", "mongoengine", "peewee", "pony")

#: Prints the loaded ORM / plugin modules and what the lazy store name does.
PROBE = """
import json, sys
hidden = set(json.loads(sys.argv[1]))

class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
import flask_security
import flask_security.datastore, flask_security.forms, flask_security.utils
import flask_security.models
orms = json.loads(sys.argv[2])
loaded = sorted(
    m for m in sys.modules
    if m.split(".")[0] in orms or (m.startswith("fsec_") and m != "fsec_isolation_guard")
)
try:
    from flask_security import SQLAlchemyUserDatastore
    error = None
except ImportError as exc:
    error = [type(exc).__name__, str(exc)]
try:
    from flask_security.datastore import SQLAlchemyUserDatastore
    datastore_error = None
except ImportError as exc:
    datastore_error = str(exc)
models_errors = []
for statement in (
    "from flask_security.models import fsqla_v3",
    "import flask_security.models.fsqla",
    "from flask_security import AsaList",
):
    try:
        exec(statement)
        models_errors.append(None)
    except ImportError as exc:
        models_errors.append(str(exc))
print(json.dumps({"loaded": loaded, "error": error, "datastore_error": datastore_error,
                  "models_errors": models_errors}))
"""


def _probe(python: str, hidden: tuple[str, ...]) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [python, "-c", PROBE, json.dumps(hidden), json.dumps(ORM_MODULES)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _check(result: dict) -> None:
    assert result["loaded"] == [], f"import flask_security loaded {result['loaded']}"
    assert result["error"] is not None, "SQLAlchemyUserDatastore imported without its store"
    kind, message = result["error"]
    assert kind == "ImportError"
    assert "fsec-store-sqlalchemy" in message
    assert "pip install fsec-store-sqlalchemy" in message
    assert "fsec-store-sqlalchemy" in result["datastore_error"]
    # upstream 5.x's packaged models (flask_security.models.fsqla*) and AsaList
    for message in result["models_errors"]:
        assert message is not None and "pip install fsec-store-sqlalchemy" in message


def test_import_loads_no_orm_even_when_installed_and_hidden_store_names_its_dist():
    """This interpreter (the workspace, or the isolated test venv with the store)."""
    _check(_probe(sys.executable, ("fsec_store_sqlalchemy",)))


def test_only_fsec_core_installed():
    """A virtualenv with nothing but fsec-core's wheel and its declared dependencies."""
    bare = os.environ.get("FSEC_BARE_PYTHON")
    if not bare:
        if os.environ.get("FSEC_ISOLATED"):
            pytest.fail("the isolated run must set FSEC_BARE_PYTHON")
        pytest.skip("only in fsec-core's isolated run (sh scripts/test.sh sets FSEC_BARE_PYTHON)")
    check = subprocess.run(
        [bare, "-c", "import importlib.util as u; print(u.find_spec('fsec_store_sqlalchemy'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "None", "the bare venv must not hold fsec-store-sqlalchemy"
    for orm in ORM_MODULES:
        found = subprocess.run(
            [bare, "-c", f"import importlib.util as u; print(u.find_spec({orm!r}))"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == "None", f"{orm} is installed with fsec-core alone"
    _check(_probe(bare, ()))
