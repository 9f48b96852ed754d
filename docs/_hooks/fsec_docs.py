"""MkDocs hooks for the fsec site: reference tables generated from the plugins themselves.

Markers in the Markdown pages are replaced at build time:

* ``<!-- fsec:config -->``: one table per installed plugin of every configuration key
  it contributes (``fsec_config_defaults``), with the default the plugin registers
  and the meaning from ``docs/_data/config.toml``; then the keys fsec reads without
  registering a default (feature flags, form overrides...), from the same file.
* ``<!-- fsec:messages -->``: every message key per plugin (``fsec_messages``) with
  its category and default text.
* ``<!-- fsec:distributions -->``: every installed distribution providing a plugin.

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


_MARKERS = {
    "<!-- fsec:config -->": render_config,
    "<!-- fsec:messages -->": render_messages,
    "<!-- fsec:distributions -->": render_distributions,
}


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
