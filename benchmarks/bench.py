"""fsec benchmarks: the floor, fsec and upstream Flask-Security, side by side.

Run ``make bench`` (or ``sh scripts/bench.sh``); see ``docs/benchmarks.md``.

The driver runs in the workspace virtualenv. Each implementation runs in worker
processes (``worker.py``) with its own interpreter: the floor and fsec in the
workspace virtualenv, upstream Flask-Security in ``.cache/bench/upstream`` (created
here with ``uv``; it owns the ``flask_security`` import name too). Results are
printed as Markdown and saved to ``benchmarks/results/<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(ROOT, ".cache", "bench")
WORKER = os.path.join(HERE, "worker.py")
IMPLS = ("floor", "fsec", "upstream")
SCENARIOS = (
    "anonymous",
    "unprotected",
    "session",
    "token",
    "role",
    "basic",
    "json_login",
    "form_login",
)
SCENARIO_LABELS = {
    "anonymous": "Unprotected route, anonymous",
    "unprotected": "Unprotected route, logged-in browser (session cookie)",
    "session": "Session-protected (`login_required`)",
    "token": "Token-protected (`auth_token_required`, header)",
    "role": 'Role-protected (`roles_required("admin")`, session)',
    "basic": "HTTP basic auth (`http_auth_required`)",
    "json_login": "JSON login (`POST /login`)",
    "form_login": "Form login (`POST /login`)",
}

#: Upstream is installed with the same versions of the shared libraries as the
#: workspace, so that only the security layer differs.
SHARED_PINS = (
    "flask",
    "werkzeug",
    "jinja2",
    "itsdangerous",
    "blinker",
    "click",
    "flask-login",
    "flask-principal",
    "flask-sqlalchemy",
    "sqlalchemy",
    "flask-wtf",
    "wtforms",
    "bcrypt",
    "libpass",
    "email-validator",
    "psycopg",
    "psycopg-binary",
    # Installed in the workspace (core's i18n tests); Flask-WTF imports it when present.
    "flask-babel",
    "babel",
)
UPSTREAM_SPEC = "flask-security>=5.9,<5.10"

#: First-party distributions of this repository (``packages/``), for the init report.
FEATURE_FLAGS = {
    "fsec-registerable": "SECURITY_REGISTERABLE",
    "fsec-confirmable": "SECURITY_CONFIRMABLE",
    "fsec-recoverable": "SECURITY_RECOVERABLE",
    "fsec-passwordless": "SECURITY_PASSWORDLESS",
    "fsec-trackable": "SECURITY_TRACKABLE",
}
FIRST_PARTY = (
    "fsec-core",
    *FEATURE_FLAGS,
    "fsec-store-sqlalchemy",
    "fsec-store-mongo",
    "fsec-store-peewee",
    "fsec-store-pony",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -----------------------------------------------------------------------------------
# Virtualenvs
# -----------------------------------------------------------------------------------


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise SystemExit("bench: uv not found (scripts/bench.sh installs it)")
    return found


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def upstream_python() -> str:
    """Create (once, cached) the upstream virtualenv; returns its interpreter."""
    venv = os.path.join(CACHE, "upstream")
    python = os.path.join(venv, "bin", "python")
    pins = [f"{n}=={v}" for n in SHARED_PINS if (v := installed_version(n))]
    wanted = [UPSTREAM_SPEC, *pins]
    stamp = os.path.join(venv, "fsec-bench-requirements.txt")
    key = "\n".join([sys.version, *wanted])
    if os.path.exists(stamp) and open(stamp).read() == key and os.path.exists(python):
        return python
    log(f"creating the upstream virtualenv in {os.path.relpath(venv, ROOT)}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, venv], check=True)
    install = [uv(), "pip", "install", "--quiet", "--python", python]
    result = subprocess.run([*install, *wanted], capture_output=True, text=True)
    if result.returncode != 0:
        # Upstream may need newer shared libraries than the workspace pins: say so.
        log("upstream does not install with the workspace's versions; unpinned:")
        log(result.stderr.strip()[-800:])
        subprocess.run([*install, UPSTREAM_SPEC, "flask-sqlalchemy", "psycopg[binary]"], check=True)
    with open(stamp, "w") as fh:
        fh.write(key)
    return python


def pythons() -> dict[str, str]:
    return {"floor": sys.executable, "fsec": sys.executable, "upstream": upstream_python()}


# -----------------------------------------------------------------------------------
# Workers
# -----------------------------------------------------------------------------------


def worker_env(extra_path: str | None = None) -> dict[str, str]:
    """The workers' environment: bytecode is cached (in .cache/bench/pycache, not in
    the source tree), as it is on a deployed application; imports are measured warm."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(CACHE, "pycache")
    if extra_path:
        env["PYTHONPATH"] = extra_path
    return env


def run_worker(python: str, mode: str, args: dict[str, Any], extra_path: str | None = None) -> Any:
    """Run a one-shot worker; returns its (single) JSON answer."""
    result = subprocess.run(
        [python, WORKER, mode, json.dumps(args)],
        capture_output=True,
        text=True,
        env=worker_env(extra_path),
        cwd=HERE,
    )
    if result.returncode != 0:
        raise RuntimeError(f"worker {mode} {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    """A long-lived worker answering ``round`` commands."""

    def __init__(self, python: str, mode: str, args: dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [python, WORKER, mode, json.dumps(args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=worker_env(),
            cwd=HERE,
        )
        self.ready = self._read()

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise RuntimeError(f"worker died:\n{self.proc.stderr.read()[-3000:]}")
        return json.loads(line)

    def round(self, scenario: str, seconds: float, clock: str = "cpu") -> float:
        """Run one round; returns the rate (requests or logins per second) by the
        worker's CPU time (``"cpu"``) or by wall time (``"elapsed"``)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": "round", "scenario": scenario, "seconds": seconds}))
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        answer = self._read()
        return answer["n"] / answer[clock]

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -----------------------------------------------------------------------------------
# Measurements
# -----------------------------------------------------------------------------------


@dataclass
class Results:
    started: str = ""
    elapsed: float = 0.0
    rounds: int = 0
    seconds: float = 0.0
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    rates: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    imports: dict[str, list[float]] = field(default_factory=dict)
    init: dict[str, Any] = field(default_factory=dict)
    scale: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


def rotate(items: Sequence[str], k: int) -> list[str]:
    k %= len(items)
    return [*items[k:], *items[:k]]


def measure_throughput(
    py: dict[str, str],
    res: Results,
    rounds: int,
    seconds: float,
    scenarios: Sequence[str],
    replicas: int = 5,
) -> None:
    """Interleaved rounds: round r runs every scenario on every implementation (the
    order of implementations rotates), so drift hits all three alike.

    The rounds are shared among ``replicas`` successive sets of worker processes: a
    process keeps its own memory layout and hash seed for life, which biases all of
    its rounds alike (about 1% in A/A tests here), so fresh processes average it out.
    """
    res.rates = {s: {i: [] for i in IMPLS} for s in scenarios}
    done = 0
    for replica in range(replicas):
        share = (rounds - done) // (replicas - replica)
        servers: dict[str, Server] = {}
        try:
            for impl in IMPLS:
                log(f"starting the {impl} app ({replica + 1}/{replicas})")
                servers[impl] = Server(py[impl], "serve", {"impl": impl})
                res.versions[impl] = servers[impl].ready["versions"]
            for _ in range(share):
                log(f"throughput round {done + 1}/{rounds}")
                for scenario in scenarios:
                    for impl in rotate(IMPLS, done):
                        rate = servers[impl].round(scenario, seconds)
                        res.rates[scenario][impl].append(rate)
                done += 1
        finally:
            for server in servers.values():
                server.close()


def measure_resources(py: dict[str, str], res: Results, scenarios: Sequence[str]) -> None:
    """SQL statements per request and peak memory: one fresh process per scenario."""
    for scenario in scenarios:
        log(f"SQL statements and memory: {scenario}")
        res.resources[scenario] = {}
        n = 100 if scenario.endswith("login") or scenario == "basic" else 300
        for impl in IMPLS:
            res.resources[scenario][impl] = run_worker(
                py[impl], "resources", {"impl": impl, "scenario": scenario, "requests": n}
            )


IMPORT_STATEMENTS = {
    "floor": "import flask_login",
    "fsec": "import flask_security",
    "upstream": "import flask_security",
}


def measure_imports(py: dict[str, str], res: Results, repeats: int) -> None:
    """Import time in fresh interpreters (CPU seconds; bytecode cached by one discarded
    run): ``import flask`` first, then the extension on top of it."""
    log("import times")
    code = (
        "import time; c = time.process_time(); import flask; f = time.process_time(); "
        "{stmt}; e = time.process_time(); print(f - c, e - f)"
    )
    res.imports = {impl: [] for impl in IMPLS}
    res.imports.update({f"flask ({impl})": [] for impl in IMPLS})
    for rep in range(repeats + 1):
        for impl in IMPLS:
            out = subprocess.run(
                [py[impl], "-c", code.format(stmt=IMPORT_STATEMENTS[impl])],
                capture_output=True,
                text=True,
                check=True,
                env=worker_env(),
                cwd=HERE,
            )
            flask_s, ext_s = (float(x) for x in out.stdout.split())
            if rep:
                res.imports[impl].append(ext_s)
                res.imports[f"flask ({impl})"].append(flask_s)


def first_party_installed() -> dict[str, str]:
    found = {}
    for name in FIRST_PARTY:
        version = installed_version(name)
        if version is not None:
            found[name] = version
    return found


def init_config() -> dict[str, Any]:
    """Every installed first-party feature switched on, plus changeable (core)."""
    installed = first_party_installed()
    config: dict[str, Any] = {"SECURITY_CHANGEABLE": True}
    for dist, flag in FEATURE_FLAGS.items():
        if dist in installed:
            config[flag] = True
    return config


def measure_init(py: dict[str, str], res: Results, processes: int) -> None:
    log("init_app times")
    config = init_config()
    res.init = {
        "config": config,
        "installed": first_party_installed(),
        "cold": {i: [] for i in IMPLS},
        "warm": {i: [] for i in IMPLS},
        "detail": {},
        "errors": {},
    }
    for _ in range(processes):
        for impl in IMPLS:
            try:
                answer = run_worker(py[impl], "init", {"impl": impl, "config": config})
            except RuntimeError as exc:
                res.init["errors"][impl] = str(exc).strip().splitlines()[-1]
                continue
            res.init["cold"][impl].append(answer["cold"])
            res.init["warm"][impl].extend(answer["warm"])
            res.init["detail"][impl] = {
                k: v for k, v in answer.items() if k not in ("cold", "warm")
            }


def measure_scale(
    py: dict[str, str],
    res: Results,
    sizes: tuple[int, int],
    rounds: int,
    seconds: float,
    postgres: bool,
) -> None:
    small, large = sizes
    res.scale = {"sizes": [small, large], "backends": {}}
    backends: list[tuple[str, Any]] = [("SQLite file", None)]
    server = None
    if postgres:
        try:
            from flask_security.testing.postgres import start_postgres

            log("starting PostgreSQL")
            server = start_postgres()
            backends.append(("PostgreSQL", server))
        except Exception as exc:  # no server binaries, initdb failure...
            res.notes.append(f"PostgreSQL skipped: {exc}")
    try:
        for label, pg in backends:
            res.scale["backends"][label] = {}
            for impl in IMPLS:
                specs = {}
                for tag, n in (("small", small), ("large", large)):
                    specs[tag] = {"users": n, "uri": database_for(py[impl], impl, n, pg)}
                log(f"login at {small:,} vs {large:,} users: {impl}, {label}")
                srv = Server(py[impl], "scale", {"impl": impl, **specs})
                try:
                    rates: dict[str, list[float]] = {"small": [], "large": []}
                    # SQLite runs in the worker: its CPU time is the whole cost. PostgreSQL
                    # works in its own processes: wall time.
                    clock = "elapsed" if pg is not None else "cpu"
                    for r in range(rounds):
                        for tag in rotate(("small", "large"), r):
                            rates[tag].append(srv.round(tag, seconds, clock))
                finally:
                    srv.close()
                res.scale["backends"][label][impl] = {"rates": rates, "plans": srv.ready["plans"]}
    finally:
        if server is not None:
            server.stop()


def database_for(python: str, impl: str, users: int, pg: Any) -> str:
    """A database with ``users`` rows for ``impl``: a cached SQLite file (keyed by the
    implementation's schema), or a fresh PostgreSQL database."""
    if pg is not None:
        name = f"bench_{impl}_{users}"
        pg.create_database(name)
        uri = pg.url(name)
        log(f"  loading {users:,} users into PostgreSQL for {impl}")
        run_worker(python, "build", {"impl": impl, "uri": uri, "users": users})
        return uri
    ddl = run_worker(python, "ddl", {"impl": impl})["ddl"]
    key = hashlib.sha256(("\n".join(ddl) + f"\n{users}\nv1").encode()).hexdigest()[:12]
    folder = os.path.join(CACHE, "db")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{impl}-{users}-{key}.sqlite3")
    if not os.path.exists(path):
        partial = path + ".partial"
        if os.path.exists(partial):
            os.remove(partial)
        log(f"  building {os.path.relpath(path, ROOT)} ({users:,} users, cached)")
        run_worker(python, "build", {"impl": impl, "uri": f"sqlite:///{partial}", "users": users})
        os.replace(partial, path)
    return f"sqlite:///{path}"


# -----------------------------------------------------------------------------------
# Report
# -----------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(num: Sequence[float], den: Sequence[float]) -> float:
    """Median of the per-round ratios (rounds are interleaved, so pairs are fair)."""
    pairs = [a / b for a, b in zip(num, den, strict=False) if b]
    return median(pairs)


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
            mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(
        ["git", "-C", ROOT, "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "Memory": mem,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Commit": commit or "unknown",
    }


def report(res: Results) -> str:
    out: list[str] = []
    w = out.append
    w(f"# fsec benchmarks, {res.started}")
    w("")
    w("Floor = Flask + Flask-Login + Flask-SQLAlchemy with hand-written auth (no security")
    w(
        "extension); fsec = this repository; upstream = Flask-Security "
        + (res.versions.get("upstream", {}).get("flask-security", "?"))
        + ". Same app, models"
    )
    w("and requests; in-process WSGI calls (no sockets). **Passwords use bcrypt with 4 rounds**")
    w("(about 1 ms per hash) so that the frameworks are measured, not the hash. CSRF is off")
    w("for all three (`WTF_CSRF_ENABLED = False`). Method and differences: docs/benchmarks.md.")
    w("")
    w("| Machine | |")
    w("|---|---|")
    for key, value in machine().items():
        w(f"| {key} | {value} |")
    if res.load:
        w(f"| Load average (start, end) | {res.load[0]:.2f}, {res.load[-1]:.2f} |")
    w(
        f"| Rounds | {res.rounds} interleaved rounds of {res.seconds} s "
        "per scenario and implementation |"
    )
    w(f"| Run time | {res.elapsed:.0f} s |")
    w("")
    # ---- throughput
    if res.rates:
        floor_session = res.rates.get("session", {}).get("floor", [])
        w("## Requests per second")
        w("")
        w("Requests per CPU-second of the worker process (user + system time: the same as")
        w("wall time on an idle machine, and not inflated when other processes share the")
        w("cores). Medians of the rounds; ratios are medians of the per-round ratios.")
        w("")
        w(
            "| Scenario | floor | fsec | upstream | fsec / floor | upstream / floor "
            "| fsec / upstream | target (fsec) |"
        )
        w("|---|---:|---:|---:|---:|---:|---:|---|")
        for s in res.rates:
            r = res.rates[s]
            target = ""
            if s in ("anonymous", "unprotected"):
                v = ratio(r["fsec"], r["floor"])
                target = f"≥ 0.97 x floor: {v:.3f}, {verdict(v >= 0.97)}"
            elif s in ("session", "token", "role"):
                v = ratio(r["fsec"], floor_session)
                target = f"≥ 0.9 x floor session: {v:.3f}, {verdict(v >= 0.9)}"
            elif s in ("basic", "json_login"):
                v = ratio(r["fsec"], r["upstream"])
                target = f"≥ 1.3 x upstream: {v:.3f}, {verdict(v >= 1.3)}"
            w(
                f"| {SCENARIO_LABELS[s]} | {fmt_rate(median(r['floor']))} | "
                f"{fmt_rate(median(r['fsec']))} | {fmt_rate(median(r['upstream']))} | "
                f"{ratio(r['fsec'], r['floor']):.2f} | {ratio(r['upstream'], r['floor']):.2f} | "
                f"{ratio(r['fsec'], r['upstream']):.2f} | {target} |"
            )
        w("")
        w("Floor's token, role and basic routes and its login view are hand-written (see")
        w("benchmarks/benchapp.py); its role check lazy-loads the roles (a second SELECT).")
        w("")
    # ---- resources
    if res.resources:
        w("## SQL statements per request and peak memory")
        w("")
        w("Statements counted with SQLAlchemy's `before_cursor_execute` event; peak memory")
        w("is the process's maximum resident set (`ru_maxrss`), one fresh process per scenario.")
        w("")
        w(
            "| Scenario | SQL floor | SQL fsec | SQL upstream | peak MiB floor "
            "| peak MiB fsec | peak MiB upstream | target (fsec) |"
        )
        w("|---|---:|---:|---:|---:|---:|---:|---|")
        for s in res.resources:
            r = res.resources[s]
            sql = {i: r[i]["sql_per_request"] for i in IMPLS}
            mem = {i: r[i]["peak_rss_kib"] / 1024 for i in IMPLS}
            target = ""
            if s in ("session", "token", "role", "basic", "json_login"):
                target = f"≤ 1: {verdict(sql['fsec'] <= 1.0)}"
            w(
                f"| {SCENARIO_LABELS[s]} | {sql['floor']:g} | {sql['fsec']:g} "
                f"| {sql['upstream']:g} | "
                f"{mem['floor']:.1f} | {mem['fsec']:.1f} | {mem['upstream']:.1f} | {target} |"
            )
        w("")
    # ---- start-up
    if res.imports or res.init:
        w("## Start-up")
        w("")
        w("CPU milliseconds in fresh processes (bytecode cached): median, and the best run")
        w("in parentheses (noise only ever adds time).")
        w("")
        w("| Measure | floor | fsec | upstream | target (fsec) |")
        w("|---|---:|---:|---:|---|")

        def ms(values: Sequence[float]) -> str:
            if not values:
                return "failed"
            mid, best = median(values) * 1000, min(values) * 1000
            digits = 2 if mid < 1 else 1
            return f"{mid:.{digits}f} ({best:.{digits}f})"

        if res.imports:
            fsec_import = median(res.imports["fsec"]) * 1000
            w(
                "| `import flask_security` after `import flask` (floor: `import flask_login`) | "
                + " | ".join(ms(res.imports[i]) for i in IMPLS)
                + f" | < 60 ms: {verdict(fsec_import < 60)} |"
            )
            w(
                "| `import flask` before it | "
                + " | ".join(ms(res.imports[f"flask ({i})"]) for i in IMPLS)
                + " | |"
            )
        if res.init:
            fsec_cold = median(res.init["cold"]["fsec"]) * 1000
            w(
                "| `Security(app, datastore)`, first call in the process "
                "(floor: `LoginManager(app)`) | "
                + " | ".join(ms(res.init["cold"][i]) for i in IMPLS)
                + f" | < 30 ms: {verdict(fsec_cold < 30)} |"
            )
            w(
                "| the same for further apps in that process | "
                + " | ".join(ms(res.init["warm"][i]) for i in IMPLS)
                + " | |"
            )
            if res.imports:
                totals = {
                    i: (median(res.imports[i]) + median(res.init["cold"][i])) * 1000
                    if res.init["cold"][i]
                    else float("nan")
                    for i in IMPLS
                }
                w(
                    "| import + first `Security(...)`, medians added | "
                    + " | ".join(f"{totals[i]:.1f}" for i in IMPLS)
                    + " | |"
                )
            w("")
            flags = ", ".join(f"`{k} = True`" for k in res.init["config"])
            w(f"init_app configuration (fsec and upstream): {flags}.")
            installed = ", ".join(f"{k} {v}" for k, v in res.init["installed"].items())
            w(f"First-party distributions installed: {installed}.")
            missing = [d for d in FIRST_PARTY if d not in res.init["installed"]]
            if missing:
                w(f"Not yet in the workspace (so not measured): {', '.join(missing)}.")
            detail = res.init["detail"].get("fsec", {})
            if detail.get("plugins"):
                enabled = ", ".join(f"{k} ({v})" for k, v in detail["plugins"].items())
                w(f"fsec plugins enabled: {enabled}.")
            for impl in ("fsec", "upstream"):
                views = res.init["detail"].get(impl, {}).get("views")
                if views:
                    names = ", ".join(v.split(".")[-1] for v in views)
                    w(f"Views registered by {impl}'s init_app ({len(views)}): {names}.")
            for impl, error in res.init["errors"].items():
                w(f"{impl} init_app failed: `{error}`.")
            w("")
    # ---- scale
    if res.scale:
        small, large = res.scale["sizes"]
        w(f"## JSON login time at {small:,} and {large:,} users")
        w("")
        w("Milliseconds per login of a random user (medians of interleaved rounds), the same")
        w("random sequence for every implementation. Each implementation's own `create_all`")
        w("made the schema (fsec's store adds a `lower(email)` index; the others have only")
        w("the unique index on `email`).")
        w("")
        w(
            f"| Database | Implementation | ms at {small:,} | ms at {large:,} | ratio "
            f"| identity lookup plan at {large:,} | target (fsec) |"
        )
        w("|---|---|---:|---:|---:|---|---|")
        for backend, per_impl in res.scale["backends"].items():
            for impl in IMPLS:
                data = per_impl.get(impl)
                if data is None:
                    continue
                rs, rl = data["rates"]["small"], data["rates"]["large"]
                ms_s, ms_l = 1000 / median(rs), 1000 / median(rl)
                rat = ratio(rs, rl)  # time ratio = inverse rate ratio
                plan = "; ".join(data["plans"]["large"])[:90].replace("|", "/")
                target = f"≤ 1.1: {verdict(rat <= 1.1)}" if impl == "fsec" else ""
                w(
                    f"| {backend} | {impl} | {ms_s:.2f} | {ms_l:.2f} | {rat:.2f} "
                    f"| {plan} | {target} |"
                )
        w("")
    if res.versions:
        w("## Versions")
        w("")
        names = sorted({n for v in res.versions.values() for n in v})
        w("| Package | floor | fsec | upstream |")
        w("|---|---|---|---|")
        for n in names:
            w(
                "| "
                + n
                + " | "
                + " | ".join(res.versions.get(i, {}).get(n, "") for i in IMPLS)
                + " |"
            )
        w("")
    for note in res.notes:
        w(f"Note: {note}")
    return "\n".join(out).rstrip() + "\n"


# -----------------------------------------------------------------------------------
# Main
# -----------------------------------------------------------------------------------


def profile(py: dict[str, str], targets: list[str], seconds: float) -> None:
    """Profile ``impl:scenario`` pairs with pyinstrument (installed into .cache/bench)."""
    tools = os.path.join(CACHE, "profiler")
    if not os.path.isdir(os.path.join(tools, "pyinstrument")):
        log("installing pyinstrument into .cache/bench/profiler")
        subprocess.run(
            [
                uv(),
                "pip",
                "install",
                "--quiet",
                "--python",
                sys.executable,
                "--target",
                tools,
                "pyinstrument",
            ],
            check=True,
        )
    folder = os.path.join(CACHE, "profiles")
    os.makedirs(folder, exist_ok=True)
    for target in targets:
        impl, scenario = target.split(":", 1)
        output = os.path.join(folder, f"{impl}-{scenario}.txt")
        answer = run_worker(
            py[impl],
            "profile",
            {"impl": impl, "scenario": scenario, "seconds": seconds, "output": output},
            extra_path=tools,
        )
        log(f"{target}: {answer['n'] / answer['elapsed']:,.0f}/s, profile in {output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=25, help="interleaved rounds (25)")
    parser.add_argument("--seconds", type=float, default=0.15, help="seconds per round (0.15)")
    parser.add_argument("--large", type=int, default=1_000_000, help="users in the large table")
    parser.add_argument("--small", type=int, default=1_000, help="users in the small table")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--only",
        default="throughput,resources,imports,init,scale",
        help="comma-separated parts to run (throughput,resources,imports,init,scale)",
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated request scenarios"
    )
    parser.add_argument("--output", default=None, help="Markdown file (default results/<date>.md)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="IMPL:SCENARIO",
        help="profile instead of benchmarking (e.g. fsec:token); repeatable",
    )
    args = parser.parse_args(argv)

    py = pythons()
    if args.profile:
        profile(py, args.profile, max(args.seconds * 10, 3.0))
        return 0
    parts = set(args.only.split(","))
    res = Results(
        started=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        rounds=args.rounds,
        seconds=args.seconds,
    )
    res.load.append(os.getloadavg()[0])
    t0 = time.perf_counter()
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    if "throughput" in parts:
        measure_throughput(py, res, args.rounds, args.seconds, scenarios)
    if "resources" in parts:
        measure_resources(py, res, scenarios)
    if "imports" in parts:
        measure_imports(py, res, repeats=9)
    if "init" in parts:
        measure_init(py, res, processes=9)
    if "scale" in parts:
        measure_scale(
            py,
            res,
            (args.small, args.large),
            rounds=5,
            seconds=0.4,
            postgres=not args.no_postgres,
        )
    res.elapsed = time.perf_counter() - t0
    res.load.append(os.getloadavg()[0])
    text = report(res)
    print(text)
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, "last.json"), "w") as fh:
        json.dump(res.__dict__, fh, indent=1, default=str)
    if not args.no_save:
        path = args.output or os.path.join(
            HERE, "results", datetime.date.today().isoformat() + ".md"
        )
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
        log(f"saved {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
