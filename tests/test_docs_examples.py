"""The runnable examples of the documentation run as written.

A fenced ``python`` block right after a ``<!-- fsec:run -->`` line in ``docs/`` is a
complete application: it is written to a file in a temporary folder, imported (not as
``__main__``, so ``app.run()`` is not called), and then a client signs in as
``matt@example.com`` / ``password`` with CSRF on, the way a JSON client does, and
opens the protected home page.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
_BLOCK = re.compile(r"<!-- fsec:run -->\s*```python\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for i, match in enumerate(_BLOCK.finditer(page.read_text())):
            found.append((f"{page.relative_to(DOCS).as_posix()}#{i}", match.group(1)))
    return found


def test_the_quickstarts_are_marked_runnable():
    ids = [name for name, _code in examples()]
    assert "quickstart/sqlalchemy.md#0" in ids
    assert "quickstart/sqlalchemy-session.md#0" in ids


@pytest.mark.parametrize(("name", "code"), examples(), ids=[n for n, _ in examples()])
def test_example_runs_and_signs_in(name, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module_name = "fsec_docs_example_" + re.sub(r"\W", "_", name)
    path = tmp_path / f"{module_name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    app = module.app
    app.config["SECURITY_PASSWORD_HASH_OPTIONS"] = {"bcrypt": {"rounds": 4}}
    client = app.test_client()
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    csrf = client.get("/login", headers={"Accept": "application/json"}).json["response"][
        "csrf_token"
    ]
    r = client.post(
        "/login",
        json={"email": "matt@example.com", "password": "password"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200, r.json
    assert r.json["response"]["user"]["authentication_token"]
    r = client.get("/")
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "Hello matt@example.com"
