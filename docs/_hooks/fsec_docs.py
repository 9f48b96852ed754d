"""MkDocs hooks for the fsec site: reference tables generated from the plugins themselves.

Markers in the Markdown pages are replaced at build time:

* ``<!-- fsec:config -->``: one table per installed plugin of every configuration key
  it contributes (``fsec_config_defaults``), with the default the plugin registers
  and the meaning from ``docs/_data/config.toml``; then the keys fsec reads without
  registering a default (feature flags, form overrides...), from the same file.
* ``<!-- fsec:messages -->``: every message key per plugin (``fsec_messages``) with
  its category and default text.
* ``<!-- fsec:distributions -->``: every installed distribution providing a plugin.
* ``<!-- fsec:templates -->``: where each distribution of the repository keeps its
  page and mail templates (read from the repository, installed or not).
* ``<!-- fsec:feature-contract-attributes -->`` / ``<!-- fsec:feature-contract-checks
  -->``: :class:`flask_security.testing.contracts.FeatureContract`'s attributes (from
  its ``:cvar:`` fields) and checks (its ``test_contract_*`` docstrings).

The site builds without warnings with any subset of fsec's distributions installed:
a plugin of this repository that is not installed still gets its section (and anchor)
in the configuration and message references, saying it was not installed
(``tests/test_docs_subset.py`` builds the site with fsec-core and one store only).

A configuration key without a meaning in ``config.toml`` is logged as a warning, so
``mkdocs build --strict`` fails until it is documented. The same functions back the
tests in ``tests/test_docs_reference.py``.

Also, reST roles in docstrings (``:func:`x```) are shown as plain code.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.fsec_docs")

DATA = Path(__file__).resolve().parent.parent / "_data"


@dataclass
class PluginReference:
    """What one plugin contributes, collected by calling its hooks.

    :ivar name: entry-point name (``"core"``, ``"recoverable"``).
    :ivar dist: distribution name.
    :ivar version: distribution version.
    :ivar target: the hook module.
    :ivar config: ``{key without SECURITY_: default}`` in registration order.
    :ivar messages: ``{key without MSG_: (text, category)}``.
    """

    name: str
    dist: str
    version: str
    target: str
    config: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, tuple[str, str]] = field(default_factory=dict)


def collect_plugins() -> list[PluginReference]:
    """Call ``fsec_config_defaults`` and ``fsec_messages`` of every installed plugin.

    Each plugin is registered alone in its own plugin host, so keys are attributed to
    the plugin that registers them (core first, then by name).

    :raises flask_security.plugins.PluginError: a plugin fails to import.
    """
    from flask import Flask
    from flask_security.plugins import CORE_PLUGIN, PluginHost, discover

    available = discover()
    app = Flask("fsec_docs")
    app.config["SECRET_KEY"] = "docs"
    out: list[PluginReference] = []
    for name in sorted(available, key=lambda n: (n != CORE_PLUGIN, n)):
        info = available[name]
        host = PluginHost.create([name], available)
        ref = PluginReference(name, info.dist or "?", info.version or "?", info.target)
        with app.app_context():
            for key, c in host.collect("fsec_config_defaults", app=app).items():
                ref.config[str(key)] = c.value
            for key, c in host.collect("fsec_messages").items():
                ref.messages[str(key)] = tuple(c.value)  # type: ignore[assignment]
        out.append(ref)
    return out


def load_meanings() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``(meanings, other)`` from ``docs/_data/config.toml``.

    ``meanings``: ``{key: meaning}`` for keys plugins register; ``other``:
    ``{key: {"default": ..., "meaning": ..., "dist": ...}}`` for keys fsec reads
    without a registered default.
    """
    with open(DATA / "config.toml", "rb") as fh:
        data = tomllib.load(fh)
    return dict(data.get("keys", {})), dict(data.get("other", {}))


def distribution_notes() -> dict[str, str]:
    """``{distribution: note}`` from ``config.toml``'s ``[distributions]`` table.

    A distribution whose plugin registers no key of its own (trackable, the stores)
    gets its note in the reference instead of a table, so every distribution has a
    section; one without keys and without a note is logged as a warning.
    """
    with open(DATA / "config.toml", "rb") as fh:
        return dict(tomllib.load(fh).get("distributions", {}))


def documented_keys() -> set[str]:
    """Every ``SECURITY_*`` key the configuration reference lists (with prefix)."""
    keys = {k for ref in collect_plugins() for k in ref.config}
    _meanings, other = load_meanings()
    keys |= set(other)
    return {"SECURITY_" + k for k in keys}


def format_default(value: Any) -> str:
    """A default as inline code (callables by their dotted name)."""
    if callable(value) and not isinstance(value, type):
        text = f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', '?')}"
    elif isinstance(value, type):
        text = f"{value.__module__}.{value.__qualname__}"
    else:
        text = repr(value)
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_config() -> str:
    meanings, other = load_meanings()
    notes = distribution_notes()
    parts: list[str] = []
    for ref in collect_plugins():
        parts.append(f"## {ref.dist} {{#{ref.name}}}\n")
        if ref.dist in notes:
            parts.append(_cell(notes[ref.dist]) + "\n")
        if not ref.config:
            if ref.dist not in notes:
                log.warning(
                    "distribution %s registers no configuration key and has no note in "
                    "docs/_data/config.toml [distributions]",
                    ref.dist,
                )
                parts.append("(undocumented)\n")
            continue
        parts.append(
            f"Registered by the `{ref.name}` plugin (`{ref.target}`) when it is enabled.\n"
        )
        parts.append("| Key | Default | Meaning |\n| --- | --- | --- |")
        for key, default in ref.config.items():
            meaning = meanings.get(key)
            if not meaning:
                log.warning(
                    "configuration key SECURITY_%s (%s) has no meaning in docs/_data/config.toml",
                    key,
                    ref.dist,
                )
                meaning = "(undocumented)"
            parts.append(f"| `SECURITY_{key}` | {format_default(default)} | {_cell(meaning)} |")
        parts.append("")
    for name, dist in _absent_plugins():
        parts.append(_absent_section(name, dist, name))
    parts.append("## Read without a registered default {#other}\n")
    parts.append(
        "fsec reads these keys but no plugin registers a default for them (flags that "
        "decide whether a plugin is enabled at all, form overrides, message overrides).\n"
    )
    parts.append("| Key | Default | Meaning |\n| --- | --- | --- |")
    for key, entry in sorted(other.items()):
        if not entry.get("meaning"):
            log.warning("configuration key SECURITY_%s has no meaning in config.toml", key)
        parts.append(
            f"| `SECURITY_{key}` | {_cell(entry.get('default', ''))} | "
            f"{_cell(entry.get('meaning', '(undocumented)'))} |"
        )
    parts.append(
        "| `SECURITY_MSG_<KEY>` | the message's default | A `(text, category)` pair "
        "replacing the message `<KEY>`; see [Messages](messages.md) for every key. |"
    )
    return "\n".join(parts) + "\n"


def render_messages() -> str:
    parts: list[str] = []
    for ref in collect_plugins():
        if not ref.messages:
            continue
        parts.append(f"## {ref.dist} {{#msg-{ref.name}}}\n")
        parts.append("| Key | Category | Default text |\n| --- | --- | --- |")
        for key, (text, category) in ref.messages.items():
            parts.append(f"| `{key}` | {category} | {_cell(text)} |")
        parts.append("")
    for name, dist in _absent_plugins():
        parts.append(_absent_section(name, dist, f"msg-{name}"))
    return "\n".join(parts) + "\n"


def render_distributions() -> str:
    from flask_security.plugins import FIRST_PARTY_FEATURES, discover, flag_for

    rows = [
        "| Distribution | Entry point | Switched on by | Version |",
        "| --- | --- | --- | --- |",
    ]
    for name, info in discover().items():
        if name == "core":
            how = "always"
        elif name in FIRST_PARTY_FEATURES:
            how = f"`{flag_for(name)} = True`"
        elif name.startswith("store-"):
            how = "passing its datastore to `Security`"
        else:
            how = f'`SECURITY_PLUGINS = ["{name}"]`'
        rows.append(f"| `{info.dist}` | `{name}` → `{info.target}` | {how} | {info.version} |")
    return "\n".join(rows) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the ``<!-- fsec:... -->`` markers with generated tables."""
    for marker, render in _MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown


_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj|cvar|ivar):(?=<code>)")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Drop reST role prefixes left by docstrings (``:func:`` before ``<code>``)."""
    return _ROLE.sub("", html)


# ---------------------------------------------------------------------------------------
# The repository's distributions, installed or not (so every page builds with any subset)
# ---------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class RepoDistribution:
    """A distribution of this repository (``packages/*``, ``examples/*``), from its
    ``pyproject.toml``: whether or not it is installed where the site is built.

    :ivar dist: distribution name.
    :ivar folder: its folder relative to the repository root.
    :ivar plugins: its ``flask_security`` entry points, ``{name: target}``.
    :ivar package: its import package folder (``src/<package>``), or ``None``.
    """

    dist: str
    folder: str
    plugins: dict[str, str]
    package: Path | None


def repository_distributions() -> list[RepoDistribution]:
    """Every distribution with a ``[project]`` under ``packages/`` and ``examples/``,
    fsec-core first, then by name."""
    out: list[RepoDistribution] = []
    for pyproject in [
        *ROOT.glob("packages/*/pyproject.toml"),
        *ROOT.glob("examples/*/pyproject.toml"),
    ]:
        with open(pyproject, "rb") as fh:
            project = tomllib.load(fh).get("project")
        if not project:
            continue
        plugins = dict(project.get("entry-points", {}).get("flask_security", {}))
        packages = [
            p for p in (pyproject.parent / "src").glob("*") if (p / "__init__.py").is_file()
        ]
        out.append(
            RepoDistribution(
                project["name"],
                str(pyproject.parent.relative_to(ROOT)),
                plugins,
                packages[0] if packages else None,
            )
        )
    return sorted(out, key=lambda d: (d.dist != "fsec-core", d.dist))


def _absent_plugins() -> list[tuple[str, RepoDistribution]]:
    """``(entry-point name, distribution)`` of this repository's plugins that are not
    installed where the site is built."""
    from flask_security.plugins import discover

    installed = set(discover())
    return [
        (name, dist)
        for dist in repository_distributions()
        for name in dist.plugins
        if name not in installed
    ]


def _absent_section(name: str, dist: RepoDistribution, anchor: str) -> str:
    return (
        f"## {dist.dist} {{#{anchor}}}\n\n"
        f"`{dist.dist}` (`{dist.folder}/`) was not installed where this site was built, "
        f"so its entries are not listed here: `pip install {dist.dist}` (or build the "
        "site in fsec's workspace, which has every distribution) and build again.\n"
    )


# ---------------------------------------------------------------------------------------
# Templates of every distribution (docs/customizing.md)
# ---------------------------------------------------------------------------------------


def render_templates() -> str:
    """One row per distribution shipping templates: where they are inside the
    installed package, and which pages and mails it has (read from the repository)."""
    rows = [
        "| Distribution | Folder in the installed package | Pages "
        "| Mails (`email/<name>.txt` and `.html`) |",
        "| --- | --- | --- | --- |",
    ]
    for dist in repository_distributions():
        if dist.package is None:
            continue
        folder = dist.package / "templates" / "security"
        if not folder.is_dir():
            continue
        pages = sorted(p.name for p in folder.glob("*.html"))
        mails = sorted({p.stem for p in (folder / "email").glob("*.*")})
        where = f"`{dist.package.name}/templates/security/`"
        rows.append(
            f"| `{dist.dist}` | {where} | "
            + (", ".join(f"`{p}`" for p in pages) or "none")
            + " | "
            + (", ".join(f"`{m}`" for m in mails) or "none")
            + " |"
        )
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------
# FeatureContract (docs/plugins/testing.md)
# ---------------------------------------------------------------------------------------

_CVAR = re.compile(
    r":cvar (\w+):\s*(.*?)(?=\n\s*:(?:cvar|ivar|param|returns|raises)\b|\n\s*\n|\Z)", re.S
)


def feature_contract_attributes() -> list[tuple[str, bool, str, str]]:
    """``(name, required, default, meaning)`` for every class attribute of
    :class:`flask_security.testing.contracts.FeatureContract`, from the annotations,
    values and ``:cvar:`` fields of the suite classes it combines (the attributes are
    declared on their base, ``FeatureSuite``)."""
    import inspect

    from flask_security.testing.contracts import FeatureContract

    out = []
    seen: set[str] = set()
    for cls in reversed(FeatureContract.__mro__):
        doc = cls.__doc__ or ""
        meanings = {m.group(1): " ".join(m.group(2).split()) for m in _CVAR.finditer(doc)}
        for name in inspect.get_annotations(cls):
            if name in seen:
                continue
            seen.add(name)
            required = not hasattr(FeatureContract, name)
            default = "" if required else repr(getattr(FeatureContract, name))
            out.append((name, required, default, meanings.get(name, "")))
    return out


def feature_contract_checks() -> list[tuple[str, str]]:
    """``(test name, what it checks)`` for every ``test_contract_*`` method of
    :class:`~flask_security.testing.contracts.FeatureContract` (of the suites it
    combines, in their order), from its docstring."""
    import inspect

    from flask_security.testing.contracts import FeatureContract

    return [
        (name, " ".join((inspect.getdoc(fn) or "").split()))
        for name, fn in contract_tests(FeatureContract).items()
        if name.startswith("test_contract_")
    ]


def contract_tests(contract: type) -> dict[str, Any]:
    """``{name: function}`` of every ``test_*`` method of ``contract``, a class
    combining suites: the classes of its MRO in turn (so the suites in the order the
    class lists them), each in definition order; a name defined again counts once,
    as the first class of the MRO defines it."""
    tests: dict[str, Any] = {}
    for cls in contract.__mro__:
        for name, fn in vars(cls).items():
            if name.startswith("test_") and name not in tests:
                tests[name] = fn
    return tests


def render_feature_contract() -> tuple[str, str]:
    """``(attributes table, checks table)`` of :class:`FeatureContract`."""
    parts = ["| Attribute | Required | Default | What it says |", "| --- | --- | --- | --- |"]
    for name, required, default, meaning in feature_contract_attributes():
        if not meaning:
            log.warning("FeatureContract.%s has no ':cvar %s:' in its docstring", name, name)
        parts.append(
            f"| `{name}` | {'**yes**' if required else 'no'} | "
            f"{('`' + _cell(default) + '`') if default else ''} | {_cell(meaning)} |"
        )
    checks = ["| Check | What it does |", "| --- | --- |"]
    for name, doc in feature_contract_checks():
        if not doc:
            log.warning("FeatureContract.%s has no docstring", name)
        checks.append(f"| `{name}` | {_cell(doc)} |")
    return "\n".join(parts) + "\n", "\n".join(checks) + "\n"


_MARKERS = {
    "<!-- fsec:config -->": render_config,
    "<!-- fsec:messages -->": render_messages,
    "<!-- fsec:distributions -->": render_distributions,
    "<!-- fsec:templates -->": render_templates,
    "<!-- fsec:feature-contract-attributes -->": lambda: render_feature_contract()[0],
    "<!-- fsec:feature-contract-checks -->": lambda: render_feature_contract()[1],
}


# ---------------------------------------------------------------------------------------
# flask_security.testing (docs/plugins/testing.md)
# ---------------------------------------------------------------------------------------

#: Modules of ``flask_security.testing`` that are machinery, not for tests to import.
TESTING_INTERNAL = frozenset({"live_gunicorn_conf", "live_wsgi", "contract_report"})


def testing_names() -> list[tuple[str, str, str]]:
    """``(module, name, summary)`` for every public name of every module of
    :mod:`flask_security.testing`: the fixtures of its pytest plugin (``fsec_*``), the
    ``__all__`` of modules that have one, else the classes and functions a module
    defines (private ``_*`` modules left out). ``summary`` is the first paragraph of
    the docstring (``#:`` comment for data), empty when there is none."""
    import importlib
    import inspect
    import pkgutil

    import flask_security.testing as testing

    out = []
    for info in sorted(pkgutil.iter_modules(testing.__path__), key=lambda i: i.name):
        if info.name in TESTING_INTERNAL or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"flask_security.testing.{info.name}")
        if info.name == "fixtures":
            names = [n for n in vars(module) if n.startswith("fsec_")]
        elif hasattr(module, "__all__"):
            names = list(module.__all__)
        else:
            names = [
                n
                for n, o in vars(module).items()
                if not n.startswith("_")
                and (inspect.isclass(o) or inspect.isfunction(o))
                and o.__module__ == module.__name__
            ]
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj) or name.startswith("fsec_"):
                doc = (inspect.getdoc(obj) or "").split("\n\n")[0]
            else:
                doc = _comment_doc(module, name)
            out.append((info.name, name, " ".join(doc.split())))
    return out


def render_testing_reference() -> str:
    rows = ["| Name | Module | What it is |", "| --- | --- | --- |"]
    for module, name, summary in testing_names():
        if not summary:
            log.warning("flask_security.testing.%s.%s has no docstring", module, name)
        rows.append(f"| `{name}` | `flask_security.testing.{module}` | {_cell(summary)} |")
    return "\n".join(rows) + "\n"


def _comment_doc(module: Any, name: str) -> str:
    """The ``#:`` comment block above ``name = ...`` (or ``name: T = ...``) in the
    sources next to ``module``'s file, then in the subpackages beside it (a name
    re-exported from ``flask_security.hookspecs.markers``), or ``""``."""
    import inspect

    root = Path(inspect.getfile(module)).parent
    pattern = re.compile(rf"^{re.escape(name)}\s*(?::[^=]*)?=")
    for path in [*sorted(root.glob("*.py")), *sorted(root.glob("*/*.py"))]:
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if pattern.match(line):
                doc: list[str] = []
                j = i - 1
                while j >= 0 and lines[j].startswith("#:"):
                    doc.insert(0, lines[j][2:].strip())
                    j -= 1
                if doc:
                    return " ".join(doc)
    return ""


_MARKERS["<!-- fsec:testing-reference -->"] = render_testing_reference


# ---------------------------------------------------------------------------------------
# The Plugin API (docs/plugins/api.md)
# ---------------------------------------------------------------------------------------

#: The modules whose ``__all__`` is the plugin API, in page order, with what each holds.
#: A plugin may import every name listed in these ``__all__`` (and the pytest helpers of
#: ``flask_security.testing``, documented in docs/plugins/testing.md); nothing else.
PLUGIN_API_MODULES: tuple[tuple[str, str], ...] = (
    (
        "flask_security",
        "The package: the extension, the application's state (`SecurityState`) and the "
        "proxies to it, decorators, model mixins, and names re-exported from the modules "
        "below.",
    ),
    ("flask_security.utils", "Messages, settings, passwords, login, links and tokens, mail."),
    (
        "flask_security.views",
        "Helpers for a plugin's views: forms built from the request (form post or JSON), "
        "pages, JSON answers.",
    ),
    (
        "flask_security.forms",
        "Form building blocks and validators, and validating a form without a request.",
    ),
    (
        "flask_security.login_steps",
        "Multi-step login: `begin_login`, the entry point of every first factor, and the "
        "pending login a further factor completes (see [multi-step login](login-steps.md)).",
    ),
    ("flask_security.decorators", "View decorators and the answers they give."),
    ("flask_security.signals", "The documented blinker signals (sender: the app)."),
    ("flask_security.datastore", "The datastore base classes and the errors to catch."),
    ("flask_security.cli", "Helpers for a plugin's `flask` commands."),
    ("flask_security.babel", "Translating a plugin's texts."),
    ("flask_security.plugins", "Errors of the plugin host."),
)

#: Modules holding part of a listed module's API, documented under that module (their
#: names are re-exported there): ``form_base`` is split out of ``flask_security.forms``,
#: ``form_pages`` and ``responses`` out of ``flask_security.views``.
DOCUMENTED_UNDER: dict[str, str] = {
    "flask_security.form_base": "flask_security.forms",
    "flask_security.form_pages": "flask_security.views",
    "flask_security.responses": "flask_security.views",
}


@dataclass
class ApiEntry:
    """One public name of the plugin API.

    :ivar module: the module it is listed in (``__all__``).
    :ivar name: the name.
    :ivar kind: ``"function"``, ``"class"``, ``"data"`` or ``"see"`` (re-exported
        from another listed module, documented there).
    :ivar home: the module it is documented under.
    :ivar doc: for ``"data"``: its ``#:`` comment.
    :ivar problems: what its documentation lacks (each a warning, so the strict build
        and ``tests/test_docs_plugin_api.py`` fail).
    """

    module: str
    name: str
    kind: str
    home: str
    doc: str = ""
    problems: list[str] = field(default_factory=list)


def _callable_problems(fn: Any, label: str) -> list[str]:
    """What ``fn``'s docstring lacks: a text, ``:param x:`` for each parameter, and
    ``:returns:`` unless it is annotated to return ``None``."""
    import inspect

    doc = inspect.getdoc(fn) or ""
    if not doc.strip():
        return [f"{label} has no docstring"]
    problems = []
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return problems
    for param in sig.parameters.values():
        if param.name in ("self", "cls"):
            continue
        if not re.search(rf":param (?:[^:\n]+ )?{re.escape(param.name)}:", doc):
            problems.append(f"{label}: parameter {param.name!r} has no ':param {param.name}:'")
    if sig.return_annotation not in (None, "None") and not re.search(r":returns?:", doc):
        problems.append(f"{label} has no ':returns:'")
    return problems


def _own_classes(cls: type) -> list[type]:
    """``cls`` and its bases defined in fsec (not Flask-WTF's or pluggy's...)."""
    return [k for k in cls.__mro__ if k.__module__.startswith("flask_security")]


def _inherits_only_from_fsec(cls: type) -> bool:
    """Whether every base of ``cls`` (but ``object``) is fsec's: its inherited members
    are then part of its API (``SecurityState``'s token and callback methods)."""
    bases = [k for k in cls.__mro__[1:] if k is not object]
    return bool(bases) and all(k.__module__.startswith("flask_security") for k in bases)


def plugin_api_entries() -> list[ApiEntry]:
    """One entry per name in the ``__all__`` of every module of
    :data:`PLUGIN_API_MODULES`, with what its documentation lacks."""
    import importlib
    import inspect

    listed = [name for name, _ in PLUGIN_API_MODULES]
    exported = {m: set(getattr(importlib.import_module(m), "__all__", ())) for m in listed}
    entries: list[ApiEntry] = []
    for module_name in listed:
        module = importlib.import_module(module_name)
        if not hasattr(module, "__all__"):
            entries.append(
                ApiEntry(
                    module_name,
                    "__all__",
                    "data",
                    module_name,
                    problems=[f"{module_name} has no __all__ (its public names)"],
                )
            )
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            label = f"{module_name}.{name}"
            definer = getattr(obj, "__module__", None) or ""
            definer = DOCUMENTED_UNDER.get(definer, definer)
            # Documented once, under the listed module nearest to where it is defined
            # (the longest listed prefix of its module) when that module exports it.
            prefixes = [m for m in listed if definer == m or definer.startswith(m + ".")]
            nearest = max(prefixes, key=len) if prefixes else None
            homes = (
                [nearest]
                if nearest
                and nearest != module_name
                and name in exported[nearest]
                and getattr(importlib.import_module(nearest), name, None) is obj
                else []
            )
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and homes:
                entries.append(ApiEntry(module_name, name, "see", homes[0]))
                continue
            external = (inspect.isclass(obj) or inspect.isfunction(obj)) and not (
                definer or ""
            ).startswith("flask_security")
            if external:  # another library's object (Flask-Login's login_required)
                entry = ApiEntry(module_name, name, "data", module_name)
                entry.doc = _comment_doc(module, name)
                if not entry.doc:
                    entry.problems.append(f"{label} has no '#:' comment above its assignment")
            elif inspect.isclass(obj):
                entry = ApiEntry(module_name, name, "class", module_name)
                if not (obj.__doc__ or "").strip():
                    entry.problems.append(f"{label} has no docstring")
                seen: set[str] = set()
                for klass in _own_classes(obj):
                    for attr, member in vars(klass).items():
                        if attr.startswith("_") or attr in seen or not inspect.isfunction(member):
                            continue
                        seen.add(attr)
                        entry.problems += _callable_problems(member, f"{label}.{attr}")
            elif inspect.isfunction(obj):
                entry = ApiEntry(module_name, name, "function", module_name)
                entry.problems += _callable_problems(obj, label)
            else:
                entry = ApiEntry(module_name, name, "data", module_name)
                entry.doc = _comment_doc(module, name)
                if not entry.doc:
                    entry.problems.append(f"{label} has no '#:' comment above its assignment")
            entries.append(entry)
    return entries


def render_plugin_api() -> str:
    """The Plugin API page body: per module, every public name with its signature and
    docstring (mkdocstrings), data with their ``#:`` comment, re-exports as links."""
    import importlib

    entries = plugin_api_entries()
    parts: list[str] = []
    for module_name, summary in PLUGIN_API_MODULES:
        anchor = module_name.replace(".", "-")
        parts.append(f"## `{module_name}` {{#{anchor}}}\n\n{summary}\n")
        own = [e for e in entries if e.module == module_name]
        for entry in own:
            for problem in entry.problems:
                log.warning("plugin API: %s", problem)
        see = [e for e in own if e.kind == "see"]
        if see:
            parts.append(
                "Also importable from here: "
                + ", ".join(f"[`{e.name}`](#{e.home}.{e.name})" for e in see)
                + ".\n"
            )
        for entry in own:
            if entry.kind == "see":
                continue
            if entry.kind == "data":
                parts.append(
                    f"### `{entry.name}` {{#{module_name}.{entry.name}}}\n\n"
                    f"`{module_name}.{entry.name}`: {entry.doc}\n"
                )
                continue
            members = ""
            if entry.kind == "class":
                members = '\n      filters: ["!^_"]'
                obj = getattr(importlib.import_module(module_name), entry.name)
                if _inherits_only_from_fsec(obj):
                    members += "\n      inherited_members: true"
            parts.append(
                f"::: {module_name}.{entry.name}\n"
                "    options:\n"
                "      show_root_heading: true\n"
                "      show_root_full_path: false\n"
                "      heading_level: 3"
                f"{members}\n"
            )
    return "\n".join(parts) + "\n"


_MARKERS["<!-- fsec:plugin-api -->"] = render_plugin_api
