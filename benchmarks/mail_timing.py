"""Mail and timing benchmark: does a known address answer like an unknown one, and what
does a hanging mail server cost a request? (issue 10 section 3; docs/benchmarks.md)

Runs the test app (fsec-recoverable, fsec-passwordless + fsec-trackable) under
gunicorn (one sync worker) against a real SMTP server (aiosmtpd, in this process),
and measures from a client in this process:

1. ``POST /reset`` and passwordless ``POST /login`` (JSON), 200 requests for an
   address with an account and 200 for one without, in a shuffled order, one at a
   time; the median of each and their ratio. Target: ratio within 0.9-1.1 in the
   default (``background``) delivery. The same with ``SECURITY_MAIL_DELIVERY =
   "inline"`` (how Flask-Security 3.0 sends) for comparison.
2. ``POST /reset`` of a known address while the SMTP server accepts connections and
   never answers (``MAIL_TIMEOUT`` = 10 s): median and maximum response time.

Usage: ``uv run --all-packages python benchmarks/mail_timing.py [-n 200]``. Results are
printed as Markdown and written to ``benchmarks/results/mail-<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

APP_MODULE = """
import json, os
from flask_security.testing.app import create_app
app = create_app(json.loads(os.environ["FSEC_BENCH_CONFIG"]))
"""


def free_port() -> int:
    from flask_security.testing.postgres import free_port as fp

    return fp()


class Server:
    """gunicorn (1 sync worker) serving the test app with ``config``."""

    def __init__(self, tmp: Path, config: dict[str, Any]) -> None:
        from flask_security.testing.app import add_user, create_app

        db = tmp / f"bench-{time.monotonic_ns()}.db"
        self.config = {
            "TESTING": False,
            "SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.org",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}",
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "accounts@example.org",
            "SECURITY_RECOVERABLE": True,
            "SECURITY_PASSWORDLESS": True,
            "SECURITY_TRACKABLE": True,
            **config,
        }
        app = create_app(self.config)
        add_user(app, "known@example.com")
        (tmp / "bench_app.py").write_text(APP_MODULE)
        self.port = free_port()
        env = dict(os.environ, FSEC_BENCH_CONFIG=json.dumps(self.config))
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), env.get("PYTHONPATH", "")])
        self.log = open(tmp / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class",
                "sync", "--timeout", "60", "--bind", f"127.0.0.1:{self.port}",
                "bench_app:app",
            ],
            cwd=tmp,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.post("/reset", "nobody@example.com")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def post(self, path: str, email: str) -> float:
        """One JSON POST on a new connection; seconds until the whole answer is read."""
        body = json.dumps({"email": email})
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        elapsed = time.perf_counter() - start
        conn.close()
        if resp.status != 200:
            raise RuntimeError(f"{path} answered {resp.status}")
        return elapsed

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


SMTP_SCRIPT = """
import sys
from flask_security.testing.smtp import start_smtp
sink = start_smtp()
print(sink.port, flush=True)
sys.stdin.read()
print(len(sink.messages), flush=True)
sink.stop()
"""


class SMTPProcess:
    """The real SMTP server (aiosmtpd) in its own process, as a mail server would be:
    in this process its thread would compete with the client for the GIL exactly
    while a known address's answer is read, and inflate that timing."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SMTP_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.proc.stdout.readline())
        self.received = 0

    def stop(self) -> None:
        out, _ = self.proc.communicate(timeout=60)
        self.received = int(out.strip() or 0)


def known_vs_unknown(server: Server, path: str, n: int, pause: float) -> dict[str, Any]:
    order = ["known"] * n + ["unknown"] * n
    random.Random(4242).shuffle(order)
    for i in range(20):  # warm-up
        server.post(path, "known@example.com" if i % 2 else "nobody@example.com")
        time.sleep(pause)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for kind in order:
        email = "known@example.com" if kind == "known" else "nobody@example.com"
        times[kind].append(server.post(path, email))
        time.sleep(pause)  # lets the previous mail leave, as on a server not saturated
    known = statistics.median(times["known"]) * 1000
    unknown = statistics.median(times["unknown"]) * 1000
    return {
        "path": path,
        "n": n,
        "known_ms": round(known, 2),
        "unknown_ms": round(unknown, 2),
        "ratio": round(known / unknown, 3),
    }


def hanging(tmp: Path, n: int) -> dict[str, Any]:
    from flask_security.testing.smtp import start_hanging_smtp

    smtp = start_hanging_smtp()
    out: dict[str, Any] = {}
    try:
        server = Server(tmp, {"MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port})
        try:
            times = []
            for _ in range(n):
                times.append(server.post("/reset", "known@example.com"))
                time.sleep(0.02)
            out["background"] = {
                "n": n,
                "median_ms": round(statistics.median(times) * 1000, 2),
                "max_ms": round(max(times) * 1000, 2),
            }
        finally:
            server.stop()
        server = Server(
            tmp,
            {"MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "SECURITY_MAIL_DELIVERY": "inline"},
        )
        try:
            times = [server.post("/reset", "known@example.com") for _ in range(2)]
            out["inline"] = {"n": 2, "median_ms": round(statistics.median(times) * 1000, 1)}
        finally:
            server.stop()
    finally:
        smtp.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per address kind")
    parser.add_argument("--pause", type=float, default=0.03, help="seconds between requests")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--modes", default="background,inline", help="delivery modes to time")
    parser.add_argument("--no-hanging", action="store_true", help="skip the hanging-server part")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"timing": {}, "hanging": {}}
    with tempfile.TemporaryDirectory(prefix="fsec-mail-bench-") as tmpdir:
        tmp = Path(tmpdir)
        smtp = SMTPProcess()
        try:
            for mode in args.modes.split(","):
                server = Server(
                    tmp,
                    {
                        "MAIL_SERVER": smtp.host,
                        "MAIL_PORT": smtp.port,
                        "SECURITY_MAIL_DELIVERY": mode,
                    },
                )
                try:
                    results["timing"][mode] = [
                        known_vs_unknown(server, path, args.n, args.pause)
                        for path in ("/reset", "/login")
                    ]
                finally:
                    server.stop()
            time.sleep(1)
        finally:
            smtp.stop()
        results["mails_received"] = smtp.received
        if not args.no_hanging:
            results["hanging"] = hanging(tmp, 50)

    lines = [
        f"# Mail timing, {datetime.date.today().isoformat()}",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs. gunicorn, 1 sync worker; real SMTP server (aiosmtpd); "
        f"{args.n} requests per address kind, shuffled, {args.pause * 1000:.0f} ms apart.",
        "",
        "## Known vs unknown address (median response time)",
        "",
        "| delivery | endpoint | known (ms) | unknown (ms) | ratio known/unknown |",
        "| --- | --- | --- | --- | --- |",
    ]
    for mode, rows in results["timing"].items():
        for row in rows:
            lines.append(
                f"| {mode} | POST {row['path']} | {row['known_ms']} | {row['unknown_ms']} "
                f"| {row['ratio']} |"
            )
    h = results["hanging"]
    if h:
        lines += [
            "",
            "## SMTP server that accepts and never answers (MAIL_TIMEOUT 10 s)",
            "",
            "| delivery | requests | median (ms) | max (ms) |",
            "| --- | --- | --- | --- |",
            f"| background | {h['background']['n']} | {h['background']['median_ms']} "
            f"| {h['background']['max_ms']} |",
            f"| inline | {h['inline']['n']} | {h['inline']['median_ms']} | |",
        ]
    lines += [
        "",
        f"Mails received by the SMTP server: {results['mails_received']}.",
        "",
        "```json",
        json.dumps(results, indent=1),
        "```",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_save:
        out = HERE / "results" / f"mail-{datetime.date.today().isoformat()}.md"
        out.write_text(text)
        print(f"saved {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
