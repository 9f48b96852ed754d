"""The Flask-Security 3.0 documentation's quickstarts, run on fsec.

The four quickstarts (SQLAlchemy, SQLAlchemy session, MongoEngine, Peewee) are read
from the 3.0.0 sdist's ``docs/quickstart.rst`` (never stored here), changed only by
the edits in :data:`QUICKSTARTS` (what Flask 3, SQLAlchemy 2, peewee 3 and
flask-mongoengine-3 force, plus ``SECURITY_PASSWORD_SALT``; each store's README lists
them) and the test-only settings in :data:`TEST_ONLY` (no MongoDB server here, a
temporary database file), written to a temporary folder and imported in a fresh
interpreter. Then a client, as a user would: ``/`` sends it to the login page; a
JSON login with the CSRF token from ``GET /login`` as ``matt@nobien.net`` /
``password`` succeeds; ``/`` answers 200; the password 3.0's quickstart stored in
plain text is now hashed (fsec re-hashes it at that first login).

Used by ``run.py`` (part ``compat`` of the test command); ``python quickstarts.py
SDIST`` runs them alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

#: Each edit: (why, 3.0 text, replacement); the 3.0 text must be found.
Edit = tuple[str, str, str]

_SALT = (
    "fsec hashes with an HMAC keyed by SECURITY_PASSWORD_SALT",
    "app.config['SECRET_KEY'] = 'super-secret'\n",
    "app.config['SECRET_KEY'] = 'super-secret'\n"
    "app.config['SECURITY_PASSWORD_SALT'] = 'change-me-too'\n",
)
_FIRST_REQUEST = (
    "Flask 3 has no before_first_request: create_user() runs at start-up",
    "@app.before_first_request\ndef create_user():",
    "def create_user():",
)
#: Appended to app.py with the before_first_request edit.
_AT_START = "\nwith app.app_context():\n    create_user()\n"

QUICKSTARTS: dict[str, dict[str, object]] = {
    "sqlalchemy": {
        "title": "Basic SQLAlchemy Application",
        "files": ["app.py"],
        "edits": {"app.py": [_SALT, _FIRST_REQUEST]},
    },
    "sqlalchemy-session": {
        "title": "Basic SQLAlchemy Application with session",
        "files": ["app.py", "database.py", "models.py"],
        "edits": {
            "app.py": [
                _SALT,
                _FIRST_REQUEST,
                (
                    "the 3.0 sample calls render(), which it never defines",
                    "return render('Here you go!')",
                    "return 'Here you go!'",
                ),
            ],
            "database.py": [
                (
                    "SQLAlchemy 2 removed create_engine(convert_unicode=...)",
                    ", \\\n                       convert_unicode=True)",
                    ")",
                )
            ],
        },
    },
    "mongoengine": {
        "title": "Basic MongoEngine Application",
        "files": ["app.py"],
        "edits": {
            "app.py": [
                _SALT,
                _FIRST_REQUEST,
                (
                    "flask-mongoengine does not import on Flask 3; flask-mongoengine-3 "
                    "(same import) takes field arguments by keyword only",
                    "db.ListField(db.ReferenceField(Role), default=[])",
                    "db.ListField(field=db.ReferenceField(document_type=Role), default=[])",
                ),
            ]
        },
    },
    "peewee": {
        "title": "Basic Peewee Application",
        "files": ["app.py"],
        "edits": {
            "app.py": [
                (
                    "peewee 3's `from peewee import *` exports peewee.Database, which "
                    "shadowed flask-peewee's Database: import it after",
                    "from flask_peewee.db import Database\nfrom peewee import *\n",
                    "from peewee import *\nfrom flask_peewee.db import Database\n",
                ),
                _SALT,
                _FIRST_REQUEST,
                (
                    "peewee 3 renamed ForeignKeyField(related_name=) to backref=",
                    "user = ForeignKeyField(User, related_name='roles')",
                    "user = ForeignKeyField(User, backref='roles')",
                ),
                (
                    "peewee 3 renamed ForeignKeyField(related_name=) to backref=",
                    "role = ForeignKeyField(Role, related_name='users')",
                    "role = ForeignKeyField(Role, backref='users')",
                ),
                (
                    "peewee 3 renamed drop_table(fail_silently=) to safe=",
                    "Model.drop_table(fail_silently=True)",
                    "Model.drop_table(safe=True)",
                ),
                (
                    "peewee 3 renamed create_table(fail_silently=) to safe=",
                    "Model.create_table(fail_silently=True)",
                    "Model.create_table(safe=True)",
                ),
            ]
        },
    },
}

#: Test-only changes: no MongoDB server on this machine (mongomock instead), and the
#: session quickstart's database file in the temporary folder.
TEST_ONLY: dict[str, dict[str, list[tuple[str, str]]]] = {
    "mongoengine": {
        "app.py": [
            (
                "app.config['MONGODB_PORT'] = 27017\n",
                "app.config['MONGODB_PORT'] = 27017\n"
                "import mongomock\n"
                "app.config['MONGODB_MONGO_CLIENT_CLASS'] = mongomock.MongoClient\n",
            )
        ]
    },
    "sqlalchemy-session": {"database.py": [("sqlite:////tmp/test.db", "sqlite:///test.db")]},
}

#: Run in the quickstart's folder by a fresh interpreter; prints a JSON report.
DRIVER = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, ".")
import app as quickstart
app = quickstart.app
client = app.test_client()
report = {}
r = client.get("/")
report["anonymous"] = [r.status_code, r.headers.get("Location", "")]
r = client.get("/login", headers={"Accept": "application/json"})
csrf = r.get_json()["response"]["csrf_token"]
r = client.post("/login", json={"email": "matt@nobien.net", "password": "password"},
                headers={"X-CSRFToken": csrf})
report["login"] = r.status_code
r = client.get("/")
report["home"] = [r.status_code, r.get_data(as_text=True)[:80]]
with app.app_context():
    user = app.extensions["security"].datastore.find_user(email="matt@nobien.net")
    report["stored_password_hashed"] = user.password != "password"
print("FSEC-QUICKSTART " + json.dumps(report))
"""


class QuickstartError(Exception):
    """A quickstart could not be extracted, edited or did not behave."""


def sections(rst: str) -> dict[str, str]:
    """``{title: body}`` for each ``====``-underlined section of ``quickstart.rst``."""
    lines = rst.splitlines()
    found: dict[str, str] = {}
    starts = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip() and set(lines[i + 1].strip()) == {"="} and len(lines[i + 1]) > 3
    ]
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        found[lines[i].strip()] = "\n".join(lines[i + 2 : end])
    return found


def code_blocks(body: str) -> list[str]:
    """The literal blocks (after ``::``) of a section, dedented; shell blocks skipped."""
    blocks, current, inside = [], [], False
    for line in [*body.splitlines(), "END"]:
        if inside and (not line.strip() or line.startswith((" ", "\t"))):
            current.append(line)
            continue
        if inside:
            code = textwrap.dedent("\n".join(current)).strip("\n") + "\n"
            if not code.lstrip().startswith("$"):
                blocks.append(code)
            current, inside = [], False
        if line.rstrip().endswith("::"):
            inside = True
    return blocks


def apply(text: str, edits: list[tuple[str, str]] | list[Edit]) -> str:
    """Apply ``(old, new)`` or ``(why, old, new)`` replacements, each exactly once.

    :raises QuickstartError: an ``old`` text is not in ``text``.
    """
    for edit in edits:
        old, new = edit[-2], edit[-1]
        if old not in text:
            raise QuickstartError(f"3.0 text not found: {old!r}")
        text = text.replace(old, new, 1)
    return text


def build(name: str, rst: str, folder: Path) -> None:
    """Write quickstart ``name``, edited, into ``folder`` (with ``templates/index.html``,
    which the 3.0 quickstarts render and leave to the reader)."""
    spec = QUICKSTARTS[name]
    body = sections(rst).get(str(spec["title"]))
    if body is None:
        raise QuickstartError(f"no section {spec['title']!r} in quickstart.rst")
    blocks = code_blocks(body)
    files = list(spec["files"])  # type: ignore[call-overload]
    if len(blocks) != len(files):
        raise QuickstartError(f"{name}: {len(blocks)} code blocks for {files}")
    edits: dict[str, list[Edit]] = spec["edits"]  # type: ignore[assignment]
    for filename, code in zip(files, blocks, strict=True):
        code = apply(code, edits.get(filename, []))
        code = apply(code, TEST_ONLY.get(name, {}).get(filename, []))
        if filename == "app.py":
            code += _AT_START
        (folder / filename).write_text(code)
    (folder / "templates").mkdir()
    (folder / "templates" / "index.html").write_text("Home page")


def run_one(name: str, rst: str) -> dict[str, object]:
    """Build and drive quickstart ``name``; returns the driver's report.

    :raises QuickstartError: it could not be built, crashed, or behaved otherwise
        than described in the module docstring.
    """
    with tempfile.TemporaryDirectory(prefix=f"fs30-quickstart-{name}-") as tmp:
        folder = Path(tmp)
        build(name, rst, folder)
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
    lines = [x for x in proc.stdout.splitlines() if x.startswith("FSEC-QUICKSTART ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise QuickstartError(f"{name}: the app failed: {' | '.join(tail)}")
    report = json.loads(lines[0].split(" ", 1)[1])
    anonymous, home = report["anonymous"], report["home"]
    if not (
        anonymous[0] == 302
        and "/login" in anonymous[1]
        and report["login"] == 200
        and home[0] == 200
        and report["stored_password_hashed"]
    ):
        raise QuickstartError(f"{name}: unexpected behaviour {report}")
    return report


def read_quickstart_rst(sdist: Path) -> str:
    """``docs/quickstart.rst`` of the 3.0.0 sdist."""
    with tarfile.open(sdist) as tar:
        member = tar.extractfile("Flask-Security-3.0.0/docs/quickstart.rst")
        assert member is not None
        return member.read().decode("utf-8")


def run_all(sdist: Path) -> int:
    """Run every quickstart, print one line each; the number that failed."""
    rst = read_quickstart_rst(sdist)
    failed = 0
    for name in QUICKSTARTS:
        try:
            run_one(name, rst)
        except (QuickstartError, subprocess.TimeoutExpired) as exc:
            failed += 1
            print(f"quickstart {name}: FAILED: {exc}")
        else:
            print(f"quickstart {name}: runs (anonymous redirect, login, home page, hashed)")
    return failed


if __name__ == "__main__":
    sys.exit(1 if run_all(Path(sys.argv[1])) else 0)
