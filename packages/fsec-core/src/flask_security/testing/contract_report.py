"""Terminal summary of the contract suites: one line per contract, store and database.

Registered by fsec's pytest plugin (:mod:`.fixtures`). A test belongs to a contract
run when its class sets ``_fsec_contract`` (``"datastore"``, ``"views"``) and the
run's ``store`` and ``database`` (see :mod:`.datastore_contract`). The label travels
in the report's ``user_properties``, so the counts are right under pytest-xdist too.
At the end of the session the summary reads, for example::

    fsec datastore contract peewee / postgresql: 45 passed
    fsec views contract     peewee / postgresql: 8 passed
"""

from __future__ import annotations

from collections import Counter
from typing import Any

#: ``user_properties`` key carrying ``(contract, store, database)``.
PROPERTY = "fsec_contract"


def contract_label(item: Any) -> tuple[str, str, str] | None:
    """``(contract, store, database)`` for a contract test item, else ``None``."""
    cls = getattr(item, "cls", None)
    kind = getattr(cls, "_fsec_contract", "") if cls is not None else ""
    if not kind:
        return None
    return kind, str(getattr(cls, "store", "?")), str(getattr(cls, "database", "?"))


class ContractReport:
    """pytest plugin object: counts outcomes per contract run and prints them."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str], Counter[str]] = {}

    def pytest_itemcollected(self, item: Any) -> None:
        label = contract_label(item)
        if label is not None:
            item.user_properties.append((PROPERTY, label))

    def pytest_runtest_logreport(self, report: Any) -> None:
        label = next((v for k, v in report.user_properties if k == PROPERTY), None)
        if label is None:
            return
        counter = self.counts.setdefault(tuple(label), Counter())  # type: ignore[arg-type]
        if report.when == "call":
            counter[report.outcome] += 1
        elif report.when == "setup" and not report.passed:
            counter["skipped" if report.skipped else "error"] += 1
        elif report.when == "teardown" and report.failed:
            counter["error"] += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.counts:
            return
        terminalreporter.section("fsec contract runs")
        for (kind, store, database), counter in sorted(self.counts.items()):
            parts = [
                f"{counter[o]} {o}"
                for o in ("passed", "failed", "error", "skipped")
                if counter[o] or o == "passed"
            ]
            terminalreporter.write_line(
                f"fsec {kind + ' contract':18} {store} / {database}: {', '.join(parts)}"
            )
