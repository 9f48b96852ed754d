"""Test every distribution the way it is installed: from its wheel, alone.

For each distribution (every ``packages/*/pyproject.toml`` and every
``examples/*/pyproject.toml`` with a ``[project]``), found anew on each run:

1. build the sdist and, from it, the wheel (``uv build``) into one wheel folder, once
   for all distributions, and check both with ``twine check --strict`` (the long
   description renders) and :func:`metadata_problems` (license, classifiers, project
   URLs);
2. **bare**: a fresh virtualenv with only that wheel and its declared dependencies
   (first-party ones from the wheel folder, the rest from the package index). Every
   module of the import package is imported (except its ``testing`` helpers, which
   need the test tools) and every non-Python file of the source package (templates,
   mail templates, ``py.typed``...) must be in the installed package. A dependency
   the distribution uses but does not declare, or a file left out of the wheel,
   fails here, even when a test dependency would have brought it in;
3. **tests**: a second fresh virtualenv with the wheel, its ``test`` extra and its
   ``test`` dependency group (the test tools and, where needed, one store), then
   pytest on the distribution's ``tests/`` folder from a temporary working directory
   (``--import-mode=importlib``, an ini file of its own so the workspace's pytest
   settings do not apply, ``-p no:cacheprovider``). A guard plugin fails the run
   when a first-party module was imported from the source tree instead of the
   virtualenv. fsec-core's tests get ``FSEC_BARE_PYTHON``, the bare virtualenv's
   interpreter, for the "nothing but fsec-core installed" import checks.

A distribution fails when any step fails, when it has no ``tests/`` folder, or when
pytest ran no test. The exit status is 1 when any distribution failed.

Usage: ``python scripts/isolated.py [--jobs N] [--keep] [DIST ...]`` (run by
``scripts/test.sh``; needs ``uv`` on ``PATH`` or in ``$UV``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import email.parser
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Lines of a failed step's output shown (its end, where pytest's summary is).
MAX_LOG_LINES = 150

#: pytest settings of the isolated runs (the workspace's pyproject must not apply).
PYTEST_INI = """\
[pytest]
addopts = -ra --import-mode=importlib -p no:cacheprovider
filterwarnings =
    error::DeprecationWarning:flask_security.*
"""

#: Loaded into every isolated pytest run: fails it when a first-party module was
#: imported from the source tree rather than from the virtualenv under test.
GUARD_PLUGIN = '''\
"""fsec isolation guard: first-party modules must come from the installed wheels."""

import json
import os
import sys

_SOURCE_ROOTS = json.loads(os.environ["FSEC_ISOLATION_SOURCE_ROOTS"])
_FIRST_PARTY = json.loads(os.environ["FSEC_ISOLATION_PACKAGES"])


def _offenders():
    bad = []
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in _FIRST_PARTY:
            continue
        path = os.path.realpath(getattr(module, "__file__", None) or "")
        if any(path.startswith(root + os.sep) for root in _SOURCE_ROOTS):
            bad.append(f"{name} from {path}")
    return sorted(bad)


def pytest_sessionfinish(session, exitstatus):
    bad = _offenders()
    loaded = sorted(
        {n.split(".")[0] for n in sys.modules if n.split(".")[0] in _FIRST_PARTY}
    )
    report = os.environ.get("FSEC_ISOLATION_REPORT")
    if report:
        with open(report, "w") as fh:
            json.dump({"loaded": loaded, "from_source": bad}, fh)
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        sys.stderr.write(
            "fsec isolation guard: modules imported from the source tree, not the "
            "virtualenv: " + ", ".join(bad[:5]) + more + "\\n"
        )
        session.exitstatus = 1
'''


@dataclass
class Dist:
    """One distribution found in the repository.

    :ivar name: the distribution name (``fsec-core``).
    :ivar version: its version.
    :ivar path: its folder.
    :ivar packages: its top-level import packages (from hatch's wheel target).
    :ivar test_extra: whether it declares a ``test`` extra.
    :ivar test_group: requirements of its ``test`` dependency group.
    """

    name: str
    version: str
    path: Path
    packages: list[str]
    test_extra: bool
    test_group: list[str]

    @property
    def tests(self) -> Path:
        return self.path / "tests"


@dataclass
class Result:
    """What happened to one distribution (times in seconds)."""

    dist: Dist
    ok: bool = False
    step: str = ""
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    times: dict[str, float] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    summary: str = ""


def _group(pyproject: dict, name: str) -> list[str]:
    groups = pyproject.get("dependency-groups", {})
    out: list[str] = []
    for item in groups.get(name, []):
        if isinstance(item, dict) and "include-group" in item:
            out.extend(_group(pyproject, item["include-group"]))
        elif isinstance(item, str):
            out.append(item)
    return out


def pytest_summary(output: str) -> tuple[str, tuple[int, int, int]]:
    """pytest's closing line and ``(passed, failed, skipped)`` from it.

    Errors count as failures. ``("", (0, 0, 0))`` when there is no closing line.
    """
    lines = [ln for ln in output.strip().splitlines() if re.search(r" in [\d.]+s\b", ln)]
    summary = lines[-1].strip("= ") if lines else ""

    def count(pattern: str) -> int:
        m = re.search(rf"(\d+) {pattern}\b", summary)
        return int(m.group(1)) if m else 0

    return summary, (count("passed"), count("failed") + count("errors?"), count("skipped"))


def read_metadata(path: Path) -> email.message.Message:
    """The core metadata of a built wheel (``METADATA``) or sdist (``PKG-INFO``)."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(name).decode()
    else:
        with tarfile.open(path) as tf:
            tops = [m for m in tf.getmembers() if m.name.count("/") == 1]
            member = next(m for m in tops if m.name.endswith("/PKG-INFO"))
            text = tf.extractfile(member).read().decode()  # type: ignore[union-attr]
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def metadata_problems(path: Path) -> list[str]:
    """What a wheel's or sdist's metadata lacks for an index page (empty: nothing).

    Required (core metadata 2.4, PEP 639 / PEP 753): a summary, a Markdown long
    description, a license (``License-Expression`` or ``License``), at least one
    classifier including a ``License ::``-free Python version one; ``Project-URL``
    entries, when given, use https.
    """
    meta = read_metadata(path)
    problems = []
    if not (meta.get("Summary") or "").strip():
        problems.append("no Summary")
    if (meta.get("Description-Content-Type") or "").split(";")[0] != "text/markdown":
        problems.append("long description is not text/markdown")
    if not (meta.get_payload() or meta.get("Description") or "").strip():
        problems.append("empty long description")
    if not (meta.get("License-Expression") or meta.get("License")):
        problems.append("no License-Expression")
    classifiers = meta.get_all("Classifier") or []
    if not any(c.startswith("Programming Language :: Python :: 3") for c in classifiers):
        problems.append("no 'Programming Language :: Python :: 3' classifier")
    if not any(c.startswith("Framework :: Flask") for c in classifiers):
        problems.append("no 'Framework :: Flask' classifier")
    # Project-URL entries wait for the repository's public address: an invented one
    # would send users (and trust) to an address someone else may own. Any given must
    # be https.
    for entry in meta.get_all("Project-URL") or []:
        url = entry.split(",", 1)[-1].strip()
        if not url.startswith("https://"):
            problems.append(f"Project-URL {entry!r} is not https")
    return problems


def discover(root: Path = ROOT) -> list[Dist]:
    """Every distribution under ``packages/`` and ``examples/`` (sorted by name)."""
    found: list[Dist] = []
    for pyproject_path in sorted(
        [*root.glob("packages/*/pyproject.toml"), *root.glob("examples/*/pyproject.toml")]
    ):
        with open(pyproject_path, "rb") as fh:
            data = tomllib.load(fh)
        project = data.get("project")
        if not project:
            continue
        wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        paths = wheel.get("wheel", {}).get("packages") or []
        packages = [Path(p).name for p in paths] or [project["name"].replace("-", "_")]
        found.append(
            Dist(
                name=project["name"],
                version=str(project.get("version", "")),
                path=pyproject_path.parent,
                packages=packages,
                test_extra="test" in project.get("optional-dependencies", {}),
                test_group=_group(data, "test"),
            )
        )
    return sorted(found, key=lambda d: d.name)


class Runner:
    """Runs the steps; one instance per invocation."""

    def __init__(self, uv: str, work: Path, dists: list[Dist], python: str) -> None:
        self.uv = uv
        self.work = work
        self.dists = dists
        self.python = python
        self.wheels = work / "wheels"
        self.wheels.mkdir(parents=True, exist_ok=True)
        self.constraints = work / "constraints.txt"
        self.constraints.write_text("".join(f"{d.name}=={d.version}\n" for d in dists if d.version))
        guard_dir = work / "guard"
        guard_dir.mkdir(exist_ok=True)
        (guard_dir / "fsec_isolation_guard.py").write_text(GUARD_PLUGIN)
        self.guard_dir = guard_dir
        (work / "pytest.ini").write_text(PYTEST_INI)
        self.first_party = sorted({p for d in dists for p in d.packages})
        self.source_roots = sorted(str((d.path / "src").resolve()) for d in dists)

    # -- helpers -------------------------------------------------------------------

    def _run(
        self,
        result: Result,
        step: str,
        cmd: list[str],
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 900,
    ) -> subprocess.CompletedProcess[str]:
        start = time.monotonic()
        try:
            proc = subprocess.run(  # noqa: S603 (our own commands: uv, venv tools)
                cmd,
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            proc = subprocess.CompletedProcess(cmd, 124, exc.stdout or "", "timed out")
        result.times[step] = result.times.get(step, 0.0) + time.monotonic() - start
        if proc.returncode != 0:
            result.step = step
            result.log.append(f"$ {' '.join(cmd)}")
            result.log.append((proc.stdout or "") + (proc.stderr or ""))
        return proc

    def _env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT")
        }
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.update(extra or {})
        return env

    def _venv(self, result: Result, path: Path) -> Path | None:
        proc = self._run(
            result,
            "venv",
            [self.uv, "venv", "--quiet", "--python", self.python, str(path)],
            env=self._env(),
        )
        return path / "bin" / "python" if proc.returncode == 0 else None

    def _install(self, result: Result, step: str, python: Path, reqs: list[str]) -> bool:
        cmd = [
            self.uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--find-links",
            str(self.wheels),
            "--constraint",
            str(self.constraints),
            *reqs,
        ]
        return self._run(result, step, cmd, env=self._env()).returncode == 0

    # -- steps ---------------------------------------------------------------------

    def build(self, dist: Dist) -> Result:
        """Build the sdist and the wheel from it into the shared wheel folder."""
        result = Result(dist)
        out = self.work / "build" / dist.name
        proc = self._run(
            result,
            "build",
            [self.uv, "build", "--quiet", "--out-dir", str(out), str(dist.path)],
            env=self._env(),
        )
        if proc.returncode == 0:
            for wheel in out.glob("*.whl"):
                shutil.copy2(wheel, self.wheels / wheel.name)
            result.ok = any(out.glob("*.whl"))
            if not result.ok:
                result.step = "build"
                result.log.append("uv build produced no wheel")
            elif not self.check_metadata(result, out):
                result.ok = False
        return result

    def check_metadata(self, result: Result, out: Path) -> bool:
        """``twine check --strict`` and :func:`metadata_problems` on the sdist and wheel.

        What PyPI shows must be right before anything is uploaded: the long
        description renders (twine), and the license, classifiers and project URLs
        are there (ours).
        """
        built = sorted([*out.glob("*.whl"), *out.glob("*.tar.gz")])
        proc = self._run(
            result,
            "twine",
            [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
            env=self._env(),
        )
        if proc.returncode != 0:
            return False
        problems = [f"{f.name}: {p}" for f in built for p in metadata_problems(f)]
        if problems:
            result.step = "metadata"
            result.log.extend(problems)
            return False
        return True

    def bare(self, result: Result) -> Path | None:
        """Install the wheel alone; import every module; compare package files."""
        dist = result.dist
        python = self._venv(result, self.work / "venvs" / f"{dist.name}-bare")
        if python is None:
            return None
        if not self._install(result, "bare install", python, [f"{dist.name}=={dist.version}"]):
            return None
        expected: dict[str, list[str]] = {}
        for package in dist.packages:
            source = dist.path / "src" / package
            files = [
                str(p.relative_to(source))
                for p in sorted(source.rglob("*"))
                if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
            ]
            expected[package] = files
        check = textwrap.dedent(
            """
            import importlib, json, os, pkgutil, sys
            expected = json.loads(sys.argv[1])
            problems = []
            for package, files in expected.items():
                mod = importlib.import_module(package)
                base = os.path.dirname(mod.__file__)
                if not base.startswith(sys.prefix):
                    problems.append(f"{package} imported from {base}, not the venv")
                for info in pkgutil.walk_packages(mod.__path__, package + "."):
                    if "testing" in info.name.split("."):
                        continue  # test helpers: need the test tools
                    try:
                        importlib.import_module(info.name)
                    except ImportError as exc:
                        # 3.0's module paths of features (flask_security.confirmable...)
                        # refuse to import without their distribution, naming it.
                        if "distribution: pip install fsec-" not in str(exc):
                            problems.append(f"import {info.name}: ImportError: {exc}")
                    except Exception as exc:
                        problems.append(f"import {info.name}: {type(exc).__name__}: {exc}")
                for rel in files:
                    if not os.path.exists(os.path.join(base, rel)):
                        problems.append(f"{package}/{rel} is not in the installed wheel")
            from importlib.metadata import entry_points
            for ep in entry_points(group="flask_security"):
                if ep.dist is not None and ep.dist.name.replace("_", "-") == sys.argv[2]:
                    try:
                        ep.load()
                    except Exception as exc:
                        problems.append(f"entry point {ep.name}: {type(exc).__name__}: {exc}")
            if problems:
                print("\\n".join(problems))
                sys.exit(1)
            """
        )
        proc = self._run(
            result,
            "bare import",
            [str(python), "-c", check, json.dumps(expected), dist.name],
            cwd=self.work,
            env=self._env(),
        )
        return python if proc.returncode == 0 else None

    def test(self, result: Result, bare_python: Path) -> None:
        """Install the wheel with its test requirements and run its tests."""
        dist = result.dist
        if not dist.tests.is_dir():
            result.step = "tests"
            result.log.append(f"{dist.name} has no tests/ folder")
            return
        python = self._venv(result, self.work / "venvs" / f"{dist.name}-test")
        if python is None:
            return
        target = f"{dist.name}[test]" if dist.test_extra else dist.name
        reqs = [f"{target}=={dist.version}", *dist.test_group]
        if not dist.test_extra and not dist.test_group:
            reqs.append("pytest")
        if not self._install(result, "test install", python, reqs):
            return
        cwd = self.work / "cwd" / dist.name
        cwd.mkdir(parents=True, exist_ok=True)
        report = self.work / f"{dist.name}-isolation.json"
        env = self._env(
            {
                "PYTHONPATH": str(self.guard_dir),
                "FSEC_ISOLATED": "1",
                "FSEC_BARE_PYTHON": str(bare_python),
                "FSEC_ISOLATION_SOURCE_ROOTS": json.dumps(self.source_roots),
                "FSEC_ISOLATION_PACKAGES": json.dumps(self.first_party),
                "FSEC_ISOLATION_REPORT": str(report),
            }
        )
        tests = str(dist.tests.resolve())
        proc = self._run(
            result,
            "tests",
            [
                str(python.parent / "pytest"),
                "-c",
                str(self.work / "pytest.ini"),
                "--rootdir",
                tests,
                "--confcutdir",
                tests,
                "-p",
                "fsec_isolation_guard",
                "-q",
                tests,
            ],
            cwd=cwd,
            env=env,
            timeout=1200,
        )
        output = (proc.stdout or "") + (proc.stderr or "")
        result.summary, counts = pytest_summary(output)
        result.passed, result.failed, result.skipped = counts
        if proc.returncode == 0 and result.passed == 0:
            result.step = "tests"
            result.log.append(output)
            result.log.append("pytest ran no test")
            return
        if proc.returncode == 0:
            result.ok = True
            notes = [ln for ln in output.splitlines() if ln.startswith(("SKIPPED", "XFAIL"))]
            result.log.extend(notes)
            if report.exists():
                loaded = json.loads(report.read_text())["loaded"]
                result.log.append("first-party packages imported: " + ", ".join(loaded))

    def run_one(self, dist: Dist, built: bool) -> Result:
        result = Result(dist)
        if not built:
            result.step = "build"
            return result
        bare = self.bare(result)
        if bare is not None:
            self.test(result, bare)
        return result


def _print_result(result: Result, lock: threading.Lock) -> None:
    dist = result.dist
    times = ", ".join(f"{k} {v:.1f}s" for k, v in result.times.items())
    status = "ok" if result.ok else f"FAILED at {result.step}"
    with lock:
        print(f"== isolated: {dist.name} {dist.version}: {status}", flush=True)
        print(f"   {result.summary or 'no pytest summary'}", flush=True)
        print(f"   times: {times}", flush=True)
        for entry in result.log:
            lines = entry.rstrip().splitlines()
            if len(lines) > MAX_LOG_LINES:
                cut = len(lines) - MAX_LOG_LINES
                lines = [
                    f"... ({cut} lines cut; --keep and rerun for all)",
                    *lines[-MAX_LOG_LINES:],
                ]
            print(textwrap.indent("\n".join(lines), "   | "), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dists", nargs="*", help="only these distributions")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venvs")
    args = parser.parse_args(argv)

    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        print("isolated: uv not found (set $UV or put uv on PATH)", file=sys.stderr)
        return 2
    every = discover()
    selected = [d for d in every if not args.dists or d.name in args.dists]
    unknown = set(args.dists) - {d.name for d in every}
    if unknown:
        print(f"isolated: unknown distributions {sorted(unknown)}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="fsec-isolated-"))
    started = time.monotonic()
    lock = threading.Lock()
    print(
        f"== isolated: {len(selected)} distributions, {args.jobs} at a time, in {work}",
        flush=True,
    )
    try:
        runner = Runner(uv, work, every, args.python)
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            builds = {r.dist.name: r for r in pool.map(runner.build, every)}
        failed_builds = [r for r in builds.values() if not r.ok]
        print(
            f"== isolated: built {len(every) - len(failed_builds)}/{len(every)} wheels "
            f"in {time.monotonic() - t0:.1f}s",
            flush=True,
        )
        for r in failed_builds:
            _print_result(r, lock)

        results: list[Result] = []

        def job(dist: Dist) -> Result:
            result = runner.run_one(dist, builds[dist.name].ok)
            result.times = {"build": builds[dist.name].times.get("build", 0.0), **result.times}
            if builds[dist.name].ok:
                _print_result(result, lock)
            return result

        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(job, selected))
    finally:
        if args.keep:
            print(f"== isolated: kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)

    elapsed = time.monotonic() - started
    print(f"== isolated: summary ({elapsed:.1f}s)", flush=True)
    bad = 0
    for r in results:
        total = sum(r.times.values())
        mark = "ok    " if r.ok else "FAILED"
        print(
            f"   {mark} {r.dist.name:24} {r.passed:4d} passed {r.failed:3d} failed "
            f"{r.skipped:3d} skipped  {total:6.1f}s" + ("" if r.ok else f"  ({r.step})"),
            flush=True,
        )
        bad += not r.ok
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    print(f"isolated: {passed} passed, {failed} failed", flush=True)
    if bad:
        print(f"isolated: {bad} distribution(s) failed", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
