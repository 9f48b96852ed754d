"""What the demo's browser tests share: starting ``examples/demo/app.py`` as its own
process, adding accounts on its SQLite file, reading the mails it prints, and the
login form steps.

The demo runs exactly as ``make demo`` starts it (``python examples/demo/app.py``), on
a throwaway instance folder (``FSEC_DEMO_INSTANCE``) and a free port, opened as
``http://localhost:<port>`` (WebAuthn needs a secure context: Chromium treats
``localhost`` over plain http as one).
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask_security.testing.live import ProcessServer, start_process_server
from flask_security.testing.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo" / "app.py"


def start_demo(
    instance: Path, *, passwordless: bool = False, freshness: int | None = None
) -> ProcessServer:
    """``python examples/demo/app.py`` on a free port with ``instance`` as its
    instance folder (its SQLite file, secrets and salt are made there); ``freshness``
    (seconds) is ``FSEC_DEMO_FRESHNESS``: how old a sign-in may be before the pages
    that change how one signs in ask again."""
    port = free_port()
    env = {
        "FSEC_DEMO_INSTANCE": str(instance),
        "FSEC_DEMO_PORT": str(port),
        "FSEC_DEMO_BASE_URL": f"http://localhost:{port}",
        "FSEC_DEMO_PASSWORDLESS": "1" if passwordless else "0",
    }
    if freshness is not None:
        env["FSEC_DEMO_FRESHNESS"] = str(freshness)
    # the demo as "python examples/demo/app.py" runs it, plus a thread dump on SIGUSR1
    # (faulthandler), which mail_to() asks for when a mail does not come
    argv = [sys.executable, "-c", _DEMO_MAIN, str(DEMO)]
    return start_process_server(argv, port, env=env, cwd=str(ROOT), url_host="localhost")


_DEMO_MAIN = (
    "import faulthandler, runpy, signal, sys; "
    "faulthandler.register(signal.SIGUSR1, all_threads=True); "
    "sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def demo_app(server: ProcessServer, module_name: str) -> Iterator[Any]:
    """The demo's app object in this process, on the server's SQLite file (to add the
    accounts a test needs without going through the pages). A generator for a
    fixture: it yields the app and disposes of its engine afterwards."""
    instance = Path(server.env["FSEC_DEMO_INSTANCE"])
    spec = importlib.util.spec_from_file_location(module_name, DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    app = module.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "in-process",
            "SECURITY_PASSWORD_SALT": (instance / "salt").read_text().strip(),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'demo.db'}",
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            module.db.engine.dispose()
        del sys.modules[module_name]


def add_user(app: Any, email: str, password: str) -> None:
    """A confirmed, active account (the seeded users are shared by the tests)."""
    from flask_security import current_datastore
    from flask_security.utils import hash_password

    with app.app_context():
        current_datastore.create_user(
            email=email,
            password=hash_password(password),
            confirmed_at=app.config["SECURITY_DATETIME_FACTORY"](),
        )
        current_datastore.commit()


def mail_to(server: ProcessServer, address: str, count: int = 1) -> str:
    """The ``count``-th mail the demo printed for ``address`` (subject line and body)."""
    pattern = rf"(MAIL to {re.escape(address)}: .*?\n={{72}})"
    try:
        return server.wait_for(pattern, count=count, timeout=20)[count - 1]
    except TimeoutError as exc:
        # say where the server's threads are (the mail threads included)
        if server._process is not None and server._process.poll() is None:
            os.kill(server._process.pid, signal.SIGUSR1)
            time.sleep(1)
        dump = server.output()[-8000:]
        raise TimeoutError(f"{exc}\n--- the demo's threads now:\n{dump}") from None


def link_in(mail: str) -> str:
    """The first ``http://localhost:<port>/...`` link of a mail."""
    found = re.search(r"http://localhost:\d+/\S+", mail)
    assert found, mail
    return found.group(0)


def submit(page: Any, button: str) -> None:
    """Click the button named ``button`` and wait until the page it leads to has
    loaded (a form post and its redirect), not merely until the click is done."""
    with page.page.expect_navigation():
        page.page.get_by_role("button", name=button).click()


def log_in(page: Any, email: str, password: str) -> None:
    """Fill and send the demo's login form."""
    page.goto("/login")
    page.page.get_by_label("Email Address").fill(email)
    page.page.get_by_label("Password", exact=True).fill(password)
    submit(page, "Login")


def log_out(page: Any) -> None:
    """Press the layout's "Log out" button."""
    submit(page, "Log out")


def log_out_if_signed_in(page: Any) -> None:
    """Log out when the page shows the "Log out" button."""
    if page.page.get_by_role("button", name="Log out").count():
        log_out(page)
