"""The package README's quickstart runs as written and logs a user in."""

from __future__ import annotations

import os
import re

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def test_readme_quickstart_runs_and_logs_in(tmp_path):
    with open(README, encoding="utf-8") as fh:
        section = fh.read().split("## Quickstart", 1)[1]
    (source,) = re.findall(r"```python\n(.*?)```", section, re.S)[:1]
    source = source.replace("sqlite:///app.db", f"sqlite:///{tmp_path / 'app.db'}")
    namespace: dict = {"__name__": "sqlalchemy_readme_quickstart"}
    exec(compile(source, "README.md", "exec"), namespace)  # the package's own README
    app = namespace["app"]
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 200
    assert r.json["response"]["user"]["id"] == "1"
    r = client.post("/login", json={"email": "MATT@example.com", "password": "wrong-one"})
    assert r.status_code == 400
