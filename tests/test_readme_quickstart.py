"""The README's SQLAlchemy quickstart runs as written and logs a user in."""

from __future__ import annotations

import os
import re

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def _quickstart_source() -> str:
    with open(README, encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Quickstart (SQLAlchemy)", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the quickstart"
    return blocks[0]


def test_readme_quickstart(tmp_path, monkeypatch):
    source = _quickstart_source()
    # keep the test's database out of the source tree, and hashing cheap
    source = source.replace("sqlite:///app.db", f"sqlite:///{tmp_path / 'app.db'}")
    source = source.replace(
        "security = Security(app, user_datastore)",
        'app.config["SECURITY_PASSWORD_HASH_OPTIONS"] = {"bcrypt": {"rounds": 4}}\n'
        "security = Security(app, user_datastore)",
    )
    namespace: dict = {"__name__": "readme_quickstart"}
    exec(compile(source, "README.md", "exec"), namespace)  # our own README
    app = namespace["app"]
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.get("/").status_code == 302
    r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 200
    assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"


def test_readme_print_mail_recipe(tmp_path, capsys):
    """The README's "Where mail goes" block prints a mailed reset link to the console."""
    with open(README, encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Quickstart (SQLAlchemy)", 1)[1]
    mail_block = re.findall(r"```python\n(.*?)```", section, re.S)[1]
    assert "send_mail_task" in mail_block
    source = _quickstart_source()
    source = source.replace("sqlite:///app.db", f"sqlite:///{tmp_path / 'app.db'}")
    source = source.replace(
        "security = Security(app, user_datastore)",
        'app.config["SECURITY_PASSWORD_HASH_OPTIONS"] = {"bcrypt": {"rounds": 4}}\n'
        'app.config["SECURITY_RECOVERABLE"] = True\n'
        'app.config["SECURITY_MAIL_DELIVERY"] = "inline"\n'
        'app.config["WTF_CSRF_ENABLED"] = False\n'
        "security = Security(app, user_datastore)",
    )
    main_guard = 'if __name__ == "__main__":'
    source = source.replace(main_guard, mail_block + "\n" + main_guard)
    namespace: dict = {"__name__": "readme_quickstart_mail"}
    exec(compile(source, "README.md", "exec"), namespace)  # our own README
    app = namespace["app"]
    r = app.test_client().post("/reset", json={"email": "matt@example.com"})
    assert r.status_code == 200
    out = capsys.readouterr().out
    assert "To: matt@example.com" in out and "/reset/" in out
