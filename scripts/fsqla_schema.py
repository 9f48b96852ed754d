"""Measure the schema the packaged models (``flask_security.models.fsqla``,
``fsqla_v2``, ``fsqla_v3``) make for an application declared as upstream
Flask-Security 5.x documents it, and print it as JSON.

It runs the same on fsec and on upstream 5.x, which is how the expected schema in
``packages/fsec-store-sqlalchemy/tests/test_sqlalchemy_fsqla_models.py`` was
measured (2026-12-02, Flask-Security 5.9.2, Flask-SQLAlchemy 3.1.1, SQLAlchemy
2.1.9, SQLite)::

    python3 -m venv /tmp/fs59
    /tmp/fs59/bin/pip install "flask-security[fsqla,common,mfa]==5.9.2" webauthn
    /tmp/fs59/bin/python scripts/fsqla_schema.py > /tmp/fs59.json
    uv run --all-packages python scripts/fsqla_schema.py > /tmp/fsec.json
    diff /tmp/fs59.json /tmp/fsec.json

Without arguments it prints every case the test checks; ``--case NAME`` prints one.
The description itself is ``fsec_store_sqlalchemy/models/schema.py`` (loaded from
this checkout by path, so it also runs where fsec is not installed).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import pathlib
import subprocess
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "packages/fsec-store-sqlalchemy/src/fsec_store_sqlalchemy/models/schema.py"

#: case -> (version module, passkey class name or None, set_db_info keywords,
#: ``__tablename__`` the application sets on its classes, by class name)
CASES: dict[str, tuple[str, str | None, dict[str, str], dict[str, str]]] = {
    "fsqla": ("fsqla", None, {}, {}),
    "fsqla_v2": ("fsqla_v2", None, {}, {}),
    "fsqla_v3": ("fsqla_v3", "WebAuthn", {}, {}),
    # other table names, given to set_db_info and set on the classes (5.x's docs)
    "fsqla_v3_named": (
        "fsqla_v3",
        "WebAuthn",
        {"user_table_name": "acct", "role_table_name": "grp", "webauthn_table_name": "pk"},
        {"User": "acct", "Role": "grp", "WebAuthn": "pk"},
    ),
    # ... given to set_db_info only
    "fsqla_named_db_info_only": ("fsqla", None, {"user_table_name": "acct"}, {}),
    "fsqla_v3_webauthn_table_name_only": (
        "fsqla_v3",
        "WebAuthn",
        {"webauthn_table_name": "pk"},
        {},
    ),
    # ... set on the classes only
    "fsqla_v3_tablename_only": (
        "fsqla_v3",
        "WebAuthn",
        {},
        {"User": "acct", "Role": "grp", "WebAuthn": "pk"},
    ),
    # a passkey class not called WebAuthn
    "fsqla_v3_passkey_class": ("fsqla_v3", "Passkey", {}, {}),
    "fsqla_v3_passkey_class_named": (
        "fsqla_v3",
        "Passkey",
        {"webauthn_table_name": "passkey"},
        {"Passkey": "passkey"},
    ),
}


def _load_describe() -> Any:
    spec = importlib.util.spec_from_file_location("fsec_fsqla_schema", SCHEMA)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.describe


def measure(case: str) -> dict[str, Any]:
    """Declare one case's models on a new Flask-SQLAlchemy ``db`` and describe the
    schema ``create_all`` makes on SQLite in memory.

    :param case: a key of :data:`CASES`.
    :returns: :func:`schema.describe`'s description, or ``{"error": "..."}`` when
        declaring the models raised.
    """
    import sqlalchemy as sa
    from flask_sqlalchemy import SQLAlchemy

    name, passkey, names, tablenames = CASES[case]
    version = importlib.import_module(f"flask_security.models.{name}")
    db = SQLAlchemy()
    try:
        version.FsModels.set_db_info(db, **names)
        # kept referenced: a declarative registry holds its classes weakly
        classes = [("Role", version.FsRoleMixin), ("User", version.FsUserMixin)]
        if passkey:
            classes.append((passkey, version.FsWebAuthnMixin))
        models = []
        for cls_name, mixin in classes:
            body = {"__module__": __name__}
            if cls_name in tablenames:
                body["__tablename__"] = tablenames[cls_name]
            models.append(type(cls_name, (db.Model, mixin), body))
        sa.orm.configure_mappers()
    except Exception as exc:  # what the version does with this declaration
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
    engine = sa.create_engine("sqlite://")
    try:
        return _load_describe()(db.metadata, engine)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), help="one case (default: all)")
    args = parser.parse_args(argv)
    cases = [args.case] if args.case else list(CASES)
    out: dict[str, Any] = {}
    for case in cases:  # each case in its own process: the versions keep global settings
        if len(cases) == 1:
            out[case] = measure(case)
        else:
            run = subprocess.run(  # noqa: S603 (this script, this interpreter)
                [sys.executable, __file__, "--case", case], capture_output=True, text=True
            )
            if run.returncode:
                print(run.stderr, file=sys.stderr)
                return 1
            out.update(json.loads(run.stdout))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
