"""Plugin discovery and the typed facade over pluggy's ``PluginManager``.

Lifecycle (see ``docs/plugins/index.md``):

1. :func:`discover` reads the ``flask_security`` entry-point group once per process
   (cached), sorted by name; exact duplicates (editable installs list a distribution
   twice) are dropped; one name with two different targets is a :class:`PluginError`.
2. ``Security.init_app`` decides which plugins are enabled for the application
   (:func:`enabled_plugin_names`) and builds one :class:`PluginHost` (one pluggy
   ``PluginManager``) per security state. Disabled plugins are never imported.
3. Enabled plugins are imported and registered; an import failure is a
   :class:`PluginError` naming the plugin and its distribution.
4. ``check_pending()`` rejects hook implementations no spec knows (a plugin written
   for a newer core fails loudly at start-up).
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs

#: Entry-point group (and pluggy project name).
ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME

#: Core's own plugin: always enabled, registered through the same hooks.
CORE_PLUGIN = "core"

#: First-party feature plugins: entry-point name -> distribution. The feature is
#: switched on by ``SECURITY_<NAME>`` (documented 3.0 flags).
FIRST_PARTY_FEATURES: dict[str, str] = {
    "registerable": "fsec-registerable",
    "confirmable": "fsec-confirmable",
    "recoverable": "fsec-recoverable",
    "passwordless": "fsec-passwordless",
    "trackable": "fsec-trackable",
    "webauthn": "fsec-webauthn",
    "two_factor": "fsec-two-factor",
}

#: First-party store plugins: entry-point name -> distribution.
FIRST_PARTY_STORES: dict[str, str] = {
    "store-sqlalchemy": "fsec-store-sqlalchemy",
    "store-mongo": "fsec-store-mongo",
    "store-peewee": "fsec-store-peewee",
    "store-pony": "fsec-store-pony",
}


#: Feature flags (keys without ``SECURITY_``) and the plugin that owns each: no other
#: plugin may register a default for one (a plugin must not switch a feature on).
FEATURE_FLAGS: dict[str, str] = {
    **{name.upper(): name for name in FIRST_PARTY_FEATURES},
    "CHANGEABLE": CORE_PLUGIN,
}


class PluginError(RuntimeError):
    """A plugin cannot be discovered, enabled, imported or registered."""


@dataclass(frozen=True)
class PluginInfo:
    """One discovered entry point.

    :ivar name: entry-point name (``"recoverable"``).
    :ivar target: the module path the entry point names (``"fsec_recoverable.plugin"``).
    :ivar dist: distribution name (``"fsec-recoverable"``), or ``None`` if unknown.
    :ivar version: distribution version, or ``None``.
    """

    name: str
    target: str
    dist: str | None
    version: str | None

    def load(self) -> ModuleType:
        """Import the plugin module.

        :raises PluginError: the import failed; the message names plugin and
            distribution and the original exception is chained.
        """
        try:
            return importlib.import_module(self.target)
        except Exception as exc:
            raise PluginError(
                f"fsec plugin {self.name!r} (distribution {self.dist or 'unknown'}) "
                f"failed to import {self.target!r}: {exc}"
            ) from exc


def _name_and_version(dist: Any) -> tuple[str | None, str | None]:
    """A distribution's name and version, parsing its METADATA file once.

    (``dist.name`` and ``dist.version`` parse the whole file each: ~0.15 ms per
    distribution, which ``Security.init_app`` paid twice for every plugin.)
    """
    if dist is None:
        return None, None
    metadata = getattr(dist, "metadata", None)
    if metadata is None:  # not an importlib.metadata.Distribution
        return dist.name, dist.version
    return metadata["Name"], metadata["Version"]


@functools.cache
def discover() -> Mapping[str, PluginInfo]:
    """Read the ``flask_security`` entry-point group; cached for the process.

    :returns: ``{name: PluginInfo}`` sorted by name.
    :raises PluginError: one name points at two different targets.
    """
    found: dict[str, PluginInfo] = {}
    eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    for ep in sorted(eps, key=lambda e: (e.name, e.value)):
        dist_name, dist_version = _name_and_version(getattr(ep, "dist", None))
        info = PluginInfo(
            name=ep.name,
            target=ep.value.split(":", 1)[0],
            dist=dist_name,
            version=dist_version,
        )
        previous = found.get(ep.name)
        if previous is not None:
            if previous.target == info.target:
                continue
            raise PluginError(
                f"two fsec plugins are named {ep.name!r}: {previous.target!r} "
                f"({previous.dist}) and {info.target!r} ({info.dist}); uninstall one"
            )
        found[ep.name] = info
    return dict(sorted(found.items()))


def clear_discovery_cache() -> None:
    """Forget the cached entry points (after installing a distribution at run time)."""
    discover.cache_clear()


def flag_for(name: str) -> str:
    """The config key switching a first-party feature on: ``SECURITY_<NAME>``."""
    return "SECURITY_" + name.upper().replace("-", "_")


def enabled_plugin_names(
    config: Mapping[str, Any],
    datastore: object | None,
    available: Mapping[str, PluginInfo],
) -> list[str]:
    """Decide which plugins an application enables.

    * ``core`` always;
    * a first-party feature when its flag (``SECURITY_RECOVERABLE``...) is true;
    * a store plugin when the datastore passed to ``init_app`` comes from its
      package (the datastore class's top-level module is the plugin's);
    * any plugin named in ``SECURITY_PLUGINS`` (how third-party plugins are enabled),
      except first-party features and stores: those only by their own flag or
      datastore, so that a plugin list never switches a feature on behind its flag.

    :raises PluginError: a feature is switched on but no installed distribution
        provides it (the message holds the ``pip install`` line);
        ``SECURITY_PLUGINS`` is not a list of names; or it names a first-party
        feature whose flag is off, or a first-party store.
    """
    wanted: dict[str, str] = {CORE_PLUGIN: "core"}
    for name in FIRST_PARTY_FEATURES:
        if config.get(flag_for(name)):
            wanted[name] = flag_for(name)
    listed = config.get("SECURITY_PLUGINS") or ()
    if isinstance(listed, str | bytes) or not all(isinstance(n, str) for n in listed):
        raise PluginError(
            f"SECURITY_PLUGINS must be a list of plugin names, e.g. ['lockout'], not {listed!r}"
        )
    for name in listed:
        if name in FIRST_PARTY_FEATURES and name not in wanted:
            raise PluginError(
                f"SECURITY_PLUGINS names the first-party feature {name!r}: switch it on "
                f"with its own flag, {flag_for(name)} = True"
            )
        if name in FIRST_PARTY_STORES:
            raise PluginError(
                f"SECURITY_PLUGINS names the store plugin {name!r}: a store is enabled "
                "by passing its datastore to Security"
            )
        wanted.setdefault(name, "SECURITY_PLUGINS")
    missing = [name for name in wanted if name not in available]
    if missing:
        lines = []
        for name in missing:
            dist = FIRST_PARTY_FEATURES.get(name) or FIRST_PARTY_STORES.get(name)
            how = f"pip install {dist}" if dist else f"install the distribution providing {name!r}"
            lines.append(
                f"{wanted[name]} enables fsec plugin {name!r}, which is not installed: {how}"
            )
        raise PluginError("; ".join(lines))
    if datastore is not None:
        top = type(datastore).__module__.split(".", 1)[0]
        for name, info in available.items():
            if name.startswith("store-") and info.target.split(".", 1)[0] == top:
                wanted.setdefault(name, "datastore")
    return sorted(wanted, key=lambda n: (n != CORE_PLUGIN, n))


@dataclass
class Contribution:
    """One registered contribution: who registered it, and ``register``'s arguments.

    :ivar plugin: the registering plugin's name.
    :ivar args: positional arguments after the key (all of them when not keyed).
    :ivar kwargs: keyword arguments.
    """

    plugin: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> Any:
        """The single positional value (``register(key, value)``)."""
        return self.args[0]


@dataclass
class PluginHost:
    """One pluggy ``PluginManager`` per security state, with typed helpers.

    :ivar pm: the pluggy manager (``pm.hook.fsec_login_refusal(...)`` etc.).
    :ivar infos: ``{name: PluginInfo}`` of the registered plugins.
    :ivar implemented: ``{plugin name: sorted hook names it implements}``.
    """

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo] = field(default_factory=dict)
    #: ``(hook name, key, plugin that won, plugin whose contribution it replaced)``
    #: for every contribution of core's that a plugin replaced, in collection order.
    replaced: list[tuple[str, str, str, str]] = field(default_factory=list)

    @classmethod
    def create(cls, names: Iterable[str], available: Mapping[str, PluginInfo]) -> PluginHost:
        """Import and register the named plugins, then ``check_pending()``.

        :raises PluginError: a plugin fails to import, or implements a hook that no
            spec defines (``pluggy.PluginValidationError`` is wrapped).
        """
        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        host = cls(pm)
        for name in names:
            info = available[name]
            module = info.load()
            try:
                pm.register(module, name=name)
            except pluggy.PluginValidationError as exc:
                raise PluginError(f"fsec plugin {name!r} ({info.dist}): {exc}") from exc
            host.infos[name] = info
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                f"an fsec plugin implements a hook this fsec-core does not know: {exc}; "
                "upgrade fsec-core"
            ) from exc
        return host

    @property
    def hook(self) -> Any:
        """The pluggy hook relay (lifecycle hooks)."""
        return self.pm.hook

    def implemented(self) -> dict[str, list[str]]:
        """``{plugin name: [hook names]}`` for every registered plugin."""
        result: dict[str, list[str]] = {name: [] for name in self.infos}
        for hookname, caller in vars(self.pm.hook).items():
            if not hookname.startswith("fsec_"):
                continue
            for impl in caller.get_hookimpls():
                result.setdefault(impl.plugin_name, []).append(hookname)
        return {k: sorted(v) for k, v in result.items()}

    def _call_with_register(
        self, hookname: str, register_for: Any, kwargs: dict[str, Any]
    ) -> None:
        """Call each implementation of ``hookname`` (core's last: reversed call order)
        with the keyword arguments it takes and ``register_for(plugin name)``."""
        caller = getattr(self.pm.hook, hookname)
        for impl in reversed(caller.get_hookimpls()):
            wanted = {k: v for k, v in kwargs.items() if k in impl.argnames}
            if "register" in impl.argnames:
                wanted["register"] = register_for(impl.plugin_name)
            impl.function(**wanted)

    def collect(self, hookname: str, **kwargs: Any) -> dict[Any, Contribution]:
        """Call a contribution hook whose registrations are keyed by their first
        argument (``register("login", ...)``), one implementation at a time.

        Each implementation gets a ``register`` callable bound to its plugin name,
        plus those of ``kwargs`` it declares. A plugin's registration of a key core
        registered replaces core's (recorded in :attr:`replaced`); the same key
        registered with the same value twice is kept once.

        :param hookname: the hook (``"fsec_forms"``).
        :param kwargs: the hook's other arguments (``app=...``, ``state=...``).
        :returns: ``{key: Contribution}``, the contribution's ``args`` without the key.
        :raises PluginError: two non-core plugins register one key with different
            values.
        """
        keyed: dict[Any, Contribution] = {}

        def register_for(plugin: str) -> Any:
            def register(*args: Any, **options: Any) -> None:
                key = args[0]
                new = Contribution(plugin, args[1:], options)
                previous = keyed.get(key)
                if previous is None or previous.plugin == plugin:
                    keyed[key] = new
                    return
                if plugin == CORE_PLUGIN:
                    # a plugin's contribution replaces core's
                    self.replaced.append((hookname, str(key), previous.plugin, CORE_PLUGIN))
                    return
                if previous.plugin == CORE_PLUGIN:
                    self.replaced.append((hookname, str(key), plugin, CORE_PLUGIN))
                    keyed[key] = new
                    return
                if (previous.args, previous.kwargs) == (new.args, new.kwargs):
                    return
                raise PluginError(
                    f"fsec plugins {previous.plugin!r} and {plugin!r} both contribute "
                    f"{key!r} to {hookname}"
                )

            return register

        self._call_with_register(hookname, register_for, kwargs)
        return keyed

    def collect_all(self, hookname: str, **kwargs: Any) -> list[Contribution]:
        """Call a contribution hook whose registrations are not keyed
        (``register(folder)``, ``register(group, command)``): every registration is
        kept, in call order (core's last).

        :param hookname: the hook (``"fsec_template_folders"``).
        :param kwargs: the hook's other arguments.
        :returns: one :class:`Contribution` per ``register`` call, its ``args`` being
            all of ``register``'s positional arguments.
        """
        listed: list[Contribution] = []

        def register_for(plugin: str) -> Any:
            def register(*args: Any, **options: Any) -> None:
                listed.append(Contribution(plugin, args, options))

            return register

        self._call_with_register(hookname, register_for, kwargs)
        return listed


#: The plugin host's public name for plugins: the error start-up raises (the rest of this
#: module is fsec's machinery: discovery, enabling, the pluggy host).
__all__ = ["PluginError"]
