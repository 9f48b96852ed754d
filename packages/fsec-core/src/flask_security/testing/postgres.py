"""A throwaway PostgreSQL cluster for tests.

Started as the ``postgres`` system user when run as root (``initdb`` refuses root), in
a temporary directory, trust authentication, listening on 127.0.0.1 only, on a free
port, with ``fsync=off``. About one second to start on these machines.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries were found (install the ``postgresql`` package)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bindir() -> str:
    env = os.environ.get("FSEC_PG_BINDIR")
    candidates = [env] if env else []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    base = "/usr/lib/postgresql"
    if os.path.isdir(base):
        for version in sorted(os.listdir(base), reverse=True):
            candidates.append(os.path.join(base, version, "bin"))
    for path in candidates:
        if path and os.path.exists(os.path.join(path, "pg_ctl")):
            return path
    raise PostgresUnavailable("pg_ctl not found; install the postgresql server package")


@dataclass
class PostgresServer:
    """A running cluster. ``dsn(db)`` gives libpq URLs; ``create_database`` makes one.

    :ivar host: ``127.0.0.1``.
    :ivar port: the TCP port.
    :ivar user: ``postgres`` (trust authentication).
    """

    host: str
    port: int
    user: str = "postgres"
    datadir: str = ""
    _bindir: str = ""
    _as_user: list[str] = field(default_factory=list)
    _created: set[str] = field(default_factory=set)

    def url(self, dbname: str, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy-style URL: ``<driver>://postgres@127.0.0.1:<port>/<dbname>``."""
        return f"{driver}://{self.user}@{self.host}:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        """Create ``dbname`` (dropped first if it exists); returns its plain URL."""
        self._run("dropdb", "--if-exists", dbname)
        self._run("createdb", dbname)
        self._created.add(dbname)
        return self.url(dbname, "postgresql")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [os.path.join(self._bindir, tool), "-h", self.host, "-p", str(self.port)]
        cmd += ["-U", self.user, *args]
        subprocess.run(cmd, check=True, capture_output=True)

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        subprocess.run(
            [
                *self._as_user,
                os.path.join(self._bindir, "pg_ctl"),
                "-D",
                self.datadir,
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.datadir, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a throwaway cluster; the caller must :meth:`PostgresServer.stop` it.

    :raises PostgresUnavailable: no server binaries.
    :raises subprocess.CalledProcessError: ``initdb`` or ``pg_ctl`` failed (the
        server log is in the exception's output).
    """
    bindir = _bindir()
    datadir = tempfile.mkdtemp(prefix="fsec-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [
            *as_user,
            os.path.join(bindir, "initdb"),
            "-D",
            datadir,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run(
            [
                *as_user,
                os.path.join(bindir, "pg_ctl"),
                "-D",
                datadir,
                "-l",
                os.path.join(datadir, "server.log"),
                "-w",
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        log = os.path.join(datadir, "server.log")
        if os.path.exists(log):
            with open(log) as fh:
                exc.output = fh.read()
        raise
    return PostgresServer("127.0.0.1", port, datadir=datadir, _bindir=bindir, _as_user=as_user)
