"""Sizes stay readable (issue 14 §6): no module of a distribution's source over
:data:`MAX_MODULE_LINES` lines and no class over :data:`MAX_CLASS_LINES`, measured with
``ast`` (a class from its first decorator to its last line). The exceptions are listed
by name with the size they may not grow beyond, so a module or class cannot silently
regrow; splitting one means deleting its line here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Lines a module may have.
MAX_MODULE_LINES = 400
#: Lines a class may span.
MAX_CLASS_LINES = 150

#: ``path relative to the repository`` -> the most lines it may have for now.
MODULE_EXCEPTIONS: dict[str, int] = {
    # None left: a module that must be split later gets its line here, its ceiling
    # the size measured when it was last tightened.
}

#: ``path::Class`` -> the most lines it may span for now.
CLASS_EXCEPTIONS: dict[str, int] = {
    # None left either.
}


def _sources() -> list[Path]:
    return sorted(
        p
        for pattern in ("packages/*/src/**/*.py", "examples/*/src/**/*.py")
        for p in ROOT.glob(pattern)
    )


def _class_spans(tree: ast.AST) -> list[tuple[str, int]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((node.name, (node.end_lineno or node.lineno) - first + 1))
    return spans


def test_modules_and_classes_stay_small() -> None:
    too_big = []
    for path in _sources():
        name = str(path.relative_to(ROOT))
        text = path.read_text()
        lines = len(text.splitlines())
        if lines > MODULE_EXCEPTIONS.get(name, MAX_MODULE_LINES):
            too_big.append(f"{name}: {lines} lines")
        for cls, span in _class_spans(ast.parse(text)):
            key = f"{name}::{cls}"
            if span > CLASS_EXCEPTIONS.get(key, MAX_CLASS_LINES):
                too_big.append(f"{key}: {span} lines")
    assert not too_big, "split these (docs/layout.md): " + "; ".join(too_big)


def test_every_exception_names_something_that_exists() -> None:
    """A split or renamed module leaves no stale exception that would let a new
    module of that name grow unchecked."""
    paths = {str(p.relative_to(ROOT)): p for p in _sources()}
    assert set(MODULE_EXCEPTIONS) <= set(paths)
    for key in CLASS_EXCEPTIONS:
        name, cls = key.split("::")
        assert cls in dict(_class_spans(ast.parse(paths[name].read_text()))), key


def test_the_measure_counts_what_it_should() -> None:
    """The measuring itself: a decorated class counts from its decorator."""
    tree = ast.parse("@dataclass\nclass A:\n    x: int\n    y: int\n\n\nclass B:\n    pass\n")
    assert _class_spans(tree) == [("A", 4), ("B", 2)]
