"""Every shell command in the README runs as written on a fresh clone.

A fresh clone has Python, ``sh`` and ``make``, but not ``uv`` on ``PATH`` (the
scripts install it into ``.cache/tools``), so the README may name only ``make``
targets, ``sh scripts/...`` files, and ``pip install`` of our own distributions (for
the reader's own project). Commands are taken from the ``sh`` code blocks (and the
``# or: ...`` alternatives in their comments) and from inline code spans of two words
or more that start with a command word.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

#: Words that start a command in an inline code span.
COMMAND_WORDS = ("make", "sh", "uv", "flask", "python", "python3", "pip", "mkdocs", "pytest")


def readme_commands(text: str) -> list[str]:
    """The shell commands of a README text, each as written."""
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            code, _, comment = line.partition("#")
            if code.strip():
                commands.append(code.strip())
            alt = re.match(r"\s*or:\s*(.*?)(?:\s+->.*|\s+\(.*)?$", comment)
            if alt and alt.group(1).strip():
                commands.append(alt.group(1).strip())
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`]+)`", prose):
        span = " ".join(span.split())  # spans may wrap across lines
        words = [w for w in span.split() if not re.match(r"^[A-Z_]+=", w)]
        if len(words) > 1 and words[0] in COMMAND_WORDS:  # one word: a mere mention
            commands.append(span)
    return commands


def our_distributions() -> set[str]:
    names = set()
    folders = [*ROOT.glob("packages/*"), *ROOT.glob("examples/*")]
    for pyproject in [f / "pyproject.toml" for f in folders if (f / "pyproject.toml").is_file()]:
        project = tomllib.loads(pyproject.read_text()).get("project")
        if project:
            names.add(project["name"])
    return names


def make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


def problem(command: str) -> str | None:
    """Why ``command`` would not run on a fresh clone, or ``None``."""
    words = shlex.split(command)
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):  # VAR=value prefixes
        words.pop(0)
    if not words:
        return None
    head, args = words[0], words[1:]
    if head == "make":
        targets = [a for a in args if "=" not in a and not a.startswith("-")]
        missing = [t for t in targets if t not in make_targets()]
        return f"no make target {missing}" if missing or not targets else None
    if head == "sh":
        return None if args and (ROOT / args[0]).is_file() else f"no script {args[:1]}"
    if head == "pip" and args[:1] == ["install"]:
        # a distribution by name, or by its folder in the clone (``./packages/fsec-core``)
        folders = {a for a in args[1:] if (ROOT / a / "pyproject.toml").is_file()}
        unknown = set(args[1:]) - our_distributions() - folders
        return f"not our distributions: {sorted(unknown)}" if unknown else None
    return f"{head!r} is not on PATH on a fresh clone (give a make target or script)"


def test_the_readme_has_commands():
    commands = readme_commands(README.read_text())
    assert "make demo" in commands and "sh scripts/test.sh" in commands
    assert 'make flask ARGS="users unlock EMAIL"' in commands
    assert "make docs" in commands


def test_every_readme_command_runs_on_a_fresh_clone():
    bad = {c: problem(c) for c in readme_commands(README.read_text()) if problem(c)}
    assert bad == {}


@pytest.mark.parametrize(
    "command",
    [
        "uv run mkdocs serve",
        "flask --app examples/demo/app.py users unlock EMAIL",
        "make serve-docs",
        "sh scripts/nope.sh",
        "pip install flask-security",
        "pip install ./packages/fsec-nope",
    ],
)
def test_the_checker_catches_commands_that_fail(command):
    assert problem(command)


def test_the_checker_reads_wrapped_spans_and_alternatives():
    text = (
        'Run `make flask ARGS="users\nunlock EMAIL"` or\n'
        "```sh\nmake x   # or: sh scripts/y.sh  -> z\n```\n"
    )
    assert readme_commands(text) == [
        "make x",
        "sh scripts/y.sh",
        'make flask ARGS="users unlock EMAIL"',
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # uv run sets UV to itself; bootstrap.sh uses it, as it would use .cache/tools's.
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )


def test_make_flask_runs_the_demo_cli():
    done = _run("make", "flask", "ARGS=--help")
    assert done.returncode == 0, done.stderr
    assert "users" in done.stdout and "security" in done.stdout and "roles" in done.stdout
    done = _run("make", "flask", "ARGS=security plugins")
    assert done.returncode == 0, done.stderr
    assert "lockout" in done.stdout


def test_make_docs_and_uv_targets_run():
    done = _run("sh", "scripts/docs.sh", "--help")
    assert done.returncode == 0, done.stderr
    assert "serve" in done.stdout.lower() and "--dev-addr" in done.stdout
    done = _run("make", "uv", "ARGS=--version")
    assert done.returncode == 0, done.stderr
    assert "\nuv " in "\n" + done.stdout
    dry = _run("make", "-n", "docs", "test", "demo", "bench")
    assert dry.returncode == 0, dry.stderr
