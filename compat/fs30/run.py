"""Flask-Security 3.0.0's own test suite (157 items), run against this checkout.

    python compat/fs30/run.py [--keep] [-- extra pytest args]

(``sh scripts/test.sh`` runs it as the part ``compat``, with the workspace's own
virtualenv: every distribution, mongomock, peewee, pony... are dev dependencies.)

1. The Flask-Security 3.0.0 sdist is downloaded from the package index with pip
   (never committed), checked against its sha256 and kept in ``.cache/fs30/``.
2. Its ``tests/`` are copied to ``.cache/fs30/work/``, adapted for today's
   Flask / Werkzeug / SQLAlchemy / pytest by ``adapt.patch`` and ``shims/`` (every
   change is listed in ``README.md`` beside this file; no assertion is edited).
3. pytest runs them with this interpreter (fsec's own pytest plugin switched off)
   and writes a junit XML report.
4. The report is read here, without pytest: counts per file and per datastore, the
   items that did not pass, and the comparison with ``expected-failures.txt``
   (``test id`` then the reason, one item a line).
5. The 3.0 documentation's four quickstarts run too (``quickstarts.py``).

Exit status: 0 when every item passed except those listed as expected failures
and every quickstart ran; 1 when a quickstart fails, or an item fails that is not
listed (a regression, or a new difference to document in docs/migration.md and the
list). A listed item that now passes is
printed ("now passes: remove it from expected-failures.txt"), it does not fail the
run. 2: the suite could not be prepared (download, checksum, patch).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = Path(os.environ.get("FS30_CACHE", ROOT / ".cache" / "fs30"))
SDIST_NAME = "Flask-Security-3.0.0.tar.gz"
SDIST_SHA256 = "d61daa5f5a48f89f30f50555872bdf581b2c65804668b0313345cd7beff26432"
EXPECTED = HERE / "expected-failures.txt"
STORES = ("sqlalchemy", "sqlalchemy-session", "mongoengine", "peewee", "pony")


class PrepareError(Exception):
    """The suite could not be prepared (download, checksum, patch)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_commands() -> list[list[str]]:
    """pip clients to try, in order: this interpreter's, the base interpreter's (a uv
    venv has no pip, and ``uv run`` puts that venv first on PATH), the system's, uv's
    tool dir."""
    candidates = [[sys.executable, "-m", "pip"]]
    base = Path(sys.base_prefix) / "bin" / "python3"
    if base.exists():
        candidates.append([str(base), "-m", "pip"])
    candidates.append(["python3", "-m", "pip"])
    tools_pip = ROOT / ".cache" / "tools" / "bin" / "pip"
    if tools_pip.exists():
        candidates.append([str(tools_pip)])
    return candidates


def fetch_sdist() -> Path:
    """The sdist in the cache, downloaded with pip when missing or corrupt.

    :raises PrepareError: no pip could download it, or its sha256 differs.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / SDIST_NAME
    if sdist.exists() and _sha256(sdist) == SDIST_SHA256:
        return sdist
    print("== downloading the Flask-Security 3.0.0 sdist", flush=True)
    download = CACHE / "download"
    shutil.rmtree(download, ignore_errors=True)
    for pip in _pip_commands():
        cmd = [*pip, "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(download)]
        proc = subprocess.run([*cmd, "Flask-Security==3.0.0"], capture_output=True, text=True)
        found = list(download.glob("*.tar.gz")) if proc.returncode == 0 else []
        if found:
            shutil.move(str(found[0]), sdist)
            break
    else:
        raise PrepareError("could not download Flask-Security==3.0.0 with pip")
    shutil.rmtree(download, ignore_errors=True)
    if _sha256(sdist) != SDIST_SHA256:
        sdist.unlink()
        raise PrepareError("the downloaded sdist does not have the expected sha256")
    return sdist


def prepare(sdist: Path, work: Path) -> Path:
    """Extract the sdist's tests into ``work/tests``, patched and with the shims.

    :raises PrepareError: the patch does not apply.
    """
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    prefix = "Flask-Security-3.0.0/tests/"
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for member in members:
            member.name = member.name[len("Flask-Security-3.0.0/") :]
        tar.extractall(work, members=members, filter="data")
    tests = work / "tests"
    proc = subprocess.run(
        ["patch", "-s", "-p1", "-i", str(HERE / "adapt.patch")],
        cwd=tests,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise PrepareError(f"adapt.patch does not apply: {proc.stdout}{proc.stderr}")
    for shim in (HERE / "shims").glob("*.py"):
        shutil.copy(shim, tests / shim.name)
    return tests


def run_pytest(tests: Path, junit: Path, extra: list[str]) -> int:
    """Run the adapted suite with this interpreter; the log goes to ``pytest.log``."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:fsec",
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit2",
        f"--junitxml={junit}",
        "-W",
        "ignore::DeprecationWarning",
        *extra,
        ".",
    ]
    # pytest's own closing line stays in the log: a CI reading closing lines must
    # see the workspace suite's, not this one's (expected failures are not failures).
    with (junit.parent / "pytest.log").open("w") as fh:
        return subprocess.run(cmd, cwd=tests, stdout=fh, stderr=subprocess.STDOUT).returncode


def read_junit(junit: Path) -> list[tuple[str, str, str, str]]:
    """``(test id, datastore, outcome, first message line)`` for every item."""
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        fname = case.get("classname", "").split(".")[0] + ".py"
        name = case.get("name", "")
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                lines = (child.get("message") or "").strip().splitlines()
                message = lines[0][:140] if lines else ""
                break
        match = re.search(r"\[([^\]]+)\]$", name)
        store = match.group(1) if match and match.group(1) in STORES else "-"
        rows.append((f"{fname}::{name}", store, outcome, message))
    return rows


def read_expected(path: Path = EXPECTED) -> dict[str, str]:
    """``{test id: reason}`` from the expected-failures list (``#`` starts a comment)."""
    expected = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        test_id, _, reason = line.partition(" ")
        expected[test_id] = reason.strip()
    return expected


def report(rows: list[tuple[str, str, str, str]], expected: dict[str, str]) -> int:
    """Print the summary; return the exit status (see the module docstring)."""
    cols = ["collected", "passed", "failed", "error", "skipped"]
    for title, key in (
        ("per file", lambda r: r[0].split("::")[0]),
        ("per datastore (parametrized items)", lambda r: r[1]),
    ):
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            table[key(row)][row[2]] += 1
            table[key(row)]["collected"] += 1
        print(f"\n== {title}")
        print(f"{'':36}" + "".join(f"{c:>10}" for c in cols))
        for k in sorted(table):
            print(f"{k:36}" + "".join(f"{table[k][c]:>10}" for c in cols))
    outcomes = {test_id: outcome for test_id, _, outcome, _ in rows}
    failing = [r for r in rows if r[2] != "passed"]
    new = [r for r in failing if r[0] not in expected]
    fixed = [t for t in expected if outcomes.get(t) == "passed"]
    gone = [t for t in expected if t not in outcomes]
    print("\n== items not passing (expected: listed in compat/fs30/expected-failures.txt)")
    for test_id, _, outcome, message in failing:
        tag = "expected" if test_id in expected else "NEW"
        print(f"{tag:9}{outcome:8}{test_id}  {message}")
    for test_id in fixed:
        print(f"now passes: {test_id} (remove it from expected-failures.txt)")
    for test_id in gone:
        print(f"not collected: {test_id} (listed in expected-failures.txt)")
    passed = sum(1 for r in rows if r[2] == "passed")
    print(
        f"\nfs30: {passed} of {len(rows)} Flask-Security 3.0.0 items pass; "
        f"{len(failing) - len(new)} expected failures, {len(new)} new, {len(fixed)} now passing"
    )
    return 1 if new or gone else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    work = CACHE / "work"
    try:
        sdist = fetch_sdist()
        tests = prepare(sdist, work)
    except PrepareError as exc:
        print(f"fs30: {exc}", file=sys.stderr)
        return 2
    junit = work / "junit.xml"
    run_pytest(tests, junit, args.pytest_args)
    if not junit.exists():
        print(f"fs30: pytest wrote no report; see {work / 'pytest.log'}", file=sys.stderr)
        return 2
    status = report(read_junit(junit), read_expected())
    print(f"fs30: full log in {work / 'pytest.log'}")
    # The 3.0 documentation's quickstarts, with only the edits their stores' READMEs
    # list (quickstarts.py).
    sys.path.insert(0, str(HERE))
    from quickstarts import run_all

    if run_all(sdist):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
